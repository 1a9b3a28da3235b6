import type { Emergency, RotationState } from '../shared/contract.js';
import type { Clock, GenesysAdminPort, SecretStorePort } from '../shared/ports.js';
import { requireState } from './require-state.js';
import { serialiseOAuthSecretValue } from './secret-value.js';
import { AWSCURRENT, AWSPENDING, stagesOf, versionWithStage } from './stages.js';

export interface EmergencyDependencies {
  readonly secrets: SecretStorePort;
  readonly genesys: GenesysAdminPort;
  readonly clock: Clock;
}

/**
 * Emergency rotation for a leaked secret: regenerate the client's one secret in place and promote
 * at once. Consumers holding the old secret fail by design; that is the point of this path.
 */
export async function regenerateInPlace(
  deps: EmergencyDependencies,
  state: RotationState,
): Promise<Emergency> {
  const { inventory } = requireState(state, 'EmergencyRegenerate', 'inventory');
  const { token, secretArn } = inventory;
  let secret = await deps.secrets.describe(secretArn);
  const alreadyStored =
    stagesOf(secret, token).length > 0 &&
    (await deps.secrets.getValue(secretArn, { versionId: token })) !== null;
  if (!alreadyStored) {
    const regenerated = await deps.genesys.regenerateSecret(inventory.legacyClient.id);
    await deps.secrets.putPending(
      secretArn,
      token,
      serialiseOAuthSecretValue({
        clientId: regenerated.client.id,
        clientSecret: regenerated.secret,
        environment: inventory.environment,
      }),
    );
    secret = await deps.secrets.describe(secretArn);
  }
  if (!stagesOf(secret, token).includes(AWSCURRENT)) {
    const current = versionWithStage(secret, AWSCURRENT) ?? inventory.currentVersionId;
    await deps.secrets.promote(secretArn, token, current);
    secret = await deps.secrets.describe(secretArn);
  }
  if (stagesOf(secret, token).includes(AWSPENDING)) {
    await deps.secrets.removeStage(secretArn, AWSPENDING, token);
  }
  return {
    clientId: inventory.legacyClient.id,
    versionId: token,
    promotedAt: deps.clock.now().toISOString(),
  };
}
