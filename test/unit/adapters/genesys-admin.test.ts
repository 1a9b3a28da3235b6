import { beforeEach, describe, expect, it } from 'vitest';
import { clearAdminTokenCache, GenesysAdmin } from '../../../functions/shared/genesys/admin.js';
import type { GenesysHttpRequest, HttpTransport } from '../../../functions/shared/genesys/http.js';
import type { Clock } from '../../../functions/shared/ports.js';

const SECRET = 'admin-secret-Zq8#not-for-logs';
const credential = { clientId: 'admin-client', clientSecret: SECRET, environment: 'mypurecloud.ie' as const };

function virtualClock(
  start = Date.parse('2026-11-21T10:00:00Z'),
): Clock & { sleeps: number[]; advance(ms: number): void } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    advance: (ms) => {
      now += ms;
    },
    now: () => new Date(now),
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

interface SeenRequest {
  method: string;
  path: string;
  params: Record<string, unknown>;
  authorization: string | null;
  body: unknown;
}
interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An axios-shaped transport answering from a routing function; records each request. */
function fakeGenesys(
  route: (req: SeenRequest) => Reply | undefined,
): HttpTransport & { seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  return {
    seen,
    async request(options: GenesysHttpRequest) {
      const url = new URL(options.url);
      const headers = (options.headers ?? {}) as Record<string, unknown>;
      const req: SeenRequest = {
        method: options.method,
        path: url.pathname,
        params: (options.params ?? {}) as Record<string, unknown>,
        authorization: typeof headers.Authorization === 'string' ? headers.Authorization : null,
        body: options.data,
      };
      seen.push(req);
      const reply = route(req) ?? { status: 404, body: { code: 'not.found', message: 'no route' } };
      const response = { status: reply.status, headers: reply.headers ?? {}, data: reply.body };
      if (reply.status >= 400) throw Object.assign(new Error(`status ${reply.status}`), { response });
      return response;
    },
  };
}

let tokenCounter = 0;
function login(expiresIn = 86_400): Reply {
  tokenCounter += 1;
  return {
    status: 200,
    body: { access_token: `token-${tokenCounter}`, token_type: 'bearer', expires_in: expiresIn },
  };
}

const oauthClient = {
  id: 'legacy-1',
  name: 'svc-legacy',
  description: 'legacy client',
  state: 'active',
  authorizedGrantType: 'CLIENT-CREDENTIALS',
  roleDivisions: [{ roleId: 'r1', divisionId: 'd1' }],
  accessTokenValiditySeconds: 3600,
  dateCreated: '2025-01-01T00:00:00Z',
};

function adminWith(
  transport: HttpTransport,
  clock = virtualClock(),
  extra: { onCredentialRejected?: () => void; clientLimitKeys?: readonly string[] } = {},
) {
  return new GenesysAdmin({
    credential,
    transport,
    clock,
    retry: { maxAttempts: 3, defaultRetryAfterMs: 10 },
    usagePoll: { intervalMs: 500, maxPolls: 3 },
    ...extra,
  });
}

beforeEach(() => {
  clearAdminTokenCache();
});

describe('GenesysAdmin token cache', () => {
  it('reuses the admin token across adapters of a warm container', async () => {
    // Prepare
    const transport = fakeGenesys((req) =>
      req.path === '/oauth/token' ? login() : { status: 200, body: oauthClient },
    );
    const clock = virtualClock();

    // Act
    await adminWith(transport, clock).getClient('legacy-1');
    await adminWith(transport, clock).getClient('legacy-1');

    // Assess
    const logins = transport.seen.filter((r) => r.path === '/oauth/token');
    expect(logins).toHaveLength(1);
    const apiAuth = transport.seen.filter((r) => r.path !== '/oauth/token').map((r) => r.authorization);
    expect(new Set(apiAuth).size).toBe(1);
    expect(apiAuth[0]).toMatch(/^Bearer token-/);
  });

  it('logs in again when the token is within 5 minutes of expiry', async () => {
    // Prepare
    const transport = fakeGenesys((req) =>
      req.path === '/oauth/token' ? login(3_600) : { status: 200, body: oauthClient },
    );
    const clock = virtualClock();
    const admin = adminWith(transport, clock);
    await admin.getClient('legacy-1');

    // Act
    clock.advance(54 * 60 * 1000);
    await admin.getClient('legacy-1');
    clock.advance(2 * 60 * 1000);
    await admin.getClient('legacy-1');

    // Assess
    expect(transport.seen.filter((r) => r.path === '/oauth/token')).toHaveLength(2);
  });

  it('logs in again and retries once when a call is answered 401', async () => {
    // Prepare
    let revoked = true;
    const transport = fakeGenesys((req) => {
      if (req.path === '/oauth/token') return login();
      if (revoked) {
        revoked = false;
        return { status: 401, body: { code: 'bad.credentials' } };
      }
      return { status: 200, body: oauthClient };
    });

    // Act
    const client = await adminWith(transport).getClient('legacy-1');

    // Assess
    expect(client?.id).toBe('legacy-1');
    expect(transport.seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /oauth/token',
      'GET /api/v2/oauth/clients/legacy-1',
      'POST /oauth/token',
      'GET /api/v2/oauth/clients/legacy-1',
    ]);
  });

  it('gives up with TransientUpstreamError when the fresh token is refused too', async () => {
    // Prepare
    const transport = fakeGenesys((req) =>
      req.path === '/oauth/token' ? login() : { status: 401, body: { code: 'bad.credentials' } },
    );

    // Act
    const error = await adminWith(transport)
      .getClient('legacy-1')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TransientUpstreamError' });
    expect(transport.seen.filter((r) => r.path === '/oauth/token')).toHaveLength(2);
  });
});

describe('GenesysAdmin admin login', () => {
  it('maps invalid_client to InsufficientPrivilegeError naming the admin client id, never the secret', async () => {
    // Prepare
    let rejected = 0;
    const transport = fakeGenesys(() => ({
      status: 400,
      body: {
        error: 'invalid_client',
        description: 'authentication failed',
        error_description: 'authentication failed',
      },
    }));
    const admin = adminWith(transport, virtualClock(), { onCredentialRejected: () => (rejected += 1) });

    // Act
    const error = await admin.whoAmI().catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'InsufficientPrivilegeError', code: 'INSUFFICIENT_PRIVILEGE' });
    expect(String((error as Error).message)).toContain('admin-client');
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect((error as Error).cause).toBeUndefined();
    expect(rejected).toBe(1);
  });

  it('maps a login that stays 503 to TransientUpstreamError', async () => {
    // Prepare
    const transport = fakeGenesys(() => ({ status: 503, body: { message: 'down' } }));

    // Act
    const error = await adminWith(transport)
      .listClients()
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TransientUpstreamError', retryable: true });
    expect(transport.seen).toHaveLength(3);
  });
});

describe('GenesysAdmin operations', () => {
  function api(routes: Record<string, (req: SeenRequest) => Reply>) {
    return fakeGenesys((req) => {
      if (req.path === '/oauth/token') return login();
      return routes[`${req.method} ${req.path}`]?.(req);
    });
  }

  it('answers null for a client Genesys does not know', async () => {
    // Prepare
    const transport = api({});

    // Act
    const client = await adminWith(transport).getClient('gone');

    // Assess
    expect(client).toBeNull();
  });

  it('maps 403 to InsufficientPrivilegeError naming the operation', async () => {
    // Prepare
    const transport = api({
      'GET /api/v2/oauth/clients': () => ({
        status: 403,
        body: { code: 'missing.permissions', message: 'oauth:client:view' },
      }),
    });

    // Act
    const error = await adminWith(transport)
      .listClients()
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'InsufficientPrivilegeError' });
    expect((error as Error).message).toContain('list OAuth clients');
    expect((error as Error).message).toContain('admin-client');
  });

  it('maps a 429 that outlasts the retries to TransientUpstreamError', async () => {
    // Prepare
    const transport = api({
      'GET /api/v2/oauth/clients/x': () => ({ status: 429, body: {}, headers: { 'retry-after': '1' } }),
    });

    // Act
    const error = await adminWith(transport)
      .getClient('x')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TransientUpstreamError', details: { status: 429, attempts: 3 } });
  });

  it('creates a client-credentials client and returns the secret from the POST answer', async () => {
    // Prepare
    const transport = api({
      'POST /api/v2/oauth/clients': (req) => ({
        status: 200,
        body: { ...(req.body as object), id: 'new-1', secret: 'fresh-secret', state: 'active' },
      }),
    });

    // Act
    const created = await adminWith(transport).createClient({
      name: 'svc-2026-11',
      description: 'rotated',
      roleDivisions: [{ roleId: 'r1', divisionId: 'd1' }],
      accessTokenValiditySeconds: 3600,
    });

    // Assess
    expect(created.secret).toBe('fresh-secret');
    expect(created.client).toMatchObject({
      id: 'new-1',
      name: 'svc-2026-11',
      accessTokenValiditySeconds: 3600,
    });
    expect(created.client).not.toHaveProperty('secret');
    expect(
      transport.seen.find((r) => r.method === 'POST' && r.path === '/api/v2/oauth/clients')?.body,
    ).toEqual({
      name: 'svc-2026-11',
      description: 'rotated',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: 'r1', divisionId: 'd1' }],
      accessTokenValiditySeconds: 3600,
    });
  });

  it('deletes a created client whose secret did not come back, and says so', async () => {
    // Prepare
    const transport = api({
      'POST /api/v2/oauth/clients': (req) => ({
        status: 200,
        body: { ...(req.body as object), id: 'new-2' },
      }),
      'DELETE /api/v2/oauth/clients/new-2': () => ({ status: 204 }),
    });

    // Act
    const error = await adminWith(transport)
      .createClient({ name: 'n', description: '', roleDivisions: [], accessTokenValiditySeconds: 3600 })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'VerificationFailedError' });
    expect(
      transport.seen.some((r) => r.method === 'DELETE' && r.path === '/api/v2/oauth/clients/new-2'),
    ).toBe(true);
  });

  it('sets a state with GET then a full PUT', async () => {
    // Prepare
    const transport = api({
      'GET /api/v2/oauth/clients/legacy-1': () => ({ status: 200, body: oauthClient }),
      'PUT /api/v2/oauth/clients/legacy-1': (req) => ({
        status: 200,
        body: { ...oauthClient, ...(req.body as object) },
      }),
    });

    // Act
    const updated = await adminWith(transport).setClientState('legacy-1', 'inactive');

    // Assess
    expect(updated.state).toBe('inactive');
    expect(transport.seen.find((r) => r.method === 'PUT')?.body).toEqual({
      name: 'svc-legacy',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: 'r1', divisionId: 'd1' }],
      accessTokenValiditySeconds: 3600,
      description: 'legacy client',
      state: 'inactive',
    });
  });

  it('builds the PUT from a client the caller has just read, without a second GET', async () => {
    // Prepare
    const transport = api({
      'PUT /api/v2/oauth/clients/legacy-1': (req) => ({
        status: 200,
        body: { ...oauthClient, ...(req.body as object) },
      }),
    });
    const admin = adminWith(transport);
    const read = {
      id: 'legacy-1',
      name: 'svc-legacy',
      description: 'legacy client',
      state: 'active',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: 'r1', divisionId: 'd1' }],
      accessTokenValiditySeconds: 3600,
      dateCreated: null,
    };

    // Act
    const updated = await admin.setClientState('legacy-1', 'inactive', read);

    // Assess
    expect(updated.state).toBe('inactive');
    expect(transport.seen.filter((r) => r.path.startsWith('/api/v2/')).map((r) => r.method)).toEqual(['PUT']);
    expect(transport.seen.find((r) => r.method === 'PUT')?.body).toMatchObject({
      name: 'svc-legacy',
      roleDivisions: [{ roleId: 'r1', divisionId: 'd1' }],
      state: 'inactive',
    });
  });

  it('throws TargetNotFoundError when setting the state of a missing client', async () => {
    // Prepare
    const transport = api({});

    // Act
    const error = await adminWith(transport)
      .setClientState('gone', 'inactive')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TargetNotFoundError', code: 'TARGET_NOT_FOUND' });
  });

  it('treats a 404 on delete as already deleted', async () => {
    // Prepare
    const transport = api({});

    // Act
    const result = await adminWith(transport).deleteClient('gone');

    // Assess
    expect(result).toBeUndefined();
    expect(transport.seen.some((r) => r.method === 'DELETE')).toBe(true);
  });

  it('returns the regenerated secret', async () => {
    // Prepare
    const transport = api({
      'POST /api/v2/oauth/clients/legacy-1/secret': () => ({
        status: 200,
        body: { ...oauthClient, secret: 's2' },
      }),
    });

    // Act
    const result = await adminWith(transport).regenerateSecret('legacy-1');

    // Assess
    expect(result).toMatchObject({ secret: 's2', client: { id: 'legacy-1' } });
  });

  it('starts a usage summary for N days, polls to Complete and sums the requests', async () => {
    // Prepare
    let polls = 0;
    const transport = api({
      'GET /api/v2/oauth/clients/legacy-1/usage/summary': () => ({
        status: 202,
        body: { executionId: 'ex-1' },
      }),
      'GET /api/v2/oauth/clients/legacy-1/usage/query/results/ex-1': () => {
        polls += 1;
        return polls < 2
          ? { status: 200, body: { queryStatus: 'Running' } }
          : {
              status: 200,
              body: { queryStatus: 'Complete', results: [{ requests: 4 }, { requests: 6 }, {}] },
            };
      },
    });
    const clock = virtualClock();

    // Act
    const total = await adminWith(transport, clock).usageRequests('legacy-1', 7);

    // Assess
    expect(total).toBe(10);
    expect(transport.seen.find((r) => r.path.endsWith('/usage/summary'))?.params).toMatchObject({
      days: '7',
    });
    expect(clock.sleeps).toEqual([500]);
  });

  it('maps a Failed usage query and one that never completes to TransientUpstreamError', async () => {
    // Prepare
    const failing = api({
      'GET /api/v2/oauth/clients/a/usage/summary': () => ({ status: 200, body: { executionId: 'ex' } }),
      'GET /api/v2/oauth/clients/a/usage/query/results/ex': () => ({
        status: 200,
        body: { queryStatus: 'Failed' },
      }),
    });
    const slow = api({
      'GET /api/v2/oauth/clients/a/usage/summary': () => ({ status: 200, body: { executionId: 'ex' } }),
      'GET /api/v2/oauth/clients/a/usage/query/results/ex': () => ({
        status: 200,
        body: { queryStatus: 'Running' },
      }),
    });

    // Act
    const failed = await adminWith(failing)
      .usageRequests('a', 1)
      .catch((e: unknown) => e);
    const timedOut = await adminWith(slow)
      .usageRequests('a', 1)
      .catch((e: unknown) => e);

    // Assess
    expect(failed).toMatchObject({ name: 'TransientUpstreamError' });
    expect(timedOut).toMatchObject({ name: 'TransientUpstreamError' });
    expect(slow.seen.filter((r) => r.path.includes('/results/'))).toHaveLength(3);
  });

  it('reads who it is from GET /tokens/me', async () => {
    // Prepare
    const transport = api({
      'GET /api/v2/tokens/me': () => ({
        status: 200,
        body: {
          organization: { id: 'org-1', name: 'Acme' },
          OAuthClient: {
            id: 'admin-client',
            name: 'rotator',
            roleDivisions: [{ roleId: 'r9', divisionId: 'd9' }],
          },
        },
      }),
    });

    // Act
    const me = await adminWith(transport).whoAmI();

    // Assess
    expect(me).toEqual({
      clientId: 'admin-client',
      orgId: 'org-1',
      orgName: 'Acme',
      roleDivisions: [{ roleId: 'r9', divisionId: 'd9' }],
    });
  });

  it('reads the OAuth client limit under an exact key of the oauth limits namespace, or null (genesys-cloud-api.md §1.3)', async () => {
    // Prepare
    const withLimit = api({
      'GET /api/v2/organizations/limits/namespaces/oauth': () => ({
        status: 200,
        body: {
          entities: [
            { key: 'token.rate.per.minute', value: 300 },
            { key: 'oauth.clients.max', value: 50 },
          ],
        },
      }),
    });
    const withoutNamespace = api({});

    // Act
    const limit = await adminWith(withLimit, virtualClock(), {
      clientLimitKeys: ['oauth.clients.max'],
    }).oauthClientLimit();
    const none = await adminWith(withoutNamespace, virtualClock(), {
      clientLimitKeys: ['oauth.clients.max'],
    }).oauthClientLimit();
    const undocumented = await adminWith(withLimit).oauthClientLimit();

    // Assess: without a documented key nothing is guessed, not even a key that looks right.
    expect(limit).toBe(50);
    expect(none).toBeNull();
    expect(undocumented).toBeNull();
  });
});
