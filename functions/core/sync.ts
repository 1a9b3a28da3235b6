import type { RotationState, Synced } from '../shared/contract.js';
import { PromotionConflictError, PromotionPendingError } from '../shared/errors.js';
import type { Clock, SecretStorePort } from '../shared/ports.js';
import { requireState } from './require-state.js';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, stagesOf, versionWithStage } from './stages.js';

/** Where a promoted credential is announced next (integration credentials, external managers). */
export interface DependentPropagator {
  readonly name: string;
  propagate(reference: { secretArn: string; versionId: string; clientId: string }): Promise<void>;
}

export interface SyncDependencies {
  readonly secrets: SecretStorePort;
  readonly clock: Clock;
  readonly propagators: readonly DependentPropagator[];
}

/**
 * Sync: AWSCURRENT moves to the token (AWSPREVIOUS follows), then dependents hear of it.
 * During a native rotation, finishSecret in the hook promotes; this step waits for it by throwing
 * `PromotionPendingError`, which the state machine retries.
 */
export async function syncPromotion(deps: SyncDependencies, state: RotationState): Promise<Synced> {
  const { inventory, created } = requireState(state, 'Sync', 'inventory', 'created');
  const token = created.versionId;
  let secret = await deps.secrets.describe(inventory.secretArn);
  let promotedBy: Synced['promotedBy'] =
    state.trigger === 'secretsmanager' ? 'finishSecret' : 'state-machine';

  if (!stagesOf(secret, token).includes(AWSCURRENT)) {
    if (state.trigger === 'secretsmanager') {
      throw new PromotionPendingError(`Waiting for finishSecret to make version ${token} current`);
    }
    if (!stagesOf(secret, token).includes(AWSPENDING)) {
      throw new PromotionConflictError(`Version ${token} of ${inventory.secretName} is no longer AWSPENDING`);
    }
    const current = versionWithStage(secret, AWSCURRENT);
    if (current !== inventory.currentVersionId) {
      throw new PromotionConflictError(
        `AWSCURRENT of ${inventory.secretName} moved to ${current ?? 'nothing'} since this rotation started`,
      );
    }
    await deps.secrets.promote(inventory.secretArn, token, current);
    promotedBy = 'state-machine';
    secret = await deps.secrets.describe(inventory.secretArn);
  }
  // Outside a native rotation nothing else clears AWSPENDING; left on the current version it is harmless,
  // but removing it keeps the label meaning "a rotation is open".
  if (state.trigger !== 'secretsmanager' && stagesOf(secret, token).includes(AWSPENDING)) {
    await deps.secrets.removeStage(inventory.secretArn, AWSPENDING, token);
  }
  for (const propagator of deps.propagators) {
    await propagator.propagate({
      secretArn: inventory.secretArn,
      versionId: token,
      clientId: created.newClientId,
    });
  }
  return {
    currentVersionId: token,
    previousVersionId: versionWithStage(secret, AWSPREVIOUS),
    promotedAt: deps.clock.now().toISOString(),
    promotedBy,
  };
}
