import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GenesysStandIn,
  REDACTED_VALUE,
  startGenesysStandIn,
} from '../../local/standins/genesys/index.js';
import { loggedInSdkClient } from '../../local/standins/genesys/sdk-session.js';

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be rejected');
}

function basicAuthBody(name: string, password: string) {
  return { name, type: { name: 'basicAuth' }, credentialFields: { userName: 'partner-user', password } };
}

describe('Genesys stand-in integration credentials (genesys-cloud-api.md §4.1, §4.2)', () => {
  let standIn: GenesysStandIn;
  let integrations: platformClient.IntegrationsApi;

  beforeAll(async () => {
    standIn = await startGenesysStandIn();
    const admin = standIn.seed.adminClient();
    integrations = new platformClient.IntegrationsApi(
      await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret),
    );
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('lists basicAuth, userDefined, userDefinedOAuth and pureCloudOAuthClient as a CredentialTypeListing (§4.2)', async () => {
    // Act
    // The v262 typings claim CredentialType[]; the API (and Genesys' other SDKs) answer {entities}.
    const listing = (await integrations.getIntegrationsCredentialsTypes()) as unknown as {
      entities: platformClient.Models.CredentialType[];
    };

    // Assess
    expect(listing.entities.map((type) => type.name)).toEqual([
      'basicAuth',
      'userDefined',
      'userDefinedOAuth',
      'pureCloudOAuthClient',
    ]);
    expect(listing.entities.find((type) => type.name === 'pureCloudOAuthClient')?.required).toEqual([
      'clientId',
      'clientSecret',
    ]);
  });

  it('returns a CredentialInfo without values on create and redacts values on GET (§4.1)', async () => {
    // Act
    const info = await integrations.postIntegrationsCredentials({
      body: basicAuthBody('partner-a', 'key-a'),
    });
    const credential = await integrations.getIntegrationsCredential(info.id ?? '');

    // Assess
    expect(info).toMatchObject({ name: 'partner-a', type: { name: 'basicAuth' } });
    expect(info).not.toHaveProperty('credentialFields');
    expect(JSON.stringify(info)).not.toContain('key-a');
    expect(credential.credentialFields).toEqual({ userName: REDACTED_VALUE, password: REDACTED_VALUE });
    expect(credential.type.name).toBe('basicAuth');
  });

  it('updates a credential in place with PUT and lists it on the cursor listing (§4.1)', async () => {
    // Prepare
    const info = await integrations.postIntegrationsCredentials({
      body: basicAuthBody('partner-b', 'key-b1'),
    });

    // Act
    const updated = await integrations.putIntegrationsCredential(info.id ?? '', {
      body: { ...basicAuthBody('partner-b-renamed', 'key-b2'), type: { name: 'basicAuth' } },
    });
    const listing = await integrations.getIntegrationsCredentialsListing({ pageSize: '200' });

    // Assess
    expect(updated).toMatchObject({ id: info.id, name: 'partner-b-renamed' });
    expect(listing.entities?.find((entity) => entity.id === info.id)).toMatchObject({
      name: 'partner-b-renamed',
    });
  });

  it.each([
    [
      { name: 'x', type: { name: 'pureCloudOAuthClient' }, credentialFields: { clientId: 'only-id' } },
      'clientSecret',
    ],
    [{ name: 'x', type: { name: 'sshKey' }, credentialFields: {} }, 'type.name'],
    [{ type: { name: 'userDefined' }, credentialFields: {} }, 'name'],
  ])('rejects the credential %j with a 400 ErrorBody naming %s (§4.2)', async (body, field) => {
    // Act
    const error = await rejectionOf(
      integrations.postIntegrationsCredentials({ body: body as platformClient.Models.Credential }),
    );

    // Assess
    expect(error).toMatchObject({
      status: 400,
      code: 'bad.request',
      message: expect.stringContaining(field),
    });
  });

  it('refuses to delete a credential an integration references, and deletes an unreferenced one (§4.1)', async () => {
    // Prepare
    const seeded = standIn.seed.integration({
      name: 'Partner CRM',
      credential: { type: 'basicAuth', fields: { userName: 'crm', password: 'crm-key' } },
    });
    const spare = await integrations.postIntegrationsCredentials({
      body: basicAuthBody('spare', 'spare-key'),
    });

    // Act
    const inUse = await rejectionOf(integrations.deleteIntegrationsCredential(seeded.credentialId ?? ''));
    await integrations.deleteIntegrationsCredential(spare.id ?? '');

    // Assess
    expect(inUse).toMatchObject({ status: 409 });
    await expect(integrations.getIntegrationsCredential(seeded.credentialId ?? '')).resolves.toBeDefined();
    expect(await rejectionOf(integrations.getIntegrationsCredential(spare.id ?? ''))).toMatchObject({
      status: 404,
    });
  });
});

describe('Genesys stand-in integration config and Data Action tests (genesys-cloud-api.md §4.1, §4.4, §6.4)', () => {
  let standIn: GenesysStandIn;
  let admin: ReturnType<GenesysStandIn['seed']['adminClient']>;
  let integrations: platformClient.IntegrationsApi;
  let oauth: platformClient.OAuthApi;

  beforeAll(async () => {
    standIn = await startGenesysStandIn({ usageQueryRunningMs: 0 });
    admin = standIn.seed.adminClient();
    const sdk = await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret);
    integrations = new platformClient.IntegrationsApi(sdk);
    oauth = new platformClient.OAuthApi(sdk);
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('shows the credential references in config/current and checks the version on PUT (§4.1, §4.2)', async () => {
    // Prepare
    const seeded = standIn.seed.integration({
      name: 'Weather API',
      credential: { type: 'userDefined', fields: { apiKey: 'wx-1' } },
    });
    const spare = standIn.seed.credential({
      name: 'Weather API slot B',
      type: 'userDefined',
      fields: { apiKey: 'wx-2' },
    });
    const current = await integrations.getIntegrationConfigCurrent(seeded.integrationId);

    // Act
    const stale = await rejectionOf(
      integrations.putIntegrationConfigCurrent(seeded.integrationId, {
        body: { ...current, version: current.version - 1, credentials: { userDefined: { id: spare } } },
      }),
    );
    const flipped = await integrations.putIntegrationConfigCurrent(seeded.integrationId, {
      body: { ...current, credentials: { userDefined: { id: spare } } },
    });

    // Assess
    expect(current.credentials).toEqual({
      userDefined: expect.objectContaining({ id: seeded.credentialId, name: expect.any(String) }),
    });
    expect(stale).toMatchObject({ status: 409 });
    expect(flipped.version).toBe(current.version + 1);
    expect(flipped.credentials.userDefined).toMatchObject({ id: spare, name: 'Weather API slot B' });
  });

  it('includes an action config only when includeConfig=true (§4.4)', async () => {
    // Prepare
    const seeded = standIn.seed.integration({
      name: 'Ticketing',
      credential: { type: 'basicAuth', fields: { userName: 'tix', password: 'tix-key' } },
      actionConfig: {
        request: { requestUrlTemplate: 'https://tickets.example.com/x', requestType: 'GET', headers: {} },
      },
    });

    // Act
    const withConfig = await integrations.getIntegrationsActions({ includeConfig: true });
    const withoutConfig = await integrations.getIntegrationsActions();
    const single = await integrations.getIntegrationsAction(seeded.actionId, { includeConfig: true });

    // Assess
    expect(
      withConfig.entities?.find((action) => action.id === seeded.actionId)?.config?.request,
    ).toMatchObject({
      requestUrlTemplate: 'https://tickets.example.com/x',
    });
    expect(withoutConfig.entities?.find((action) => action.id === seeded.actionId)?.config).toBeUndefined();
    expect(single).toMatchObject({
      integrationId: seeded.integrationId,
      config: { request: { requestType: 'GET' } },
    });
  });

  it('tests a Genesys Data Action by really minting a token with its pureCloudOAuthClient credential (§4.2, §6.4)', async () => {
    // Prepare
    const client = await oauth.postOauthClients({
      name: 'svc-data-actions',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: admin.roleDivisions,
    });
    const seeded = standIn.seed.integration({
      name: 'Genesys Cloud Data Actions',
      credential: {
        type: 'pureCloudOAuthClient',
        fields: { clientId: client.id ?? '', clientSecret: client.secret ?? '' },
      },
    });
    const before = await integrations.postIntegrationsActionTest(seeded.actionId, {});

    // Act
    const regenerated = await oauth.postOauthClientSecret(client.id ?? '');
    const afterRegenerate = await integrations.postIntegrationsActionTest(seeded.actionId, {});
    await integrations.putIntegrationsCredential(seeded.credentialId ?? '', {
      body: {
        name: 'Genesys Cloud Data Actions',
        type: { name: 'pureCloudOAuthClient' },
        credentialFields: { clientId: client.id ?? '', clientSecret: regenerated.secret ?? '' },
      },
    });
    const afterUpdate = await integrations.postIntegrationsActionTest(seeded.actionId, {});

    // Assess
    expect(before).toMatchObject({ success: true });
    expect(afterRegenerate).toMatchObject({
      success: false,
      error: { status: 400, code: 'bad.request', message: expect.stringContaining('invalid_client') },
    });
    expect(afterRegenerate.error?.contextId).toEqual(expect.any(String));
    expect(afterUpdate).toMatchObject({ success: true });
  });

  it("counts a Genesys Data Action's calls as usage of the credential's OAuth client, once their day is reported (§1.4)", async () => {
    // Prepare: a Genesys of its own, whose usage days the test can end (the report never holds the current day)
    const own = await startGenesysStandIn({
      usageQueryRunningMs: 0,
      usageDayLengthMs: 60_000,
      usageReportLagMs: 0,
    });
    try {
      const ownAdmin = own.seed.adminClient();
      const sdk = await loggedInSdkClient(own.gateway, ownAdmin.clientId, ownAdmin.clientSecret);
      const ownOauth = new platformClient.OAuthApi(sdk);
      const ownIntegrations = new platformClient.IntegrationsApi(sdk);
      const client = await ownOauth.postOauthClients({
        name: 'svc-data-actions-usage',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        roleDivisions: ownAdmin.roleDivisions,
      });
      const seeded = own.seed.integration({
        credential: {
          type: 'pureCloudOAuthClient',
          fields: { clientId: client.id ?? '', clientSecret: client.secret ?? '' },
        },
      });
      await ownIntegrations.postIntegrationsActionTest(seeded.actionId, {});
      await ownIntegrations.postIntegrationsActionExecute(seeded.actionId, {});
      own.clock.advance(60_000);

      // Act
      const execution = await ownOauth.getOauthClientUsageSummary(client.id ?? '', { days: '1' });
      const usage = await ownOauth.getOauthClientUsageQueryResult(
        execution.executionId ?? '',
        client.id ?? '',
      );

      // Assess
      expect(usage.results).toEqual([
        expect.objectContaining({ clientId: client.id, requests: 2, status200: 2 }),
      ]);
    } finally {
      await own.close();
    }
  });

  it('tests a Web Services action against the key the partner accepts, across a dual-slot flip (§2.2 of DESIGN.md)', async () => {
    // Prepare
    const seeded = standIn.seed.integration({
      name: 'Partner billing',
      credential: { type: 'userDefined', fields: { apiKey: 'old-key' } },
    });
    const slotB = standIn.seed.credential({
      name: 'Partner billing slot B',
      type: 'userDefined',
      fields: { apiKey: 'new-key' },
    });
    const current = await integrations.getIntegrationConfigCurrent(seeded.integrationId);
    const flip = () =>
      integrations.putIntegrationConfigCurrent(seeded.integrationId, {
        body: { ...current, credentials: { userDefined: { id: slotB } } },
      });

    // Act
    const flippedTooEarly = await flip().then(() =>
      integrations.postIntegrationsActionTest(seeded.actionId, {}),
    );
    standIn.seed.partnerAccepts(seeded.integrationId, [{ apiKey: 'old-key' }, { apiKey: 'new-key' }]);
    const afterPartnerAcceptsBoth = await integrations.postIntegrationsActionTest(seeded.actionId, {});

    // Assess
    expect(flippedTooEarly).toMatchObject({
      success: false,
      error: { status: 400, message: expect.stringContaining('401') },
    });
    expect(afterPartnerAcceptsBoth).toMatchObject({ success: true });
  });

  it('needs integrations:action:execute to test an action, while integrations:action:view may list (§4.4)', async () => {
    // Prepare
    const seeded = standIn.seed.integration({ credential: { type: 'userDefined', fields: { apiKey: 'k' } } });
    const viewerRole = standIn.seed.role('Action viewer', ['integrations:action:view']);
    const viewer = standIn.seed.client({
      name: 'action-viewer',
      roleDivisions: [{ roleId: viewerRole, divisionId: standIn.seed.homeDivisionId }],
    });
    const viewerIntegrations = new platformClient.IntegrationsApi(
      await loggedInSdkClient(standIn.gateway, viewer.clientId, viewer.clientSecret),
    );

    // Act
    const listing = await viewerIntegrations.getIntegrationsActions();
    const error = await rejectionOf(viewerIntegrations.postIntegrationsActionTest(seeded.actionId, {}));

    // Assess
    expect(listing.entities?.map((action) => action.id)).toContain(seeded.actionId);
    expect(error).toMatchObject({
      status: 403,
      code: 'missing.any.permissions',
      message: expect.stringContaining('integrations:action:execute'),
    });
  });
});
