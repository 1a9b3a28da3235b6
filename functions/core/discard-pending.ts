import type { OAuthClientRotationState, RolledBack } from '../shared/contract.js';
import { NeedsAttentionError } from '../shared/errors.js';
import type { GenesysAdminPort, SecretDescription, SecretStorePort } from '../shared/ports.js';
import { parseOAuthSecretValue } from './secret-value.js';
import { AWSCURRENT, AWSPENDING, stagesOf } from './stages.js';

/**
 * Compensation for Create: remove AWSPENDING from this token's version so the next rotation is
 * not blocked by a stranded pending version. Never touches a version that became current.
 *
 * Except for a native rotation whose pending version holds a credential of a live client: AWS
 * keeps AWSPENDING for its retry ("Storing the new secret value in AWSPENDING helps ensure
 * idempotency. If rotation fails for any reason, you can refer to that secret value in subsequent
 * calls", aws-rotation-and-local-tooling.md §1.2), and a retry with the same token can only succeed
 * with this very value (a version cannot be rewritten). The version and its client are kept
 * (`keptPendingVersionId`, `keptClientId`); a retry with a new token, or the next rotation, deletes
 * the client once its version lost AWSPENDING (Create: abandoned attempts).
 */
export async function discardPendingVersion(
  secrets: SecretStorePort,
  state: OAuthClientRotationState,
  /** The admin adapter for the secret (its org's, picked from its tags when there is one per org). */
  genesys?: (secret: SecretDescription) => Promise<Pick<GenesysAdminPort, 'getClient'>>,
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
  if (state.trigger === 'secretsmanager' && genesys !== undefined) {
    const kept = await keptClient(secrets, secret.arn, token, () => genesys(secret));
    if (kept !== null) {
      return {
        deletedClientId,
        discardedPendingVersionId: null,
        keptPendingVersionId: token,
        keptClientId: kept,
      };
    }
  }
  await secrets.removeStage(secret.arn, AWSPENDING, token);
  return { deletedClientId, discardedPendingVersionId: token };
}

/** The live client whose credential the token's pending version holds, or null. */
async function keptClient(
  secrets: SecretStorePort,
  secretArn: string,
  token: string,
  genesys: () => Promise<Pick<GenesysAdminPort, 'getClient'>>,
): Promise<string | null> {
  const stored = await secrets.getValue(secretArn, { versionId: token });
  if (stored === null) return null;
  const { clientId } = parseOAuthSecretValue(stored, `The pending value of version ${token}`);
  const client = await (await genesys()).getClient(clientId);
  return client !== null && client.state === 'active' ? client.id : null;
}
