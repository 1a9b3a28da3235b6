import type { Created, Inventory, OAuthClientRotationState } from '../shared/contract.js';
import { RollbackTriggeredError, RotationInProgressError } from '../shared/errors.js';
import type {
  GenesysAdminPort,
  GenesysClientRecord,
  GenesysClientWithSecret,
  SecretDescription,
  SecretStorePort,
} from '../shared/ports.js';
import { clientBelongsToToken, newClientDescription } from './naming.js';
import { requireState } from './require-state.js';
import { deleteStrayTokenClients } from './retire.js';
import { parseOAuthSecretValue, serialiseOAuthSecretValue } from './secret-value.js';
import { AWSCURRENT, foreignPendingVersion, stagesOf } from './stages.js';

export interface CreateDependencies {
  readonly secrets: SecretStorePort;
  readonly genesys: GenesysAdminPort;
}

/**
 * Create: the new client's secret goes from the Genesys response straight into the AWSPENDING
 * version keyed by the token, inside this one invocation. Idempotent by token: a value already
 * stored for the token is reused; a client made for the token whose secret was never stored
 * (the Lambda died in between) gets a fresh secret instead of becoming an orphan.
 */
export async function createPendingClient(
  deps: CreateDependencies,
  state: OAuthClientRotationState,
): Promise<Created> {
  const { inventory, validation } = requireState(state, 'Create', 'inventory', 'validation');
  const { token, secretArn } = inventory;
  const secret = await deps.secrets.describe(secretArn);
  const tokenStages = stagesOf(secret, token);

  if (tokenStages.length > 0) {
    const stored = await deps.secrets.getValue(secretArn, { versionId: token });
    if (stored !== null) {
      const value = parseOAuthSecretValue(stored, `The pending value of secret ${inventory.secretName}`);
      // A version cannot be rewritten: if an earlier attempt's client was rolled back, this token is spent.
      if ((await deps.genesys.getClient(value.clientId)) === null) {
        throw new RollbackTriggeredError(
          `Version ${token} of ${inventory.secretName} holds client ${value.clientId}, which an earlier attempt rolled back; start a new rotation (a new token)`,
        );
      }
      return {
        credential: { newId: value.clientId },
        newClientId: value.clientId,
        newClientName: validation.plan.newClientName,
        versionId: token,
        reused: true,
      };
    }
  }
  const foreign = foreignPendingVersion(secret, token);
  if (foreign !== null) {
    throw new RotationInProgressError(
      `Version ${foreign} of secret ${inventory.secretName} is AWSPENDING: another rotation started meanwhile`,
    );
  }
  if (tokenStages.includes(AWSCURRENT)) {
    throw new RotationInProgressError(`Version ${token} of ${inventory.secretName} is already current`);
  }

  const clients = await deps.genesys.listClients();
  await deleteAbandonedAttemptClients(deps, secret, inventory, clients);
  const existing = clients.find((client) => clientBelongsToToken(client, token));
  const made: GenesysClientWithSecret =
    existing === undefined
      ? await deps.genesys.createClient({
          name: validation.plan.newClientName,
          description: newClientDescription(inventory.secretName, inventory.legacyClient.id, token),
          roleDivisions: validation.plan.roleDivisions,
          accessTokenValiditySeconds: validation.plan.accessTokenValiditySeconds,
        })
      : await deps.genesys.regenerateSecret(existing.id);

  await deps.secrets.putPending(
    secretArn,
    token,
    serialiseOAuthSecretValue({
      clientId: made.client.id,
      clientSecret: made.secret,
      environment: inventory.environment,
    }),
  );
  // An earlier attempt whose create answer was lost may have made a client after all.
  await deleteStrayTokenClients(deps.genesys, token, [made.client.id, inventory.legacyClient.id]);
  return {
    credential: { newId: made.client.id },
    newClientId: made.client.id,
    newClientName: made.client.name,
    versionId: token,
    reused: existing !== undefined,
  };
}

const MADE_FOR = /for secret (.+); rotation token ([0-9a-f-]{32,64});/;

/**
 * Clients an earlier native attempt kept for Secrets Manager's retry (DiscardPending) whose
 * version then lost AWSPENDING: the retry came with a new token, or the rotation was given up.
 * Proof that a client is such a leftover, never a live one: it names this secret and another
 * token, that token's version holds no staging label, and its stored value names this client.
 */
async function deleteAbandonedAttemptClients(
  deps: CreateDependencies,
  secret: SecretDescription,
  inventory: Inventory,
  clients: readonly GenesysClientRecord[],
): Promise<void> {
  for (const client of clients) {
    const match = MADE_FOR.exec(client.description);
    const madeFor = match?.[1];
    const attemptToken = match?.[2];
    if (madeFor !== inventory.secretName || attemptToken === undefined || attemptToken === inventory.token)
      continue;
    if (client.id === inventory.legacyClient.id || stagesOf(secret, attemptToken).length > 0) continue;
    const stored = await deps.secrets.getValue(secret.arn, { versionId: attemptToken });
    if (stored === null) continue;
    const value = parseOAuthSecretValue(
      stored,
      `The value of version ${attemptToken} of ${inventory.secretName}`,
    );
    if (value.clientId === client.id) await deps.genesys.deleteClient(client.id);
  }
}
