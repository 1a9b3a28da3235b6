import type { RolledBack, RotationState } from '../shared/contract.js';
import { NeedsAttentionError } from '../shared/errors.js';
import type { SecretStorePort } from '../shared/ports.js';
import { AWSCURRENT, AWSPENDING, stagesOf } from './stages.js';

/**
 * Compensation for Create: remove AWSPENDING from this token's version so the next rotation is
 * not blocked by a stranded pending version. Never touches a version that became current.
 */
export async function discardPendingVersion(
  secrets: SecretStorePort,
  state: RotationState,
): Promise<RolledBack> {
  const token = state.created?.versionId ?? state.token ?? state.inventory?.token;
  const deletedClientId = state.rolledBack?.deletedClientId ?? null;
  if (token === undefined) return { deletedClientId, discardedPendingVersionId: null };
  const secret = await secrets.describe(state.inventory?.secretArn ?? state.secretId);
  const stages = stagesOf(secret, token);
  if (stages.includes(AWSCURRENT)) {
    throw new NeedsAttentionError(
      `Version ${token} of ${secret.name} is already AWSCURRENT; the rotation cannot be rolled back`,
    );
  }
  if (!stages.includes(AWSPENDING)) return { deletedClientId, discardedPendingVersionId: null };
  await secrets.removeStage(secret.arn, AWSPENDING, token);
  return { deletedClientId, discardedPendingVersionId: token };
}
