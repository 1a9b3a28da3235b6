/**
 * The metrics the bundled functions emit (Powertools Metrics, EMF on stdout) during real local
 * rotations through the synthesized state machine: names, units, the one dimension, plausible values.
 */
import { describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE, METRICS_SERVICE, STEP_METRIC } from '../../functions/shared/metric-names.js';
import { STATE } from '../../infra/constructs/rotation-state-machine.js';
import type { EmfDocument } from '../../local/engine/emf.js';
import type { LambdaCall } from '../../local/engine/runner.js';
import {
  containsAny,
  readCredential,
  runRotation,
  startConsumer,
  useFastEnvironments,
} from '../helpers/local.js';

const { start } = useFastEnvironments();

interface Datum {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly document: EmfDocument;
}

/** Every metric datum of the captured EMF documents. */
function dataOf(documents: readonly EmfDocument[]): Datum[] {
  return documents.flatMap((document) =>
    document._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Metrics.map((metric) => ({
        name: metric.Name,
        unit: metric.Unit,
        value: Number(document[metric.Name]),
        document,
      })),
    ),
  );
}

const named = (data: readonly Datum[], name: string) => data.filter((datum) => datum.name === name);

/** Captures EMF documents and counts the Verify function's invocations (retries included). */
function observe() {
  const documents: EmfDocument[] = [];
  let verifyInvocations = 0;
  return {
    documents,
    verifyInvocations: () => verifyInvocations,
    options: {
      onMetrics: (emf: EmfDocument) => void documents.push(emf),
      interceptor: (call: LambdaCall, invoke: () => Promise<unknown>) => {
        if (call.stateName === STATE.Verify) verifyInvocations += 1;
        return invoke();
      },
    },
  };
}

describe('metrics of a rotation, from the bundled functions', () => {
  it('emits verify attempts, time to promotion, adoption latency, legacy requests and duration once each, in namespace GenesysCredentialRotator with only the service dimension', async () => {
    // Prepare
    const observed = observe();
    const { documents } = observed;
    const env = await start(observed.options);
    await startConsumer(env);
    const legacy = await readCredential(env, { stage: 'AWSCURRENT' });

    // Act
    const { result } = await runRotation(env);
    await env.consumer?.stop();

    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    const mine = documents.filter((document) => document.secretId === env.managedSecretArn);
    expect(mine.length).toBeGreaterThan(0);
    for (const document of mine) {
      for (const directive of document._aws.CloudWatchMetrics) {
        expect(directive.Namespace).toBe(METRICS_NAMESPACE);
        // One dimension set, one dimension: ids are metadata, never dimensions.
        expect(directive.Dimensions).toEqual([['service']]);
      }
      expect(document.service).toBe(METRICS_SERVICE);
      expect(document.trigger).toBe('manual');
      expect(document.kind).toBe('oauth-client');
    }
    const data = dataOf(mine);
    for (const datum of data) {
      const declared = Object.values(STEP_METRIC).find((metric) => metric.name === datum.name);
      expect(declared, `${datum.name} is declared`).toBeDefined();
      expect(datum.unit, datum.name).toBe(declared?.unit);
      expect(Number.isFinite(datum.value), datum.name).toBe(true);
    }

    const verifyInvocations = observed.verifyInvocations();
    const attempts = named(data, STEP_METRIC.verifyAttempts.name);
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts.reduce((sum, datum) => sum + datum.value, 0)).toBe(verifyInvocations);
    expect(named(data, STEP_METRIC.credentialsVerified.name).map((datum) => datum.value)).toEqual([1]);

    const [toPromotion, ...morePromotions] = named(data, STEP_METRIC.timeToPromotion.name);
    expect(morePromotions).toEqual([]);
    expect(toPromotion?.value).toBeGreaterThan(0);

    const [latency, ...moreLatencies] = named(data, STEP_METRIC.adoptionLatency.name);
    expect(moreLatencies).toEqual([]);
    expect(latency?.value).toBeGreaterThan(0);
    const [legacyRequests] = named(data, STEP_METRIC.legacyRequestsSincePromotion.name);
    expect(legacyRequests?.value).toBeGreaterThanOrEqual(0);
    expect(named(data, STEP_METRIC.adoptionChecks.name)[0]?.value).toBeGreaterThanOrEqual(1);

    const [duration, ...moreDurations] = named(data, STEP_METRIC.rotationDuration.name);
    expect(moreDurations).toEqual([]);
    // The whole rotation includes promotion and the adoption gate after it.
    expect(duration?.value).toBeGreaterThan((toPromotion?.value ?? 0) + (latency?.value ?? 0) - 1);

    const secrets = [legacy.clientSecret, current.clientSecret];
    expect(containsAny(JSON.stringify(documents), secrets), 'a secret value in a metric line').toBe(false);
  }, 120_000);

  it('counts a Verify attempt for each invocation while Genesys has not yet activated the new client', async () => {
    // Prepare: the new client is refused for a few seconds; Step Functions retries Verify.
    const observed = observe();
    const { documents } = observed;
    const env = await start(observed.options);
    await startConsumer(env);
    env.genesys?.setNewClientActivationDelay(4_000);

    // Act
    const { result } = await runRotation(env);
    await env.consumer?.stop();

    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const verifyInvocations = observed.verifyInvocations();
    const data = dataOf(documents.filter((document) => document.secretId === env.managedSecretArn));
    const attempts = named(data, STEP_METRIC.verifyAttempts.name);
    expect(attempts.reduce((sum, datum) => sum + datum.value, 0)).toBe(verifyInvocations);
    expect(attempts.length).toBeGreaterThan(1);
    expect(named(data, STEP_METRIC.credentialsVerified.name).map((datum) => datum.value)).toEqual([1]);
  }, 120_000);
});
