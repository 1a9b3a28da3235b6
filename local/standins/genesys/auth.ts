import { GenesysApiError } from './errors.js';
import {
  ALL_DIVISIONS,
  CLIENT_CREDENTIALS_GRANT,
  type ClientRecord,
  type OrgDirectory,
  type RoleDivision,
  type TokenRecord,
} from './model.js';

/** Body of a token-endpoint refusal (genesys-cloud-api.md §2.2). */
export interface OAuthErrorBody {
  error: 'invalid_client' | 'unauthorized_client' | 'invalid_request' | 'unsupported_grant_type';
  description: string;
  error_description: string;
}

export type MintResult =
  | { ok: true; client: ClientRecord; token: TokenRecord }
  | { ok: false; status: number; body: OAuthErrorBody; client: ClientRecord | undefined };

function oauthError(
  error: OAuthErrorBody['error'],
  description: string,
  client?: ClientRecord,
): Extract<MintResult, { ok: false }> {
  return { ok: false, status: 400, body: { error, description, error_description: description }, client };
}

/**
 * The client-credentials grant (genesys-cloud-api.md §2.1, §2.2). Shared by `POST /oauth/token` and by
 * Data Action tests that authenticate with a stored `pureCloudOAuthClient` credential.
 */
export function mintClientCredentialsToken(
  directory: OrgDirectory,
  clientId: string,
  clientSecret: string,
  now: Date,
): MintResult {
  const checked = checkClientCredentials(directory, clientId, clientSecret, now);
  return checked.ok
    ? { ok: true, client: checked.client, token: directory.issueToken(checked.client) }
    : checked;
}

/** Whether the grant would succeed now, without issuing a token (end-state checks of the fault matrix). */
export function checkClientCredentials(
  directory: OrgDirectory,
  clientId: string,
  clientSecret: string,
  now: Date,
): { ok: true; client: ClientRecord } | Extract<MintResult, { ok: false }> {
  const client = directory.client(clientId);
  if (!client) return oauthError('invalid_client', 'client not found');
  if (client.deleted) return oauthError('invalid_client', 'client not found', client);
  if (client.secret !== clientSecret) return oauthError('invalid_client', 'authentication failed', client);
  if (client.authorizedGrantType !== CLIENT_CREDENTIALS_GRANT) {
    return oauthError(
      'unauthorized_client',
      'client is not authorized to use the client_credential grant type',
      client,
    );
  }
  // Eventual consistency after create: indistinguishable from a wrong secret, as callers see it.
  if (now.getTime() < client.secretUsableFrom.getTime()) {
    return oauthError('invalid_client', 'authentication failed', client);
  }
  if (client.state !== 'active') return oauthError('invalid_client', `client is ${client.state}`, client);
  return { ok: true, client };
}

export interface Caller {
  client: ClientRecord;
  token: TokenRecord;
}

function unauthenticated(): GenesysApiError {
  return new GenesysApiError(401, 'bad.credentials', 'Invalid login credentials.');
}

/** Resolves `Authorization: Bearer` to a live token of a client that may still use it, or throws 401. */
export function authenticateBearer(
  directory: OrgDirectory,
  authorization: string | undefined,
  now: Date,
): Caller {
  const match = /^bearer\s+(\S+)$/i.exec(authorization ?? '');
  const accessToken = match?.[1];
  if (!accessToken) {
    throw new GenesysApiError(
      401,
      'authentication.required',
      'No authentication bearer token specified in authorization header.',
    );
  }
  const token = directory.token(accessToken);
  if (!token || token.revoked || token.expiresAt.getTime() <= now.getTime()) throw unauthenticated();
  const client = directory.client(token.clientId);
  // §1.2: a disabled client's tokens are invalid; a deleted client loses access. Inactive keeps its tokens.
  if (!client || client.deleted || client.state === 'disabled') throw unauthenticated();
  return { client, token };
}

/** `a:b:c` held as `a:*`, `a:b:*` or `*` also grants it, as Genesys permission wildcards do. */
export function permissionGrants(held: string, wanted: string): boolean {
  const heldParts = held.split(':');
  const wantedParts = wanted.split(':');
  for (let index = 0; index < wantedParts.length; index++) {
    const heldPart = heldParts[index];
    if (heldPart === undefined) return false;
    if (heldPart === '*' && index === heldParts.length - 1) return true;
    if (heldPart !== '*' && heldPart !== wantedParts[index]) return false;
  }
  return heldParts.length === wantedParts.length;
}

export function heldPermissions(directory: OrgDirectory, client: ClientRecord): string[] {
  return client.roleDivisions.flatMap(({ roleId }) => directory.roles.get(roleId)?.permissions ?? []);
}

export function hasPermission(directory: OrgDirectory, client: ClientRecord, permission: string): boolean {
  return heldPermissions(directory, client).some((held) => permissionGrants(held, permission));
}

/** 403 `missing.any.permissions` unless the caller holds at least one of `permissions`. */
export function requireAnyPermission(
  directory: OrgDirectory,
  client: ClientRecord,
  permissions: readonly string[],
): void {
  if (permissions.length === 0) return;
  if (permissions.some((permission) => hasPermission(directory, client, permission))) return;
  const list = permissions.join(', ');
  throw new GenesysApiError(
    403,
    'missing.any.permissions',
    `Unable to perform the requested action. You must have at least one of the following permissions assigned: [${list}]`,
    {
      messageWithParams:
        'Unable to perform the requested action. You must have at least one of the following permissions assigned: {permissions}',
      messageParams: { permissions: `[${list}]` },
    },
  );
}

function holdsRoleDivision(caller: ClientRecord, wanted: RoleDivision): boolean {
  return caller.roleDivisions.some(
    (held) =>
      held.roleId === wanted.roleId &&
      (held.divisionId === wanted.divisionId || held.divisionId === ALL_DIVISIONS),
  );
}

/**
 * genesys-cloud-api.md §1.2: a client's role-division pairs "are limited to a necessary subset of the ones
 * that the user creating the client id has access"; editing needs the same roles as the client edited.
 * Unknown ids and grants the caller lacks both answer 400, naming the role.
 */
export function assertCanGrantRoleDivisions(
  directory: OrgDirectory,
  caller: ClientRecord,
  roleDivisions: readonly RoleDivision[],
): void {
  for (const wanted of roleDivisions) {
    const role = directory.roles.get(wanted.roleId);
    if (!role) {
      throw new GenesysApiError(400, 'bad.request', `Role ${wanted.roleId} does not exist.`, {
        entityId: wanted.roleId,
      });
    }
    if (wanted.divisionId !== ALL_DIVISIONS && !directory.divisions.has(wanted.divisionId)) {
      throw new GenesysApiError(400, 'bad.request', `Division ${wanted.divisionId} does not exist.`, {
        entityId: wanted.divisionId,
      });
    }
    if (!holdsRoleDivision(caller, wanted)) {
      throw new GenesysApiError(
        400,
        'bad.request',
        `The caller does not hold role '${role.name}' (${role.id}) in division ${wanted.divisionId}, so it cannot grant it.`,
        {
          entityId: role.id,
          entityName: role.name,
          messageWithParams:
            'The caller does not hold role {roleName} in division {divisionId}, so it cannot grant it.',
          messageParams: { roleName: role.name, roleId: role.id, divisionId: wanted.divisionId },
        },
      );
    }
  }
}
