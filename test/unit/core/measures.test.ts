import { describe, expect, it } from 'vitest';
import {
  describeRotation,
  type MetricsRecorder,
  measureAdoption,
  measurePromotion,
  measureRetirement,
  measureVerifyAttempt,
} from '../../../functions/core/measures.js';
import type { Adoption, RotationState } from '../../../functions/shared/contract.js';
import { STEP_METRIC } from '../../../functions/shared/metric-names.js';

function recorder() {
  const metrics: Array<{ name: string; unit: string; value: number }> = [];
  const metadata: Record<string, string> = {};
  const sink: MetricsRecorder = {
    addMetric: (name, unit, value) => void metrics.push({ name, unit, value }),
    addMetadata: (key, value) => {
      metadata[key] = value;
    },
  };
  return { sink, metrics, metadata };
}

const state = {
  secretId: 'genesys/prod/api',
  trigger: 'manual',
  mode: 'standard',
  inventory: { kind: 'oauth-client', fetchedAt: '2026-01-01T00:00:00.000Z' },
} as unknown as RotationState;

const adoption = (overrides: Partial<Adoption>): Adoption =>
  ({
    adopted: false,
    held: false,
    secondsSincePromotion: 120,
    legacyRequestsSincePromotion: 4,
    checks: 3,
    ...overrides,
  }) as Adoption;

describe('measures', () => {
  it('counts every Verify invocation as an attempt and only a success as a verified credential', () => {
    const { sink, metrics } = recorder();
    measureVerifyAttempt(sink, false);
    measureVerifyAttempt(sink, true);
    expect(metrics).toEqual([
      { name: STEP_METRIC.verifyAttempts.name, unit: 'Count', value: 1 },
      { name: STEP_METRIC.verifyAttempts.name, unit: 'Count', value: 1 },
      { name: STEP_METRIC.credentialsVerified.name, unit: 'Count', value: 1 },
    ]);
  });

  it('measures the adoption gate only when it decides, latency only when adopted', () => {
    const undecided = recorder();
    measureAdoption(undecided.sink, adoption({}));
    expect(undecided.metrics).toEqual([]);

    const adopted = recorder();
    measureAdoption(adopted.sink, adoption({ adopted: true }));
    expect(adopted.metrics).toEqual([
      { name: STEP_METRIC.adoptionLatency.name, unit: 'Seconds', value: 120 },
      { name: STEP_METRIC.legacyRequestsSincePromotion.name, unit: 'Count', value: 4 },
      { name: STEP_METRIC.adoptionChecks.name, unit: 'Count', value: 3 },
    ]);

    const held = recorder();
    measureAdoption(held.sink, adoption({ held: true }));
    expect(held.metrics.map((metric) => metric.name)).toEqual([
      STEP_METRIC.legacyRequestsSincePromotion.name,
      STEP_METRIC.adoptionChecks.name,
    ]);
  });

  it('times promotion and the whole rotation from the fetch, never negative', () => {
    const { sink, metrics } = recorder();
    measurePromotion(sink, state, { promotedAt: '2026-01-01T00:00:30.000Z' });
    measureRetirement(
      sink,
      state,
      { legacyClientId: 'a', action: 'deleted' },
      new Date('2026-01-01T01:00:00Z'),
    );
    measurePromotion(sink, state, { promotedAt: '2025-12-31T23:59:00.000Z' });
    expect(metrics).toEqual([
      { name: STEP_METRIC.timeToPromotion.name, unit: 'Seconds', value: 30 },
      { name: STEP_METRIC.rotationDuration.name, unit: 'Seconds', value: 3600 },
      { name: STEP_METRIC.timeToPromotion.name, unit: 'Seconds', value: 0 },
    ]);
  });

  it('attaches ids and low-cardinality facts as metadata, never as metrics', () => {
    const { sink, metrics, metadata } = recorder();
    describeRotation(sink, state);
    expect(metrics).toEqual([]);
    expect(metadata).toEqual({
      secretId: 'genesys/prod/api',
      trigger: 'manual',
      mode: 'standard',
      kind: 'oauth-client',
    });
  });
});

describe('publishRecordedMetrics', () => {
  it('publishes what an invocation recorded, and drops the metadata of one that recorded none', async () => {
    // Prepare
    const { Metrics } = await import('@aws-lambda-powertools/metrics');
    const { publishRecordedMetrics } = await import('../../../functions/shared/metrics.js');
    const lines: string[] = [];
    const target = new Metrics({ namespace: 'Test', serviceName: 'svc' });
    (target as unknown as { console: { log: (line: string) => void } }).console = {
      log: (line) => void lines.push(line),
    };
    const middleware = publishRecordedMetrics(target);
    const request = {} as never;

    // Act: an invocation with metadata only, then one with a metric.
    target.addMetadata('secretId', 'first');
    await middleware.after?.(request);
    target.addMetric('VerifyAttempts', 'Count', 1);
    await middleware.onError?.(request);

    // Assess
    expect(lines).toHaveLength(1);
    const emf = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(emf.VerifyAttempts).toBe(1);
    expect(emf.secretId).toBeUndefined();
  });
});
