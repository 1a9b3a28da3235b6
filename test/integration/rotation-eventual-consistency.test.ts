import { describe, expect, it } from 'vitest';
import { GENESYS_CATCH_UP_SECONDS } from '../../local/harness.js';
import { readCredential, startConsumer, useFastEnvironments } from '../helpers/local.js';

const { start } = useFastEnvironments();

describe('a new client Genesys accepts only after a while', () => {
  it('verifies a client that Genesys accepts 30 s after create, with the retry timing the deployed machine has (Genesys eventual consistency; the Terraform provider sleeps after client changes)', async () => {
    // Prepare
    const env = await start({ genesys: { newClientActivationDelayMs: GENESYS_CATCH_UP_SECONDS * 1000 } });
    const consumer = await startConsumer(env);

    // Act
    const executionArn = await env.startExecution({ secretId: env.managedSecretArn });
    const result = await env.waitForExecution(executionArn);

    // Assess
    expect(result.terminalState).toBe('RotationSucceeded');
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    expect(current.clientId).not.toBe(env.demo.legacyClientId);
    expect(consumer.stats.failedCalls).toBe(0);
  }, 180_000);
});
