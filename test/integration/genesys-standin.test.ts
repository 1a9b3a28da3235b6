import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GenesysStandIn,
  OAUTH_CLIENT_LIMIT_KEY,
  startGenesysStandIn,
} from '../../local/standins/genesys/index.js';
import {
  loggedInSdkClient,
  type SdkApiClient,
  type SdkExtendedResponse,
  sdkClientFor,
} from '../../local/standins/genesys/sdk-session.js';

const DAY_MS = 24 * 60 * 60 * 1000;

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be rejected');
}

/** §5: the login rejects with a raw AxiosError. */
async function loginRejection(promise: Promise<unknown>): Promise<{ status: number; data: unknown }> {
  const error = await rejectionOf(promise);
  const response = (error as { response?: { status: number; data: unknown } }).response;
  if (!response) throw error;
  return { status: response.status, data: response.data };
}

function clientRequest(name: string, roleDivisions: { roleId: string; divisionId: string }[]) {
  return { name, authorizedGrantType: 'CLIENT-CREDENTIALS', accessTokenValiditySeconds: 3600, roleDivisions };
}

describe('Genesys stand-in token endpoint (genesys-cloud-api.md §2)', () => {
  let standIn: GenesysStandIn;
  let roleDivisions: { roleId: string; divisionId: string }[];
  let admin: SdkApiClient;

  beforeAll(async () => {
    standIn = await startGenesysStandIn();
    const seeded = standIn.seed.adminClient();
    roleDivisions = seeded.roleDivisions;
    admin = await loggedInSdkClient(standIn.gateway, seeded.clientId, seeded.clientSecret);
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('answers the client-credentials grant with {access_token, token_type: bearer, expires_in} (§2.2)', async () => {
    // Prepare
    const client = standIn.seed.client({ name: 'svc-raw', roleDivisions, accessTokenValiditySeconds: 600 });
    const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');

    // Act
    const response = await fetch(`${standIn.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });

    // Assess
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 600 });
  });

  it("sets the SDK's token expiry from the client's accessTokenValiditySeconds (§2.2, §5)", async () => {
    // Prepare
    const client = standIn.seed.client({
      name: 'svc-validity',
      roleDivisions,
      accessTokenValiditySeconds: 900,
    });
    const sdk = sdkClientFor(standIn.gateway);

    // Act
    const authData = await sdk.loginClientCredentialsGrant(client.clientId, client.clientSecret);

    // Assess
    expect(authData.tokenExpiryTime - Date.now()).toBeGreaterThan(890_000);
    expect(authData.tokenExpiryTime - Date.now()).toBeLessThanOrEqual(900_000);
  });

  it('refuses a wrong secret with 400 invalid_client "authentication failed" (§2.2)', async () => {
    // Prepare
    const client = standIn.seed.client({ name: 'svc-wrong-secret', roleDivisions });

    // Act
    const failure = await loginRejection(
      sdkClientFor(standIn.gateway).loginClientCredentialsGrant(client.clientId, 'not-the-secret'),
    );

    // Assess
    expect(failure).toEqual({
      status: 400,
      data: {
        error: 'invalid_client',
        description: 'authentication failed',
        error_description: 'authentication failed',
      },
    });
  });

  it('refuses an unknown client with 400 invalid_client "client not found" (§2.2)', async () => {
    // Act
    const failure = await loginRejection(
      sdkClientFor(standIn.gateway).loginClientCredentialsGrant('00000000-0000-0000-0000-000000000000', 'x'),
    );

    // Assess
    expect(failure.status).toBe(400);
    expect(failure.data).toMatchObject({ error: 'invalid_client', description: 'client not found' });
  });

  it('refuses a client without the client-credentials grant with 400 unauthorized_client (§2.2)', async () => {
    // Prepare
    const client = standIn.seed.client({ name: 'web-app', roleDivisions, authorizedGrantType: 'CODE' });

    // Act
    const failure = await loginRejection(
      sdkClientFor(standIn.gateway).loginClientCredentialsGrant(client.clientId, client.clientSecret),
    );

    // Assess
    expect(failure.status).toBe(400);
    expect(failure.data).toMatchObject({ error: 'unauthorized_client' });
  });

  it.each(['inactive', 'disabled'] as const)(
    'refuses to mint tokens for an %s client (§1.2 state)',
    async (state) => {
      // Prepare
      const client = standIn.seed.client({ name: `svc-${state}`, roleDivisions, state });

      // Act
      const failure = await loginRejection(
        sdkClientFor(standIn.gateway).loginClientCredentialsGrant(client.clientId, client.clientSecret),
      );

      // Assess
      expect(failure.status).toBe(400);
      expect(failure.data).toMatchObject({ error: 'invalid_client' });
    },
  );

  it("invalidates a disabled client's existing tokens but keeps an inactive client's (§1.2 state)", async () => {
    // Prepare
    const toDisable = standIn.seed.client({ name: 'svc-to-disable', roleDivisions });
    const toDeactivate = standIn.seed.client({ name: 'svc-to-deactivate', roleDivisions });
    const disabledSdk = await loggedInSdkClient(standIn.gateway, toDisable.clientId, toDisable.clientSecret);
    const inactiveSdk = await loggedInSdkClient(
      standIn.gateway,
      toDeactivate.clientId,
      toDeactivate.clientSecret,
    );
    const oauth = new platformClient.OAuthApi(admin);

    // Act
    await oauth.putOauthClient(toDisable.clientId, {
      ...clientRequest('svc-to-disable', roleDivisions),
      state: 'disabled',
    });
    await oauth.putOauthClient(toDeactivate.clientId, {
      ...clientRequest('svc-to-deactivate', roleDivisions),
      state: 'inactive',
    });

    // Assess
    const error = await rejectionOf(new platformClient.TokensApi(disabledSdk).getTokensMe());
    expect(error).toMatchObject({ status: 401, code: 'bad.credentials' });
    const info = await new platformClient.TokensApi(inactiveSdk).getTokensMe();
    expect(info.OAuthClient?.state).toBe('inactive');
  });

  it('expires tokens by the stand-in clock (§2.2 expires_in)', async () => {
    // Prepare
    const client = standIn.seed.client({
      name: 'svc-short-lived',
      roleDivisions,
      accessTokenValiditySeconds: 300,
    });
    const sdk = await loggedInSdkClient(standIn.gateway, client.clientId, client.clientSecret);
    const tokens = new platformClient.TokensApi(sdk);
    await tokens.getTokensMe();

    // Act
    standIn.clock.advance(301_000);

    // Assess
    expect(await rejectionOf(tokens.getTokensMe())).toMatchObject({ status: 401 });
  });

  it('revokes only the calling token on DELETE /api/v2/tokens/me (§2.4)', async () => {
    // Prepare
    const client = standIn.seed.client({ name: 'svc-revoke', roleDivisions });
    const first = await loggedInSdkClient(standIn.gateway, client.clientId, client.clientSecret);
    const second = await loggedInSdkClient(standIn.gateway, client.clientId, client.clientSecret);

    // Act
    await new platformClient.TokensApi(first).deleteTokensMe();

    // Assess
    expect(await rejectionOf(new platformClient.TokensApi(first).getTokensMe())).toMatchObject({
      status: 401,
    });
    await new platformClient.TokensApi(second).headTokensMe();
    const info = await new platformClient.TokensApi(second).getTokensMe();
    expect(info.OAuthClient?.id).toBe(client.clientId);
  });
});

describe('Genesys stand-in OAuth clients (genesys-cloud-api.md §1.1-§1.3)', () => {
  let standIn: GenesysStandIn;
  let admin: ReturnType<GenesysStandIn['seed']['adminClient']>;
  let adminClientId: string;
  let roleDivisions: { roleId: string; divisionId: string }[];
  let oauth: platformClient.OAuthApi;

  beforeAll(async () => {
    standIn = await startGenesysStandIn({ oauthClientLimit: null });
    admin = standIn.seed.adminClient();
    adminClientId = admin.clientId;
    roleDivisions = admin.roleDivisions;
    oauth = new platformClient.OAuthApi(
      await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret),
    );
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('returns the secret only on create and regenerate (genesys-cloud-api.md §1.3)', async () => {
    // Act
    const created = await oauth.postOauthClients(clientRequest('svc-secret-once', roleDivisions));
    const fetched = await oauth.getOauthClient(created.id ?? '');
    const listed = (await oauth.getOauthClients()).entities?.find((entity) => entity.id === created.id);
    const updated = await oauth.putOauthClient(
      created.id ?? '',
      clientRequest('svc-secret-once-2', roleDivisions),
    );
    const regenerated = await oauth.postOauthClientSecret(created.id ?? '');

    // Assess
    expect(created.secret).toEqual(expect.any(String));
    expect(regenerated.secret).toEqual(expect.any(String));
    expect(regenerated.secret).not.toBe(created.secret);
    expect(fetched).not.toHaveProperty('secret');
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('secret');
    expect(updated).not.toHaveProperty('secret');
  });

  it('models OAuthClient fields: roleDivisions, state, dateCreated, createdBy (§1.2)', async () => {
    // Act
    const created = await oauth.postOauthClients(clientRequest('svc-model', roleDivisions));

    // Assess
    expect(created).toMatchObject({
      name: 'svc-model',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      accessTokenValiditySeconds: 3600,
      roleDivisions,
      state: 'active',
      createdBy: { id: adminClientId },
      selfUri: `/api/v2/oauth/clients/${created.id}`,
    });
    expect(Date.parse(created.dateCreated ?? '')).not.toBeNaN();
  });

  it('lets the created secret mint a token that tokens/me attributes to the new client (§1.3, §2.4)', async () => {
    // Prepare
    const created = await oauth.postOauthClients(clientRequest('svc-verify', roleDivisions));

    // Act
    const sdk = await loggedInSdkClient(standIn.gateway, created.id ?? '', created.secret ?? '');
    const info = await new platformClient.TokensApi(sdk).getTokensMe();

    // Assess
    expect(info.OAuthClient).toMatchObject({
      id: created.id,
      name: 'svc-verify',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions,
      state: 'active',
      organization: { id: standIn.orgId },
    });
    expect(info.organization?.id).toBe(standIn.orgId);
    expect(info.homeOrganization?.id).toBe(standIn.orgId);
  });

  it('stops accepting the old secret as soon as the secret is regenerated (§1.3)', async () => {
    // Prepare
    const created = await oauth.postOauthClients(clientRequest('svc-regenerate', roleDivisions));

    // Act
    const regenerated = await oauth.postOauthClientSecret(created.id ?? '');

    // Assess
    const failure = await loginRejection(
      sdkClientFor(standIn.gateway).loginClientCredentialsGrant(created.id ?? '', created.secret ?? ''),
    );
    expect(failure).toMatchObject({
      status: 400,
      data: { error: 'invalid_client', description: 'authentication failed' },
    });
    await expect(
      loggedInSdkClient(standIn.gateway, created.id ?? '', regenerated.secret ?? ''),
    ).resolves.toBeDefined();
  });

  it('treats PUT as a full update: omitted fields reset, an omitted state is kept (§1.1)', async () => {
    // Prepare
    const created = await oauth.postOauthClients({
      ...clientRequest('svc-put', roleDivisions),
      description: 'payments service',
      state: 'inactive',
    });

    // Act
    const updated = await oauth.putOauthClient(created.id ?? '', {
      name: 'svc-put-renamed',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
    });

    // Assess
    expect(updated).toMatchObject({ name: 'svc-put-renamed', roleDivisions: [], state: 'inactive' });
    expect(updated.description).toBeUndefined();
    expect(updated.accessTokenValiditySeconds).toBe(86_400);
  });

  it.each([
    [{ authorizedGrantType: 'CLIENT-CREDENTIALS' }, 'name'],
    [{ name: 'svc-bad' }, 'authorizedGrantType'],
    [{ name: 'svc-bad', authorizedGrantType: 'MAGIC' }, 'authorizedGrantType'],
    [
      { name: 'svc-bad', authorizedGrantType: 'CLIENT-CREDENTIALS', accessTokenValiditySeconds: 60 },
      'accessTokenValiditySeconds',
    ],
    [{ name: 'svc-bad', authorizedGrantType: 'CLIENT-CREDENTIALS', state: 'paused' }, 'state'],
  ])(
    'rejects an invalid OAuthClientRequest %j with a 400 ErrorBody naming %s (§1.2)',
    async (body, field) => {
      // Act
      const error = await rejectionOf(
        oauth.postOauthClients(body as platformClient.Models.OAuthClientRequest),
      );

      // Assess
      expect(error).toEqual({
        message: expect.stringContaining(field),
        code: 'bad.request',
        status: 400,
        contextId: expect.any(String),
        details: [],
        errors: [],
      });
    },
  );

  it('deletes a client younger than 30 days irreversibly (§1.3)', async () => {
    // Prepare
    const created = await oauth.postOauthClients(clientRequest('svc-young', roleDivisions));

    // Act
    await oauth.deleteOauthClient(created.id ?? '');

    // Assess
    expect(await rejectionOf(oauth.getOauthClient(created.id ?? ''))).toMatchObject({
      status: 404,
      code: 'not.found',
    });
    expect(standIn.clients().some((client) => client.id === created.id)).toBe(false);
    const failure = await loginRejection(
      sdkClientFor(standIn.gateway).loginClientCredentialsGrant(created.id ?? '', created.secret ?? ''),
    );
    expect(failure.data).toMatchObject({ error: 'invalid_client', description: 'client not found' });
  });

  it('deactivates a client older than 30 days for 7 days, restorable by PUT state active (§1.3)', async () => {
    // Prepare
    const old = standIn.seed.client({
      name: 'svc-old',
      roleDivisions,
      dateCreated: new Date(standIn.clock.now().getTime() - 40 * DAY_MS),
    });
    const deletedAt = standIn.clock.now().getTime();

    // Act
    await oauth.deleteOauthClient(old.clientId);
    const deactivated = await oauth.getOauthClient(old.clientId);
    const restored = await oauth.putOauthClient(old.clientId, {
      ...clientRequest('svc-old', roleDivisions),
      state: 'active',
    });

    // Assess
    expect(deactivated.state).toBe('inactive');
    const dateToDelete = Date.parse(deactivated.dateToDelete ?? '');
    expect(dateToDelete - deletedAt).toBeGreaterThanOrEqual(7 * DAY_MS);
    expect(dateToDelete - deletedAt).toBeLessThan(7 * DAY_MS + 60_000);
    expect(restored).toMatchObject({ state: 'active' });
    expect(restored.dateToDelete).toBeUndefined();
    expect(standIn.clients().find((client) => client.id === old.clientId)).toMatchObject({ deleted: false });
    await expect(loggedInSdkClient(standIn.gateway, old.clientId, old.clientSecret)).resolves.toBeDefined();
  });

  it('removes a deactivated client for good once its 7 days have passed by the clock (§1.3)', async () => {
    // Prepare
    const old = standIn.seed.client({
      name: 'svc-old-purged',
      roleDivisions,
      dateCreated: new Date(standIn.clock.now().getTime() - 31 * DAY_MS),
    });
    await oauth.deleteOauthClient(old.clientId);
    expect(standIn.clients().find((client) => client.id === old.clientId)).toMatchObject({
      deleted: true,
      state: 'inactive',
      dateToDelete: expect.any(String),
    });

    // Act
    standIn.clock.advance(7 * DAY_MS + 1000);
    // The admin's 24 h token expired on the way, as it would for a real caller.
    oauth = new platformClient.OAuthApi(
      await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret),
    );

    // Assess
    expect(await rejectionOf(oauth.getOauthClient(old.clientId))).toMatchObject({ status: 404 });
    expect(standIn.clients().some((client) => client.id === old.clientId)).toBe(false);
  });

  it('lists clients as an OAuthClientEntityListing (§1.2)', async () => {
    // Prepare
    const created = await oauth.postOauthClients(clientRequest('svc-listed', roleDivisions));

    // Act
    const listing = await oauth.getOauthClients();

    // Assess
    const total = standIn.clients().length;
    expect(listing).toMatchObject({ pageNumber: 1, pageCount: 1, total, pageSize: total });
    expect(listing.entities?.map((entity) => entity.id)).toContain(created.id);
    expect(listing.entities).toHaveLength(total);
  });

  it('answers 404 with an ErrorBody for an unknown client on GET, PUT, DELETE and regenerate (§1.1)', async () => {
    // Prepare
    const unknownId = '11111111-2222-3333-4444-555555555555';

    // Act
    const errors = await Promise.all([
      rejectionOf(oauth.getOauthClient(unknownId)),
      rejectionOf(oauth.putOauthClient(unknownId, clientRequest('x', roleDivisions))),
      rejectionOf(oauth.deleteOauthClient(unknownId)),
      rejectionOf(oauth.postOauthClientSecret(unknownId)),
    ]);

    // Assess
    for (const error of errors) expect(error).toMatchObject({ status: 404, code: 'not.found' });
  });
});

describe('Genesys stand-in authorization (genesys-cloud-api.md §1.1 permissions, §1.2 role-divisions)', () => {
  let standIn: GenesysStandIn;
  let admin: ReturnType<GenesysStandIn['seed']['adminClient']>;
  let adminOauth: platformClient.OAuthApi;

  beforeAll(async () => {
    standIn = await startGenesysStandIn();
    admin = standIn.seed.adminClient();
    adminOauth = new platformClient.OAuthApi(
      await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret),
    );
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('answers /api/v2 calls without a valid bearer token with 401 ErrorBody (§5)', async () => {
    // Prepare
    const anonymous = sdkClientFor(standIn.gateway);
    const forged = sdkClientFor(standIn.gateway);
    forged.setAccessToken('forged-token');

    // Act
    const withoutToken = await rejectionOf(new platformClient.OAuthApi(anonymous).getOauthClients());
    const withForgedToken = await rejectionOf(new platformClient.TokensApi(forged).getTokensMe());

    // Assess
    expect(withoutToken).toMatchObject({
      status: 401,
      details: [],
      errors: [],
      contextId: expect.any(String),
    });
    expect(withForgedToken).toMatchObject({ status: 401, code: 'bad.credentials' });
  });

  it('answers 403 missing.any.permissions when no role grants the permission, while tokens/me needs none (§1.1, §2.4)', async () => {
    // Prepare
    const viewerRole = standIn.seed.role('OAuth viewer', ['oauth:client:view']);
    const viewer = standIn.seed.client({
      name: 'viewer',
      roleDivisions: [{ roleId: viewerRole, divisionId: standIn.seed.homeDivisionId }],
    });
    const sdk = await loggedInSdkClient(standIn.gateway, viewer.clientId, viewer.clientSecret);

    // Act
    const createError = await rejectionOf(
      new platformClient.OAuthApi(sdk).postOauthClients(clientRequest('escalated', [])),
    );
    const listing = await new platformClient.OAuthApi(sdk).getOauthClients();
    const info = await new platformClient.TokensApi(sdk).getTokensMe();

    // Assess
    expect(createError).toMatchObject({
      status: 403,
      code: 'missing.any.permissions',
      message: expect.stringContaining('oauth:client:add'),
      details: [],
      errors: [],
    });
    expect(listing.total).toBeGreaterThan(0);
    expect(info.OAuthClient?.id).toBe(viewer.clientId);
    expect(standIn.clients().some((client) => client.name === 'escalated')).toBe(false);
  });

  it('refuses to grant a role the creator does not hold, naming the role (§1.2)', async () => {
    // Prepare
    const payRole = standIn.seed.role('Payments API', ['payments:*']);

    // Act
    const error = await rejectionOf(
      adminOauth.postOauthClients(
        clientRequest('svc-escalate', [{ roleId: payRole, divisionId: standIn.seed.homeDivisionId }]),
      ),
    );

    // Assess
    expect(error).toMatchObject({
      status: 400,
      message: expect.stringContaining('Payments API'),
      entityId: payRole,
    });
    expect(standIn.clients().some((client) => client.name === 'svc-escalate')).toBe(false);
  });

  it('refuses a role the creator holds only in another division (§1.2 roleDivisions)', async () => {
    // Prepare
    const adminRole = admin.roleDivisions[0]?.roleId ?? '';
    const emea = standIn.seed.division('EMEA');

    // Act
    const error = await rejectionOf(
      adminOauth.postOauthClients(
        clientRequest('svc-other-division', [{ roleId: adminRole, divisionId: emea }]),
      ),
    );

    // Assess
    expect(error).toMatchObject({ status: 400, messageParams: { divisionId: emea } });
  });

  it('lets a creator copy roles it holds, including extra grants given to the admin (§1.2, §6.1)', async () => {
    // Prepare
    const queueRole = standIn.seed.role('Queue reader', ['routing:queue:view']);
    const emea = standIn.seed.division('EMEA ops');
    const extra = { roleId: queueRole, divisionId: emea };
    const richAdmin = standIn.seed.adminClient({ name: 'rich-admin', extraRoleDivisions: [extra] });
    const oauth = new platformClient.OAuthApi(
      await loggedInSdkClient(standIn.gateway, richAdmin.clientId, richAdmin.clientSecret),
    );

    // Act
    const created = await oauth.postOauthClients(clientRequest('svc-queue-reader', [extra]));
    const editError = await rejectionOf(
      adminOauth.putOauthClient(created.id ?? '', clientRequest('svc-queue-reader', [extra])),
    );

    // Assess
    expect(created.roleDivisions).toEqual([extra]);
    expect(editError).toMatchObject({ status: 400, entityName: 'Queue reader' });
  });
});

describe('Genesys stand-in rate limiting (genesys-cloud-api.md §3)', () => {
  let standIn: GenesysStandIn;
  let admin: ReturnType<GenesysStandIn['seed']['adminClient']>;

  beforeAll(async () => {
    standIn = await startGenesysStandIn({ rateLimitPerMinute: 5 });
    admin = standIn.seed.adminClient();
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('answers the call over the per-token limit with 429, Retry-After and inin-ratelimit-* headers (§3)', async () => {
    // Prepare
    const sdk = await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret);
    sdk.setReturnExtendedResponses(true);
    const tokens = new platformClient.TokensApi(sdk);
    const allowed: SdkExtendedResponse[] = [];
    for (let call = 0; call < 5; call++)
      allowed.push((await tokens.getTokensMe()) as unknown as SdkExtendedResponse);

    // Act
    const refused = (await rejectionOf(tokens.getTokensMe())) as SdkExtendedResponse;

    // Assess
    expect(allowed.map((response) => response.headers['inin-ratelimit-count'])).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
    expect(allowed[0]?.headers['inin-ratelimit-allowed']).toBe('5');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers['inin-ratelimit-allowed']).toBe('5');
    expect(refused.headers['inin-ratelimit-count']).toBe('6');
    expect(refused.headers['inin-ratelimit-reset']).toBe(refused.headers['retry-after']);
    expect(refused.body).toMatchObject({
      status: 429,
      code: 'too.many.requests.retry.after',
      details: [],
      errors: [],
    });
  });

  it('counts per token and starts over after a minute by the clock (§3)', async () => {
    // Prepare
    const first = await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret);
    const second = await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret);
    const firstTokens = new platformClient.TokensApi(first);
    for (let call = 0; call < 5; call++) await firstTokens.headTokensMe();
    expect(await rejectionOf(firstTokens.getTokensMe())).toMatchObject({ status: 429 });

    // Act
    const secondTokenInfo = await new platformClient.TokensApi(second).getTokensMe();
    standIn.clock.advance(60_000);
    const afterWindow = await firstTokens.getTokensMe();

    // Assess
    expect(secondTokenInfo.OAuthClient?.id).toBe(admin.clientId);
    expect(afterWindow.OAuthClient?.id).toBe(admin.clientId);
  });

  it('does not rate-limit the token endpoint per token (§3)', async () => {
    // Act
    const logins = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      logins.push(
        await sdkClientFor(standIn.gateway).loginClientCredentialsGrant(admin.clientId, admin.clientSecret),
      );
    }

    // Assess
    expect(new Set(logins.map((login) => login.accessToken)).size).toBe(8);
  });

  it('adds inin-correlation-id to every response, errors included (§3)', async () => {
    // Prepare
    const sdk = await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret);
    sdk.setReturnExtendedResponses(true);

    // Act
    const ok = (await new platformClient.TokensApi(sdk).getTokensMe()) as unknown as SdkExtendedResponse;
    const notFound = (await rejectionOf(
      new platformClient.OAuthApi(sdk).getOauthClient('missing'),
    )) as SdkExtendedResponse;

    // Assess
    expect(ok.headers['inin-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(notFound.headers['inin-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(notFound.headers['inin-correlation-id']).not.toBe(ok.headers['inin-correlation-id']);
  });
});

describe('Genesys stand-in faults and eventual consistency (DESIGN.md §6, genesys-cloud-api.md §6.7)', () => {
  let standIn: GenesysStandIn;
  let roleDivisions: { roleId: string; divisionId: string }[];
  let adminClientId: string;
  let adminSdk: SdkApiClient;
  let oauth: platformClient.OAuthApi;

  beforeAll(async () => {
    standIn = await startGenesysStandIn({ oauthClientLimit: null });
    const admin = standIn.seed.adminClient();
    adminClientId = admin.clientId;
    roleDivisions = admin.roleDivisions;
    adminSdk = await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret);
    oauth = new platformClient.OAuthApi(adminSdk);
  });
  afterAll(async () => {
    standIn.faults.clear();
    standIn.setNewClientActivationDelay(0);
    await standIn.close();
  });

  it('faults only the nth matching call with the given status, without the side effect', async () => {
    // Prepare
    standIn.faults.add({ route: 'POST /api/v2/oauth/clients', nth: 2, status: 503 });
    const before = standIn.clients().length;

    // Act
    const first = await oauth.postOauthClients(clientRequest('svc-fault-1', roleDivisions));
    const second = await rejectionOf(oauth.postOauthClients(clientRequest('svc-fault-2', roleDivisions)));
    const third = await oauth.postOauthClients(clientRequest('svc-fault-3', roleDivisions));
    standIn.faults.clear();

    // Assess
    expect(first.name).toBe('svc-fault-1');
    expect(second).toMatchObject({ status: 503, code: 'service.unavailable' });
    expect(third.name).toBe('svc-fault-3');
    expect(standIn.clients().length).toBe(before + 2);
    expect(standIn.clients().some((client) => client.name === 'svc-fault-2')).toBe(false);
  });

  it('applies the side effect and then answers the fault when afterApply is set', async () => {
    // Prepare
    standIn.faults.add({
      route: 'POST /api/v2/oauth/clients',
      status: 500,
      body: { message: 'boom' },
      afterApply: true,
    });

    // Act
    const error = await rejectionOf(
      oauth.postOauthClients(clientRequest('svc-applied-anyway', roleDivisions)),
    );
    standIn.faults.clear();

    // Assess
    expect(error).toEqual({ message: 'boom' });
    expect(standIn.clients().find((client) => client.name === 'svc-applied-anyway')).toMatchObject({
      state: 'active',
      createdByClientId: adminClientId,
    });
  });

  it('drops the connection without an answer, which the SDK sees as a network error', async () => {
    // Prepare
    standIn.faults.add({ route: 'GET /api/v2/oauth/clients', nth: 1, drop: true });

    // Act
    const error = await rejectionOf(oauth.getOauthClients());
    const retried = await oauth.getOauthClients();

    // Assess
    expect((error as { response?: unknown }).response).toBeUndefined();
    expect((error as { code?: string }).code).toMatch(/ECONNRESET|ERR_NETWORK|ECONNABORTED|EPIPE/);
    expect(retried.total).toBeGreaterThan(0);
    const dropped = standIn.requestLog.filter((record) => record.route === 'GET /api/v2/oauth/clients');
    expect(dropped.at(-2)?.status).toBe(0);
    expect(dropped.at(-1)?.status).toBe(200);
    standIn.faults.clear();
  });

  it('delays the answer by latencyMs and faults the token endpoint like any route', async () => {
    // Prepare
    standIn.faults.add({ route: 'GET /api/v2/organizations/me', latencyMs: 150 });
    standIn.faults.add({ route: 'POST /oauth/token', nth: 1, times: 2, status: 503 });
    const organizations = new platformClient.OrganizationApi(adminSdk);

    // Act
    const startedAt = Date.now();
    const organization = await organizations.getOrganizationsMe();
    const elapsedMs = Date.now() - startedAt;
    const firstLogin = await loginRejection(
      sdkClientFor(standIn.gateway).loginClientCredentialsGrant('a', 'b'),
    );
    const secondLogin = await loginRejection(
      sdkClientFor(standIn.gateway).loginClientCredentialsGrant('a', 'b'),
    );
    const thirdLogin = await loginRejection(
      sdkClientFor(standIn.gateway).loginClientCredentialsGrant('a', 'b'),
    );
    standIn.faults.clear();

    // Assess
    expect(organization.id).toBe(standIn.orgId);
    expect(elapsedMs).toBeGreaterThanOrEqual(145);
    expect([firstLogin.status, secondLogin.status, thirdLogin.status]).toEqual([503, 503, 400]);
  });

  it('refuses a new client with invalid_client until the activation delay has passed (DESIGN.md §6)', async () => {
    // Prepare
    standIn.setNewClientActivationDelay(5_000);
    const created = await oauth.postOauthClients(clientRequest('svc-eventual', roleDivisions));
    standIn.setNewClientActivationDelay(0);

    // Act
    const early = await loginRejection(
      sdkClientFor(standIn.gateway).loginClientCredentialsGrant(created.id ?? '', created.secret ?? ''),
    );
    standIn.clock.advance(5_000);
    const later = await sdkClientFor(standIn.gateway).loginClientCredentialsGrant(
      created.id ?? '',
      created.secret ?? '',
    );

    // Assess
    expect(early).toMatchObject({ status: 400, data: { error: 'invalid_client' } });
    expect(later.accessToken).toEqual(expect.any(String));
  });

  it('logs every request with its route template, status and calling client', async () => {
    // Prepare
    const created = await oauth.postOauthClients(clientRequest('svc-logged', roleDivisions));
    const logLength = standIn.requestLog.length;

    // Act
    await oauth.getOauthClient(created.id ?? '');
    await rejectionOf(sdkClientFor(standIn.gateway).loginClientCredentialsGrant(created.id ?? '', 'wrong'));

    // Assess
    expect(standIn.requestLog.slice(logLength)).toEqual([
      {
        method: 'GET',
        path: `/api/v2/oauth/clients/${created.id}`,
        route: 'GET /api/v2/oauth/clients/{clientId}',
        status: 200,
        callerClientId: adminClientId,
        orgId: standIn.orgId,
        at: expect.any(Date),
      },
      {
        method: 'POST',
        path: '/oauth/token',
        route: 'POST /oauth/token',
        status: 400,
        callerClientId: created.id,
        orgId: standIn.orgId,
        at: expect.any(Date),
      },
    ]);
  });
});

describe('Genesys stand-in organization and limits (genesys-cloud-api.md §1.3, §2.4)', () => {
  let standIn: GenesysStandIn;
  let admin: ReturnType<GenesysStandIn['seed']['adminClient']>;
  let adminSdk: SdkApiClient;
  let organizations: platformClient.OrganizationApi;

  beforeAll(async () => {
    standIn = await startGenesysStandIn({ orgId: 'org-test-1', orgName: 'Acme Care', oauthClientLimit: 3 });
    admin = standIn.seed.adminClient();
    adminSdk = await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret);
    organizations = new platformClient.OrganizationApi(adminSdk);
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('describes the org on GET /api/v2/organizations/me (§2.4)', async () => {
    // Act
    const organization = await organizations.getOrganizationsMe();

    // Assess
    expect(organization).toMatchObject({
      id: 'org-test-1',
      name: 'Acme Care',
      domain: 'acme-care',
      state: 'active',
    });
  });

  it('reports the OAuth client limit as a LimitsEntityListing under namespace oauth (§1.3)', async () => {
    // Act
    const limits = await organizations.getOrganizationsLimitsNamespace('oauth');
    const unknown = await rejectionOf(organizations.getOrganizationsLimitsNamespace('no-such-namespace'));

    // Assess
    expect(limits.entities).toEqual([{ key: OAUTH_CLIENT_LIMIT_KEY, namespace: 'oauth', value: 3 }]);
    expect(unknown).toMatchObject({ status: 404 });
  });

  it('enforces the OAuth client limit on create with a 400 ErrorBody carrying the limit (§1.3)', async () => {
    // Prepare
    const oauth = new platformClient.OAuthApi(adminSdk);
    while (standIn.clients().length < 3) {
      await oauth.postOauthClients(clientRequest(`svc-${standIn.clients().length}`, admin.roleDivisions));
    }

    // Act
    const error = await rejectionOf(
      oauth.postOauthClients(clientRequest('svc-one-too-many', admin.roleDivisions)),
    );

    // Assess
    expect(error).toMatchObject({
      status: 400,
      code: 'limit.exceeded',
      limit: { key: OAUTH_CLIENT_LIMIT_KEY, namespace: 'oauth', value: 3 },
    });
    expect(standIn.clients()).toHaveLength(3);
  });

  it('reports no client limit key when the limit is unknown (oauthClientLimit: null)', async () => {
    // Prepare
    const unlimited = await startGenesysStandIn({ oauthClientLimit: null });
    const seeded = unlimited.seed.adminClient();
    const sdk = await loggedInSdkClient(unlimited.gateway, seeded.clientId, seeded.clientSecret);

    try {
      // Act
      const limits = await new platformClient.OrganizationApi(sdk).getOrganizationsLimitsNamespace('oauth');

      // Assess
      expect(limits.entities).toEqual([]);
      expect(unlimited.orgId).toBe('5f1c9a3e-7b2d-4e8f-9a61-0c3d2b4e6f70');
    } finally {
      await unlimited.close();
    }
  });
});

describe('Genesys stand-in with several orgs on one region host (genesys-cloud-api.md §2.3, §2.4; [Help-OAuthMgmt])', () => {
  const ORG_B = '3b9d2c1e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
  let standIn: GenesysStandIn;
  let orgB: ReturnType<GenesysStandIn['addOrg']>;
  let adminA: ReturnType<GenesysStandIn['seed']['adminClient']>;
  let adminB: ReturnType<GenesysStandIn['seed']['adminClient']>;
  let oauthA: platformClient.OAuthApi;
  let oauthB: platformClient.OAuthApi;
  let clientA: { clientId: string; clientSecret: string };
  let clientB: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    standIn = await startGenesysStandIn({
      orgs: [{ orgId: ORG_B, orgName: 'Branch Office', rateLimitPerMinute: 5 }],
    });
    orgB = standIn.org(ORG_B);
    adminA = standIn.seed.adminClient();
    adminB = orgB.seed.adminClient();
    oauthA = new platformClient.OAuthApi(
      await loggedInSdkClient(standIn.gateway, adminA.clientId, adminA.clientSecret),
    );
    oauthB = new platformClient.OAuthApi(
      await loggedInSdkClient(standIn.gateway, adminB.clientId, adminB.clientSecret),
    );
    clientA = standIn.seed.client({ name: 'svc-a', roleDivisions: adminA.roleDivisions });
    clientB = orgB.seed.client({ name: 'svc-b', roleDivisions: adminB.roleDivisions });
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('mints each token in the org of its client, on the same host: tokens/me names that org (§2.4)', async () => {
    // Act
    const meA = await new platformClient.TokensApi(
      await loggedInSdkClient(standIn.gateway, adminA.clientId, adminA.clientSecret),
    ).getTokensMe();
    const meB = await new platformClient.TokensApi(
      await loggedInSdkClient(standIn.gateway, adminB.clientId, adminB.clientSecret),
    ).getTokensMe();

    // Assess
    expect(meA.organization?.id).toBe(standIn.orgId);
    expect(meB.organization).toMatchObject({ id: ORG_B, name: 'Branch Office' });
    expect(standIn.orgs().map((org) => org.orgId)).toEqual([standIn.orgId, ORG_B]);
  });

  it("lists only the caller's own org's clients, and another org's client ids are 404 to it", async () => {
    // Act
    const listedByA = (await oauthA.getOauthClients()).entities?.map((client) => client.id) ?? [];
    const listedByB = (await oauthB.getOauthClients()).entities?.map((client) => client.id) ?? [];
    const readAcross = await rejectionOf(oauthA.getOauthClient(clientB.clientId));
    const usageAcross = await rejectionOf(oauthA.getOauthClientUsageSummary(clientB.clientId, { days: '7' }));

    // Assess
    expect(listedByA.sort()).toEqual([adminA.clientId, clientA.clientId].sort());
    expect(listedByB.sort()).toEqual([adminB.clientId, clientB.clientId].sort());
    expect(readAcross).toMatchObject({ status: 404 });
    expect(usageAcross).toMatchObject({ status: 404 });
  });

  it("cannot change or delete another org's client: it stays as it was", async () => {
    // Act
    const putAcross = await rejectionOf(
      oauthA.putOauthClient(clientB.clientId, { ...clientRequest('taken-over', []), state: 'inactive' }),
    );
    const deleteAcross = await rejectionOf(oauthA.deleteOauthClient(clientB.clientId));
    const regenerateAcross = await rejectionOf(oauthA.postOauthClientSecret(clientB.clientId));

    // Assess
    expect([putAcross, deleteAcross, regenerateAcross]).toEqual([
      expect.objectContaining({ status: 404 }),
      expect.objectContaining({ status: 404 }),
      expect.objectContaining({ status: 404 }),
    ]);
    expect(orgB.clients().find((client) => client.id === clientB.clientId)).toMatchObject({
      name: 'svc-b',
      state: 'active',
      deleted: false,
    });
    // Its secret still works: nothing regenerated it.
    const sdk = sdkClientFor(standIn.gateway);
    await expect(
      sdk.loginClientCredentialsGrant(clientB.clientId, clientB.clientSecret),
    ).resolves.toMatchObject({
      accessToken: expect.any(String),
    });
  });

  it("creates a client in the caller's org only, and the default-org API (clients(), seed) stays the default org's", async () => {
    // Act
    const created = await oauthB.postOauthClients(clientRequest('svc-b-new', adminB.roleDivisions));

    // Assess
    expect(orgB.clients().map((client) => client.id)).toContain(created.id);
    expect(standIn.clients().map((client) => client.id)).not.toContain(created.id);
    expect(standIn.clients().map((client) => client.id)).not.toContain(clientB.clientId);
    expect(orgB.clients().find((client) => client.id === created.id)?.createdByClientId).toBe(
      adminB.clientId,
    );
  });

  it("keeps rate limits per org: org B's limit of 5 a minute leaves org A's 300 alone (§3)", async () => {
    // Prepare: a fresh token of each org.
    const freshB = new platformClient.OAuthApi(
      await loggedInSdkClient(standIn.gateway, adminB.clientId, adminB.clientSecret),
    );
    const freshA = new platformClient.OAuthApi(
      await loggedInSdkClient(standIn.gateway, adminA.clientId, adminA.clientSecret),
    );

    // Act
    for (let call = 0; call < 5; call += 1) await freshB.getOauthClient(clientB.clientId);
    const sixth = await rejectionOf(freshB.getOauthClient(clientB.clientId));
    const fromA = await freshA.getOauthClient(clientA.clientId);

    // Assess
    expect(sixth).toMatchObject({ status: 429 });
    expect(fromA.id).toBe(clientA.clientId);
  });

  it('logs which org answered each request, with the calling client', async () => {
    // Prepare
    const logLength = standIn.requestLog.length;

    // Act
    await oauthA.getOauthClient(clientA.clientId);
    await rejectionOf(oauthA.getOauthClient(clientB.clientId));

    // Assess
    expect(standIn.requestLog.slice(logLength)).toEqual([
      expect.objectContaining({ status: 200, callerClientId: adminA.clientId, orgId: standIn.orgId }),
      expect.objectContaining({ status: 404, callerClientId: adminA.clientId, orgId: standIn.orgId }),
    ]);
  });
});
