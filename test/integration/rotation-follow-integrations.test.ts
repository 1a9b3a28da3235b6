/**
 * End to end through the synthesized state machine (RotatorStack.followIntegrationCredentials): an
 * oauth-client rotation that a `pureCloudOAuthClient` credential of a `purecloud-data-actions`
 * integration follows (genesys-cloud-api.md §4.2, §6.4), while a simulated flow keeps executing
 * the integration's action.
 */
import { TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import platformClient from 'purecloud-platform-client-v2';
import { describe, expect, it } from 'vitest';
import { TAG_FOLLOW_INTEGRATIONS } from '../../functions/shared/dependents-contract.js';
import { seedFollowDemo } from '../../local/follow-demo.js';
import type { LocalEnvironment } from '../../local/harness.js';
import { loggedInSdkClient } from '../../local/standins/genesys/sdk-session.js';
import {
  genesysOf,
  readCredential,
  runRotation,
  startConsumer,
  useFastEnvironments,
} from '../helpers/local.js';

const { start } = useFastEnvironments();

async function seedFollowingIntegration(env: LocalEnvironment) {
  const genesys = genesysOf(env);
  const legacy = await readCredential(env, { stage: 'AWSCURRENT' });
  // The same seeding as `FOLLOW_INTEGRATIONS=1 npm start`.
  const demo = await seedFollowDemo(env);
  if (demo === null) throw new Error('the follow demo needs the embedded Genesys stand-in');
  const seeded = { ...demo, credentialId: demo.legacyCredentialId };
  // The flow's own caller: any client allowed to execute actions (Architect runs them in Genesys).
  const role = genesys.seed.role('Flow runner', [
    'integrations:action:execute',
    'integrations:integration:view',
  ]);
  const runner = genesys.seed.client({
    name: 'flow-runner',
    roleDivisions: [{ roleId: role, divisionId: genesys.seed.homeDivisionId }],
  });
  const api = new platformClient.IntegrationsApi(
    await loggedInSdkClient(genesys.gateway, runner.clientId, runner.clientSecret),
  );
  return { legacy, seeded, api };
}

function simulatedFlow(api: platformClient.IntegrationsApi, actionId: string) {
  let running = true;
  const outcome = { calls: 0, failures: [] as string[] };
  const loop = (async () => {
    while (running) {
      outcome.calls += 1;
      try {
        await api.postIntegrationsActionExecute(actionId, {});
      } catch (error) {
        outcome.failures.push(error instanceof Error ? error.message : JSON.stringify(error));
      }
      // Under the 300 requests per minute of one token (genesys-cloud-api.md §3).
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return outcome;
    },
  };
}

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
