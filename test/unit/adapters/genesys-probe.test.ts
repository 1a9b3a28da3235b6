import { beforeEach, describe, expect, it } from 'vitest';
import { clearAdminTokenCache, GenesysAdmin } from '../../../functions/shared/genesys/admin.js';
import {
  clearGenesysAdminCache,
  createGenesysAdminFromSecret,
  createGenesysCredentialProbe,
} from '../../../functions/shared/genesys/factory.js';
import type { GenesysHttpRequest, HttpTransport } from '../../../functions/shared/genesys/http.js';
import { GenesysCredentialProbe } from '../../../functions/shared/genesys/probe.js';
import type { SecretStorePort } from '../../../functions/shared/ports.js';

interface SeenRequest {
  method: string;
  path: string;
  authorization: string | null;
}
interface Reply {
  status: number;
  body?: unknown;
}

function fakeGenesys(
  route: (req: SeenRequest) => Reply | undefined,
): HttpTransport & { seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  return {
    seen,
    async request(options: GenesysHttpRequest) {
      const headers = (options.headers ?? {}) as Record<string, unknown>;
      const req: SeenRequest = {
        method: options.method,
        path: new URL(options.url).pathname,
        authorization: typeof headers.Authorization === 'string' ? headers.Authorization : null,
      };
      seen.push(req);
      const reply = route(req) ?? { status: 404, body: { code: 'not.found' } };
      const response = { status: reply.status, headers: {}, data: reply.body };
      if (reply.status >= 400) throw Object.assign(new Error(`status ${reply.status}`), { response });
      return response;
    },
  };
}

const NEW = { clientId: 'new-client', clientSecret: 'new-secret-value', environment: 'mypurecloud.de' };

function tokensMe(clientId: string): Reply {
  return {
    status: 200,
    body: {
      organization: { id: 'org-1', name: 'Acme' },
      OAuthClient: {
        id: clientId,
        name: 'x',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        roleDivisions: [{ roleId: 'r', divisionId: 'd' }],
      },
    },
  };
}

const quick = { maxAttempts: 2, defaultRetryAfterMs: 1 };

beforeEach(() => {
  clearAdminTokenCache();
  clearGenesysAdminCache();
});

describe('GenesysCredentialProbe', () => {
  it('logs in, reads /tokens/me and revokes the test token', async () => {
    // Prepare
    const transport = fakeGenesys((req) => {
      if (req.path === '/oauth/token')
        return { status: 200, body: { access_token: 'probe-token', expires_in: 300 } };
      if (req.method === 'GET' && req.path === '/api/v2/tokens/me') return tokensMe('new-client');
      if (req.method === 'DELETE' && req.path === '/api/v2/tokens/me') return { status: 204 };
      return undefined;
    });
    const probe = new GenesysCredentialProbe({ transport, retry: quick });

    // Act
    const result = await probe.probe(NEW);

    // Assess
    expect(result).toEqual({
      clientId: 'new-client',
      orgId: 'org-1',
      roleDivisions: [{ roleId: 'r', divisionId: 'd' }],
    });
    expect(transport.seen.map((r) => `${r.method} ${r.path} ${r.authorization?.split(' ')[0]}`)).toEqual([
      'POST /oauth/token Basic',
      'GET /api/v2/tokens/me Bearer',
      'DELETE /api/v2/tokens/me Bearer',
    ]);
    expect(transport.seen[1]?.authorization).toBe('Bearer probe-token');
  });

  it('maps invalid_client to CredentialNotYetActiveError naming only the client id', async () => {
    // Prepare
    const transport = fakeGenesys(() => ({
      status: 400,
      body: { error: 'invalid_client', error_description: 'authentication failed' },
    }));

    // Act
    const error = await new GenesysCredentialProbe({ transport, retry: quick })
      .probe(NEW)
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'CredentialNotYetActiveError', retryable: true });
    expect((error as Error).message).toContain('new-client');
    expect(JSON.stringify(error)).not.toContain('new-secret-value');
  });

  it('maps unauthorized_client to VerificationFailedError', async () => {
    // Prepare
    const transport = fakeGenesys(() => ({ status: 400, body: { error: 'unauthorized_client' } }));

    // Act
    const error = await new GenesysCredentialProbe({ transport, retry: quick })
      .probe(NEW)
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'VerificationFailedError', retryable: false });
  });

  it('maps a 429 that outlasts the retries to TransientUpstreamError', async () => {
    // Prepare
    const transport = fakeGenesys(() => ({ status: 429, body: {} }));

    // Act
    const error = await new GenesysCredentialProbe({ transport, retry: quick })
      .probe(NEW)
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TransientUpstreamError' });
    expect(transport.seen).toHaveLength(2);
  });

  it('still revokes the token when /tokens/me fails, and maps a 401 there to CredentialNotYetActiveError', async () => {
    // Prepare
    const transport = fakeGenesys((req) => {
      if (req.path === '/oauth/token') return { status: 200, body: { access_token: 't', expires_in: 300 } };
      if (req.method === 'GET') return { status: 401, body: { code: 'bad.credentials' } };
      return { status: 204 };
    });

    // Act
    const error = await new GenesysCredentialProbe({ transport, retry: quick })
      .probe(NEW)
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'CredentialNotYetActiveError' });
    expect(transport.seen.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/v2/tokens/me' });
  });

  it('never touches the admin token: each probe logs in on its own client', async () => {
    // Prepare
    let n = 0;
    const transport = fakeGenesys((req) => {
      if (req.path === '/oauth/token') {
        n += 1;
        return { status: 200, body: { access_token: `tok-${n}`, expires_in: 3600 } };
      }
      if (req.method === 'GET' && req.path === '/api/v2/tokens/me') return tokensMe('admin');
      return { status: 204 };
    });
    const admin = new GenesysAdmin({
      credential: { clientId: 'admin', clientSecret: 'admin-secret', environment: 'mypurecloud.de' },
      transport,
      retry: quick,
    });
    await admin.whoAmI();
    const probe = new GenesysCredentialProbe({ transport, retry: quick });

    // Act
    await probe.probe(NEW);
    await probe.probe(NEW);
    await admin.whoAmI();

    // Assess
    const bearers = transport.seen.filter((r) => r.method === 'GET').map((r) => r.authorization);
    expect(bearers).toEqual(['Bearer tok-1', 'Bearer tok-2', 'Bearer tok-3', 'Bearer tok-1']);
  });
});

describe('createGenesysAdminFromSecret', () => {
  function storeWith(value: string | null): SecretStorePort & { reads: number } {
    const store = {
      reads: 0,
      describe: async () => {
        throw new Error('unused');
      },
      getValue: async () => {
        store.reads += 1;
        return value;
      },
      putPending: async () => undefined,
      promote: async () => undefined,
      removeStage: async () => undefined,
    };
    return store;
  }

  it('builds the adapter once per secret id while the container is warm', async () => {
    // Prepare
    const store = storeWith(
      JSON.stringify({ clientId: 'a', clientSecret: 'b', environment: 'mypurecloud.com' }),
    );

    // Act
    const first = await createGenesysAdminFromSecret(store, 'arn:admin', {
      gatewayUrl: 'http://127.0.0.1:1',
    });
    const second = await createGenesysAdminFromSecret(store, 'arn:admin', {
      gatewayUrl: 'http://127.0.0.1:1',
    });

    // Assess
    expect(first).toBe(second);
    expect(first.clientId).toBe('a');
    expect(store.reads).toBe(1);
  });

  it('refuses a value of the wrong shape without echoing it, and reads again next time', async () => {
    // Prepare
    const notJson = storeWith('not-json-top-secret');
    const extraField = storeWith(
      JSON.stringify({
        clientId: 'a',
        clientSecret: 'top-secret-2',
        environment: 'mypurecloud.com',
        extra: 1,
      }),
    );

    // Act
    const e1 = await createGenesysAdminFromSecret(notJson, 'arn:one').catch((e: unknown) => e);
    const e2 = await createGenesysAdminFromSecret(extraField, 'arn:two').catch((e: unknown) => e);
    await createGenesysAdminFromSecret(notJson, 'arn:one').catch(() => undefined);

    // Assess
    expect(e1).toMatchObject({ name: 'InvalidConfigurationError' });
    expect(e2).toMatchObject({ name: 'InvalidConfigurationError' });
    expect(JSON.stringify(e1) + String(e1)).not.toContain('top-secret');
    expect(JSON.stringify(e2) + String(e2)).not.toContain('top-secret');
    expect(notJson.reads).toBe(2);
  });

  it('points the probe at GENESYS_GATEWAY_URL when set', async () => {
    // Prepare
    const env = { GENESYS_GATEWAY_URL: 'http://127.0.0.1:1' };

    // Act
    const probe = createGenesysCredentialProbe({ env, retry: { maxAttempts: 1 } });
    const error = await probe.probe(NEW).catch((e: unknown) => e);

    // Assess: connection refused on the local gateway, not a DNS lookup of login.mypurecloud.de
    expect(error).toMatchObject({ name: 'TransientUpstreamError' });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });
});
