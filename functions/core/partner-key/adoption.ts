/**
 * The adoption gate of a partner key (docs/KEY-PROVIDERS.md, "Adoption gate"): evidence that nobody
 * uses the old key any more before it is revoked. The evidence is the partner's own per-key counters
 * (`lastUsedAt`, `requests`), read through the provider's optional `usage` operation: the old key
 * must see no request for the policy's quiet period after promotion. Without usage reports
 * (operator-staged keys, a provider that does not implement `usage`) the quiet period alone decides.
 */
import type {
  KeyUsage,
  PartnerKeyAdoption,
  PartnerKeyHold,
  PartnerKeyRetirementCheck,
  PartnerKeyRotationState,
} from '../../shared/contract.js';
import type { KeyProviderPort } from '../../shared/key-provider.js';
import type { Clock } from '../../shared/ports.js';
import { requireState } from '../require-state.js';

export interface PartnerKeyAdoptionFacts {
  readonly nowMs: number;
  readonly promotedAtMs: number;
  readonly legacyId: string;
  /** Null: no usage reports (operator-staged, or the provider has no `usage`). */
  readonly legacyKey: KeyUsage | null;
  readonly newKey: KeyUsage | null;
  readonly plan: {
    readonly gracePeriodSeconds: number;
    readonly adoptionPollSeconds: number;
    readonly quietPeriodSeconds: number;
  };
  readonly previousChecks: number;
}

const timeOf = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);

function legacyHold(legacyId: string, legacyKey: KeyUsage | null, cause: string): PartnerKeyHold {
  return {
    Error: 'LegacyKeyStillUsed',
    Cause: cause,
    reason: 'legacy-traffic',
    legacyId,
    legacyKeyLastUsedAt: legacyKey?.lastUsedAt ?? null,
    legacyKeyRequests: legacyKey?.requests ?? null,
  };
}

/**
 * The rule, pure. With usage reports: adopted once the old key's last use (or the promotion, if later)
 * is at least the quiet period ago, by `evidence` when the new key was used since promotion, else (no
 * traffic at all) once the grace period ended, by `quiet-period`; still used when the grace period
 * ends: held, the old key stays valid. Without usage reports: adopted by `quiet-period` once the quiet
 * period has passed since promotion.
 */
export function evaluatePartnerKeyAdoption(facts: PartnerKeyAdoptionFacts): PartnerKeyAdoption {
  const { plan, nowMs, promotedAtMs } = facts;
  const secondsSincePromotion = Math.max(0, Math.floor((nowMs - promotedAtMs) / 1000));
  const graceOver = secondsSincePromotion >= plan.gracePeriodSeconds;
  const evidence = facts.legacyKey === null ? 'none' : 'partner-usage';
  const legacyUsedMs = timeOf(facts.legacyKey?.lastUsedAt);
  const quietSinceMs =
    Number.isFinite(legacyUsedMs) && legacyUsedMs > promotedAtMs ? legacyUsedMs : promotedAtMs;
  const quietSeconds = Math.max(0, (nowMs - quietSinceMs) / 1000);
  const quiet = quietSeconds >= plan.quietPeriodSeconds;
  const newUsedMs = timeOf(facts.newKey?.lastUsedAt);
  const newKeyUsed = Number.isFinite(newUsedMs) && newUsedMs >= promotedAtMs;

  let decision: Pick<PartnerKeyAdoption, 'adopted' | 'held' | 'hold' | 'decidedBy'>;
  if (evidence === 'none') {
    decision = quiet
      ? { adopted: true, held: false, hold: null, decidedBy: 'quiet-period' }
      : { adopted: false, held: false, hold: null, decidedBy: null };
  } else if (quiet && newKeyUsed) {
    decision = { adopted: true, held: false, hold: null, decidedBy: 'evidence' };
  } else if (quiet && graceOver) {
    decision = { adopted: true, held: false, hold: null, decidedBy: 'quiet-period' };
  } else if (graceOver) {
    decision = {
      adopted: false,
      held: true,
      hold: legacyHold(
        facts.legacyId,
        facts.legacyKey,
        `The old key ${facts.legacyId} was used ${Math.floor(quietSeconds)} s ago (last use ${facts.legacyKey?.lastUsedAt}), within the quiet period of ${plan.quietPeriodSeconds} s, when the grace period of ${plan.gracePeriodSeconds} s ended: a consumer still uses it, so it stays valid`,
      ),
      decidedBy: null,
    };
  } else {
    decision = { adopted: false, held: false, hold: null, decidedBy: null };
  }
  const decided = decision.adopted || decision.held;
  const quietLeft = Math.max(1, Math.ceil(plan.quietPeriodSeconds - quietSeconds));
  const graceLeft = Math.max(1, plan.gracePeriodSeconds - secondsSincePromotion);
  return {
    ...decision,
    evidence,
    quietSince: new Date(quietSinceMs).toISOString(),
    legacyKey: facts.legacyKey,
    newKey: facts.newKey,
    secondsSincePromotion,
    waitSeconds: decided ? 0 : Math.max(1, Math.min(plan.adoptionPollSeconds, quiet ? graceLeft : quietLeft)),
    checks: facts.previousChecks + 1,
  };
}

export interface PartnerKeyUsageDependencies {
  /** The secret's provider; null for operator-staged keys (no usage reports). */
  readonly provider: KeyProviderPort | null;
  readonly clock: Clock;
}

/** Both keys' counters, or null when there are no usage reports. */
async function keyUsage(
  deps: PartnerKeyUsageDependencies,
  state: PartnerKeyRotationState,
  keyIds: { legacy: string; fresh: string | null },
): Promise<{ legacy: KeyUsage; fresh: KeyUsage | null } | null> {
  if (deps.provider === null) return null;
  const key = state.inventory.partnerKey;
  const reference = {
    secretId: state.inventory.secretArn,
    credentialType: key.credentialType,
    env: key.env,
    service: key.service,
  };
  const legacy = await deps.provider.usage({ ...reference, keyId: keyIds.legacy });
  if (legacy === null) return null;
  const fresh =
    keyIds.fresh === null ? null : await deps.provider.usage({ ...reference, keyId: keyIds.fresh });
  return { legacy, fresh };
}

/** CheckAdoption (adoption gate) of a partner-key rotation. */
export async function checkPartnerKeyAdoption(
  deps: PartnerKeyUsageDependencies,
  state: PartnerKeyRotationState,
): Promise<PartnerKeyAdoption> {
  const { validation, synced, created } = requireState(
    state,
    'CheckAdoption',
    'validation',
    'synced',
    'created',
  );
  const legacyId = validation.plan.legacyKeyId;
  const usage = await keyUsage(deps, state, { legacy: legacyId, fresh: created.keyId });
  return evaluatePartnerKeyAdoption({
    nowMs: deps.clock.now().getTime(),
    promotedAtMs: Date.parse(synced.promotedAt),
    legacyId,
    legacyKey: usage?.legacy ?? null,
    newKey: usage?.fresh ?? null,
    plan: validation.plan,
    previousChecks: state.adoption?.checks ?? 0,
  });
}

/**
 * CheckRetirement: the old key, still valid, saw no request since the adoption gate passed. A use
 * since is traffic: the key is not revoked and the rotation holds.
 */
export async function checkPartnerKeyRetirement(
  deps: PartnerKeyUsageDependencies,
  state: PartnerKeyRotationState,
): Promise<PartnerKeyRetirementCheck> {
  const { validation, adoption } = requireState(state, 'CheckRetirement', 'validation', 'adoption');
  const checks = (state.retirement?.checks ?? 0) + 1;
  const legacyId = validation.plan.legacyKeyId;
  const usage = await keyUsage(deps, state, { legacy: legacyId, fresh: null });
  if (usage === null) return { verdict: 'clean', legacyKey: null, hold: null, waitSeconds: 0, checks };
  const before = adoption.legacyKey;
  const usedSince =
    (usage.legacy.requests !== null && before?.requests != null && usage.legacy.requests > before.requests) ||
    timeOf(usage.legacy.lastUsedAt) > timeOf(before?.lastUsedAt ?? adoption.quietSince);
  if (!usedSince) return { verdict: 'clean', legacyKey: usage.legacy, hold: null, waitSeconds: 0, checks };
  return {
    verdict: 'legacy-traffic',
    legacyKey: usage.legacy,
    hold: legacyHold(
      legacyId,
      usage.legacy,
      `The old key ${legacyId} was used again after the adoption gate passed (last use ${usage.legacy.lastUsedAt}): a consumer still depends on it, so it was not revoked`,
    ),
    waitSeconds: 0,
    checks,
  };
}
