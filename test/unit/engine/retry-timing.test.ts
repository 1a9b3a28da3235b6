import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../infra/app.js';
import { retryBudgetSeconds, scaleRetryTimes } from '../../../local/engine/runner.js';
import { type CfnTemplate, loadStateMachine } from '../../../local/engine/template.js';
import {
  GENESYS_CATCH_UP_SECONDS,
  LOCAL_RETRY_TIME_SCALE,
  startLocalEnvironment,
} from '../../../local/harness.js';

function synthesizedDefinition(): Record<string, unknown> {
  const { app, stack } = buildApp({ bundling: false, nag: false });
  const template = app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  return loadStateMachine(template, { region: 'eu-west-1', accountId: '123456789012' }).definition;
}

describe('local retry timing', () => {
  it('scales every retrier uniformly, keeping backoff, attempts and jitter as synthesized', () => {
    // Prepare
    const definition = synthesizedDefinition();

    // Act
    const scaled = scaleRetryTimes(definition, 0.5);

    // Assess
    const states = (d: Record<string, unknown>) =>
      d.States as Record<string, { Retry?: Array<Record<string, unknown>> }>;
    for (const [name, state] of Object.entries(states(definition))) {
      for (const [index, retrier] of (state.Retry ?? []).entries()) {
        const copy = states(scaled)[name]?.Retry?.[index] as Record<string, unknown>;
        expect(copy.IntervalSeconds).toBe(((retrier.IntervalSeconds as number | undefined) ?? 1) * 0.5);
        expect(copy.BackoffRate).toBe(retrier.BackoffRate);
        expect(copy.MaxAttempts).toBe(retrier.MaxAttempts);
        expect(copy.JitterStrategy).toBe(retrier.JitterStrategy);
      }
    }
  });

  it('keeps Verify retrying for longer than Genesys takes to accept a new client, locally as in AWS', () => {
    // Prepare
    const definition = synthesizedDefinition();

    // Act
    const deployed = retryBudgetSeconds(definition, 'Verify', 'CredentialNotYetActiveError');

    // Assess
    expect(deployed).toBeGreaterThanOrEqual(GENESYS_CATCH_UP_SECONDS);
    expect(deployed * LOCAL_RETRY_TIME_SCALE).toBeGreaterThanOrEqual(GENESYS_CATCH_UP_SECONDS);
  });

  it('refuses a local retry scale that would give up on a new client before 30 s', async () => {
    // Act
    const act = startLocalEnvironment({ retryTimeScale: 0.01, consumer: false });

    // Assess
    await expect(act).rejects.toThrow(/must cover 30 s of Genesys catching up/);
  });
});
