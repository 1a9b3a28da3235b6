/**
 * An example key provider (docs/KEY-PROVIDERS.md) for the partner API of `local/standins/partner/`:
 * the admin surface issues and revokes keys, the data surface tests one. A real partner's provider
 * has the same shape with that partner's admin API behind it.
 *
 * The partner's admin token is itself a secret: the function reads it from Secrets Manager when it
 * needs it, never from its environment. No key, token or partner answer is ever logged or put in an
 * error message.
 */
import type {
  IssueKeyRequest,
  IssueKeyResponse,
  KeyProviderRequest,
  KeyUsageRequest,
  KeyUsageResponse,
  PartnerCredentialType,
  RevokeKeyRequest,
  RevokeKeyResponse,
  RevokeTokenKeysRequest,
  RevokeTokenKeysResponse,
  TestKeyRequest,
  TestKeyResponse,
} from '../../shared/key-provider-contract.js';

/** The partner's admin API refused or failed; named for the rotator's KeyProviderFailedError. */
export class PartnerAdminError extends Error {
  static readonly errorName = 'PartnerAdminError';
  override readonly name = PartnerAdminError.errorName;
}

export interface PartnerProviderDependencies {
  /** e.g. https://api.partner.example (local: the partner stand-in's URL). */
  readonly partnerUrl: string;
  /** Name of the `userDefined` field that holds the key, as the actions' `${credentials.<name>}` read it. */
  readonly userDefinedField: string;
  readonly adminToken: () => Promise<string>;
  readonly fetch: typeof fetch;
}

interface PartnerKey {
  keyId: string;
  label: string;
  state: 'active' | 'revoked';
  secret?: string;
  lastUsedAt?: string | null;
  requests?: number;
}

function labelFor(rotationToken: string): string {
  return `rotation:${rotationToken}`;
}

async function admin(
  deps: PartnerProviderDependencies,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await deps.fetch(new URL(path, deps.partnerUrl), {
    method,
    headers: {
      authorization: `Bearer ${await deps.adminToken()}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (response.status >= 500 || response.status === 401 || response.status === 403) {
    throw new PartnerAdminError(
      `Partner admin API ${method} ${path.split('/').slice(0, 3).join('/')} answered ${response.status}`,
    );
  }
  return { status: response.status, json };
}

function fieldsFor(
  deps: PartnerProviderDependencies,
  type: PartnerCredentialType,
  key: { keyId: string; secret: string },
): Record<string, string> {
  switch (type) {
    case 'userDefined':
      return { [deps.userDefinedField]: key.secret };
    case 'basicAuth':
      return { userName: key.keyId, password: key.secret };
    case 'userDefinedOAuth':
      return {
        clientId: key.keyId,
        clientSecret: key.secret,
        loginUrl: new URL('/oauth/token', deps.partnerUrl).toString(),
      };
  }
}

/** Revokes the still-valid keys labelled for the token; their ids. */
async function revokeKeysOfToken(
  deps: PartnerProviderDependencies,
  rotationToken: string,
): Promise<string[]> {
  const label = labelFor(rotationToken);
  const listed = await admin(deps, 'GET', '/admin/keys');
  const keys = ((listed.json as { keys?: PartnerKey[] } | null)?.keys ?? []).filter(
    (key) => key.label === label && key.state === 'active',
  );
  for (const key of keys) await admin(deps, 'DELETE', `/admin/keys/${encodeURIComponent(key.keyId)}`);
  return keys.map((key) => key.keyId);
}

async function issue(deps: PartnerProviderDependencies, request: IssueKeyRequest): Promise<IssueKeyResponse> {
  const label = labelFor(request.rotationToken);
  // A retried issue for this token: the key issued before was never stored, so it must not live on.
  await revokeKeysOfToken(deps, request.rotationToken);
  const created = await admin(deps, 'POST', '/admin/keys', { label });
  const key = created.json as PartnerKey | null;
  if (created.status !== 201 || !key?.keyId || !key.secret) {
    throw new PartnerAdminError(`Partner admin API did not issue a key (status ${created.status})`);
  }
  return {
    keyId: key.keyId,
    fields: fieldsFor(deps, request.credentialType, { keyId: key.keyId, secret: key.secret }),
  };
}

/** One data call in the style the credential type implies; the partner's 401 means not accepted. */
async function test(deps: PartnerProviderDependencies, request: TestKeyRequest): Promise<TestKeyResponse> {
  const headers: Record<string, string> = {};
  const { fields } = request;
  if (request.credentialType === 'basicAuth') {
    headers.authorization = `Basic ${Buffer.from(`${fields.userName ?? ''}:${fields.password ?? ''}`).toString('base64')}`;
  } else if (request.credentialType === 'userDefinedOAuth') {
    const granted = await deps.fetch(fields.loginUrl ?? new URL('/oauth/token', deps.partnerUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: fields.clientId ?? '',
        client_secret: fields.clientSecret ?? '',
      }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    if (!granted.ok) return { accepted: false, reason: `token grant answered ${granted.status}` };
    const token = ((await granted.json()) as { access_token?: unknown }).access_token;
    headers.authorization = `Bearer ${typeof token === 'string' ? token : ''}`;
  } else {
    headers['x-api-key'] = fields[deps.userDefinedField] ?? '';
  }
  const response = await deps.fetch(new URL('/v1/health', deps.partnerUrl), {
    headers,
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  if (response.ok) return { accepted: true };
  if (response.status >= 500) throw new PartnerAdminError(`Partner data API answered ${response.status}`);
  return { accepted: false, reason: `partner answered ${response.status}` };
}

async function revoke(
  deps: PartnerProviderDependencies,
  request: RevokeKeyRequest,
): Promise<RevokeKeyResponse> {
  const path = `/admin/keys/${encodeURIComponent(request.keyId)}`;
  const before = await admin(deps, 'GET', path);
  if (before.status === 404) return { keyId: request.keyId, revoked: true, alreadyRevoked: true };
  if ((before.json as PartnerKey | null)?.state === 'revoked') {
    return { keyId: request.keyId, revoked: true, alreadyRevoked: true };
  }
  const revoked = await admin(deps, 'DELETE', path);
  if (revoked.status !== 200 && revoked.status !== 404) {
    throw new PartnerAdminError(`Partner admin API did not revoke the key (status ${revoked.status})`);
  }
  return { keyId: request.keyId, revoked: true, alreadyRevoked: revoked.status === 404 };
}

/** A rolled-back Create's key, issued but never stored: found by its token's label. */
async function revokeTokenKeys(
  deps: PartnerProviderDependencies,
  request: RevokeTokenKeysRequest,
): Promise<RevokeTokenKeysResponse> {
  return {
    rotationToken: request.rotationToken,
    revokedKeyIds: await revokeKeysOfToken(deps, request.rotationToken),
  };
}

/** The partner's own counters for the key (`GET /admin/keys/{keyId}`): the adoption gate's evidence. */
async function usage(deps: PartnerProviderDependencies, request: KeyUsageRequest): Promise<KeyUsageResponse> {
  const read = await admin(deps, 'GET', `/admin/keys/${encodeURIComponent(request.keyId)}`);
  if (read.status === 404) return { keyId: request.keyId, lastUsedAt: null, requests: 0 };
  const key = read.json as PartnerKey | null;
  if (read.status !== 200 || key === null) {
    throw new PartnerAdminError(`Partner admin API did not describe the key (status ${read.status})`);
  }
  return {
    keyId: request.keyId,
    lastUsedAt: typeof key.lastUsedAt === 'string' ? key.lastUsedAt : null,
    requests: typeof key.requests === 'number' ? key.requests : null,
  };
}

export function handleKeyProviderRequest(
  deps: PartnerProviderDependencies,
  request: KeyProviderRequest,
): Promise<
  IssueKeyResponse | TestKeyResponse | RevokeKeyResponse | RevokeTokenKeysResponse | KeyUsageResponse
> {
  switch (request.operation) {
    case 'issue':
      return issue(deps, request);
    case 'test':
      return test(deps, request);
    case 'revoke':
      return revoke(deps, request);
    case 'revokeTokenKeys':
      return revokeTokenKeys(deps, request);
    case 'usage':
      return usage(deps, request);
  }
}
