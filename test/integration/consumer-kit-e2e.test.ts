/**
 * End to end: the local environment's simulated consumer (local/consumer.ts) runs on the consumer
 * kit while the synthesized state machine rotates its secret. The real `Secret Promoted` event the
 * machine puts reaches the consumer as an EventBridge target would, and moves it to the new client
 * before the legacy one is deactivated; no call fails.
 */
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPE } from '../../infra/constructs/rotation-state-machine.js';
import {
  eventsOf,
  genesysOf,
  letConsumerRun,
  onlyEvent,
  readCredential,
  runRotation,
  startConsumer,
  useFastEnvironments,
} from '../helpers/local.js';

const { start } = useFastEnvironments();

describe('the demo consumer on the consumer kit, end to end', () => {
  it('a rotation: the Secret Promoted event invalidates its cache, it moves to the new client, the legacy client retires, zero failed calls', async () => {
    // Prepare
    const env = await start();
    const legacy = await readCredential(env, { stage: 'AWSCURRENT' });
    await startConsumer(env);
    const readsBefore = env.consumer?.stats.secretReads ?? 0;

    // Act
    const { executionArn, result } = await runRotation(env);
    await letConsumerRun(env);
    const stats = await env.consumer?.stop();

    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    const promoted = onlyEvent(eventsOf(env, executionArn), DETAIL_TYPE.promoted);
    expect(promoted.detail).toMatchObject({
      secretId: env.managedSecretArn,
      credential: { kind: 'oauth-client', newId: current.clientId },
    });
    expect(stats?.failedCalls, stats?.failures.join('\n')).toBe(0);
    expect(stats?.invalidations).toBeGreaterThanOrEqual(1);
    expect(stats?.clientsUsed).toEqual([legacy.clientId, current.clientId]);
    // Cached reads: far fewer reads of AWSCURRENT than calls.
    expect((stats?.secretReads ?? 0) - readsBefore).toBeLessThan((stats?.calls ?? 0) / 2);
    const legacyClient = genesysOf(env)
      .clients()
      .find((client) => client.id === legacy.clientId);
    expect(legacyClient === undefined || legacyClient.deleted).toBe(true);
  });
});
