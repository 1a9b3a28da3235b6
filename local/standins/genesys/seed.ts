import { randomUUID } from 'node:crypto';
import type {
  ActionConfigInput,
  IntegrationStore,
  SeedCredentialInput,
  SeededIntegration,
  SeedIntegrationInput,
} from './integrations.js';
import {
  CLIENT_CREDENTIALS_GRANT,
  type ClientRecord,
  type ClientState,
  DEFAULT_TOKEN_VALIDITY_SECONDS,
  newSecret,
  type OrgDirectory,
  type RoleDivision,
} from './model.js';
import type { UsageLedger } from './usage.js';

/** Every permission the rotator needs (genesys-cloud-api.md §1.1, §4.1, §4.4). */
export const ROTATOR_ADMIN_PERMISSIONS = [
  'oauth:client:view',
  'oauth:client:add',
  'oauth:client:edit',
  'oauth:client:delete',
  'integrations:*',
  // The hard-coded secret scan and the blast radius read flows and their dependencies (§4.4).
  'architect:flow:view',
  'architect:dependencyTracking:view',
] as const;

export interface SeedClientInput {
  name: string;
  roleDivisions: RoleDivision[];
  secret?: string;
  state?: ClientState;
  dateCreated?: Date;
  authorizedGrantType?: string;
  accessTokenValiditySeconds?: number;
  /**
   * Usage history from before the scenario: this many requests (GET /api/v2/organizations/me, 200) on
   * each of the `days` usage days before the current one. Default none.
   */
  pastUsage?: { days: number; requestsPerDay: number };
}

export interface SeedAdminClientOptions {
  name?: string;
  /** Grants on top of the admin role in Home, e.g. roles the rotator must be able to copy onto new clients. */
  extraRoleDivisions?: RoleDivision[];
}

export interface SeededClient {
  clientId: string;
  clientSecret: string;
}

export interface GenesysSeed {
  /** The org's default 'Home' division. */
  readonly homeDivisionId: string;
  role(name: string, permissions: string[]): string;
  division(name: string): string;
  /** A client-credentials client holding an admin role with every permission the rotator needs, in Home. */
  adminClient(options?: SeedAdminClientOptions): SeededClient & { roleDivisions: RoleDivision[] };
  client(input: SeedClientInput): SeededClient;
  /** An integration with one action, its current config referencing a new credential (or none). */
  integration(input: SeedIntegrationInput): SeededIntegration;
  /** A credential not referenced by any integration yet (e.g. the inactive slot of a dual-slot flip). */
  credential(input: SeedCredentialInput): string;
  action(input: {
    integrationId: string;
    name: string;
    config?: ActionConfigInput;
    secure?: boolean;
    category?: string;
  }): string;
  /** Which credential field sets the external partner behind an integration honours (null: any). */
  partnerAccepts(integrationId: string, accepted: Record<string, string>[] | null): void;
}

export function createSeed(
  directory: OrgDirectory,
  integrations: IntegrationStore,
  now: () => Date,
  generateSecret: () => string = newSecret,
  usage?: UsageLedger,
): GenesysSeed {
  let adminRoleId: string | undefined;

  const client = (input: SeedClientInput): SeededClient => {
    for (const pair of input.roleDivisions) {
      if (!directory.roles.has(pair.roleId)) throw new Error(`seed.client: unknown role ${pair.roleId}`);
      if (pair.divisionId !== '*' && !directory.divisions.has(pair.divisionId)) {
        throw new Error(`seed.client: unknown division ${pair.divisionId}`);
      }
    }
    const created = input.dateCreated ?? now();
    const record: ClientRecord = {
      id: randomUUID(),
      name: input.name,
      description: undefined,
      secret: input.secret ?? generateSecret(),
      authorizedGrantType: input.authorizedGrantType ?? CLIENT_CREDENTIALS_GRANT,
      accessTokenValiditySeconds: input.accessTokenValiditySeconds ?? DEFAULT_TOKEN_VALIDITY_SECONDS,
      roleDivisions: input.roleDivisions.map((pair) => ({ ...pair })),
      scope: [],
      registeredRedirectUri: [],
      state: input.state ?? 'active',
      dateCreated: created,
      dateModified: created,
      createdByClientId: null,
      modifiedByClientId: null,
      deleted: false,
      dateToDelete: null,
      // Seeded clients exist before the scenario starts: the activation delay is long over.
      secretUsableFrom: new Date(0),
    };
    directory.addClient(record);
    if (input.pastUsage && usage) {
      const { calendar } = usage;
      const todayStart = calendar.dayStart(now().getTime());
      for (let day = 1; day <= input.pastUsage.days; day += 1) {
        const at = new Date(todayStart - day * calendar.dayLengthMs);
        usage.record(record.id, at, 'api/v2/organizations/me', 'GET', 200, input.pastUsage.requestsPerDay);
      }
    }
    return { clientId: record.id, clientSecret: record.secret };
  };

  return {
    homeDivisionId: directory.homeDivisionId,
    role: (name, permissions) => directory.addRole(name, permissions),
    division: (name) => directory.addDivision(name),
    adminClient: (options = {}) => {
      adminRoleId ??= directory.addRole('Credential Rotator Admin', [...ROTATOR_ADMIN_PERMISSIONS]);
      const roleDivisions = [
        { roleId: adminRoleId, divisionId: directory.homeDivisionId },
        ...(options.extraRoleDivisions ?? []),
      ];
      const seeded = client({ name: options.name ?? 'credential-rotator-admin', roleDivisions });
      return { ...seeded, roleDivisions };
    },
    client,
    integration: (input) => integrations.seedIntegration(input),
    credential: (input) => integrations.createCredential(input),
    action: (input) => integrations.seedAction(input),
    partnerAccepts: (integrationId, accepted) => integrations.setAcceptedCredentials(integrationId, accepted),
  };
}
