import type { OAuthClientRotationState, Synced, Trigger } from '../shared/contract.js';
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

/** What moving AWSCURRENT needs to know, for any kind. */
export interface PromotionTarget {
  readonly trigger: Trigger;
  readonly secretArn: string;
  readonly secretName: string;
  /** AWSCURRENT when the rotation started: promotion refuses if it moved since. */
  readonly currentVersionId: string;
  readonly token: string;
}

/**
 * AWSCURRENT moves to the token (AWSPREVIOUS follows), for any kind. During a native rotation,
 * finishSecret in the hook promotes; this step waits for it by throwing `PromotionPendingError`,
 * which the state machine retries.
 */
export async function promotePendingVersion(
  deps: { readonly secrets: SecretStorePort; readonly clock: Clock },
  target: PromotionTarget,
): Promise<Synced> {
  const { token, secretArn, secretName } = target;
  let secret = await deps.secrets.describe(secretArn);
  let promotedBy: Synced['promotedBy'] =
    target.trigger === 'secretsmanager' ? 'finishSecret' : 'state-machine';

  if (!stagesOf(secret, token).includes(AWSCURRENT)) {
    if (target.trigger === 'secretsmanager') {
      throw new PromotionPendingError(`Waiting for finishSecret to make version ${token} current`);
    }
    if (!stagesOf(secret, token).includes(AWSPENDING)) {
      throw new PromotionConflictError(`Version ${token} of ${secretName} is no longer AWSPENDING`);
    }
    const current = versionWithStage(secret, AWSCURRENT);
    if (current !== target.currentVersionId) {
      throw new PromotionConflictError(
        `AWSCURRENT of ${secretName} moved to ${current ?? 'nothing'} since this rotation started`,
      );
    }
    await deps.secrets.promote(secretArn, token, current);
    promotedBy = 'state-machine';
    secret = await deps.secrets.describe(secretArn);
  }
  // Outside a native rotation nothing else clears AWSPENDING; left on the current version it is harmless,
  // but removing it keeps the label meaning "a rotation is open".
  if (target.trigger !== 'secretsmanager' && stagesOf(secret, token).includes(AWSPENDING)) {
    await deps.secrets.removeStage(secretArn, AWSPENDING, token);
  }
  return {
    currentVersionId: token,
    previousVersionId: versionWithStage(secret, AWSPREVIOUS),
    promotedAt: deps.clock.now().toISOString(),
    promotedBy,
  };
}

/** Sync of an `oauth-client` rotation: AWSCURRENT moves to the token, then dependents hear of it. */
export async function syncPromotion(
  deps: SyncDependencies,
  state: OAuthClientRotationState,
): Promise<Synced> {
  const { inventory, created } = requireState(state, 'Sync', 'inventory', 'created');
  const token = created.versionId;
  const synced = await promotePendingVersion(deps, {
    trigger: state.trigger,
    secretArn: inventory.secretArn,
    secretName: inventory.secretName,
    currentVersionId: inventory.currentVersionId,
    token,
  });
  for (const propagator of deps.propagators) {
    await propagator.propagate({
      secretArn: inventory.secretArn,
      versionId: token,
      clientId: created.newClientId,
    });
  }
  return synced;
}
