/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: the action templates are Velocity, not JavaScript. */
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GenesysStandIn,
  REDACTED_VALUE,
  startGenesysStandIn,
} from '../../local/standins/genesys/index.js';
import { loggedInSdkClient } from '../../local/standins/genesys/sdk-session.js';
import { type PartnerStandIn, startPartnerStandIn } from '../../local/standins/partner/index.js';

type StyleName = 'header' | 'URL query' | 'basic auth' | 'OAuth (custom auth action)';

interface Style {
  name: StyleName;
  seed(
    genesys: GenesysStandIn,
    partner: PartnerStandIn,
    key: { keyId: string; secret: string },
  ): { integrationId: string; actionId: string; credentialId: string | null };
  /** The credential fields holding `key`, for a PUT of the same credential. */
  fields(partner: PartnerStandIn, key: { keyId: string; secret: string }): Record<string, string>;
  type: 'userDefined' | 'basicAuth' | 'userDefinedOAuth';
}

const STYLES: Style[] = [
  {
    name: 'header',
    type: 'userDefined',
    fields: (_partner, key) => ({ apiKey: key.secret }),
    seed: (genesys, partner, key) =>
      genesys.seed.integration({
        name: 'Partner orders (header key)',
        credential: { type: 'userDefined', fields: { apiKey: key.secret } },
        actionConfig: {
          request: {
            requestUrlTemplate: `${partner.url}/v1/orders/\${input.orderId}`,
            requestType: 'GET',
            headers: { 'X-API-Key': '${credentials.apiKey}' },
          },
        },
      }),
  },
  {
    name: 'URL query',
    type: 'userDefined',
    fields: (_partner, key) => ({ apiKey: key.secret }),
    seed: (genesys, partner, key) =>
      genesys.seed.integration({
        name: 'Partner orders (key in URL)',
        credential: { type: 'userDefined', fields: { apiKey: key.secret } },
        actionConfig: {
          request: {
            requestUrlTemplate: `${partner.url}/v1/orders/\${input.orderId}?api_key=\${credentials.apiKey}`,
            requestType: 'GET',
            headers: {},
          },
        },
      }),
  },
  {
    name: 'basic auth',
    type: 'basicAuth',
    fields: (_partner, key) => ({ userName: key.keyId, password: key.secret }),
    seed: (genesys, partner, key) =>
      genesys.seed.integration({
        name: 'Partner orders (basic auth)',
        credential: { type: 'basicAuth', fields: { userName: key.keyId, password: key.secret } },
        actionConfig: {
          request: { requestUrlTemplate: `${partner.url}/v1/orders/\${input.orderId}`, requestType: 'GET' },
        },
      }),
  },
  {
    name: 'OAuth (custom auth action)',
    type: 'userDefinedOAuth',
    fields: (partner, key) => ({
      clientId: key.keyId,
      clientSecret: key.secret,
      loginUrl: `${partner.url}/oauth/token`,
    }),
    seed: (genesys, partner, key) =>
      genesys.seed.integration({
        name: 'Partner orders (OAuth)',
        credential: {
          type: 'userDefinedOAuth',
          fields: { clientId: key.keyId, clientSecret: key.secret, loginUrl: `${partner.url}/oauth/token` },
        },
        authActionConfig: {
          request: {
            requestUrlTemplate: '${credentials.loginUrl}',
            requestType: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            requestTemplate:
              'grant_type=client_credentials&client_id=${credentials.clientId}&client_secret=${credentials.clientSecret}',
          },
        },
        actionConfig: {
          request: {
            requestUrlTemplate: `${partner.url}/v1/orders/\${input.orderId}`,
            requestType: 'GET',
            headers: { Authorization: 'Bearer ${authResponse.access_token}' },
          },
        },
      }),
  },
];

describe('Genesys stand-in Data Actions call the partner stand-in with the credential substituted (genesys-cloud-api.md §4.3, §4.4)', () => {
  let genesys: GenesysStandIn;
  let partner: PartnerStandIn;
  let integrations: platformClient.IntegrationsApi;

  beforeAll(async () => {
    [genesys, partner] = await Promise.all([startGenesysStandIn(), startPartnerStandIn()]);
    const admin = genesys.seed.adminClient();
    integrations = new platformClient.IntegrationsApi(
      await loggedInSdkClient(genesys.gateway, admin.clientId, admin.clientSecret),
    );
  });
  afterAll(async () => {
    await Promise.all([genesys.close(), partner.close()]);
  });

  describe.each(STYLES)('a key sent as $name ($type)', (style) => {
    it('passes the action test with the right key, and the partner sees that key used', async () => {
      // Prepare
      const key = partner.issueKey(style.name);
      const seeded = style.seed(genesys, partner, key);

      // Act
      const result = await integrations.postIntegrationsActionTest(seeded.actionId, { orderId: 'A-17' });

      // Assess
      expect(result).toMatchObject({
        success: true,
        finalResult: { status: 'ok', path: '/v1/orders/A-17', keyId: key.keyId },
      });
      expect(partner.key(key.keyId)).toMatchObject({ requests: 1, lastUsedAt: expect.any(String) });
      // §4.3: "the integration redacts any authorization information" in test results.
      expect(JSON.stringify(result)).not.toContain(key.secret);
    });

    it('fails the action test with a wrong key (401 from the partner), and execute fails too', async () => {
      // Prepare
      const right = partner.issueKey(style.name);
      const seeded = style.seed(genesys, partner, right);
      await integrations.putIntegrationsCredential(seeded.credentialId ?? '', {
        body: {
          name: 'wrong key',
          type: { name: style.type },
          credentialFields: style.fields(partner, { keyId: right.keyId, secret: `${right.secret}x` }),
        },
      });

      // Act
      const result = await integrations.postIntegrationsActionTest(seeded.actionId, { orderId: 'A-18' });
      const executed = await integrations
        .postIntegrationsActionExecute(seeded.actionId, { orderId: 'A-18' })
        .then(
          () => null,
          (error: unknown) => error,
        );

      // Assess
      expect(result).toMatchObject({
        success: false,
        error: { status: 400, code: 'bad.request', message: expect.stringContaining('[401]') },
      });
      expect(result.operations?.at(-1)).toMatchObject({ success: false });
      expect(executed).toMatchObject({ status: 400, message: expect.stringContaining('[401]') });
      expect(partner.key(right.keyId)).toMatchObject({ requests: 0 });
    });

    it('fails the action test once the key is revoked at the partner', async () => {
      // Prepare
      const key = partner.issueKey(style.name);
      const seeded = style.seed(genesys, partner, key);
      const before = await integrations.postIntegrationsActionTest(seeded.actionId, { orderId: 'A-19' });

      // Act
      partner.revokeKey(key.keyId);
      const after = await integrations.postIntegrationsActionTest(seeded.actionId, { orderId: 'A-19' });

      // Assess
      expect(before).toMatchObject({ success: true });
      expect(after).toMatchObject({ success: false, error: { message: expect.stringContaining('401') } });
    });
  });

  it('shows the request it made with the credential redacted (§4.3 "redacts the values of field names")', async () => {
    // Prepare
    const key = partner.issueKey('redaction');
    const seeded = STYLES[1]?.seed(genesys, partner, key);

    // Act
    const result = await integrations.postIntegrationsActionTest(seeded?.actionId ?? '', { orderId: 'B-1' });

    // Assess
    expect(result.operations?.find((operation) => operation.name === 'Execute request')?.result).toEqual({
      method: 'GET',
      url: `${partner.url}/v1/orders/B-1?api_key=${REDACTED_VALUE}`,
    });
  });

  it('flips between two credential objects by config/current: only the one the partner accepts passes (dual slot)', async () => {
    // Prepare
    const oldKey = partner.issueKey('slot A');
    const seeded = STYLES[0]?.seed(genesys, partner, oldKey);
    if (!seeded) throw new Error('no style');
    const newKey = partner.issueKey('slot B');
    const slotB = await integrations.postIntegrationsCredentials({
      body: { name: 'slot B', type: { name: 'userDefined' }, credentialFields: { apiKey: newKey.secret } },
    });
    const current = await integrations.getIntegrationConfigCurrent(seeded.integrationId);

    // Act
    const flipped = await integrations.putIntegrationConfigCurrent(seeded.integrationId, {
      body: { ...current, credentials: { userDefined: { id: slotB.id ?? '' } } },
    });
    const onNew = await integrations.postIntegrationsActionTest(seeded.actionId, { orderId: 'C-1' });
    partner.revokeKey(newKey.keyId);
    const onRevokedNew = await integrations.postIntegrationsActionTest(seeded.actionId, { orderId: 'C-1' });
    await integrations.putIntegrationConfigCurrent(seeded.integrationId, {
      body: { ...flipped, credentials: { userDefined: { id: seeded.credentialId ?? '' } } },
    });
    const flippedBack = await integrations.postIntegrationsActionTest(seeded.actionId, { orderId: 'C-1' });

    // Assess
    expect(onNew).toMatchObject({ success: true, finalResult: { keyId: newKey.keyId } });
    expect(onRevokedNew).toMatchObject({ success: false });
    expect(flippedBack).toMatchObject({ success: true, finalResult: { keyId: oldKey.keyId } });
  });

  it('lists the custom auth action only with includeAuthActions=true (§4.3)', async () => {
    // Prepare
    const key = partner.issueKey('auth listing');
    const seeded = STYLES[3]?.seed(genesys, partner, key) as { authActionId?: string; actionId: string };

    // Act
    const plain = await integrations.getIntegrationsActions({ pageSize: 200 });
    const withAuth = await integrations.getIntegrationsActions({ pageSize: 200, includeAuthActions: 'true' });

    // Assess
    expect(seeded.authActionId).toEqual(expect.any(String));
    expect(plain.entities?.map((action) => action.id)).not.toContain(seeded.authActionId);
    expect(withAuth.entities?.map((action) => action.id)).toContain(seeded.authActionId);
  });
});
