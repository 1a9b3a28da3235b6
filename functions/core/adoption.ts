import type { Adoption, RotationState } from '../shared/contract.js';
import type { Clock, GenesysAdminPort } from '../shared/ports.js';
import { requireState } from './require-state.js';

export interface AdoptionDependencies {
  readonly genesys: GenesysAdminPort;
  readonly clock: Clock;
}

const DAY_SECONDS = 86_400;

/**
 * AdoptionGate: consumers have moved when the legacy client's request total stops growing for the
 * quiet period after promotion; the grace period caps the wait. The usage API is aggregated by day,
 * so the gate compares totals between checks rather than reading "requests since promotion".
 */
export async function checkAdoption(deps: AdoptionDependencies, state: RotationState): Promise<Adoption> {
  const { validation, synced } = requireState(state, 'CheckAdoption', 'validation', 'synced');
  const { plan } = validation;
  const now = deps.clock.now();
  const secondsSincePromotion = Math.max(
    0,
    Math.floor((now.getTime() - Date.parse(synced.promotedAt)) / 1000),
  );
  const days = Math.min(30, Math.ceil(secondsSincePromotion / DAY_SECONDS) + 1);
  const total = await deps.genesys.usageRequests(plan.legacyClientId, days);

  const previous = state.adoption;
  const baselineRequests = previous?.baselineRequests ?? total;
  const unchanged = previous !== undefined && previous.legacyRequestsTotal === total;
  const quietSince = unchanged ? previous.quietSince : now.toISOString();
  const quietSeconds = Math.floor((now.getTime() - Date.parse(quietSince)) / 1000);

  const quiet = unchanged && quietSeconds >= plan.adoptionQuietSeconds;
  const graceOver = secondsSincePromotion >= plan.gracePeriodSeconds;
  const adopted = quiet || graceOver;
  const graceLeft = Math.max(1, plan.gracePeriodSeconds - secondsSincePromotion);
  return {
    adopted,
    decidedBy: quiet ? 'quiet' : graceOver ? 'grace' : null,
    baselineRequests,
    legacyRequestsTotal: total,
    quietSince,
    legacyRequestsSincePromotion: Math.max(0, total - baselineRequests),
    secondsSincePromotion,
    waitSeconds: adopted ? 0 : Math.max(1, Math.min(plan.adoptionPollSeconds, graceLeft)),
    checks: (previous?.checks ?? 0) + 1,
  };
}
