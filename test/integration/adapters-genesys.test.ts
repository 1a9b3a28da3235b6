import { inspect } from 'node:util';
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearAdminTokenCache, GenesysAdmin } from '../../functions/shared/genesys/admin.js';
import {
  clearGenesysAdminCache,
  createGenesysAdminFromSecret,
} from '../../functions/shared/genesys/factory.js';
import { GenesysCredentialProbe } from '../../functions/shared/genesys/probe.js';
import { createIsolatedApiClient } from '../../functions/shared/genesys/sdk.js';
import type { SecretStorePort } from '../../functions/shared/ports.js';
import {
  DEFAULT_ORG_NAME,
  type GenesysStandIn,
  startGenesysStandIn,
} from '../../local/standins/genesys/index.js';

const ENVIRONMENT = 'mypurecloud.com' as const;
/** Small budgets so the tests stay quick; Retry-After from the stand-in is honoured as is. */
const retry = { maxAttempts: 4, maxRetryTimeMs: 10_000, defaultRetryAfterMs: 50, timeoutMs: 5_000 };

let standIn: GenesysStandIn;
let adminSeed: ReturnType<GenesysStandIn['seed']['adminClient']>;
let grantable: { roleId: string; divisionId: string };
let retries: { path: string; status: number | null; waitMs: number }[];

function adminAdapter(): GenesysAdmin {
  return new GenesysAdmin({
    credential: {
      clientId: adminSeed.clientId,
      clientSecret: adminSeed.clientSecret,
      environment: ENVIRONMENT,
    },
    gatewayUrl: standIn.url,
    retry,
    usagePoll: { intervalMs: 50, maxPolls: 60 },
    onRetry: (event) => retries.push({ path: event.path, status: event.status, waitMs: event.waitMs }),
  });
}

function probe(): GenesysCredentialProbe {
  return new GenesysCredentialProbe({ gatewayUrl: standIn.url, retry });
}

beforeAll(async () => {
  standIn = await startGenesysStandIn({ usageQueryRunningMs: 50 });
  const division = standIn.seed.division('Support');
  const role = standIn.seed.role('Queue reader', ['routing:queue:view']);
  grantable = { roleId: role, divisionId: division };
  adminSeed = standIn.seed.adminClient({ extraRoleDivisions: [grantable] });
});

afterAll(async () => {
  await standIn.close();
});

beforeEach(() => {
  clearAdminTokenCache();
  clearGenesysAdminCache();
  retries = [];
});

afterEach(() => {
  standIn.faults.clear();
});

describe('GenesysAdmin against the Genesys stand-in', () => {
  it('reads its own identity, org and roles from tokens/me', async () => {
    // Act
    const me = await adminAdapter().whoAmI();

    // Assess
    expect(me).toEqual({
      clientId: adminSeed.clientId,
      orgId: standIn.orgId,
      orgName: DEFAULT_ORG_NAME,
      roleDivisions: expect.arrayContaining(adminSeed.roleDivisions),
    });
  });

  it('creates a client whose returned secret works, then gets, lists, deactivates and deletes it', async () => {
    // Prepare
    const admin = adminAdapter();

    // Act
    const created = await admin.createClient({
      name: 'svc-orders-2026-11',
      description: 'rotated by test',
      roleDivisions: [grantable],
      accessTokenValiditySeconds: 3600,
    });
    const fetched = await admin.getClient(created.client.id);
    const listed = await admin.listClients();
    const probed = await probe().probe({
      clientId: created.client.id,
      clientSecret: created.secret,
      environment: ENVIRONMENT,
    });
    const inactive = await admin.setClientState(created.client.id, 'inactive');
    await admin.deleteClient(created.client.id);
    const afterDelete = await admin.getClient(created.client.id);
    await admin.deleteClient(created.client.id);

    // Assess
    expect(created.client).toMatchObject({
      name: 'svc-orders-2026-11',
      description: 'rotated by test',
      state: 'active',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [grantable],
      accessTokenValiditySeconds: 3600,
    });
    expect(created.secret.length).toBeGreaterThan(10);
    expect(fetched).toEqual(created.client);
    expect(listed.map((c) => c.id)).toContain(created.client.id);
    expect(probed).toEqual({ clientId: created.client.id, orgId: standIn.orgId, roleDivisions: [grantable] });
    expect(inactive).toMatchObject({
      state: 'inactive',
      name: 'svc-orders-2026-11',
      roleDivisions: [grantable],
    });
    expect(afterDelete).toBeNull();
    expect(standIn.clients().some((c) => c.id === created.client.id && !c.deleted)).toBe(false);
  });

  it('regenerates a secret: the new one works and the old one is refused', async () => {
    // Prepare
    const admin = adminAdapter();
    const seeded = standIn.seed.client({ name: 'svc-leaked', roleDivisions: [grantable] });

    // Act
    const regenerated = await admin.regenerateSecret(seeded.clientId);
    const withNew = await probe().probe({
      clientId: seeded.clientId,
      clientSecret: regenerated.secret,
      environment: ENVIRONMENT,
    });
    const withOld = await probe()
      .probe({ clientId: seeded.clientId, clientSecret: seeded.clientSecret, environment: ENVIRONMENT })
      .catch((e: unknown) => e);

    // Assess
    expect(regenerated.secret).not.toBe(seeded.clientSecret);
    expect(withNew.clientId).toBe(seeded.clientId);
    expect(withOld).toMatchObject({ name: 'CredentialNotYetActiveError' });
  });

  it('sums a client usage by polling the asynchronous query to Complete; the current day is not in the report (help.mypurecloud.com API Usage report)', async () => {
    // Prepare: 3 requests on each of the last two UTC days, and more today (not reported yet).
    const legacy = standIn.seed.client({
      name: 'svc-busy',
      roleDivisions: [grantable],
      pastUsage: { days: 2, requestsPerDay: 3 },
    });
    const sdk = createIsolatedApiClient({ environment: ENVIRONMENT, gatewayUrl: standIn.url });
    await sdk.loginClientCredentialsGrant(legacy.clientId, legacy.clientSecret);
    const tokens = new platformClient.TokensApi(sdk);
    for (let call = 0; call < 3; call += 1) await tokens.getTokensMe();

    // Act
    const busy = await adminAdapter().usageRequests(legacy.clientId, 1);
    const idle = await adminAdapter().usageRequests(idleClient(), 1);

    // Assess
    expect(busy).toBe(3);
    expect(idle).toBe(0);
    const polls = standIn.requestLog.filter((r) => r.route.includes('/usage/query/results/'));
    expect(polls.length).toBeGreaterThanOrEqual(2);
  });

  it('reads daily usage over an explicit interval with granularity Day (genesys-cloud-api.md §1.4 ApiUsageClientQuery)', async () => {
    // Prepare
    const legacy = standIn.seed.client({
      name: 'svc-daily',
      roleDivisions: [grantable],
      pastUsage: { days: 3, requestsPerDay: 5 },
    });
    const now = standIn.clock.now();
    const todayStart = Math.floor(now.getTime() / 86_400_000) * 86_400_000;

    // Act
    const days = await adminAdapter().usageByDay(legacy.clientId, {
      from: new Date(todayStart - 2 * 86_400_000),
      to: now,
    });

    // Assess
    expect(days).toEqual([
      { date: new Date(todayStart - 2 * 86_400_000).toISOString(), requests: 5 },
      { date: new Date(todayStart - 86_400_000).toISOString(), requests: 5 },
    ]);
    expect(
      standIn.requestLog.some((r) => r.route === 'POST /api/v2/oauth/clients/{clientId}/usage/query'),
    ).toBe(true);
  });

  it('reads no OAuth client limit from Genesys without a documented limit key, so the policy decides (genesys-cloud-api.md §1.3: the org limit is unconfirmed)', async () => {
    // Prepare
    const logStart = standIn.requestLog.length;

    // Act
    const limit = await adminAdapter().oauthClientLimit();

    // Assess: not even a guess at the limits namespace.
    expect(limit).toBeNull();
    expect(standIn.requestLog.slice(logStart).map((request) => request.route)).not.toContain(
      'GET /api/v2/organizations/limits/namespaces/{namespaceName}',
    );
  });

  it('reads the OAuth client limit under an exact limit key it is given', async () => {
    // Act
    const limit = await new GenesysAdmin({
      credential: {
        clientId: adminSeed.clientId,
        clientSecret: adminSeed.clientSecret,
        environment: ENVIRONMENT,
      },
      gatewayUrl: standIn.url,
      retry,
      clientLimitKeys: ['oauth.client.max'],
    }).oauthClientLimit();

    // Assess
    expect(limit).toBe(50);
  });

  it('refuses a client listing of more than one page with ClientListingIncompleteError (genesys-cloud-api.md §1.1: the listing has pageCount, v262 getOauthClients sends no paging parameters)', async () => {
    // Prepare: a Genesys whose listing pages by 2, with the admin and three more clients.
    const paged = await startGenesysStandIn({ oauthClientsPageSize: 2 });
    try {
      const division = paged.seed.division('Support');
      const role = paged.seed.role('Queue reader', ['routing:queue:view']);
      const admin = paged.seed.adminClient({ extraRoleDivisions: [{ roleId: role, divisionId: division }] });
      for (const name of ['svc-a', 'svc-b', 'svc-c']) paged.seed.client({ name, roleDivisions: [] });
      const adapter = new GenesysAdmin({
        credential: { clientId: admin.clientId, clientSecret: admin.clientSecret, environment: ENVIRONMENT },
        gatewayUrl: paged.url,
        retry,
      });

      // Act
      const refusal = await adapter.listClients().catch((error: unknown) => error);

      // Assess
      expect(refusal).toMatchObject({
        name: 'ClientListingIncompleteError',
        code: 'CLIENT_LISTING_INCOMPLETE',
        details: { listed: 2, total: 4, pageCount: 2 },
      });
      expect(String((refusal as Error).message)).toContain(
        'Genesys listed 2 of 4 OAuth clients (page 1 of 2)',
      );
    } finally {
      await paged.close();
    }
  });

  it('retries a 429 after its Retry-After, through the stand-in fault plan', async () => {
    // Prepare
    const seeded = standIn.seed.client({ name: 'svc-throttled', roleDivisions: [grantable] });
    standIn.faults.add({
      route: 'GET /api/v2/oauth/clients/{clientId}',
      nth: 1,
      status: 429,
      headers: { 'Retry-After': '1' },
      body: { status: 429, code: 'too.many.requests.retry.after', message: 'Rate limit exceeded' },
    });
    const started = Date.now();

    // Act
    const client = await adminAdapter().getClient(seeded.clientId);

    // Assess
    expect(client?.id).toBe(seeded.clientId);
    expect(retries).toEqual([
      { path: `/api/v2/oauth/clients/${seeded.clientId}`, status: 429, waitMs: 1_000 },
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const calls = standIn.requestLog.filter((r) => r.path === `/api/v2/oauth/clients/${seeded.clientId}`);
    expect(calls.map((r) => r.status)).toEqual([429, 200]);
  });

  it('gives up with TransientUpstreamError when 503s outlast the attempts', async () => {
    // Prepare
    standIn.faults.add({ route: 'GET /api/v2/oauth/clients', status: 503 });

    // Act
    const error = await adminAdapter()
      .listClients()
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TransientUpstreamError', details: { status: 503, attempts: 4 } });
  });

  it('retries a dropped connection and a 503 on the token endpoint', async () => {
    // Prepare
    standIn.faults.add({ route: 'POST /oauth/token', nth: 1, status: 503 });
    standIn.faults.add({ route: 'GET /api/v2/oauth/clients', nth: 1, drop: true });

    // Act
    const clients = await adminAdapter().listClients();

    // Assess
    expect(clients.length).toBeGreaterThan(0);
    expect(retries.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/oauth/token 503',
      '/api/v2/oauth/clients null',
    ]);
  });

  it('does not resend a client creation whose answer was lost (502), and reports it as transient', async () => {
    // Prepare
    standIn.faults.add({ route: 'POST /api/v2/oauth/clients', nth: 1, status: 502, afterApply: true });
    const before = standIn.clients().length;

    // Act
    const error = await adminAdapter()
      .createClient({
        name: 'svc-lost-answer',
        description: '',
        roleDivisions: [grantable],
        accessTokenValiditySeconds: 3600,
      })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TransientUpstreamError' });
    expect(standIn.clients().length).toBe(before + 1);
  });

  it('reuses the admin token across adapters, and logs in again when the stand-in says it expired', async () => {
    // Prepare
    const logStart = standIn.requestLog.length;
    await adminAdapter().whoAmI();
    await adminAdapter().whoAmI();
    const loginsBefore = standIn.requestLog
      .slice(logStart)
      .filter((r) => r.route === 'POST /oauth/token').length;

    // Act: the stand-in's clock passes the 24 h token validity; our cache still believes it valid.
    standIn.clock.advance(25 * 60 * 60 * 1000);
    const me = await adminAdapter().whoAmI();

    // Assess
    expect(me.clientId).toBe(adminSeed.clientId);
    const logins = standIn.requestLog.slice(logStart).filter((r) => r.route === 'POST /oauth/token');
    expect(loginsBefore).toBe(1);
    expect(logins.length).toBe(2);
    const tokensMe = standIn.requestLog.filter((r) => r.route === 'GET /api/v2/tokens/me').slice(-2);
    expect(tokensMe.map((r) => r.status)).toEqual([401, 200]);
  });

  it('maps a missing permission to InsufficientPrivilegeError naming the operation', async () => {
    // Prepare
    const viewer = standIn.seed.role('OAuth viewer', ['oauth:client:view']);
    const weak = standIn.seed.client({
      name: 'weak-admin',
      roleDivisions: [{ roleId: viewer, divisionId: grantable.divisionId }],
    });
    const admin = new GenesysAdmin({
      credential: { clientId: weak.clientId, clientSecret: weak.clientSecret, environment: ENVIRONMENT },
      gatewayUrl: standIn.url,
      retry,
    });

    // Act
    const error = await admin
      .createClient({
        name: 'nope',
        description: '',
        roleDivisions: [grantable],
        accessTokenValiditySeconds: 3600,
      })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'InsufficientPrivilegeError' });
    expect((error as Error).message).toContain('create OAuth client "nope"');
    expect((error as Error).message).toContain(weak.clientId);
  });

  it('refuses a wrong admin secret with a clear error naming the client id only', async () => {
    // Prepare
    const wrongSecret = 'definitely-wrong-admin-secret-123';
    const store: SecretStorePort = {
      describe: async () => {
        throw new Error('unused');
      },
      getValue: async () =>
        JSON.stringify({ clientId: adminSeed.clientId, clientSecret: wrongSecret, environment: ENVIRONMENT }),
      putPending: async () => undefined,
      promote: async () => undefined,
      removeStage: async () => undefined,
    };
    const admin = await createGenesysAdminFromSecret(store, 'arn:admin-secret', {
      gatewayUrl: standIn.url,
      retry,
    });

    // Act
    const error = await admin.whoAmI().catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'InsufficientPrivilegeError' });
    expect((error as Error).message).toContain(adminSeed.clientId);
    const rendered = `${JSON.stringify(error)}${inspect(error, { depth: Infinity, showHidden: true })}`;
    expect(rendered).not.toContain(wrongSecret);
    expect(rendered).not.toContain(Buffer.from(`${adminSeed.clientId}:${wrongSecret}`).toString('base64'));
  });
});

describe('GenesysCredentialProbe against the Genesys stand-in', () => {
  it('probes a credential and revokes the test token', async () => {
    // Prepare
    const seeded = standIn.seed.client({ name: 'svc-probe', roleDivisions: [grantable] });
    const logStart = standIn.requestLog.length;

    // Act
    const result = await probe().probe({
      clientId: seeded.clientId,
      clientSecret: seeded.clientSecret,
      environment: ENVIRONMENT,
    });

    // Assess
    expect(result).toEqual({ clientId: seeded.clientId, orgId: standIn.orgId, roleDivisions: [grantable] });
    const calls = standIn.requestLog
      .slice(logStart)
      .map((r) => `${r.route} ${r.status} ${r.callerClientId ?? '-'}`);
    expect(calls).toEqual([
      expect.stringMatching(/^POST \/oauth\/token 200/),
      `GET /api/v2/tokens/me 200 ${seeded.clientId}`,
      expect.stringMatching(new RegExp(`^DELETE /api/v2/tokens/me 20\\d ${seeded.clientId}$`)),
    ]);
  });

  it('answers CredentialNotYetActiveError for a wrong secret, naming the client id only', async () => {
    // Prepare
    const seeded = standIn.seed.client({ name: 'svc-wrong', roleDivisions: [grantable] });
    const wrong = 'wrong-secret-value-for-probe';

    // Act
    const error = await probe()
      .probe({ clientId: seeded.clientId, clientSecret: wrong, environment: ENVIRONMENT })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'CredentialNotYetActiveError', retryable: true });
    expect((error as Error).message).toContain(seeded.clientId);
    expect(JSON.stringify(error) + inspect(error, { depth: Infinity })).not.toContain(wrong);
  });

  it('answers CredentialNotYetActiveError while a new client is not yet usable, then succeeds', async () => {
    // Prepare
    standIn.setNewClientActivationDelay(60_000);
    const created = await adminAdapter().createClient({
      name: 'svc-eventually',
      description: '',
      roleDivisions: [grantable],
      accessTokenValiditySeconds: 3600,
    });
    const credential = {
      clientId: created.client.id,
      clientSecret: created.secret,
      environment: ENVIRONMENT,
    };

    // Act
    const early = await probe()
      .probe(credential)
      .catch((e: unknown) => e);
    standIn.clock.advance(61_000);
    const later = await probe().probe(credential);
    standIn.setNewClientActivationDelay(0);

    // Assess
    expect(early).toMatchObject({ name: 'CredentialNotYetActiveError' });
    expect(later.clientId).toBe(created.client.id);
  });

  it('maps a token endpoint that stays at 429 to TransientUpstreamError', async () => {
    // Prepare
    const seeded = standIn.seed.client({ name: 'svc-busy-login', roleDivisions: [grantable] });
    standIn.faults.add({ route: 'POST /oauth/token', status: 429, headers: { 'Retry-After': '0' } });

    // Act
    const error = await probe()
      .probe({ clientId: seeded.clientId, clientSecret: seeded.clientSecret, environment: ENVIRONMENT })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TransientUpstreamError' });
  });
});

/** A client with no traffic at all. */
function idleClient(): string {
  return standIn.seed.client({ name: `svc-idle-${Date.now()}`, roleDivisions: [grantable] }).clientId;
}
