import type {
  Adoption,
  Hold,
  OAuthClientRotationState,
  RetirementCheck,
  UsageDay,
} from '../shared/contract.js';
import type { Clock, DailyUsage, GenesysAdminPort } from '../shared/ports.js';
import { requireState } from './require-state.js';

export interface AdoptionDependencies {
  readonly genesys: GenesysAdminPort;
  readonly clock: Clock;
}

/**
 * Merges both clients' day rows into completed days (oldest first). Genesys reports usage "daily, as
 * an aggregate of all API requests made between 00:00:00 and 23:59:59" and "does not include data for
 * the current day" (help.mypurecloud.com, API Usage report): a day still running is dropped even if a
 * row for it appeared, so a partial count is never read as a whole day.
 */
export function completedDays(
  legacy: readonly DailyUsage[],
  fresh: readonly DailyUsage[],
  dayLengthMs: number,
  nowMs: number,
): UsageDay[] {
  const days = new Map<number, UsageDay>();
  const dayOf = (date: string) => {
    const startMs = Date.parse(date);
    let day = days.get(startMs);
    if (!day) {
      day = { date: new Date(startMs).toISOString(), legacyRequests: 0, newRequests: 0 };
      days.set(startMs, day);
    }
    return day;
  };
  for (const row of legacy) dayOf(row.date).legacyRequests += row.requests;
  for (const row of fresh) dayOf(row.date).newRequests += row.requests;
  return [...days]
    .filter(([startMs]) => Number.isFinite(startMs) && startMs + dayLengthMs <= nowMs)
    .sort(([a], [b]) => a - b)
    .map(([, day]) => day);
}

export interface AdoptionFacts {
  readonly nowMs: number;
  readonly promotedAtMs: number;
  readonly legacyClientId: string;
  readonly days: readonly UsageDay[];
  readonly plan: {
    readonly gracePeriodSeconds: number;
    readonly adoptionPollSeconds: number;
    readonly adoptionEvidenceDays: number;
    readonly usageDayLengthSeconds: number;
    readonly drainSeconds: number;
    readonly retireWithoutEvidence: boolean;
  };
  readonly previousChecks: number;
}

const sum = (days: readonly UsageDay[], field: 'legacyRequests' | 'newRequests') =>
  days.reduce((total, day) => total + day[field], 0);

/**
 * The adoption rule, pure. Only completed days starting at or after promotion + the legacy token
 * validity count (before that a consumer may legitimately finish its legacy token); such a day is
 * *reported* only when the new client shows requests on it (an absent or empty day proves nothing:
 * the report may simply not be there yet). Adopted: at least `adoptionEvidenceDays` reported days and
 * zero legacy requests on every counted day. Legacy traffic on a counted day holds the rotation at
 * once (it can never become evidence); no evidence by the end of the grace period holds it too,
 * unless the policy opted into retiring on time alone.
 */
export function evaluateAdoption(facts: AdoptionFacts): Adoption {
  const { plan, nowMs, promotedAtMs } = facts;
  const dayMs = plan.usageDayLengthSeconds * 1000;
  const evaluableFromMs = promotedAtMs + plan.drainSeconds * 1000;
  const sincePromotion = facts.days.filter((day) => Date.parse(day.date) + dayMs > promotedAtMs);
  const counted = facts.days.filter((day) => Date.parse(day.date) >= evaluableFromMs);
  const reported = counted.filter((day) => day.newRequests > 0);
  const legacyRequestsSinceDrain = sum(counted, 'legacyRequests');
  const legacyRequestsSincePromotion = sum(sincePromotion, 'legacyRequests');
  const lastCounted = counted.at(-1);
  const secondsSincePromotion = Math.max(0, Math.floor((nowMs - promotedAtMs) / 1000));
  const graceOver = secondsSincePromotion >= plan.gracePeriodSeconds;
  const evidenced = legacyRequestsSinceDrain === 0 && reported.length >= plan.adoptionEvidenceDays;

  const hold = (reason: Hold['reason']): Hold => ({
    Error: reason === 'legacy-traffic' ? 'LegacyClientStillUsed' : 'AdoptionNotEvidenced',
    Cause:
      reason === 'legacy-traffic'
        ? `Legacy client ${facts.legacyClientId} made ${legacyRequestsSinceDrain} requests on usage days after promotion + token validity (${legacyRequestsSincePromotion} since promotion, ${reported.length} reported days observed): a consumer still uses it, so it stays active`
        : `No evidence that consumers left legacy client ${facts.legacyClientId} within the grace period (${plan.gracePeriodSeconds} s): ${reported.length} of ${plan.adoptionEvidenceDays} reported usage days observed, ${legacyRequestsSincePromotion} legacy requests since promotion; it stays active`,
    reason,
    legacyClientId: facts.legacyClientId,
    legacyRequestsSincePromotion,
    daysObserved: reported.length,
    evidenceDaysRequired: plan.adoptionEvidenceDays,
  });

  let decision: Pick<Adoption, 'adopted' | 'held' | 'hold' | 'decidedBy'>;
  if (legacyRequestsSinceDrain > 0) {
    decision = { adopted: false, held: true, hold: hold('legacy-traffic'), decidedBy: null };
  } else if (evidenced) {
    decision = { adopted: true, held: false, hold: null, decidedBy: 'evidence' };
  } else if (graceOver && plan.retireWithoutEvidence) {
    decision = { adopted: true, held: false, hold: null, decidedBy: 'time-opt-in' };
  } else if (graceOver) {
    decision = { adopted: false, held: true, hold: hold('no-evidence'), decidedBy: null };
  } else {
    decision = { adopted: false, held: false, hold: null, decidedBy: null };
  }
  const decided = decision.adopted || decision.held;
  const graceLeft = Math.max(1, plan.gracePeriodSeconds - secondsSincePromotion);
  return {
    ...decision,
    evaluableFrom: new Date(evaluableFromMs).toISOString(),
    daysObserved: reported.length,
    legacyRequestsSincePromotion,
    legacyRequestsSinceDrain,
    observedUntil: lastCounted ? new Date(Date.parse(lastCounted.date) + dayMs).toISOString() : null,
    days: [...facts.days],
    secondsSincePromotion,
    waitSeconds: decided ? 0 : Math.max(1, Math.min(plan.adoptionPollSeconds, graceLeft)),
    checks: facts.previousChecks + 1,
  };
}

/** Queries both clients' daily usage over `[from, now)` and keeps the completed days. */
async function usageDays(
  deps: AdoptionDependencies,
  clients: { legacy: string; fresh: string },
  fromMs: number,
  dayLengthMs: number,
): Promise<{ nowMs: number; days: UsageDay[] }> {
  const now = deps.clock.now();
  const interval = { from: new Date(fromMs), to: now };
  const [legacy, fresh] = await Promise.all([
    deps.genesys.usageByDay(clients.legacy, interval),
    deps.genesys.usageByDay(clients.fresh, interval),
  ]);
  return { nowMs: now.getTime(), days: completedDays(legacy, fresh, dayLengthMs, now.getTime()) };
}

/** AdoptionGate: reads both clients' daily usage since the day of promotion and applies the rule. */
export async function checkAdoption(
  deps: AdoptionDependencies,
  state: OAuthClientRotationState,
): Promise<Adoption> {
  const { validation, synced, created } = requireState(
    state,
    'CheckAdoption',
    'validation',
    'synced',
    'created',
  );
  const { plan } = validation;
  const promotedAtMs = Date.parse(synced.promotedAt);
  const dayMs = plan.usageDayLengthSeconds * 1000;
  // From one day before promotion: the day holding the promotion starts before it.
  const { nowMs, days } = await usageDays(
    deps,
    { legacy: plan.legacyClientId, fresh: created.newClientId },
    promotedAtMs - dayMs,
    dayMs,
  );
  return evaluateAdoption({
    nowMs,
    promotedAtMs,
    legacyClientId: plan.legacyClientId,
    days,
    plan,
    previousChecks: state.adoption?.checks ?? 0,
  });
}

export interface RetirementFacts {
  readonly nowMs: number;
  readonly deactivatedAtMs: number;
  /** Legacy requests count on days starting here (the end of the adoption gate's last counted day). */
  readonly watchFromMs: number;
  readonly legacyClientId: string;
  readonly days: readonly UsageDay[];
  readonly plan: {
    readonly adoptionPollSeconds: number;
    readonly usageDayLengthSeconds: number;
    readonly drainSeconds: number;
    readonly retireObserveSeconds: number;
    readonly retireWithoutEvidence: boolean;
  };
  readonly previousChecks: number;
}

/**
 * After deactivation: legacy requests on any completed day after the adoption gate's last counted day
 * mean a consumer still tried the legacy client (reactivate and alert). Clean needs one reported day
 * (new client requests) starting after deactivation + token validity, when the last legacy token has
 * expired; until then wait, up to twice the observe time, then hold as unobserved.
 */
export function evaluateRetirement(facts: RetirementFacts): RetirementCheck {
  const { plan } = facts;
  const watched = facts.days.filter((day) => Date.parse(day.date) >= facts.watchFromMs);
  const legacyRequests = sum(watched, 'legacyRequests');
  const evidenceFromMs = facts.deactivatedAtMs + plan.drainSeconds * 1000;
  const observed = facts.days.filter(
    (day) => Date.parse(day.date) >= evidenceFromMs && day.newRequests > 0,
  ).length;
  const deadlineMs = facts.deactivatedAtMs + 2 * plan.retireObserveSeconds * 1000;
  const checks = facts.previousChecks + 1;
  const base = { legacyRequestsSinceDeactivation: legacyRequests, daysObserved: observed, checks };
  const hold = (reason: Hold['reason']): Hold => ({
    Error: reason === 'legacy-traffic' ? 'LegacyClientStillUsed' : 'AdoptionNotEvidenced',
    Cause:
      reason === 'legacy-traffic'
        ? `Legacy client ${facts.legacyClientId} was used after it was set inactive (${legacyRequests} requests on usage days since): a consumer still depends on it, so it was re-activated`
        : `No reported usage day after legacy client ${facts.legacyClientId} was set inactive and its tokens expired (${observed} days observed): not deleting it without evidence, so it was re-activated`,
    reason,
    legacyClientId: facts.legacyClientId,
    legacyRequestsSincePromotion: legacyRequests,
    daysObserved: observed,
    evidenceDaysRequired: 1,
  });
  if (legacyRequests > 0)
    return { ...base, verdict: 'legacy-traffic', hold: hold('legacy-traffic'), waitSeconds: 0 };
  if (observed >= 1) return { ...base, verdict: 'clean', hold: null, waitSeconds: 0 };
  if (facts.nowMs < deadlineMs) {
    const left = Math.ceil((deadlineMs - facts.nowMs) / 1000);
    return {
      ...base,
      verdict: 'waiting',
      hold: null,
      waitSeconds: Math.max(1, Math.min(plan.adoptionPollSeconds, left)),
    };
  }
  if (plan.retireWithoutEvidence) return { ...base, verdict: 'clean', hold: null, waitSeconds: 0 };
  return { ...base, verdict: 'unobserved', hold: hold('no-evidence'), waitSeconds: 0 };
}

/** CheckRetirement: re-reads both clients' usage after the legacy client was set inactive. */
export async function checkRetirement(
  deps: AdoptionDependencies,
  state: OAuthClientRotationState,
): Promise<RetirementCheck> {
  const { validation, created, retired, adoption } = requireState(
    state,
    'CheckRetirement',
    'validation',
    'created',
    'retired',
    'adoption',
  );
  const { plan } = validation;
  const previousChecks = state.retirement?.checks ?? 0;
  if (retired.action === 'already-gone') {
    return {
      verdict: 'clean',
      legacyRequestsSinceDeactivation: 0,
      daysObserved: 0,
      hold: null,
      waitSeconds: 0,
      checks: previousChecks + 1,
    };
  }
  const deactivatedAtMs = Date.parse(retired.at ?? deps.clock.now().toISOString());
  const watchFromMs = Date.parse(adoption.observedUntil ?? adoption.evaluableFrom);
  const dayMs = plan.usageDayLengthSeconds * 1000;
  const { nowMs, days } = await usageDays(
    deps,
    { legacy: plan.legacyClientId, fresh: created.newClientId },
    Math.min(watchFromMs, deactivatedAtMs - dayMs),
    dayMs,
  );
  return evaluateRetirement({
    nowMs,
    deactivatedAtMs,
    watchFromMs,
    legacyClientId: plan.legacyClientId,
    days,
    plan,
    previousChecks,
  });
}
