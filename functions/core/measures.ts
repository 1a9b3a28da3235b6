/**
 * What each step measures, from the facts it just produced. Pure over a narrow recorder, so the
 * rules are unit-tested and the handlers stay thin. Metric names and units: `metric-names.ts`.
 */
import type {
  Adoption,
  Emergency,
  PartnerKeyAdoption,
  PartnerKeyRetired,
  Retired,
  RotationState,
  Synced,
} from '../shared/contract.js';
import { STEP_METRIC, type StepMetric } from '../shared/metric-names.js';

/** The part of Powertools Metrics the steps use. */
export interface MetricsRecorder {
  addMetric(name: StepMetric['name'], unit: StepMetric['unit'], value: number): void;
  addMetadata(key: string, value: string): void;
}

const record = (recorder: MetricsRecorder, metric: StepMetric, value: number) =>
  recorder.addMetric(metric.name, metric.unit, value);

const secondsBetween = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/** Ids and low-cardinality facts as EMF metadata: searchable, never dimensions. */
export function describeRotation(recorder: MetricsRecorder, state: Partial<RotationState>): void {
  if (state.secretId !== undefined) recorder.addMetadata('secretId', state.secretId);
  if (state.trigger !== undefined) recorder.addMetadata('trigger', state.trigger);
  if (state.mode !== undefined) recorder.addMetadata('mode', state.mode);
  if (state.inventory !== undefined) recorder.addMetadata('kind', state.inventory.kind);
}

/** Verify: every invocation is one attempt; a success also counts a verified credential. */
export function measureVerifyAttempt(recorder: MetricsRecorder, succeeded: boolean): void {
  record(recorder, STEP_METRIC.verifyAttempts, 1);
  if (succeeded) record(recorder, STEP_METRIC.credentialsVerified, 1);
}

/** Sync and emergency: from the inventory's fetch to the promotion. */
export function measurePromotion(
  recorder: MetricsRecorder,
  state: RotationState,
  promoted: Pick<Synced | Emergency, 'promotedAt'>,
): void {
  if (state.inventory === undefined) return;
  record(
    recorder,
    STEP_METRIC.timeToPromotion,
    secondsBetween(state.inventory.fetchedAt, promoted.promotedAt),
  );
}

/** CheckAdoption: only the deciding check is measured, so each rotation counts once. */
export function measureAdoption(recorder: MetricsRecorder, adoption: Adoption | PartnerKeyAdoption): void {
  if (!adoption.adopted && !adoption.held) return;
  if (adoption.adopted) record(recorder, STEP_METRIC.adoptionLatency, adoption.secondsSincePromotion);
  // Partner keys report the partner's counters, not Genesys usage days: no per-promotion count.
  if ('legacyRequestsSincePromotion' in adoption) {
    record(recorder, STEP_METRIC.legacyRequestsSincePromotion, adoption.legacyRequestsSincePromotion);
  }
  record(recorder, STEP_METRIC.adoptionChecks, adoption.checks);
}

/** DeleteLegacy: a standard rotation ends here; its duration runs from the fetch. */
export function measureRetirement(
  recorder: MetricsRecorder,
  state: RotationState,
  retired: Retired | PartnerKeyRetired,
  now: Date,
): void {
  if (state.inventory === undefined || retired.action === 'reactivated' || retired.action === 'kept-valid')
    return;
  record(
    recorder,
    STEP_METRIC.rotationDuration,
    secondsBetween(state.inventory.fetchedAt, now.toISOString()),
  );
}
