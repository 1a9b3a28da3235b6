/**
 * The steps of a partner-key rotation (kind `integration-credential`) over the execution state, as
 * the state machine's tasks run them (docs/KEY-PROVIDERS.md, "The rotation of a partner key"):
 *
 * - Fetch: `partnerKeyInventory` plus the org, the concurrency facts and a staged value's version.
 * - Create (Rotator): the new key into AWSPENDING, from the provider (`issue`) or the operator's
 *   GENESYS_STAGED version. The key never leaves the call.
 * - Verify: the provider's `test` of the pending key at the partner.
 * - Sync (Rotator): the dual-slot flip (a new credential object, the integration flipped to it, one
 *   action tested, flipped back on failure), then AWSCURRENT moves to the token.
 * - DeleteLegacy: after the adoption gate, the old key revoked at the provider, then the old
 *   credential object deleted.
 * - DiscardPending (Rotator) and Rollback: AWSPENDING dropped; the integration flipped back, the new
 *   credential object deleted, and the new key revoked (in that order: the integration never points
 *   at a revoked key), so nothing is left behind.
 *
 * Every step is idempotent by the rotation token and returns ids and facts only.
 */
import type {
  PartnerKeyCreated,
  PartnerKeyInventory,
  PartnerKeyRetired,
  PartnerKeyRolledBack,
  PartnerKeyRotationState,
  PartnerKeySynced,
  PartnerKeyVerified,
} from '../../shared/contract.js';
import { TAG_ENVIRONMENT, TAG_ORG_ID, TAG_STAGE } from '../../shared/contract.js';
import type { DataActionCredentialsPort } from '../../shared/data-action-ports.js';
import { NeedsAttentionError, VerificationFailedError } from '../../shared/errors.js';
import type { KeyProviderPort } from '../../shared/key-provider.js';
import { OPERATOR_STAGED_LABEL } from '../../shared/key-provider-contract.js';
import type { Clock, ExecutionsPort, SecretStorePort } from '../../shared/ports.js';
import type { FetchedSecret } from '../fetch.js';
import { requireState } from '../require-state.js';
import { type HardCodedSecretGuard, refuseHardCodedSecret } from '../scan/guard.js';
import { AWSCURRENT, AWSPENDING, foreignPendingVersion, stagesOf, versionWithStage } from '../stages.js';
import { promotePendingVersion } from '../sync.js';
import {
  flipBack,
  flipToPendingKey,
  type PartnerKeyTarget,
  pendingCredentialName,
  retireOldKey,
  verifyPendingKey,
} from './flip.js';
import { partnerKeyInventory } from './inventory.js';
import { adoptStagedKeyIntoPending, issueKeyIntoPending } from './issue.js';
import { parsePartnerKeySecretValue } from './secret-value.js';

/** The secret's key provider (by the function the inventory names), built by the handler. */
export type KeyProviderFactory = (functionName: string) => KeyProviderPort;

export interface PartnerKeyFetchDependencies {
  readonly secrets: SecretStorePort;
  readonly integrations: DataActionCredentialsPort;
  readonly executions: ExecutionsPort;
  /** The org the rotator's admin credential is in (`GET /api/v2/tokens/me`). */
  readonly org: () => Promise<{ id: string; name: string }>;
  readonly clock: Clock;
  readonly admin: { readonly secretArn: string; readonly environment: string };
  /** When set, a secret whose key is hard-coded in Genesys is refused (unless the input allows it). */
  readonly hardCodedSecrets?: HardCodedSecretGuard;
}

/** The flip's view of the inventory. */
export function partnerKeyTargetOf(inventory: PartnerKeyInventory): PartnerKeyTarget {
  const key = inventory.partnerKey;
  return {
    secretId: inventory.secretArn,
    credentialType: key.credentialType,
    env: key.env,
    service: key.service,
    integrationId: key.integrationId,
    credentialKey: key.credentialKey,
    healthActionId: key.healthActionId,
  };
}

const referenceOf = (inventory: PartnerKeyInventory) => ({
  secretId: inventory.secretArn,
  credentialType: inventory.partnerKey.credentialType,
  env: inventory.partnerKey.env,
  service: inventory.partnerKey.service,
});

/** Fetch of a partner-key secret: ids and facts, never a key. */
export async function fetchPartnerKeyInventory(
  deps: PartnerKeyFetchDependencies,
  fetched: FetchedSecret,
): Promise<PartnerKeyRotationState> {
  const { input, token, secret } = fetched;
  // Before anything else reads Genesys: a key written into an action or a flow would break there.
  const scanned = await refuseHardCodedSecret(
    deps.hardCodedSecrets,
    secret,
    input.allowHardCodedSecret === true,
  );
  const [facts, org, running] = await Promise.all([
    partnerKeyInventory({ secrets: deps.secrets, integrations: deps.integrations }, secret.arn),
    deps.org(),
    deps.executions.runningFor({ arn: secret.arn, name: secret.name }, fetched.executionId),
  ]);
  const cadence = Number.parseInt((secret.tags.cadence ?? '').replace(/d$/, ''), 10);
  const inventory: PartnerKeyInventory = {
    secretArn: secret.arn,
    secretName: secret.name,
    kind: 'integration-credential',
    token,
    tags: {
      environment: secret.tags[TAG_ENVIRONMENT] ?? null,
      orgId: secret.tags[TAG_ORG_ID] ?? null,
      stage: secret.tags[TAG_STAGE] ?? null,
    },
    currentVersionId: facts.currentVersionId,
    foreignPendingVersionId: foreignPendingVersion(secret, token),
    rotationEnabled: secret.rotationEnabled,
    rotationIntervalDays: secret.rotationIntervalDays,
    credential: { legacyId: facts.currentKeyId },
    partnerKey: {
      credentialType: facts.target.credentialType,
      env: facts.target.env,
      service: facts.target.service,
      cadenceDays: Number.isFinite(cadence) ? cadence : 0,
      keyProvider: facts.keyProviderFunction,
      stagedVersionId: versionWithStage(secret, OPERATOR_STAGED_LABEL),
      integrationId: facts.target.integrationId,
      credentialKey: facts.target.credentialKey,
      healthActionId: facts.target.healthActionId,
      legacyKeyId: facts.currentKeyId,
      legacyCredentialId: facts.currentCredentialId,
    },
    admin: { secretArn: deps.admin.secretArn, environment: deps.admin.environment },
    org,
    otherRunningExecutions: running.length,
    fetchedAt: deps.clock.now().toISOString(),
    ...(scanned?.blastRadius ? { blastRadius: scanned.blastRadius } : {}),
  };
  return {
    secretId: input.secretId,
    dryRun: input.dryRun,
    reason: input.reason,
    mode: input.mode,
    trigger: input.trigger,
    token,
    inventory,
  };
}

/** Create: the new key into AWSPENDING (version id = token), from the provider or the operator's staged value. */
export async function createPendingKey(
  deps: { secrets: SecretStorePort; provider: KeyProviderFactory },
  state: PartnerKeyRotationState,
): Promise<PartnerKeyCreated> {
  const { inventory } = requireState(state, 'Create', 'inventory', 'validation');
  const key = inventory.partnerKey;
  const request = {
    ...referenceOf(inventory),
    token: inventory.token,
    currentKeyId: key.legacyKeyId,
  };
  const pending =
    key.keyProvider === null
      ? await adoptStagedKeyIntoPending({ secrets: deps.secrets }, request)
      : await issueKeyIntoPending(
          { secrets: deps.secrets, provider: deps.provider(key.keyProvider) },
          request,
        );
  return {
    credential: { newId: pending.keyId },
    keyId: pending.keyId,
    source: key.keyProvider === null ? 'operator' : 'provider',
    versionId: inventory.token,
    reused: pending.alreadyPending,
  };
}

/**
 * Verify: the partner accepts the pending key (the provider's `test`), before anything points at it.
 * An operator-staged key has no provider to ask: the flip's action test is its test.
 */
export async function verifyPendingPartnerKey(
  deps: { secrets: SecretStorePort; provider: KeyProviderFactory },
  state: PartnerKeyRotationState,
): Promise<PartnerKeyVerified> {
  const { inventory, created } = requireState(state, 'Verify', 'inventory', 'created');
  const key = inventory.partnerKey;
  const pending = parsePartnerKeySecretValue(
    await deps.secrets.getValue(inventory.secretArn, { versionId: created.versionId }),
    `The pending version ${created.versionId} of ${inventory.secretName}`,
  );
  if (pending.keyId !== created.keyId) {
    throw new VerificationFailedError(
      `The pending value names key ${pending.keyId}, not the key ${created.keyId} made for this rotation`,
    );
  }
  if (key.keyProvider === null) return { keyId: pending.keyId, testedBy: 'none', attempts: 1 };
  const verified = await verifyPendingKey(
    { secrets: deps.secrets, provider: deps.provider(key.keyProvider) },
    partnerKeyTargetOf(inventory),
    created.versionId,
  );
  return { keyId: verified.keyId, testedBy: 'provider', attempts: 1 };
}

/**
 * Sync: the dual-slot flip first (a failed action test flips back and deletes the new object before
 * this throws, so AWSCURRENT never moves to a key the integration could not use), then AWSCURRENT.
 */
export async function promotePartnerKey(
  deps: { secrets: SecretStorePort; integrations: DataActionCredentialsPort; clock: Clock },
  state: PartnerKeyRotationState,
): Promise<PartnerKeySynced> {
  const { inventory, created } = requireState(state, 'Sync', 'inventory', 'created', 'verified');
  const target = partnerKeyTargetOf(inventory);
  const flipped = await flipToPendingKey(
    { secrets: deps.secrets, integrations: deps.integrations },
    target,
    created.versionId,
    inventory.partnerKey.legacyCredentialId,
  );
  const synced = await promotePendingVersion(deps, {
    trigger: state.trigger,
    secretArn: inventory.secretArn,
    secretName: inventory.secretName,
    currentVersionId: inventory.currentVersionId,
    token: created.versionId,
  });
  return {
    ...synced,
    flip: {
      integrationId: target.integrationId,
      newCredentialId: flipped.newCredentialId,
      previousCredentialId: flipped.previousCredentialId,
      testedActionId: target.healthActionId,
    },
  };
}

/** Retiring is only safe while AWSCURRENT still holds this rotation's key. */
async function assertStillCurrent(secrets: SecretStorePort, state: PartnerKeyRotationState, step: string) {
  const { inventory, synced } = requireState(state, step, 'inventory', 'synced');
  const secret = await secrets.describe(inventory.secretArn);
  if (!stagesOf(secret, synced.currentVersionId).includes(AWSCURRENT)) {
    throw new NeedsAttentionError(
      `AWSCURRENT of ${inventory.secretName} is no longer version ${synced.currentVersionId}; not retiring key ${inventory.partnerKey.legacyKeyId}`,
    );
  }
}

/**
 * DeactivateLegacy / ReactivateLegacy: a partner key has no reversible "inactive" state. The old key
 * stays valid for every consumer still holding it until DeleteLegacy revokes it; nothing changes.
 */
export function keepLegacyKeyValid(
  deps: { clock: Clock },
  state: PartnerKeyRotationState,
  step: 'DeactivateLegacy' | 'ReactivateLegacy',
): PartnerKeyRetired {
  const { inventory } = state;
  const at =
    step === 'DeactivateLegacy' && state.retired?.at ? state.retired.at : deps.clock.now().toISOString();
  return {
    legacyId: inventory.partnerKey.legacyKeyId,
    action: 'kept-valid',
    credentialDeleted: false,
    at,
    note: `Key ${inventory.partnerKey.legacyKeyId} stays valid at the partner until it is revoked (a partner key has no reversible deactivation)`,
  };
}

/** DeleteLegacy: the old key revoked at the provider (after the gate), then its credential object deleted. */
export async function retireLegacyKey(
  deps: {
    secrets: SecretStorePort;
    integrations: DataActionCredentialsPort;
    provider: KeyProviderFactory;
    clock: Clock;
  },
  state: PartnerKeyRotationState,
): Promise<PartnerKeyRetired> {
  await assertStillCurrent(deps.secrets, state, 'DeleteLegacy');
  const { inventory, synced } = requireState(state, 'DeleteLegacy', 'inventory', 'synced');
  const key = inventory.partnerKey;
  const target = partnerKeyTargetOf(inventory);
  const old = { keyId: key.legacyKeyId, credentialId: synced.flip.previousCredentialId };
  const at = deps.clock.now().toISOString();
  if (key.keyProvider === null) {
    // No provider to revoke with: the credential object goes; the operator revokes the key.
    const references = await deps.integrations.credentialReferences(target.integrationId);
    if (references.credentials[target.credentialKey] === old.credentialId) {
      throw new VerificationFailedError(
        `Integration ${target.integrationId} still uses credential ${old.credentialId}: the old key is not retired`,
      );
    }
    await deps.integrations.deleteCredential(old.credentialId);
    return {
      legacyId: old.keyId,
      action: 'left-to-operator',
      credentialDeleted: true,
      at,
      note: `Credential ${old.credentialId} was deleted; revoke the old key ${old.keyId} in the partner's portal (operator-staged keys)`,
    };
  }
  const retired = await retireOldKey(
    { provider: deps.provider(key.keyProvider), integrations: deps.integrations },
    target,
    old,
  );
  return {
    legacyId: old.keyId,
    action: retired.alreadyRevoked ? 'already-revoked' : 'revoked',
    credentialDeleted: true,
    at,
    note: `Key ${old.keyId} was revoked by ${key.keyProvider} and credential ${old.credentialId} deleted`,
  };
}

/**
 * DiscardPending (compensation, in the Rotator, which can read the pending value): AWSPENDING is
 * dropped from the token's version and the pending key's id kept for the Rollback that follows.
 * Never touches a version that became current.
 */
export async function discardPendingPartnerKey(
  deps: { secrets: SecretStorePort },
  state: PartnerKeyRotationState,
): Promise<PartnerKeyRolledBack> {
  const { inventory } = state;
  const token = state.created?.versionId ?? inventory.token;
  const none: PartnerKeyRolledBack = {
    discardedPendingVersionId: null,
    pendingKeyId: state.created?.keyId ?? null,
    flippedBack: false,
    deletedCredentialId: null,
    revokedKeyId: null,
  };
  const secret = await deps.secrets.describe(inventory.secretArn);
  const stages = stagesOf(secret, token);
  if (stages.includes(AWSCURRENT)) {
    throw new NeedsAttentionError(
      `Version ${token} of ${secret.name} is already AWSCURRENT; the rotation cannot be rolled back`,
    );
  }
  const stored = await deps.secrets.getValue(secret.arn, { versionId: token });
  const pendingKeyId =
    stored === null
      ? none.pendingKeyId
      : parsePartnerKeySecretValue(stored, `The pending version ${token} of ${secret.name}`).keyId;
  if (!stages.includes(AWSPENDING)) return { ...none, pendingKeyId };
  await deps.secrets.removeStage(secret.arn, AWSPENDING, token);
  return { ...none, discardedPendingVersionId: token, pendingKeyId };
}

/**
 * Rollback (compensation, after DiscardPending): the integration back on the legacy credential
 * object, the object made for the token deleted, then the new key revoked at the provider, so the
 * failed rotation leaves no credential object and no valid key behind. An operator-staged key is the
 * operator's: it is not revoked (stage it again, or revoke it in the partner's portal).
 */
export async function rollbackPartnerKey(
  deps: { secrets: SecretStorePort; integrations: DataActionCredentialsPort; provider: KeyProviderFactory },
  state: PartnerKeyRotationState,
): Promise<PartnerKeyRolledBack> {
  const { inventory } = state;
  const key = inventory.partnerKey;
  const token = state.created?.versionId ?? inventory.token;
  const secret = await deps.secrets.describe(inventory.secretArn);
  if (stagesOf(secret, token).includes(AWSCURRENT)) {
    throw new NeedsAttentionError(
      `Version ${token} of ${secret.name} is already AWSCURRENT; its key is in use and is not revoked`,
    );
  }
  const target = partnerKeyTargetOf(inventory);
  const earlier = state.rolledBack;
  const newCredentialId = await deps.integrations.findCredentialByName(pendingCredentialName(target, token));
  const references = await deps.integrations.credentialReferences(target.integrationId);
  const referenced = references.credentials[target.credentialKey];
  let flippedBack = false;
  if (newCredentialId !== null) {
    flippedBack = referenced === newCredentialId;
    await flipBack({ integrations: deps.integrations }, target, {
      newCredentialId,
      previousCredentialId: key.legacyCredentialId,
    });
  } else if (referenced !== key.legacyCredentialId) {
    throw new NeedsAttentionError(
      `Integration ${target.integrationId} references credential ${referenced ?? '(none)'}, neither the legacy credential ${key.legacyCredentialId} nor one made for this rotation; not changing it`,
    );
  }
  const pendingKeyId = earlier?.pendingKeyId ?? state.created?.keyId ?? null;
  const rolledBack: PartnerKeyRolledBack = {
    discardedPendingVersionId: earlier?.discardedPendingVersionId ?? null,
    pendingKeyId,
    flippedBack,
    deletedCredentialId: newCredentialId,
    revokedKeyId: null,
  };
  // Operator-staged keys: the operator revokes at the partner.
  if (key.keyProvider === null) return rolledBack;
  const provider = deps.provider(key.keyProvider);
  if (pendingKeyId !== null && pendingKeyId !== key.legacyKeyId) {
    await provider.revoke({ ...referenceOf(inventory), keyId: pendingKeyId });
    rolledBack.revokedKeyId = pendingKeyId;
  }
  if (state.created !== undefined) return rolledBack;
  return { ...rolledBack, revokedTokenKeyIds: await revokeKeysIssuedForToken(provider, inventory, token) };
}

/**
 * Create failed: it may have died after the provider issued a key and before the key was stored, so
 * the key's id is known only to the provider, by the token. A provider that cannot revoke by token
 * leaves a possible orphan key, said loudly.
 */
async function revokeKeysIssuedForToken(
  provider: KeyProviderPort,
  inventory: PartnerKeyRotationState['inventory'],
  token: string,
): Promise<string[]> {
  const answer = await provider.revokeTokenKeys({ ...referenceOf(inventory), rotationToken: token });
  if (answer === null) {
    throw new NeedsAttentionError(
      `Create of this rotation of ${inventory.secretName} failed and key provider ${inventory.partnerKey.keyProvider} does not implement revokeTokenKeys: a key it issued for rotation token ${token} before the failure may still be valid at the partner; revoke it there (docs/KEY-PROVIDERS.md)`,
    );
  }
  return answer.revokedKeyIds;
}
