/**
 * Org-wide rotation policy. The same schema checks the CDK props at synth time and the Lambda
 * environment (`ROTATOR_POLICY`, JSON) at cold start, so a bad setting fails before any rotation.
 */

import { InvalidConfigurationError } from './errors.js';
import * as z from './zod.js';

const DAY_NAMES = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export const MaintenanceWindowSchema = z.strictObject({
  /** Days the window opens on (UTC). */
  days: z.array(z.enum(DAY_NAMES)).check(z.minLength(1)),
  /** Opening time, `HH:MM` UTC. */
  start: z.string().check(z.regex(HHMM, 'expected HH:MM (UTC)')),
  /** Closing time, `HH:MM` UTC; before `start` means the window crosses midnight. */
  end: z.string().check(z.regex(HHMM, 'expected HH:MM (UTC)')),
});
export type MaintenanceWindow = z.infer<typeof MaintenanceWindowSchema>;

export const RotationPolicySchema = z.strictObject({
  /** Deployment stage of this rotator; a secret whose `genesys:stage` tag differs is refused. */
  stage: z._default(z.string().check(z.minLength(1), z.maxLength(32)), 'prod'),
  /** Role ids a rotated client may hold; `['*']` allows any role the legacy client already holds. */
  allowedRoleIds: z._default(z.array(z.string().check(z.minLength(1))).check(z.minLength(1)), ['*']),
  /** Used when the org limits API does not report an OAuth client limit. */
  maxOAuthClients: z._default(z.int().check(z.minimum(1), z.maximum(10_000)), 50),
  /** Rotate a legacy client with no recorded use in the lookback window. */
  allowUnusedLegacyClient: z._default(z.boolean(), false),
  usageLookbackDays: z._default(z.int().check(z.minimum(1), z.maximum(30)), 7),
  /**
   * How long after promotion the adoption gate looks for evidence that consumers moved. When it ends
   * without evidence the rotation holds (legacy client left active, `NeedsAttention`), unless
   * `retireWithoutEvidence`. Must cover the drain (legacy token validity), a partial day, the evidence
   * days and the report lag: 7 days fits the defaults with a 48 h token validity.
   */
  gracePeriodSeconds: z._default(z.int().check(z.minimum(0), z.maximum(30 * 86_400)), 7 * 86_400),
  /**
   * Completed, reported usage days after promotion + token validity on which the new client made
   * requests and the legacy client made none, needed before the legacy client is retired.
   */
  adoptionEvidenceDays: z._default(z.int().check(z.minimum(1), z.maximum(14)), 2),
  /**
   * Length of one usage-report day. Genesys reports usage per UTC day: keep 86 400 in every real org.
   * For local demos only, a shorter day compresses the usage calendar, and the legacy token validity
   * the gate waits out with it (validity x usageDayLengthSeconds / 86 400).
   */
  usageDayLengthSeconds: z._default(z.int().check(z.minimum(1), z.maximum(86_400)), 86_400),
  /**
   * How long after a day ends Genesys may take to report it (the real lag is unconfirmed; a day is
   * counted only once it shows the new client's requests, so this sizes waits, not the decision).
   */
  usageReportLagSeconds: z._default(z.int().check(z.minimum(0), z.maximum(3 * 86_400)), 86_400),
  /** How often the adoption gate re-checks usage: usage is daily, so hours, not minutes. */
  adoptionPollSeconds: z._default(z.int().check(z.minimum(1), z.maximum(86_400)), 3 * 3_600),
  /**
   * Opt-in: at the end of the grace period retire the legacy client on time alone when no day was
   * reported (never when legacy traffic was seen). Default false: without evidence the rotation holds.
   */
  retireWithoutEvidence: z._default(z.boolean(), false),
  /**
   * At least this long between setting the legacy client `inactive` and re-checking its usage. The plan
   * raises it to the token validity + two usage days + the report lag, so one whole reported day after
   * the last legacy token expired is observed.
   */
  retireObserveSeconds: z._default(z.int().check(z.minimum(0), z.maximum(7 * 86_400)), 0),
  /**
   * Partner API keys (kind `integration-credential`): how long after promotion the old key must see
   * no request, as the partner reports it through the provider's `usage`, before it is revoked; with
   * no usage reports (operator-staged keys, a provider without `usage`) the old key is retired once
   * this long has passed. Capped by `gracePeriodSeconds`. Default one day: a consumer that caches the
   * secret re-reads it at least daily.
   */
  keyQuietPeriodSeconds: z._default(z.int().check(z.minimum(0), z.maximum(30 * 86_400)), 86_400),
  /** Empty: rotate at any time. Otherwise a rotation outside every window waits for the next one. */
  maintenanceWindows: z._default(z.array(MaintenanceWindowSchema).check(z.maxLength(14)), []),
  /** Prefix of the new client's name; the rotation token is appended so a retry finds its client. */
  clientNamePrefix: z._default(z.string().check(z.minLength(1), z.maxLength(64)), 'rotated'),
});
export type RotationPolicy = z.infer<typeof RotationPolicySchema>;

/** Fields whose combination `policyProblems` checks, with a message naming them. */
function policyProblems(policy: RotationPolicy): string[] {
  const problems: string[] = [];
  const day = policy.usageDayLengthSeconds;
  const minimumGrace = (policy.adoptionEvidenceDays + 1) * day + policy.usageReportLagSeconds;
  if (policy.gracePeriodSeconds < minimumGrace && !policy.retireWithoutEvidence) {
    problems.push(
      `gracePeriodSeconds: ${policy.gracePeriodSeconds} cannot hold evidence: it must be at least (adoptionEvidenceDays + 1) x usageDayLengthSeconds + usageReportLagSeconds = ${minimumGrace} (a partial day, the evidence days and the report lag)`,
    );
  }
  const finestPoll = Math.ceil(day / 96);
  if (policy.adoptionPollSeconds < finestPoll) {
    problems.push(
      `adoptionPollSeconds: ${policy.adoptionPollSeconds} is finer than usage can change: usage is reported per day, so poll at least every usageDayLengthSeconds / 96 = ${finestPoll} s`,
    );
  }
  const history = worstCaseHistoryEvents(policy);
  if (history.total > HISTORY_EVENT_BUDGET) {
    problems.push(
      `gracePeriodSeconds / adoptionPollSeconds / retireObserveSeconds: the execution could record ${history.total} history events (adoption loop ${history.adoptionIterations} x ${EVENTS_PER_ADOPTION_ITERATION}, retirement loop ${history.retirementIterations} x ${EVENTS_PER_RETIREMENT_ITERATION}, + ${FIXED_HISTORY_EVENTS}), over ${HISTORY_EVENT_BUDGET} (${Math.round(HISTORY_EVENT_MARGIN * 100)}% of the Step Functions Standard limit of ${STANDARD_HISTORY_EVENT_LIMIT}); poll less often or shorten the grace period`,
    );
  }
  return problems;
}

/** Step Functions Standard: "25,000 events in an execution history" (hard quota). */
export const STANDARD_HISTORY_EVENT_LIMIT = 25_000;
/** Share of the limit a policy may plan for; the rest absorbs task retries. */
export const HISTORY_EVENT_MARGIN = 0.8;
export const HISTORY_EVENT_BUDGET = Math.floor(STANDARD_HISTORY_EVENT_LIMIT * HISTORY_EVENT_MARGIN);
/**
 * One adoption loop iteration: CheckAdoption (TaskStateEntered, TaskScheduled, TaskStarted,
 * TaskSucceeded, TaskStateExited), IsAdopted (ChoiceStateEntered/Exited), EmitAdoptionProgress (5 as
 * a task) and WaitForAdoption (WaitStateEntered/Exited).
 */
export const EVENTS_PER_ADOPTION_ITERATION = 5 + 2 + 5 + 2;
/** One retirement-observation iteration: CheckRetirement (5), IsRetirementObserved (2), the wait (2). */
export const EVENTS_PER_RETIREMENT_ITERATION = 5 + 2 + 2;
/** Everything else an execution records (start to end, every other state once, some retries). */
export const FIXED_HISTORY_EVENTS = 300;
/** Longest token validity Genesys allows (genesys-cloud-api.md §1.2: 300-172800). */
export const MAX_TOKEN_VALIDITY_SECONDS = 172_800;

/** Seconds of the usage calendar a real-time duration covers (identity unless days are compressed). */
export function onUsageCalendar(policy: RotationPolicy, realSeconds: number): number {
  return (realSeconds * policy.usageDayLengthSeconds) / 86_400;
}

/**
 * How long the retirement waits before re-checking usage, for a legacy token validity: the policy's
 * floor, raised to the (calendar) token validity + two usage days + the report lag, so a whole day
 * starting after the last legacy token expired has completed and been reported.
 */
export function retireObserveSecondsFor(policy: RotationPolicy, tokenValiditySeconds: number): number {
  const needed =
    onUsageCalendar(policy, tokenValiditySeconds) +
    2 * policy.usageDayLengthSeconds +
    policy.usageReportLagSeconds;
  return Math.max(policy.retireObserveSeconds, Math.ceil(needed));
}

/**
 * Worst case for the execution history: the adoption loop polls for the whole grace period, and the
 * retirement observation polls until its deadline (twice the observe time, for the longest token
 * validity Genesys allows).
 */
export function worstCaseHistoryEvents(policy: RotationPolicy): {
  adoptionIterations: number;
  retirementIterations: number;
  total: number;
} {
  const adoptionIterations = Math.ceil(policy.gracePeriodSeconds / policy.adoptionPollSeconds) + 1;
  const observe = retireObserveSecondsFor(policy, MAX_TOKEN_VALIDITY_SECONDS);
  const retirementIterations = Math.ceil((2 * observe) / policy.adoptionPollSeconds) + 1;
  return {
    adoptionIterations,
    retirementIterations,
    total:
      adoptionIterations * EVENTS_PER_ADOPTION_ITERATION +
      retirementIterations * EVENTS_PER_RETIREMENT_ITERATION +
      FIXED_HISTORY_EVENTS,
  };
}
export type RotationPolicyInput = z.input<typeof RotationPolicySchema>;

/** Parses a policy, turning schema issues into one typed error that names each bad field. */
export function parsePolicy(raw: unknown): RotationPolicy {
  const parsed = RotationPolicySchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new InvalidConfigurationError(`Invalid rotation policy: ${problems.join('; ')}`);
  }
  const combined = policyProblems(parsed.data);
  if (combined.length > 0) {
    throw new InvalidConfigurationError(`Invalid rotation policy: ${combined.join('; ')}`);
  }
  return parsed.data;
}

/** Reads `ROTATOR_POLICY` (JSON) from the environment; absent means all defaults. */
export function policyFromEnvironment(env: NodeJS.ProcessEnv = process.env): RotationPolicy {
  const raw = env.ROTATOR_POLICY;
  if (raw === undefined || raw === '') return parsePolicy({});
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new InvalidConfigurationError('Invalid rotation policy: ROTATOR_POLICY is not valid JSON');
  }
  return parsePolicy(json);
}
