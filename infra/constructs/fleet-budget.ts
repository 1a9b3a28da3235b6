/**
 * The fleet's share of Genesys' rate limit: 300 requests a minute per client-credentials token
 * (genesys-cloud-api.md §3). Every rotation calls Genesys with an admin credential: with one admin
 * credential (the default) all rotations of a rotator share its token's budget, whichever org tag
 * groups them; with one admin credential per org (`orgAdminSecrets`) each org's rotations share
 * their org's credential's budget, and orgs do not take from each other. The fleet machine rotates
 * one org per child workflow, so the per-org concurrency is what bounds one credential's calls.
 *
 * Enforcement is by concurrency, sized from the call profile of one rotation. Each concurrency slot
 * of the fleet runs rotations back to back; in any 60 s window a slot overlaps at most
 * `floor(60 / shortest rotation) + 1` rotations, each making at most its fixed calls (every call that
 * is not an adoption check, as if all fell in that window), plus the adoption checks a minute
 * holds (one rotation of the slot is in its gate at a time). At most `budget / slot peak` slots
 * therefore stay under the limit in every minute. The shortest rotation is the policy's: the grace
 * period, or the evidence days when usage evidence can end the gate sooner. Conservative: it assumes
 * one admin token (Lambda's warm containers each mint their own, so AWS usually has more). Not
 * covered: a fleet of refusals (a refused rotation makes a handful of calls in a second); a 429
 * there is retried by the Genesys adapter (Retry-After) and the task Retry.
 */
import type { RotationPolicy } from '../../functions/shared/policy.js';

/**
 * Admin-credential calls of one oauth-client rotation that are not adoption checks, counted from the
 * stand-in's request log of a rotation (docs/ARCHITECTURE.md, "Fleet rotation"): a token grant per
 * function container (4), tokens/me, the legacy client (Fetch, deactivate, retire: 3), the client
 * listing (Fetch's quota, Create's idempotency check before and after, retirement: 4), the usage
 * lookback (summary + result), create, deactivate's PUT and delete. (The hard-coded secret scan
 * logs in on its own and keeps under its own rate, SCAN_REQUESTS_PER_MINUTE.)
 */
export const FIXED_ADMIN_CALLS_PER_ROTATION = 17;

/**
 * One adoption or retirement check: a usage query started and its result read, for each of the two
 * clients. Both loops poll at `adoptionPollSeconds`.
 */
export const ADMIN_CALLS_PER_ADOPTION_CHECK = 4;

/** Genesys' default: `client.credentials.token.rate.per.minute` (genesys-cloud-api.md §3). */
export const GENESYS_REQUESTS_PER_MINUTE_PER_TOKEN = 300;

/** The most a JSONPath Inline Map runs at once (Step Functions: "up to 40 concurrent iterations"). */
export const INLINE_MAP_MAX_CONCURRENCY = 40;

export interface FleetRateBudget {
  /** The rotation policy: its adoption poll interval sets the checks per minute. */
  readonly policy: Pick<
    RotationPolicy,
    | 'adoptionPollSeconds'
    | 'gracePeriodSeconds'
    | 'retireWithoutEvidence'
    | 'adoptionEvidenceDays'
    | 'usageDayLengthSeconds'
  >;
  /** @default GENESYS_REQUESTS_PER_MINUTE_PER_TOKEN */
  readonly requestsPerMinutePerToken?: number;
  /** Admin tokens the budget may count on per admin credential. @default 1 (one token at worst) */
  readonly adminTokens?: number;
  /**
   * Each org's rotations call Genesys with their own org's admin credential (`orgAdminSecrets`), so
   * the budget is per org: orgs in parallel each get the whole budget. @default false (one admin
   * credential: every org's rotations share its budget)
   */
  readonly adminCredentialsPerOrg?: boolean;
  /**
   * Share of the budget the fleet may use; the rest is for the rotations' retries, manual runs and the
   * Secrets Manager schedule. @default 0.8
   */
  readonly share?: number;
}

export interface FleetConcurrency {
  /** Rotations at once in the whole fleet. */
  readonly total: number;
  /** Orgs at once: the requested number, or fewer when the budget allows fewer rotations than orgs. */
  readonly orgsInParallel: number;
  /** Rotations at once within one org, so that `orgsInParallel x perOrg <= total`. */
  readonly perOrg: number;
  /** Admin calls one concurrency slot can make in a minute. */
  readonly peakCallsPerMinute: number;
  /** Seconds the shortest successful rotation takes under the policy. */
  readonly shortestRotationSeconds: number;
  /** Admin requests a minute one admin credential may make (the budget of one token x tokens x share). */
  readonly requestsPerMinute: number;
  /** Whose budget it is: the rotator's one admin credential, or each org's own. */
  readonly budgetScope: 'rotator' | 'org';
  readonly explanation: string;
}

/** The adoption gate cannot end sooner: the grace period, or the evidence days when evidence may end it. */
export function shortestRotationSeconds(policy: FleetRateBudget['policy']): number {
  const evidence = policy.adoptionEvidenceDays * policy.usageDayLengthSeconds;
  return Math.max(
    1,
    policy.retireWithoutEvidence ? policy.gracePeriodSeconds : Math.min(policy.gracePeriodSeconds, evidence),
  );
}

/** Admin calls one concurrency slot (rotations back to back) can make in any minute, under `policy`. */
export function peakAdminCallsPerMinute(policy: FleetRateBudget['policy']): number {
  const rotationsPerMinute = Math.floor(60 / shortestRotationSeconds(policy)) + 1;
  const checksPerMinute = Math.ceil(60 / Math.max(1, policy.adoptionPollSeconds));
  return (
    FIXED_ADMIN_CALLS_PER_ROTATION * rotationsPerMinute + ADMIN_CALLS_PER_ADOPTION_CHECK * checksPerMinute
  );
}

/** How many rotations may run at once within the budget, and per org when `orgsInParallel` run together. */
export function fleetConcurrency(budget: FleetRateBudget, orgsInParallel: number): FleetConcurrency {
  const perToken = budget.requestsPerMinutePerToken ?? GENESYS_REQUESTS_PER_MINUTE_PER_TOKEN;
  const tokens = budget.adminTokens ?? 1;
  const share = budget.share ?? 0.8;
  const requestsPerMinute = Math.floor(perToken * tokens * share);
  const peak = peakAdminCallsPerMinute(budget.policy);
  // Rotations at once one admin credential's budget allows.
  const slots = Math.max(1, Math.floor(requestsPerMinute / peak));
  const perOrgCredential = budget.adminCredentialsPerOrg === true;
  // One credential: the orgs in parallel split its slots. One per org: each org has its own slots.
  const orgs = Math.max(1, perOrgCredential ? orgsInParallel : Math.min(orgsInParallel, slots));
  const perOrg = Math.max(
    1,
    Math.min(INLINE_MAP_MAX_CONCURRENCY, perOrgCredential ? slots : Math.floor(slots / orgs)),
  );
  const total = perOrgCredential ? perOrg * orgs : slots;
  const checks = Math.ceil(60 / Math.max(1, budget.policy.adoptionPollSeconds));
  const shortest = shortestRotationSeconds(budget.policy);
  const overlapping = Math.floor(60 / shortest) + 1;
  const whose = perOrgCredential ? "each org's admin credential" : 'the admin credential';
  return {
    total,
    orgsInParallel: orgs,
    perOrg,
    peakCallsPerMinute: peak,
    shortestRotationSeconds: shortest,
    requestsPerMinute,
    budgetScope: perOrgCredential ? 'org' : 'rotator',
    explanation:
      `${perToken}/min x ${tokens} token(s) x ${share} = ${requestsPerMinute} admin requests a minute for ${whose}; ` +
      `one slot makes up to ${peak} a minute (${overlapping} rotation(s) of >= ${shortest} s x ` +
      `${FIXED_ADMIN_CALLS_PER_ROTATION} fixed + ${ADMIN_CALLS_PER_ADOPTION_CHECK} per check x ${checks} checks); ` +
      (perOrgCredential
        ? `so ${perOrg} rotation(s) at once per org, ${total} with ${orgs} org(s) in parallel`
        : `so ${total} rotation(s) at once, ${perOrg} per org with ${orgs} org(s) in parallel`),
  };
}
