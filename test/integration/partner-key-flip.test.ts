/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: the action templates are Velocity, not JavaScript. */
import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  flipBack,
  flipToPendingKey,
  type PartnerKeyTarget,
  retireOldKey,
  verifyPendingKey,
} from '../../functions/core/partner-key/flip.js';
import { dataActionCredentialsOver } from '../../functions/core/partner-key/integrations.js';
import { partnerKeyInventory } from '../../functions/core/partner-key/inventory.js';
import { issueKeyIntoPending } from '../../functions/core/partner-key/issue.js';
import { LambdaKeyProvider } from '../../functions/shared/aws/key-provider.js';
import { SecretsManagerStore } from '../../functions/shared/aws/secrets-store.js';
import type { DataActionCredentialsPort } from '../../functions/shared/data-action-ports.js';
import { VerificationFailedError } from '../../functions/shared/errors.js';
import { GenesysAdmin } from '../../functions/shared/genesys/admin.js';
import { GenesysIntegrations } from '../../functions/shared/genesys/integrations.js';
import type { PartnerCredentialType } from '../../functions/shared/key-provider-contract.js';
import { type AwsStandIn, startAwsStandIn } from '../../local/standins/aws/index.js';
import type { ActionConfigInput, GenesysStandIn } from '../../local/standins/genesys/index.js';
import { startGenesysStandIn } from '../../local/standins/genesys/index.js';
import { loggedInSdkClient } from '../../local/standins/genesys/sdk-session.js';
import { type PartnerStandIn, startPartnerStandIn } from '../../local/standins/partner/index.js';
import { type ProviderLambda, startProviderLambda } from '../helpers/key-provider.js';

interface Style {
  type: PartnerCredentialType;
  fields(partner: PartnerStandIn, key: { keyId: string; secret: string }): Record<string, string>;
  action(partner: PartnerStandIn): { actionConfig: ActionConfigInput; authActionConfig?: ActionConfigInput };
}

const STYLES: Style[] = [
  {
    type: 'userDefined',
    fields: (_partner, key) => ({ apiKey: key.secret }),
    action: (partner) => ({
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
    type: 'basicAuth',
    fields: (_partner, key) => ({ userName: key.keyId, password: key.secret }),
    action: (partner) => ({
      actionConfig: {
        request: { requestUrlTemplate: `${partner.url}/v1/orders/\${input.orderId}`, requestType: 'GET' },
      },
    }),
  },
  {
    type: 'userDefinedOAuth',
    fields: (partner, key) => ({
      clientId: key.keyId,
      clientSecret: key.secret,
      loginUrl: `${partner.url}/oauth/token`,
    }),
    action: (partner) => ({
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

/** An Architect flow calling the Data Action in a loop, as a contact centre would during a rotation. */
class SimulatedFlow {
  readonly keyIdsSeen: string[] = [];
  readonly failures: string[] = [];
  calls = 0;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(api: platformClient.IntegrationsApi, actionId: string) {
    this.loop = (async () => {
      while (this.running) {
        this.calls += 1;
        try {
          const output = (await api.postIntegrationsActionExecute(actionId, { orderId: 'F-1' })) as {
            keyId?: string;
          };
          if (output.keyId && this.keyIdsSeen.at(-1) !== output.keyId) this.keyIdsSeen.push(output.keyId);
        } catch (error) {
          this.failures.push(String((error as { message?: unknown }).message));
        }
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
  }

  /** Resolves once the flow has made `count` more calls. */
  async callsMore(count: number): Promise<void> {
    const target = this.calls + count;
    while (this.calls < target) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

describe('Partner key dual-slot flip through the real SDKs (issue #10 part 3; genesys-cloud-api.md §4.1, §4.4)', () => {
  let genesys: GenesysStandIn;
  let partner: PartnerStandIn;
  let aws: AwsStandIn;
  let providerLambda: ProviderLambda;
  let provider: LambdaKeyProvider;
  let store: SecretsManagerStore;
  let adminIntegrations: platformClient.IntegrationsApi;
  let flowIntegrations: platformClient.IntegrationsApi;
  let integrations: DataActionCredentialsPort;

  beforeAll(async () => {
    [genesys, partner, aws] = await Promise.all([
      startGenesysStandIn(),
      startPartnerStandIn(),
      startAwsStandIn(),
    ]);
    providerLambda = await startProviderLambda(aws, partner);
    provider = new LambdaKeyProvider(providerLambda.lambda, providerLambda.functionName);
    store = new SecretsManagerStore(providerLambda.secretsManager);
    const admin = genesys.seed.adminClient();
    adminIntegrations = new platformClient.IntegrationsApi(
      await loggedInSdkClient(genesys.gateway, admin.clientId, admin.clientSecret),
    );
    // The rotator's own path to Genesys: the admin adapter's client, under the shared integrations port.
    const genesysAdmin = new GenesysAdmin({
      credential: {
        clientId: admin.clientId,
        clientSecret: admin.clientSecret,
        environment: 'mypurecloud.ie',
      },
      gatewayUrl: genesys.url,
      retry: { maxAttempts: 3, maxRetryTimeMs: 5_000, defaultRetryAfterMs: 50, timeoutMs: 5_000 },
    });
    integrations = dataActionCredentialsOver(new GenesysIntegrations(genesysAdmin));
    const flowRole = genesys.seed.role('Architect flow', ['integrations:action:execute']);
    const flowClient = genesys.seed.client({
      name: 'architect-flow',
      roleDivisions: [{ roleId: flowRole, divisionId: genesys.seed.homeDivisionId }],
    });
    flowIntegrations = new platformClient.IntegrationsApi(
      await loggedInSdkClient(genesys.gateway, flowClient.clientId, flowClient.clientSecret),
    );
  });
  afterAll(async () => {
    await providerLambda.close();
    await Promise.all([genesys.close(), partner.close(), aws.close()]);
  });

  async function onboard(style: Style) {
    const oldKey = partner.issueKey('before rotation');
    const oldFields = style.fields(partner, oldKey);
    const seeded = genesys.seed.integration({
      name: `Partner orders ${style.type} ${randomUUID().slice(0, 8)}`,
      credential: { type: style.type, fields: oldFields },
      ...style.action(partner),
    });
    const secret = await providerLambda.secretsManager.send(
      new CreateSecretCommand({
        Name: `partner/orders/${style.type}/${randomUUID().slice(0, 8)}`,
        SecretString: JSON.stringify({ credentialType: style.type, keyId: oldKey.keyId, fields: oldFields }),
        Tags: [
          { Key: 'genesys:kind', Value: 'integration-credential' },
          { Key: 'env', Value: 'dev' },
          { Key: 'service', Value: 'orders' },
          { Key: 'cadence', Value: '30d' },
          { Key: 'genesys:key-provider', Value: providerLambda.functionName },
          { Key: 'genesys:integration-id', Value: seeded.integrationId },
          { Key: 'genesys:health-action-id', Value: seeded.actionId },
        ],
      }),
    );
    const target: PartnerKeyTarget = {
      secretId: secret.ARN ?? '',
      credentialType: style.type,
      env: 'dev',
      service: 'orders',
      integrationId: seeded.integrationId,
      credentialKey: style.type,
      healthActionId: seeded.actionId,
      healthActionInput: { orderId: 'health' },
    };
    return { oldKey, seeded, target, currentVersionId: secret.VersionId ?? '' };
  }

  describe.each(STYLES)('$type', (style) => {
    it('rotates with zero failed calls by a flow calling the action throughout; the old key is revoked only after adoption', async () => {
      // Prepare
      const { oldKey, seeded, target: onboarded } = await onboard(style);
      const inventory = await partnerKeyInventory({ secrets: store, integrations }, onboarded.secretId);
      const target = { ...inventory.target, healthActionInput: { orderId: 'health' } };
      const { currentVersionId } = inventory;
      const { healthActionInput: _input, ...expectedTarget } = onboarded;
      const flow = new SimulatedFlow(flowIntegrations, seeded.actionId);
      await flow.callsMore(3);
      const token = randomUUID();

      // Act
      const pending = await issueKeyIntoPending(
        { secrets: store, provider },
        { ...target, token, currentKeyId: oldKey.keyId },
      );
      await verifyPendingKey({ secrets: store, provider }, target, token);
      const flipped = await flipToPendingKey({ secrets: store, integrations }, target, token);
      await store.promote(target.secretId, token, currentVersionId);
      const oldKeyAfterFlip = partner.key(oldKey.keyId);
      await flow.callsMore(3);
      // Adoption evidence: the old key saw no request since the flip.
      const oldKeyAtGate = partner.key(oldKey.keyId);
      const retired = await retireOldKey({ provider, integrations }, target, {
        keyId: oldKey.keyId,
        credentialId: flipped.previousCredentialId,
      });
      await flow.callsMore(3);
      await flow.stop();

      // Assess
      expect(inventory).toMatchObject({
        target: expectedTarget,
        currentKeyId: oldKey.keyId,
        currentCredentialId: seeded.credentialId,
        keyProviderFunction: providerLambda.functionName,
      });
      expect(flow.failures).toEqual([]);
      expect(flow.calls).toBeGreaterThanOrEqual(9);
      expect(flow.keyIdsSeen).toEqual([oldKey.keyId, pending.keyId]);
      expect(flipped).toEqual({
        newCredentialId: expect.any(String),
        previousCredentialId: seeded.credentialId,
        newKeyId: pending.keyId,
      });
      expect(oldKeyAfterFlip?.state).toBe('active');
      expect(oldKeyAtGate?.requests).toBe(oldKeyAfterFlip?.requests);
      expect(retired).toEqual({ alreadyRevoked: false });
      expect(partner.key(oldKey.keyId)).toMatchObject({ state: 'revoked' });
      expect(partner.key(pending.keyId)).toMatchObject({ state: 'active' });
      const stages = await providerLambda.secretsManager.send(
        new DescribeSecretCommand({ SecretId: target.secretId }),
      );
      expect(stages.VersionIdsToStages?.[token]).toContain('AWSCURRENT');
      const oldObject = await adminIntegrations
        .getIntegrationsCredential(seeded.credentialId ?? '')
        .catch((error: { status?: number }) => error.status);
      expect(oldObject).toBe(404);
    });
  });

  it('flips back when the action test fails after the flip, and deletes the new credential object', async () => {
    // Prepare: a key the partner accepted at verify and revoked before the flip
    const style = STYLES[0] as Style;
    const { oldKey, seeded, target } = await onboard(style);
    const token = randomUUID();
    const pending = await issueKeyIntoPending(
      { secrets: store, provider },
      { ...target, token, currentKeyId: oldKey.keyId },
    );
    await verifyPendingKey({ secrets: store, provider }, target, token);
    partner.revokeKey(pending.keyId);

    // Act
    const error = await flipToPendingKey({ secrets: store, integrations }, target, token).catch(
      (thrown: unknown) => thrown,
    );

    // Assess
    expect(error).toBeInstanceOf(VerificationFailedError);
    expect((error as Error).message).toContain('flipped back');
    const references = await integrations.credentialReferences(target.integrationId);
    expect(references.credentials[target.credentialKey]).toBe(seeded.credentialId);
    const after = await adminIntegrations.postIntegrationsActionTest(seeded.actionId, { orderId: 'x' });
    expect(after).toMatchObject({ success: true, finalResult: { keyId: oldKey.keyId } });
    const listing = await adminIntegrations.getIntegrationsCredentialsListing({ pageSize: '200' });
    expect(listing.entities?.map((entity) => entity.name)).not.toContain(`orders-dev-${token}`);
    expect(partner.key(oldKey.keyId)).toMatchObject({ state: 'active' });
  });

  it('refuses to flip a key the partner does not accept (verified before anything points at it)', async () => {
    // Prepare
    const style = STYLES[1] as Style;
    const { oldKey, target, seeded } = await onboard(style);
    const token = randomUUID();
    const pending = await issueKeyIntoPending(
      { secrets: store, provider },
      { ...target, token, currentKeyId: oldKey.keyId },
    );
    partner.revokeKey(pending.keyId);

    // Act
    const error = await verifyPendingKey({ secrets: store, provider }, target, token).catch(
      (thrown: unknown) => thrown,
    );

    // Assess
    expect(error).toBeInstanceOf(VerificationFailedError);
    expect((error as Error).message).toBe(
      `The partner does not accept the pending key ${pending.keyId}: partner answered 401`,
    );
    const references = await integrations.credentialReferences(target.integrationId);
    expect(references.credentials[target.credentialKey]).toBe(seeded.credentialId);
  });

  it('rolls back a completed flip by flipping back: the old key serves again', async () => {
    // Prepare
    const style = STYLES[2] as Style;
    const { oldKey, seeded, target } = await onboard(style);
    const token = randomUUID();
    await issueKeyIntoPending({ secrets: store, provider }, { ...target, token, currentKeyId: oldKey.keyId });
    const flipped = await flipToPendingKey({ secrets: store, integrations }, target, token);
    const flow = new SimulatedFlow(flowIntegrations, seeded.actionId);
    await flow.callsMore(3);

    // Act
    await flipBack({ integrations }, target, flipped);
    await flow.callsMore(3);
    await flow.stop();

    // Assess
    expect(flow.failures).toEqual([]);
    expect(flow.keyIdsSeen).toEqual([flipped.newKeyId, oldKey.keyId]);
    const references = await integrations.credentialReferences(target.integrationId);
    expect(references.credentials[target.credentialKey]).toBe(seeded.credentialId);
  });

  it('refuses a secret that does not say where its credential is used, before any change', async () => {
    // Prepare
    const key = partner.issueKey('untagged');
    const secret = await providerLambda.secretsManager.send(
      new CreateSecretCommand({
        Name: `partner/orders/untagged/${randomUUID().slice(0, 8)}`,
        SecretString: JSON.stringify({
          credentialType: 'userDefined',
          keyId: key.keyId,
          fields: { apiKey: key.secret },
        }),
        Tags: [
          { Key: 'env', Value: 'dev' },
          { Key: 'service', Value: 'orders' },
          { Key: 'cadence', Value: '30d' },
          { Key: 'genesys:key-provider', Value: 'operator' },
        ],
      }),
    );

    // Act
    const error = await partnerKeyInventory({ secrets: store, integrations }, secret.ARN ?? '').catch(
      (thrown: unknown) => thrown,
    );

    // Assess
    expect(error).toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('genesys:integration-id'),
    });
    expect((error as Error).message).not.toContain(key.secret);
  });
});
