/**
 * End to end: a failure after Create, before promotion, runs the saga's compensation (delete the
 * client made for the token, drop the pending version) and leaves the world as it was: the same
 * clients in Genesys, the same AWSCURRENT, no AWSPENDING, a consumer that never failed.
 */
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPE, EVENT_SCHEMA_VERSION, STATE } from '../../infra/constructs/rotation-state-machine.js';
import type { LocalEnvironment } from '../../local/harness.js';
import {
  caughtError,
  containsAny,
  enteredStates,
  eventsOf,
  executionHistory,
  genesysAccepts,
  genesysOf,
  labelledOnly,
  onlyEvent,
  readCredential,
  snapshotWorld,
  startConsumer,
  useFastEnvironments,
  versionsWithStage,
  type WorldSnapshot,
} from '../helpers/local.js';

const { start } = useFastEnvironments();

const CREATE_CLIENT = 'POST /api/v2/oauth/clients';
const DELETE_CLIENT = 'DELETE /api/v2/oauth/clients/{clientId}';

/** Asserts the compensation ran to its end and left the world as it was before the execution. */
async function expectRolledBack(
  local: LocalEnvironment,
  executionArn: string,
  before: WorldSnapshot,
  legacy: { clientId: string; clientSecret: string; versionId: string },
  logStart: number,
): Promise<string> {
  const genesys = genesysOf(local);
  const calls = genesys.requestLog.slice(logStart).filter((request) => request.callerClientId !== null);
  const created = calls.filter((request) => request.route === CREATE_CLIENT && request.status < 300);
  expect(created.length, 'the execution created a client before failing').toBe(1);

  const after = snapshotWorld(local);
  expect(after.clients).toEqual(before.clients);
  expect(labelledOnly(after)).toEqual(labelledOnly(before));
  expect(versionsWithStage(local, local.managedSecretArn, 'AWSPENDING')).toEqual([]);
  const current = await readCredential(local, { stage: 'AWSCURRENT' });
  expect(current.versionId).toBe(legacy.versionId);
  expect(current.clientId).toBe(legacy.clientId);
  expect(current.clientSecret === legacy.clientSecret, 'AWSCURRENT holds the legacy secret').toBe(true);
  expect(await genesysAccepts(local, current)).toBe(true);

  const states = enteredStates(await executionHistory(local, executionArn));
  expect(states).toEqual(
    expect.arrayContaining([STATE.Rollback, STATE.DiscardPending, STATE.RotationRolledBack]),
  );
  expect(states).not.toContain(STATE.Sync);
  expect(states).not.toContain(STATE.EmitNeedsAttention);

  const events = eventsOf(local, executionArn);
  expect(events.map((event) => event.detailType)).not.toContain(DETAIL_TYPE.promoted);
  const rolledBack = onlyEvent(events, DETAIL_TYPE.rolledBack).detail;
  expect(rolledBack.schemaVersion).toBe(EVENT_SCHEMA_VERSION);
  expect(rolledBack.secretId).toBe(local.managedSecretArn);
  expect(rolledBack.credential).toEqual({ kind: 'oauth-client', legacyId: legacy.clientId });
  const compensation = rolledBack.rolledBack as { deletedClientId?: unknown };
  expect(typeof compensation.deletedClientId).toBe('string');
  const deletedClientId = String(compensation.deletedClientId);
  expect(deletedClientId).not.toBe(legacy.clientId);
  expect(genesys.clients().some((client) => client.id === deletedClientId)).toBe(false);
  expect(
    calls.some((request) => request.route === DELETE_CLIENT && request.path.endsWith(`/${deletedClientId}`)),
  ).toBe(true);
  expect(containsAny(JSON.stringify(events), [legacy.clientSecret])).toBe(false);
  return caughtError(rolledBack).name;
}

describe('rollback before promotion, end to end', () => {
  it('deletes the new client and drops the pending version when Genesys never accepts the new credential', async () => {
    // Prepare: Genesys answers invalid_client for a newly created client for ten minutes.
    const env = await start();
    const genesys = genesysOf(env);
    await startConsumer(env);
    const legacy = await readCredential(env, { stage: 'AWSCURRENT' });
    const before = snapshotWorld(env);
    const logStart = genesys.requestLog.length;
    genesys.setNewClientActivationDelay(600_000);

    // Act
    const executionArn = await env.startExecution({ secretId: env.managedSecretArn });
    const result = await env.waitForExecution(executionArn);
    const consumer = await env.consumer?.stop();

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('CredentialNotYetActiveError');
    const eventError = await expectRolledBack(env, executionArn, before, legacy, logStart);
    expect(eventError).toBe('CredentialNotYetActiveError');
    const states = enteredStates(await executionHistory(env, executionArn));
    expect(states.filter((state) => state === STATE.Verify).length).toBe(1);
    expect(consumer?.failedCalls, consumer?.failures.join('; ')).toBe(0);
    expect(consumer?.clientsUsed).toEqual([legacy.clientId]);
  }, 120_000); // Verify retries for 34.5 s (the deployed 98.5 s, scaled) before it gives up

  it('deletes the client Create made when storing its secret keeps failing, leaving no orphan', async () => {
    // Prepare: every PutSecretValue fails, after the client was created in Genesys.
    const env = await start();
    const genesys = genesysOf(env);
    await startConsumer(env);
    const legacy = await readCredential(env, { stage: 'AWSCURRENT' });
    const before = snapshotWorld(env);
    const logStart = genesys.requestLog.length;
    env.aws.faults.add({ operation: 'secretsmanager.PutSecretValue', errorType: 'InternalServiceError' });

    // Act
    const executionArn = await env.startExecution({ secretId: env.managedSecretArn });
    const result = await env.waitForExecution(executionArn);
    const consumer = await env.consumer?.stop();

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('TransientUpstreamError');
    const eventError = await expectRolledBack(env, executionArn, before, legacy, logStart);
    expect(eventError).toBe('TransientUpstreamError');
    const states = enteredStates(await executionHistory(env, executionArn));
    expect(states).not.toContain(STATE.Verify);
    expect(consumer?.failedCalls, consumer?.failures.join('; ')).toBe(0);
  });

  it('lets the next rotation succeed once the failure is gone', async () => {
    // Prepare: one rotation rolled back because Genesys did not accept the new client.
    const env = await start();
    const genesys = genesysOf(env);
    await startConsumer(env);
    const legacy = await readCredential(env, { stage: 'AWSCURRENT' });
    const clientIdsBefore = new Set(genesys.clients().map((client) => client.id));
    genesys.setNewClientActivationDelay(600_000);
    const failed = await env.waitForExecution(await env.startExecution({ secretId: env.managedSecretArn }));
    genesys.setNewClientActivationDelay(0);

    // Act
    const executionArn = await env.startExecution({ secretId: env.managedSecretArn });
    const result = await env.waitForExecution(executionArn);
    const consumer = await env.consumer?.stop();

    // Assess
    expect(failed.error).toBe('CredentialNotYetActiveError');
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    expect(current.clientId).not.toBe(legacy.clientId);
    expect(await genesysAccepts(env, current)).toBe(true);
    const added = genesys.clients().filter((client) => !clientIdsBefore.has(client.id));
    expect(added.map((client) => client.id)).toEqual([current.clientId]);
    expect(versionsWithStage(env, env.managedSecretArn, 'AWSPREVIOUS')).toEqual([legacy.versionId]);
    expect(versionsWithStage(env, env.managedSecretArn, 'AWSPENDING')).not.toContain(legacy.versionId);
    expect(consumer?.failedCalls, consumer?.failures.join('; ')).toBe(0);
  }, 120_000); // Verify retries for 34.5 s (the deployed 98.5 s, scaled) before it gives up
});
