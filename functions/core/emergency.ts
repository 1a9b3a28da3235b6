import type { Emergency, OAuthClientRotationState } from '../shared/contract.js';
import type { Clock, GenesysAdminPort, SecretStorePort } from '../shared/ports.js';
import { createPendingClient } from './create.js';
import { requireState } from './require-state.js';
import { serialiseOAuthSecretValue } from './secret-value.js';
import { AWSCURRENT, AWSPENDING, stagesOf, versionWithStage } from './stages.js';

export interface EmergencyDependencies {
  readonly secrets: SecretStorePort;
  readonly genesys: GenesysAdminPort;
  readonly clock: Clock;
}

/** Moves AWSCURRENT to the token's version at once, and clears AWSPENDING from it; idempotent. */
async function promoteAtOnce(
  deps: EmergencyDependencies,
  secretArn: string,
  token: string,
  fallback: string,
) {
  let secret = await deps.secrets.describe(secretArn);
  if (!stagesOf(secret, token).includes(AWSCURRENT)) {
    await deps.secrets.promote(secretArn, token, versionWithStage(secret, AWSCURRENT) ?? fallback);
    secret = await deps.secrets.describe(secretArn);
  }
  if (stagesOf(secret, token).includes(AWSPENDING)) {
    await deps.secrets.removeStage(secretArn, AWSPENDING, token);
  }
}

/**
 * Emergency rotation for a leaked secret, `replace` strategy (the default): a new client cloned
 * like the standard path (Create's own idempotent code, keyed by the token), promoted at once, then
 * the leaked client set `disabled`: "Access tokens created by the client are invalid and new ones
 * cannot be created" (genesys-cloud-api.md §1.2). `inactive` would not do: it only stops new
 * tokens, and a leaked secret may already have minted some. The disabled client is kept, not
 * deleted: its usage is the evidence of the leak, and the effect of a delete on live tokens is not
 * documented. Consumers re-reading AWSCURRENT move to the new client; the others fail by design.
 */
export async function replaceLeakedClient(
  deps: EmergencyDependencies,
  state: OAuthClientRotationState,
): Promise<Emergency> {
  const { inventory } = requireState(state, 'EmergencyRotate', 'inventory', 'validation');
  const { token, secretArn } = inventory;
  const created = await createPendingClient(deps, state);
  await promoteAtOnce(deps, secretArn, token, inventory.currentVersionId);
  await deps.genesys.setClientState(inventory.legacyClient.id, 'disabled');
  return {
    strategy: 'replace',
    clientId: created.newClientId,
    leakedClientId: inventory.legacyClient.id,
    leakedClient: 'disabled',
    versionId: token,
    promotedAt: deps.clock.now().toISOString(),
  };
}

/**
 * Emergency rotation, `regenerate` strategy (explicit only): regenerate the client's one secret in
 * place and promote at once. For an org with no room for another client. Whether tokens minted
 * with the old secret survive is unconfirmed (genesys-cloud-api.md §1.3, §8).
 */
export async function regenerateInPlace(
  deps: EmergencyDependencies,
  state: OAuthClientRotationState,
): Promise<Emergency> {
  const { inventory } = requireState(state, 'EmergencyRotate', 'inventory');
  const { token, secretArn } = inventory;
  const secret = await deps.secrets.describe(secretArn);
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
  }
  await promoteAtOnce(deps, secretArn, token, inventory.currentVersionId);
  return {
    strategy: 'regenerate',
    clientId: inventory.legacyClient.id,
    leakedClientId: inventory.legacyClient.id,
    leakedClient: 'regenerated',
    versionId: token,
    promotedAt: deps.clock.now().toISOString(),
  };
}

/** The state machine's emergency task: the strategy the input chose, `replace` by default. */
export function rotateInEmergency(
  deps: EmergencyDependencies,
  state: OAuthClientRotationState,
): Promise<Emergency> {
  return state.emergencyStrategy === 'regenerate'
    ? regenerateInPlace(deps, state)
    : replaceLeakedClient(deps, state);
}
