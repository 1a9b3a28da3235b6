/**
 * End to end through the synthesized state machine (RotatorStack.followIntegrationCredentials): an
 * oauth-client rotation that a `pureCloudOAuthClient` credential of a `purecloud-data-actions`
 * integration follows (genesys-cloud-api.md §4.2, §6.4), while a simulated flow keeps executing
 * the integration's action.
 */
import { TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import type platformClient from 'purecloud-platform-client-v2';
import { describe, expect, it } from 'vitest';
import { TAG_FOLLOW_INTEGRATIONS } from '../../functions/shared/dependents-contract.js';
import { DETAIL_TYPE, FOLLOW_STATE, STATE } from '../../functions/shared/workflow.js';
import { seedFlowRunner, seedFollowDemo, simulateFlow } from '../../local/follow-demo.js';
import type { LocalEnvironment } from '../../local/harness.js';
import {
  caughtError,
  containsAny,
  enteredStates,
  eventsOf,
  executionHistory,
  genesysOf,
  onlyEvent,
  readCredential,
  runRotation,
  sleep,
  startConsumer,
  useFastEnvironments,
  waitUntil,
} from '../helpers/local.js';
import { latestRotation, listExecutions } from '../helpers/native.js';

const { start } = useFastEnvironments();

async function seedFollowingIntegration(env: LocalEnvironment) {
  const legacy = await readCredential(env, { stage: 'AWSCURRENT' });
  // The same seeding as `FOLLOW_INTEGRATIONS=1 npm start`.
  const demo = await seedFollowDemo(env);
  if (demo === null) throw new Error('the follow demo needs the embedded Genesys stand-in');
  const seeded = { ...demo, credentialId: demo.legacyCredentialId };
  // The flow's own caller (as the fault matrix's scenarios with followers seed it).
  const { api } = await seedFlowRunner(env);
  return { legacy, seeded, api };
}

const simulatedFlow = (api: platformClient.IntegrationsApi, actionId: string) => simulateFlow(api, actionId);

describe('pureCloudOAuthClient credentials follow their OAuth client, through the state machine', () => {
  it('flips the integration to a new credential object holding the new client, deletes the old one at retirement, with zero failed flow calls', async () => {
    // Prepare
    const env = await start({ followIntegrationCredentials: true });
    await startConsumer(env);
    const { legacy, seeded, api } = await seedFollowingIntegration(env);
    const flow = simulatedFlow(api, seeded.actionId);

    // Act
    const { result } = await runRotation(env);
    const outcome = await flow.stop();
    await env.consumer?.stop();

    // Assess
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    expect(current.clientId).not.toBe(legacy.clientId);
    const config = await api.getIntegrationConfigCurrent(seeded.integrationId);
    const referenced = config.credentials?.pureCloudOAuthClient?.id;
    expect(referenced).toBeDefined();
    expect(referenced).not.toBe(seeded.credentialId);
    const execution = (await api.postIntegrationsActionExecute(seeded.actionId, {})) as { clientId: string };
    expect(execution.clientId).toBe(current.clientId);
    expect(outcome.failures).toEqual([]);
    expect(outcome.calls).toBeGreaterThan(5);
    const names = ((await api.getIntegrationsCredentialsListing({ pageSize: '200' })).entities ?? []).map(
      (c) => c.id,
    );
    expect(names).not.toContain(seeded.credentialId);
    expect(JSON.stringify(result.output)).not.toContain(current.clientSecret);
  });

  it('rolls back when the action test fails on the new credential: the integration flips back and no credential object is left behind', async () => {
    // Prepare
    const env = await start({ followIntegrationCredentials: true });
    await startConsumer(env);
    const { legacy, seeded, api } = await seedFollowingIntegration(env);
    const before = ((await api.getIntegrationsCredentialsListing({ pageSize: '200' })).entities ?? []).map(
      (c) => c.id,
    );
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
    const { result } = await runRotation(env);
    await env.consumer?.stop();

    // Assess
    expect(result.terminalState).toBe('RotationRolledBack');
    expect(result.error).toBe('DependentHealthCheckFailedError');
    expect((await readCredential(env, { stage: 'AWSCURRENT' })).clientId).toBe(legacy.clientId);
    const config = await api.getIntegrationConfigCurrent(seeded.integrationId);
    expect(config.credentials?.pureCloudOAuthClient?.id).toBe(seeded.credentialId);
    const after = ((await api.getIntegrationsCredentialsListing({ pageSize: '200' })).entities ?? []).map(
      (c) => c.id,
    );
    expect(after.sort()).toEqual(before.sort());
  });

  it('a native rotation promotes only once the integration holds the new client: a slow StageDependents does not let finishSecret promote first (fault matrix: StageDependents failed, native)', async () => {
    // Prepare: the first StageDependents takes 3 s, long enough for the hook's finishSecret.
    let delayed = false;
    const env = await start({
      followIntegrationCredentials: true,
      interceptor: async (call, invoke) => {
        if (call.stateName === FOLLOW_STATE.StageDependents && !delayed) {
          delayed = true;
          await new Promise((resolve) => setTimeout(resolve, 3_000));
        }
        return invoke();
      },
    });
    await startConsumer(env);
    const { legacy, seeded, api } = await seedFollowingIntegration(env);
    const flow = simulatedFlow(api, seeded.actionId);

    // Act
    await env.rotateNatively();
    const rotation = latestRotation(env);
    const execution = (await listExecutions(env)).find((e) => e.name === `sm-${rotation.token}`);
    if (execution?.executionArn === undefined) throw new Error('no execution for the token');
    const result = await env.waitForExecution(execution.executionArn);
    const outcome = await flow.stop();
    await env.consumer?.stop();

    // Assess
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    expect(rotation.outcome).toBe('succeeded');
    const states = enteredStates(await executionHistory(env, execution.executionArn));
    expect(states.indexOf(STATE.EmitVerified)).toBeGreaterThan(states.indexOf(FOLLOW_STATE.FlipDependents));
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    expect(current.clientId).not.toBe(legacy.clientId);
    const executed = (await api.postIntegrationsActionExecute(seeded.actionId, {})) as { clientId: string };
    expect(executed.clientId).toBe(current.clientId);
    expect(outcome.failures).toEqual([]);
  });

  it('refuses before any change when the declared integration does not exist (pre-flight)', async () => {
    // Prepare
    const env = await start({ followIntegrationCredentials: true });
    await startConsumer(env);
    const clientsBefore = genesysOf(env).clients().length;
    await env.clients.secretsManager.send(
      new TagResourceCommand({
        SecretId: env.managedSecretArn,
        Tags: [{ Key: TAG_FOLLOW_INTEGRATIONS, Value: '11111111-2222-4333-8444-555555555555' }],
      }),
    );

    // Act
    const { result } = await runRotation(env);
    await env.consumer?.stop();

    // Assess
    expect(result.terminalState).toBe('RotationRefused');
    expect(result.error).toBe('DependencyCheckFailedError');
    expect(genesysOf(env).clients().length).toBe(clientsBefore);
  });
});

/** The credential objects of the org with the client each holds (the stand-in's view: no secret). */
function credentialObjects(env: LocalEnvironment) {
  return genesysOf(env)
    .integrationCredentials()
    .map((credential) => ({ id: credential.id, clientId: credential.clientId }));
}

describe('an emergency rotation moves the following integrations to the new client', () => {
  it('replace (the default): every integration is flipped to a new object holding the new client before the leaked client is disabled, the old object is deleted, and the flow never fails', async () => {
    // Prepare
    const env = await start({ followIntegrationCredentials: true });
    await startConsumer(env);
    const { legacy, seeded, api } = await seedFollowingIntegration(env);
    const flow = simulatedFlow(api, seeded.actionId);
    await waitUntil('the flow to run', () => flow.stats.calls >= 3);

    // Act
    const { executionArn, result } = await runRotation(env, {
      mode: 'emergency',
      reason: 'secret pasted in a public channel',
    });
    // The flow keeps going a moment on the final state: the leaked client is disabled by now.
    await sleep(1_000);
    const outcome = await flow.stop();
    await env.consumer?.stop();

    // Assess: the emergency itself, as without followers.
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    expect(current.clientId).not.toBe(legacy.clientId);
    const clients = genesysOf(env).clients();
    expect(clients.find((client) => client.id === legacy.clientId)?.state).toBe('disabled');
    // Assess: the integration follows: a new object with the new client, the leaked one's deleted.
    const config = await api.getIntegrationConfigCurrent(seeded.integrationId);
    const referenced = config.credentials?.pureCloudOAuthClient?.id;
    expect(credentialObjects(env)).toEqual([{ id: referenced, clientId: current.clientId }]);
    const execution = (await api.postIntegrationsActionExecute(seeded.actionId, {})) as { clientId: string };
    expect(execution.clientId).toBe(current.clientId);
    expect(outcome.failures).toEqual([]);
    expect(outcome.calls).toBeGreaterThan(3);
    // Assess: flipped before the leaked client was disabled; retired once the event was out.
    const states = enteredStates(await executionHistory(env, executionArn));
    const order = [
      FOLLOW_STATE.CreateForEmergency,
      FOLLOW_STATE.FlipDependentsForEmergency,
      STATE.EmergencyReplace,
      STATE.EmitEmergencyRotated,
      FOLLOW_STATE.RetireDependentsAfterEmergency,
      FOLLOW_STATE.CheckDependentsAfterEmergency,
      STATE.RotationSucceeded,
    ];
    expect(states.filter((state) => (order as readonly string[]).includes(state))).toEqual(order);
    expect(result.output?.dependentsRetired).toEqual({ deletedIds: [seeded.credentialId] });
    expect(containsAny(JSON.stringify(result), [legacy.clientSecret, current.clientSecret])).toBe(false);
  });

  it('regenerate: the integration gets a new object holding the regenerated secret, the old object is deleted', async () => {
    // Prepare
    const env = await start({ followIntegrationCredentials: true });
    await startConsumer(env);
    const { legacy, seeded, api } = await seedFollowingIntegration(env);

    // Act
    const { result } = await runRotation(env, { mode: 'emergency', emergencyStrategy: 'regenerate' });
    await env.consumer?.stop();

    // Assess
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    expect(current.clientId).toBe(legacy.clientId);
    expect(current.clientSecret).not.toBe(legacy.clientSecret);
    const config = await api.getIntegrationConfigCurrent(seeded.integrationId);
    const referenced = config.credentials?.pureCloudOAuthClient?.id;
    expect(referenced).not.toBe(seeded.credentialId);
    expect(credentialObjects(env)).toEqual([{ id: referenced, clientId: legacy.clientId }]);
    const execution = (await api.postIntegrationsActionExecute(seeded.actionId, {})) as { clientId: string };
    expect(execution.clientId).toBe(legacy.clientId);
  });

  it('never waits for a failing action test to stop the leak: the leaked client is disabled, the event is out, and the run ends NeedsAttention (DependentHealthCheckFailedError) once Genesys had time to catch up', async () => {
    // Prepare: every test of the action by the rotator fails.
    const env = await start({ followIntegrationCredentials: true });
    await startConsumer(env);
    const { legacy, seeded, api } = await seedFollowingIntegration(env);
    genesysOf(env).faults.add({
      route: 'POST /api/v2/integrations/actions/{actionId}/test',
      status: 200,
      body: {
        success: false,
        error: { message: 'injected: the backend refused the request' },
        operations: [],
      },
      callerClientIds: [env.demo.adminClientId],
    });

    // Act
    const { executionArn, result } = await runRotation(env, { mode: 'emergency' });
    await env.consumer?.stop();

    // Assess
    expect(result.terminalState).toBe('NeedsAttention');
    expect(
      genesysOf(env)
        .clients()
        .find((client) => client.id === legacy.clientId)?.state,
    ).toBe('disabled');
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    expect(current.clientId).not.toBe(legacy.clientId);
    const config = await api.getIntegrationConfigCurrent(seeded.integrationId);
    expect(credentialObjects(env)).toEqual([
      { id: config.credentials?.pureCloudOAuthClient?.id, clientId: current.clientId },
    ]);
    const events = eventsOf(env, executionArn);
    expect(events.map((event) => event.detailType)).toEqual([
      DETAIL_TYPE.emergencyCompleted,
      DETAIL_TYPE.needsAttention,
    ]);
    expect(caughtError(onlyEvent(events, DETAIL_TYPE.needsAttention).detail).name).toBe(
      'DependentHealthCheckFailedError',
    );
  });
});
