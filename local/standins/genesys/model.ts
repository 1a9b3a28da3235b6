import { randomBytes, randomUUID } from 'node:crypto';
import { type AdvanceableClock, MS_PER_DAY } from './clock.js';

/** genesys-cloud-api.md §1.2: `OAuthClient.state`. */
export const CLIENT_STATES = ['active', 'inactive', 'disabled'] as const;
export type ClientState = (typeof CLIENT_STATES)[number];

/** genesys-cloud-api.md §1.2: `OAuthClient.authorizedGrantType`. */
export const GRANT_TYPES = ['CODE', 'TOKEN', 'SAML2-BEARER', 'PASSWORD', 'CLIENT-CREDENTIALS'] as const;
export const CLIENT_CREDENTIALS_GRANT = 'CLIENT-CREDENTIALS';

/** genesys-cloud-api.md §1.2: "between 5mins and 48hrs", 24 h when omitted. */
export const MIN_TOKEN_VALIDITY_SECONDS = 300;
export const MAX_TOKEN_VALIDITY_SECONDS = 172_800;
export const DEFAULT_TOKEN_VALIDITY_SECONDS = 86_400;

/** genesys-cloud-api.md §1.3: younger clients are deleted at once; older ones linger, restorable, for 7 days. */
export const IRREVERSIBLE_DELETE_MAX_AGE_MS = 30 * MS_PER_DAY;
export const DEACTIVATED_RETENTION_MS = 7 * MS_PER_DAY;

/** Stands for "every division" in a role grant, as Genesys' "all divisions" option does. */
export const ALL_DIVISIONS = '*';

export interface RoleDivision {
  roleId: string;
  divisionId: string;
}

export interface Role {
  id: string;
  name: string;
  permissions: string[];
}

export interface Division {
  id: string;
  name: string;
  home: boolean;
}

export interface ClientRecord {
  id: string;
  name: string;
  description: string | undefined;
  secret: string;
  authorizedGrantType: string;
  accessTokenValiditySeconds: number;
  roleDivisions: RoleDivision[];
  scope: string[];
  registeredRedirectUri: string[];
  state: ClientState;
  dateCreated: Date;
  dateModified: Date;
  createdByClientId: string | null;
  modifiedByClientId: string | null;
  /** Deleted while older than 30 days: still visible and restorable until `dateToDelete`. */
  deleted: boolean;
  dateToDelete: Date | null;
  /** Eventual consistency after create: the secret is refused before this instant. */
  secretUsableFrom: Date;
}

export interface TokenRecord {
  accessToken: string;
  clientId: string;
  issuedAt: Date;
  expiresAt: Date;
  revoked: boolean;
}

export interface Organization {
  id: string;
  name: string;
  domain: string;
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function newAccessToken(): string {
  return randomBytes(48).toString('base64url');
}

/** In-memory org: roles, divisions, OAuth clients and the tokens they minted. */
export class OrgDirectory {
  readonly roles = new Map<string, Role>();
  readonly divisions = new Map<string, Division>();
  private readonly clientsById = new Map<string, ClientRecord>();
  private readonly tokens = new Map<string, TokenRecord>();
  readonly homeDivisionId: string;

  constructor(
    readonly organization: Organization,
    private readonly clock: AdvanceableClock,
  ) {
    this.homeDivisionId = this.addDivision('Home', true);
  }

  addRole(name: string, permissions: string[]): string {
    const id = randomUUID();
    this.roles.set(id, { id, name, permissions: [...permissions] });
    return id;
  }

  addDivision(name: string, home = false): string {
    const id = randomUUID();
    this.divisions.set(id, { id, name, home });
    return id;
  }

  addClient(client: ClientRecord): void {
    this.clientsById.set(client.id, client);
  }

  /** Clients that exist now (including deleted-but-restorable ones); purges those past `dateToDelete`. */
  clients(): ClientRecord[] {
    this.purgeExpiredDeletions();
    return [...this.clientsById.values()];
  }

  client(id: string): ClientRecord | undefined {
    this.purgeExpiredDeletions();
    return this.clientsById.get(id);
  }

  removeClient(id: string): void {
    this.clientsById.delete(id);
  }

  issueToken(client: ClientRecord): TokenRecord {
    const issuedAt = this.clock.now();
    const token: TokenRecord = {
      accessToken: newAccessToken(),
      clientId: client.id,
      issuedAt,
      expiresAt: new Date(issuedAt.getTime() + client.accessTokenValiditySeconds * 1000),
      revoked: false,
    };
    this.tokens.set(token.accessToken, token);
    return token;
  }

  token(accessToken: string): TokenRecord | undefined {
    return this.tokens.get(accessToken);
  }

  /** Ends the validity of every live token of a client now, as if each had reached `expiresAt`. */
  expireTokensOf(clientId: string): number {
    const now = this.clock.now();
    let expired = 0;
    for (const token of this.tokens.values()) {
      if (token.clientId !== clientId || token.revoked || token.expiresAt.getTime() <= now.getTime())
        continue;
      token.expiresAt = now;
      expired += 1;
    }
    return expired;
  }

  private purgeExpiredDeletions(): void {
    const now = this.clock.now().getTime();
    for (const client of this.clientsById.values()) {
      if (client.deleted && client.dateToDelete && client.dateToDelete.getTime() <= now) {
        this.clientsById.delete(client.id);
      }
    }
  }
}
