/**
 * The rotator's CloudWatch metrics: names, units, namespace and the one dimension. A contract
 * between the functions that emit them (EMF, Powertools Metrics) and the dashboard and alarms that
 * read them (`infra/constructs/rotation-monitoring.ts`), so it imports nothing.
 *
 * Cardinality: every metric has the single dimension `service`. Client ids, secret ids, execution
 * ids, kinds and triggers travel as EMF metadata (searchable in Logs Insights), never as
 * dimensions: each distinct dimension value is a separate, billed metric, and a client id changes
 * on every rotation.
 */

export const METRICS_NAMESPACE = 'GenesysCredentialRotator';
/** Powertools' default `service` dimension; the logger's service name too. */
export const METRICS_SERVICE = 'genesys-credential-rotator';

/** Metrics the Lambda steps emit, each where the figure is known (docs/ARCHITECTURE.md, "Metrics"). */
export const STEP_METRIC = {
  /** Verify, once per invocation (each is one attempt; Step Functions retries a not-yet-active client). */
  verifyAttempts: { name: 'VerifyAttempts', unit: 'Count' },
  /** Verify, once a pending credential passed. VerifyAttempts / CredentialsVerified: attempts per credential. */
  credentialsVerified: { name: 'CredentialsVerified', unit: 'Count' },
  /** Sync (and an emergency): seconds from Fetch to AWSCURRENT naming the new credential. */
  timeToPromotion: { name: 'TimeToPromotion', unit: 'Seconds' },
  /** CheckAdoption, when the gate decides adopted: seconds from promotion to that decision. */
  adoptionLatency: { name: 'AdoptionLatency', unit: 'Seconds' },
  /** CheckAdoption, when the gate decides (adopted or held): legacy requests on days since promotion. */
  legacyRequestsSincePromotion: { name: 'LegacyRequestsSincePromotion', unit: 'Count' },
  /** CheckAdoption, when the gate decides: how many checks it took. */
  adoptionChecks: { name: 'AdoptionChecks', unit: 'Count' },
  /** DeleteLegacy: seconds from Fetch to the legacy client deleted (a whole standard rotation). */
  rotationDuration: { name: 'RotationDuration', unit: 'Seconds' },
} as const;
export type StepMetric = (typeof STEP_METRIC)[keyof typeof STEP_METRIC];
export type StepMetricName = StepMetric['name'];

/**
 * Outcome counts. An outcome is decided by the state machine's graph (which terminal state it
 * reaches), not by any one Lambda, and each terminal path emits exactly one audit event right before
 * its terminal state. So outcomes are counted from those events: a rule on the audit bus writes them
 * to a log group, and one metric filter per outcome counts them (`RotationMonitoring`). `held` is
 * the needs-attention event whose error is a hold.
 */
export const OUTCOME_METRIC = {
  succeeded: { name: 'RotationsSucceeded', detailType: 'Rotation Succeeded' },
  emergencyCompleted: { name: 'EmergencyRotationsCompleted', detailType: 'Emergency Rotation Completed' },
  planned: { name: 'RotationsPlanned', detailType: 'Rotation Planned' },
  refused: { name: 'RotationsRefused', detailType: 'Rotation Refused' },
  rolledBack: { name: 'RotationsRolledBack', detailType: 'Rotation Rolled Back' },
  needsAttention: { name: 'RotationsNeedingAttention', detailType: 'Rotation Needs Attention' },
  held: {
    name: 'RotationsHeld',
    detailType: 'Rotation Needs Attention',
    errorNames: ['AdoptionNotEvidenced', 'LegacyClientStillUsed', 'LegacyKeyStillUsed'],
  },
} as const;
export type OutcomeMetric = (typeof OUTCOME_METRIC)[keyof typeof OUTCOME_METRIC];

/** The outcome metrics one audit event counts towards (the same rule the metric filters encode). */
export function outcomeMetricsOf(detailType: string, errorName: string | undefined): string[] {
  return Object.values(OUTCOME_METRIC)
    .filter(
      (outcome) =>
        outcome.detailType === detailType &&
        (!('errorNames' in outcome) ||
          (errorName !== undefined && (outcome.errorNames as readonly string[]).includes(errorName))),
    )
    .map((outcome) => outcome.name);
}
