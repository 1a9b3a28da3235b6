/**
 * End to end through the synthesized state machine: partner API keys (kind `integration-credential`)
 * of each credential type rotate through the one rotation machine, issued by the example key
 * provider Lambda (invoked through the Lambda API under the synthesized IAM policies), flipped dual
 * slot on a Web Services Data Actions integration, while a simulated Architect flow keeps executing
 * the integration's action (docs/KEY-PROVIDERS.md; issue #10 parts 1 and 3).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import platformClient from 'purecloud-platform-client-v2';
import { describe, expect, it } from 'vitest';
import { PARTNER_CREDENTIAL_TYPES, type PartnerCredentialType } from '../../functions/shared/contract.js';
import { DETAIL_TYPE, EVENT_SCHEMA_VERSION, STATE } from '../../functions/shared/workflow.js';
import type { LocalEnvironment } from '../../local/harness.js';
import {
  type SeededPartnerKey,
  SimulatedFlow,
  seedPartnerKey,
  stagePartnerKey,
} from '../../local/partner-demo.js';
import { loggedInSdkClient } from '../../local/standins/genesys/sdk-session.js';
import { eventContract } from '../helpers/event-contract.js';
import {
  enteredStates,
  eventsOf,
  executionHistory,
  genesysOf,
  onlyEvent,
  runRotation,
  useFastEnvironments,
} from '../helpers/local.js';

const { start } = useFastEnvironments();
const contract = eventContract();

async function startPartnerEnvironment(): Promise<LocalEnvironment> {
  // No OAuth consumer: these rotations are of partner keys; the flow is the consumer.
  return start({ partnerKeys: true, consumer: false });
}

function partnerOf(env: LocalEnvironment) {
  if (env.partner === null) throw new Error('started without partnerKeys');
  return env.partner.standIn;
}

/** An admin view of Genesys integrations through the real SDK (what an operator would look at). */
async function integrationsAdmin(env: LocalEnvironment): Promise<platformClient.IntegrationsApi> {
  const genesys = genesysOf(env);
  const role = genesys.seed.role('Integrations viewer', ['integrations:*']);
  const viewer = genesys.seed.client({
    name: 'integrations-viewer',
    roleDivisions: [{ roleId: role, divisionId: genesys.seed.homeDivisionId }],
  });
  return new platformClient.IntegrationsApi(
    await loggedInSdkClient(genesys.gateway, viewer.clientId, viewer.clientSecret),
  );
}

async function credentialIds(api: platformClient.IntegrationsApi): Promise<string[]> {
  const listing = await api.getIntegrationsCredentialsListing({ pageSize: '200' });
  return (listing.entities ?? []).map((entity) => entity.id ?? '').sort();
}

async function currentKeyId(env: LocalEnvironment, secretArn: string): Promise<string> {
  const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const answer = await env.clients.secretsManager.send(
    new GetSecretValueCommand({ SecretId: secretArn, VersionStage: 'AWSCURRENT' }),
  );
  return (JSON.parse(answer.SecretString ?? '{}') as { keyId: string }).keyId;
}

async function referencedCredential(
  api: platformClient.IntegrationsApi,
  seeded: SeededPartnerKey,
): Promise<string | undefined> {
  const config = await api.getIntegrationConfigCurrent(seeded.integrationId);
  return config.credentials?.[seeded.type]?.id;
}

/** No OAuth-only fact names in a partner-key rotation's events (schema version 2). */
function expectKindNeutralEvents(events: ReturnType<typeof eventsOf>, seeded: SeededPartnerKey) {
  expect(events.length).toBeGreaterThanOrEqual(4);
  for (const event of events) {
    expect(event.detail.schemaVersion, event.detailType).toBe(EVENT_SCHEMA_VERSION);
    const json = JSON.stringify(event.detail);
    expect(json, event.detailType).not.toMatch(/legacyClientId|newClientId|legacyClient"/);
    if (event.detail.credential !== undefined) {
      expect(event.detail.credential, event.detailType).toMatchObject({
        kind: 'integration-credential',
        legacyId: seeded.legacyKeyId,
      });
    }
  }
}

describe('Partner API keys rotate through the synthesized state machine', () => {
  describe.each(PARTNER_CREDENTIAL_TYPES)('%s', (type: PartnerCredentialType) => {
    it('issues the new key via the provider, flips the integration, revokes the old key only after the gate: zero failed flow calls, no orphan credential', async () => {
      // Prepare
      const env = await startPartnerEnvironment();
      const partner = partnerOf(env);
      const seeded = await seedPartnerKey(env, type);
      const admin = await integrationsAdmin(env);
      const credentialsBefore = await credentialIds(admin);
      const flow = await SimulatedFlow.start(env, seeded.actionId, { intervalMs: 50 });
      await flow.callsMore(3);

      // Act
      const { executionArn, result } = await runRotation(env, { secretId: seeded.secretArn });
      await flow.callsMore(5);
      const outcome = await flow.stop();

      // Assess
      expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
      const newKeyId = await currentKeyId(env, seeded.secretArn);
      expect(newKeyId).not.toBe(seeded.legacyKeyId);
      expect(outcome.failures).toEqual([]);
      expect(outcome.calls).toBeGreaterThan(10);
      expect(outcome.keyIdsSeen).toEqual([seeded.legacyKeyId, newKeyId]);
      // The integration references a new credential object; the old one is gone, nothing else was left.
      const referenced = await referencedCredential(admin, seeded);
      expect(referenced).toBeDefined();
      expect(referenced).not.toBe(seeded.legacyCredentialId);
      const credentialsAfter = await credentialIds(admin);
      expect(credentialsAfter).toEqual(
        credentialsBefore.map((id) => (id === seeded.legacyCredentialId ? referenced : id)).sort(),
      );
      // The old key: revoked, and only once it had seen no request for the quiet period after promotion.
      const output = result.output as {
        synced: { promotedAt: string };
        adoption: { adopted: boolean; decidedBy: string; evidence: string };
        retired: { action: string; credentialDeleted: boolean };
        validation: { plan: { quietPeriodSeconds: number } };
      };
      expect(output.adoption).toMatchObject({
        adopted: true,
        decidedBy: 'evidence',
        evidence: 'partner-usage',
      });
      expect(output.retired).toMatchObject({ action: 'revoked', credentialDeleted: true });
      const oldKey = partner.key(seeded.legacyKeyId);
      const fresh = partner.key(newKeyId);
      expect(oldKey?.state).toBe('revoked');
      expect(fresh?.state).toBe('active');
      const quietMs = output.validation.plan.quietPeriodSeconds * 1000;
      expect(Date.parse(oldKey?.revokedAt ?? '')).toBeGreaterThanOrEqual(
        Date.parse(output.synced.promotedAt) + quietMs,
      );
      expect(Date.parse(oldKey?.lastUsedAt ?? '')).toBeLessThanOrEqual(
        Date.parse(oldKey?.revokedAt ?? '') - quietMs,
      );
      // Every key the partner issued is accounted for: the old one revoked, the new one in use.
      expect(
        partner
          .keys()
          .filter((key) => key.state === 'active')
          .map((key) => key.keyId),
      ).toEqual([newKeyId]);
      const states = enteredStates(await executionHistory(env, executionArn));
      expect(states.indexOf(STATE.DeleteLegacy)).toBeGreaterThan(states.lastIndexOf(STATE.CheckAdoption));
      // Audit events: kind-neutral facts (schema version 2), each valid against its registered schema.
      const events = eventsOf(env, executionArn);
      expectKindNeutralEvents(events, seeded);
      expect(onlyEvent(events, DETAIL_TYPE.promoted).detail.credential).toEqual({
        kind: 'integration-credential',
        legacyId: seeded.legacyKeyId,
        newId: newKeyId,
      });
      expect(contract.violations([...env.aws.eventBridge.events])).toEqual([]);
    }, 120_000);
  });

  it('rolls back when the action test after the flip fails: flipped back, the new object deleted, the new key revoked, AWSCURRENT unchanged', async () => {
    // Prepare
    const env = await startPartnerEnvironment();
    const partner = partnerOf(env);
    const seeded = await seedPartnerKey(env, 'userDefined');
    const admin = await integrationsAdmin(env);
    const credentialsBefore = await credentialIds(admin);
    const versionsBefore = (
      await env.clients.secretsManager.send(new DescribeSecretCommand({ SecretId: seeded.secretArn }))
    ).VersionIdsToStages;
    const flow = await SimulatedFlow.start(env, seeded.actionId, { intervalMs: 50 });
    await flow.callsMore(3);
    genesysOf(env).faults.add({
      route: 'POST /api/v2/integrations/actions/{actionId}/test',
      status: 200,
      body: {
        success: false,
        error: { message: 'injected: the backend refused the request' },
        operations: [],
      },
    });

    // Act
    const { executionArn, result } = await runRotation(env, { secretId: seeded.secretArn });
    await flow.callsMore(3);
    const outcome = await flow.stop();

    // Assess
    expect(result.terminalState).toBe(STATE.RotationRolledBack);
    expect(result.error).toBe('VerificationFailedError');
    expect(await currentKeyId(env, seeded.secretArn)).toBe(seeded.legacyKeyId);
    const versionsAfter = (
      await env.clients.secretsManager.send(new DescribeSecretCommand({ SecretId: seeded.secretArn }))
    ).VersionIdsToStages;
    expect(Object.entries(versionsAfter ?? {}).filter(([, stages]) => stages.length > 0)).toEqual(
      Object.entries(versionsBefore ?? {}),
    );
    expect(await referencedCredential(admin, seeded)).toBe(seeded.legacyCredentialId);
    expect(await credentialIds(admin)).toEqual(credentialsBefore);
    const rolledBack = onlyEvent(eventsOf(env, executionArn), DETAIL_TYPE.rolledBack).detail.rolledBack as {
      pendingKeyId: string;
      revokedKeyId: string;
    };
    expect(rolledBack.revokedKeyId).toBe(rolledBack.pendingKeyId);
    expect(partner.key(rolledBack.pendingKeyId)?.state).toBe('revoked');
    expect(partner.key(seeded.legacyKeyId)?.state).toBe('active');
    expect(
      partner
        .keys()
        .filter((key) => key.state === 'active')
        .map((key) => key.keyId),
    ).toEqual([seeded.legacyKeyId]);
    expect(outcome.failures).toEqual([]);
    expectKindNeutralEvents(eventsOf(env, executionArn), seeded);
    expect(contract.violations([...env.aws.eventBridge.events])).toEqual([]);
  }, 120_000);

  it('rolls back a Create that died after the provider issued its key and before AWSPENDING held it: the key, known only by its token, is revoked (no orphan key at the partner)', async () => {
    // Prepare: every write of the pending version fails, after the provider has answered `issue`.
    const env = await startPartnerEnvironment();
    const partner = partnerOf(env);
    const seeded = await seedPartnerKey(env, 'userDefined');
    const flow = await SimulatedFlow.start(env, seeded.actionId, { intervalMs: 50 });
    await flow.callsMore(3);
    env.aws.faults.add({
      operation: 'secretsmanager.PutSecretValue',
      status: 400,
      errorType: 'InvalidRequestException',
      message: 'injected: the write of the pending version fails',
    });

    // Act
    const { executionArn, result } = await runRotation(env, { secretId: seeded.secretArn });
    env.aws.faults.clear();
    await flow.callsMore(3);
    const outcome = await flow.stop();

    // Assess
    expect(result.terminalState, `${result.error}: ${result.cause}`).toBe(STATE.RotationRolledBack);
    expect(await currentKeyId(env, seeded.secretArn)).toBe(seeded.legacyKeyId);
    const issuedForRotation = partner.keys().filter((key) => key.keyId !== seeded.legacyKeyId);
    expect(issuedForRotation.length).toBeGreaterThan(0);
    expect(issuedForRotation.map((key) => key.state)).toEqual(issuedForRotation.map(() => 'revoked'));
    const rolledBack = onlyEvent(eventsOf(env, executionArn), DETAIL_TYPE.rolledBack).detail.rolledBack as {
      revokedTokenKeyIds?: string[];
    };
    expect(rolledBack.revokedTokenKeyIds?.length).toBe(1);
    expect(partner.key(seeded.legacyKeyId)?.state).toBe('active');
    expect(outcome.failures).toEqual([]);
    expect(contract.violations([...env.aws.eventBridge.events])).toEqual([]);
  }, 120_000);

  it('refuses, before any change, a partner key whose value is hard-coded in a flow (HardCodedSecretRefusedError, naming the flow, never the key)', async () => {
    // Prepare: the current key pasted into a flow instead of ${credentials.*}.
    const env = await startPartnerEnvironment();
    const partner = partnerOf(env);
    const seeded = await seedPartnerKey(env, 'userDefined');
    const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const current = JSON.parse(
      (
        await env.clients.secretsManager.send(
          new GetSecretValueCommand({ SecretId: seeded.secretArn, VersionStage: 'AWSCURRENT' }),
        )
      ).SecretString ?? '{}',
    ) as { fields: Record<string, string> };
    const [key] = Object.values(current.fields);
    if (key === undefined) throw new Error('the seeded key has no field');
    const flowId = genesysOf(env).seed.flow({
      name: 'Orders IVR',
      configuration: { actions: [{ type: 'setVariable', variable: 'Flow.ApiKey', value: `"${key}"` }] },
    });
    const keysBefore = partner.keys();

    // Act
    const { executionArn, result } = await runRotation(env, { secretId: seeded.secretArn });

    // Assess
    expect(result.error, `${result.error}: ${result.cause}`).toBe('HardCodedSecretRefusedError');
    expect(result.cause).toContain(flowId);
    expect(await currentKeyId(env, seeded.secretArn)).toBe(seeded.legacyKeyId);
    expect(partner.keys()).toEqual(keysBefore);
    const history = await executionHistory(env, executionArn);
    expect(enteredStates(history)).not.toContain(STATE.Create);
    expect(JSON.stringify(history).includes(key), 'the key leaked into the history').toBe(false);
    expect(JSON.stringify(eventsOf(env, executionArn)).includes(key), 'the key leaked into an event').toBe(
      false,
    );
  }, 120_000);

  it('adopts a key the operator staged (GENESYS_STAGED): used once, the old credential deleted, the old key left to the operator', async () => {
    // Prepare
    const env = await startPartnerEnvironment();
    const partner = partnerOf(env);
    const seeded = await seedPartnerKey(env, 'basicAuth', 'operator');
    const stagedKeyId = await stagePartnerKey(env, seeded);
    const admin = await integrationsAdmin(env);
    const flow = await SimulatedFlow.start(env, seeded.actionId, { intervalMs: 50 });
    await flow.callsMore(3);

    // Act
    const { executionArn, result } = await runRotation(env, { secretId: seeded.secretArn });
    await flow.callsMore(5);
    const outcome = await flow.stop();

    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    expect(await currentKeyId(env, seeded.secretArn)).toBe(stagedKeyId);
    const stages = Object.values(
      (await env.clients.secretsManager.send(new DescribeSecretCommand({ SecretId: seeded.secretArn })))
        .VersionIdsToStages ?? {},
    ).flat();
    expect(stages).not.toContain('GENESYS_STAGED');
    expect(outcome.failures).toEqual([]);
    expect(outcome.keyIdsSeen).toEqual([seeded.legacyKeyId, stagedKeyId]);
    const output = result.output as { adoption: { decidedBy: string; evidence: string }; retired: unknown };
    expect(output.adoption).toMatchObject({ decidedBy: 'quiet-period', evidence: 'none' });
    expect(output.retired).toMatchObject({ action: 'left-to-operator', credentialDeleted: true });
    expect(partner.key(seeded.legacyKeyId)?.state).toBe('active');
    const ids = await credentialIds(admin);
    expect(ids).not.toContain(seeded.legacyCredentialId);
    expect(ids).toContain(await referencedCredential(admin, seeded));
    expectKindNeutralEvents(eventsOf(env, executionArn), seeded);
  }, 120_000);

  it('refuses an operator-staged secret with nothing staged, before any change', async () => {
    // Prepare
    const env = await startPartnerEnvironment();
    const seeded = await seedPartnerKey(env, 'userDefinedOAuth', 'operator');
    const keysBefore = partnerOf(env).keys();

    // Act
    const { result } = await runRotation(env, { secretId: seeded.secretArn });

    // Assess
    expect(result.terminalState).toBe(STATE.RotationRefused);
    expect(result.error).toBe('InvalidInputError');
    expect(result.cause).toContain('GENESYS_STAGED');
    expect(partnerOf(env).keys()).toEqual(keysBefore);
    expect(await currentKeyId(env, seeded.secretArn)).toBe(seeded.legacyKeyId);
  }, 120_000);

  it('lets only the functions that call the key provider invoke it (the synthesized IAM policies, enforced)', async () => {
    // Prepare
    const env = await startPartnerEnvironment();
    const provider = env.partner?.providerFunctionName ?? '';
    const invokeAs = async (entry: string) => {
      const client = new LambdaClient({
        endpoint: env.aws.url,
        region: env.aws.region,
        credentials: env.iam.credentialsOfFunction(env.functionLogicalId(entry)),
        maxAttempts: 1,
      });
      try {
        // A request outside the contract: the provider refuses it, but only after IAM let it through.
        await client.send(
          new InvokeCommand({ FunctionName: provider, Payload: new TextEncoder().encode('{}') }),
        );
        return 'allowed';
      } catch (error) {
        return (error as { name?: string }).name ?? 'error';
      } finally {
        client.destroy();
      }
    };

    // Act
    const decisions = Object.fromEntries(
      await Promise.all(
        [
          'functions/fetch/handler.ts',
          'functions/validate/handler.ts',
          'functions/rotator/handler.ts',
          'functions/verify/handler.ts',
          'functions/check-adoption/handler.ts',
          'functions/delete-or-rollback/handler.ts',
        ].map(async (entry) => [entry.split('/')[1], await invokeAs(entry)] as const),
      ),
    );

    // Assess
    expect(decisions).toEqual({
      fetch: 'AccessDeniedException',
      validate: 'AccessDeniedException',
      rotator: 'allowed',
      verify: 'allowed',
      'check-adoption': 'allowed',
      'delete-or-rollback': 'allowed',
    });
  }, 120_000);
});
