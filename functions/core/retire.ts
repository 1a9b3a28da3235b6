import type { OAuthClientRotationState, Retired, RolledBack } from '../shared/contract.js';
import { NeedsAttentionError } from '../shared/errors.js';
import type { Clock, GenesysAdminPort, SecretStorePort } from '../shared/ports.js';
import { clientBelongsToToken } from './naming.js';
import { requireState } from './require-state.js';
import { AWSCURRENT, stagesOf } from './stages.js';

export interface RetireDependencies {
  readonly secrets: SecretStorePort;
  readonly genesys: GenesysAdminPort;
  /** Default: the system clock. */
  readonly clock?: Pick<Clock, 'now'>;
}

/** Retiring is only safe while AWSCURRENT still holds this rotation's credential. */
async function assertStillCurrent(
  deps: RetireDependencies,
  state: OAuthClientRotationState,
  action: string,
): Promise<void> {
  const { inventory, synced } = requireState(state, action, 'inventory', 'synced');
  const secret = await deps.secrets.describe(inventory.secretArn);
  if (!stagesOf(secret, synced.currentVersionId).includes(AWSCURRENT)) {
    throw new NeedsAttentionError(
      `AWSCURRENT of ${inventory.secretName} is no longer version ${synced.currentVersionId}; not retiring client ${inventory.legacyClient.id}`,
    );
  }
}

/**
 * Deletes every client named for `token` except `keepClientId`: a create whose answer was lost (a
 * timeout, a dropped connection) can still land after the retry made another client, and that one
 * holds no stored secret, so nothing would ever track it. Returns the ids deleted.
 */
export async function deleteStrayTokenClients(
  genesys: GenesysAdminPort,
  token: string,
  keepClientIds: readonly string[],
): Promise<string[]> {
  const strays = (await genesys.listClients())
    .filter((client) => clientBelongsToToken(client, token) && !keepClientIds.includes(client.id))
    .map((client) => client.id);
  for (const clientId of strays) await genesys.deleteClient(clientId);
  return strays;
}

/** First half of retirement: `inactive` mints no new tokens and is reversible. */
export async function deactivateLegacyClient(
  deps: RetireDependencies,
  state: OAuthClientRotationState,
): Promise<Retired> {
  await assertStillCurrent(deps, state, 'DeactivateLegacy');
  const { validation } = requireState(state, 'DeactivateLegacy', 'validation');
  const legacyClientId = validation.plan.legacyClientId;
  const legacy = await deps.genesys.getClient(legacyClientId);
  if (legacy === null) return { legacyClientId, action: 'already-gone' };
  // The PUT is built from the client just read: no second GET (fleet benchmark, genesys calls per rotation).
  if (legacy.state !== 'inactive') await deps.genesys.setClientState(legacyClientId, 'inactive', legacy);
  // A retried deactivation keeps the first time: the retirement check observes from it.
  const at = state.retired?.action === 'deactivated' ? state.retired.at : undefined;
  return { legacyClientId, action: 'deactivated', at: at ?? now(deps).toISOString() };
}

/** The retirement check saw legacy traffic (or no evidence): the legacy client goes back to `active`. */
export async function reactivateLegacyClient(
  deps: RetireDependencies,
  state: OAuthClientRotationState,
): Promise<Retired> {
  const { validation } = requireState(state, 'ReactivateLegacy', 'validation');
  const legacyClientId = validation.plan.legacyClientId;
  const legacy = await deps.genesys.getClient(legacyClientId);
  if (legacy === null) return { legacyClientId, action: 'already-gone' };
  if (legacy.state !== 'active') await deps.genesys.setClientState(legacyClientId, 'active', legacy);
  return {
    legacyClientId,
    action: 'reactivated',
    at: now(deps).toISOString(),
    note: `Legacy client ${legacyClientId} is active again; consumers that still use it keep working`,
  };
}

const now = (deps: RetireDependencies) => deps.clock?.now() ?? new Date();
const DAY_MS = 86_400_000;

/** Second half: delete (restorable for 7 days when the client is older than 30 days). */
export async function deleteLegacyClient(
  deps: RetireDependencies,
  state: OAuthClientRotationState,
): Promise<Retired> {
  await assertStillCurrent(deps, state, 'DeleteLegacy');
  const { validation } = requireState(state, 'DeleteLegacy', 'validation');
  const legacyClientId = validation.plan.legacyClientId;
  // The rotation's last step: no client made for its token but the current one may outlive it.
  const { created } = state;
  if (created)
    await deleteStrayTokenClients(deps.genesys, created.versionId, [created.newClientId, legacyClientId]);
  const legacy = await deps.genesys.getClient(legacyClientId);
  if (legacy === null) return { legacyClientId, action: 'already-gone' };
  await deps.genesys.deleteClient(legacyClientId);
  const createdMs = legacy.dateCreated === null ? Number.NaN : Date.parse(legacy.dateCreated);
  const ageDays = Number.isNaN(createdMs) ? null : Math.floor((now(deps).getTime() - createdMs) / DAY_MS);
  // help.mypurecloud.com: "Deleting clients created within the last 30 days is not reversible. Clients
  // created more than 30 days ago deactivate for seven days before permanent removal."
  const irreversible = ageDays === null || ageDays < 30;
  return {
    legacyClientId,
    action: 'deleted',
    at: now(deps).toISOString(),
    irreversible,
    note: irreversible
      ? `Legacy client ${legacyClientId} was deleted irreversibly (${ageDays === null ? 'age unknown' : `${ageDays} days old`}; Genesys restores only clients older than 30 days)`
      : `Legacy client ${legacyClientId} (${ageDays} days old) was deleted; Genesys keeps it restorable for 7 days`,
  };
}

/**
 * Compensation for Create: delete the client made for this token, found by id or, when Create died
 * before reporting, by the token in its name. Refuses when that client's credential is current.
 */
export async function rollbackCreatedClient(
  deps: RetireDependencies,
  state: OAuthClientRotationState,
): Promise<RolledBack> {
  const token = state.created?.versionId ?? state.inventory?.token ?? state.token;
  if (token === undefined || state.inventory === undefined) {
    return {
      deletedClientId: null,
      discardedPendingVersionId: state.rolledBack?.discardedPendingVersionId ?? null,
    };
  }
  const secret = await deps.secrets.describe(state.inventory.secretArn);
  if (stagesOf(secret, token).includes(AWSCURRENT)) {
    throw new NeedsAttentionError(
      `Version ${token} of ${secret.name} is already AWSCURRENT; its client is in use and is not deleted`,
    );
  }
  // Every client named for the token, not only the one Create reported: a lost create answer can
  // leave a second one behind.
  const candidates = [
    ...new Set([
      ...(state.created ? [state.created.newClientId] : []),
      ...(await deps.genesys.listClients())
        .filter((client) => clientBelongsToToken(client, token))
        .map((c) => c.id),
    ]),
  ];
  const legacyId = state.inventory.legacyClient.id;
  // DiscardPending kept a native rotation's pending version for Secrets Manager's retry: its client stays.
  const kept =
    state.rolledBack?.keptPendingVersionId === token ? (state.rolledBack.keptClientId ?? null) : null;
  const toDelete = candidates.filter((id) => id !== legacyId && id !== kept);
  for (const clientId of toDelete) {
    await deps.genesys.deleteClient(clientId);
  }
  // DiscardPending ran first (the saga undoes Create's effects in reverse); keep what it reported.
  return {
    deletedClientId: toDelete[0] ?? null,
    discardedPendingVersionId: state.rolledBack?.discardedPendingVersionId ?? null,
    ...(kept === null ? {} : { keptPendingVersionId: token, keptClientId: kept }),
  };
}
