/**
 * The dual-slot flip of a partner key (DESIGN.md §2.2, issue #10 part 3). The integration's
 * current credential object is never edited: the new key goes into a new credential object, the
 * integration's `config/current` is flipped to it, one action is tested end to end, and the flip is
 * undone if that test fails. The old credential object stays, untouched, for rollback (a flip back)
 * until the old key is retired after the adoption gate.
 *
 * Order matters for "zero failed calls": the pending key is tested at the partner first
 * (`verifyPendingKey`), so the flip only ever points the integration at a key the partner accepts;
 * the action test after the flip checks the whole path (templates, auth action, credential fields).
 */

import type { DataActionCredentialsPort } from '../../shared/data-action-ports.js';
import { VerificationFailedError } from '../../shared/errors.js';
import type { KeyProviderPort } from '../../shared/key-provider.js';
import type { PartnerCredentialType } from '../../shared/key-provider-contract.js';
import type { SecretStorePort } from '../../shared/ports.js';
import { partnerCredentialName } from '../naming.js';
import { parsePartnerKeySecretValue } from './secret-value.js';

export interface PartnerKeyTarget {
  readonly secretId: string;
  readonly credentialType: PartnerCredentialType;
  readonly env: string;
  readonly service: string;
  readonly integrationId: string;
  /** Key under the integration's `config.credentials` (e.g. `userDefined`, `basicAuth`). */
  readonly credentialKey: string;
  /** The action tested after the flip (one per integration). */
  readonly healthActionId: string;
  readonly healthActionInput?: Readonly<Record<string, unknown>>;
}

export interface FlipResult {
  readonly newCredentialId: string;
  readonly previousCredentialId: string;
  readonly newKeyId: string;
}

/** Name of the credential object holding this rotation's key: found again on a retry. */
export function pendingCredentialName(target: PartnerKeyTarget, token: string): string {
  return partnerCredentialName(target.service, target.env, token);
}

async function pendingValue(secrets: SecretStorePort, secretId: string, token: string) {
  return parsePartnerKeySecretValue(
    await secrets.getValue(secretId, { versionId: token }),
    `The pending version ${token} of ${secretId}`,
  );
}

/** The partner accepts the pending key (the provider's `test`), before anything points at it. */
export async function verifyPendingKey(
  deps: { secrets: SecretStorePort; provider: KeyProviderPort },
  target: PartnerKeyTarget,
  token: string,
): Promise<{ keyId: string }> {
  const value = await pendingValue(deps.secrets, target.secretId, token);
  const outcome = await deps.provider.test({
    secretId: target.secretId,
    credentialType: target.credentialType,
    env: target.env,
    service: target.service,
    keyId: value.keyId,
    fields: value.fields,
  });
  if (!outcome.accepted) {
    throw new VerificationFailedError(
      `The partner does not accept the pending key ${value.keyId}${outcome.reason ? `: ${outcome.reason}` : ''}`,
      { details: { secretId: target.secretId, keyId: value.keyId } },
    );
  }
  return { keyId: value.keyId };
}

/**
 * New credential object with the pending key, integration flipped to it, one action tested;
 * flipped back (and the new object deleted) if the test fails. Idempotent by token: a retry finds
 * its credential object by name and an integration already flipped to it.
 */
export async function flipToPendingKey(
  deps: { secrets: SecretStorePort; integrations: DataActionCredentialsPort },
  target: PartnerKeyTarget,
  token: string,
  /** The credential object the integration held before this rotation (known on a retry). */
  knownPreviousCredentialId: string | null = null,
): Promise<FlipResult> {
  const { integrations } = deps;
  const value = await pendingValue(deps.secrets, target.secretId, token);
  const name = pendingCredentialName(target, token);
  const newCredentialId =
    (await integrations.findCredentialByName(name)) ??
    (await integrations.createCredential({ name, type: target.credentialType, fields: value.fields }));
  const references = await integrations.credentialReferences(target.integrationId);
  const current = references.credentials[target.credentialKey];
  if (current === undefined) {
    throw new VerificationFailedError(
      `Integration ${target.integrationId} has no credential under ${target.credentialKey}`,
      { details: { integrationId: target.integrationId } },
    );
  }
  const previousCredentialId = current === newCredentialId ? knownPreviousCredentialId : current;
  if (previousCredentialId === null) {
    throw new VerificationFailedError(
      `Integration ${target.integrationId} already holds this rotation's credential and the previous one is unknown`,
      { details: { integrationId: target.integrationId, credentialId: newCredentialId } },
    );
  }
  if (current !== newCredentialId) {
    await integrations.setCredentialReference(target.integrationId, target.credentialKey, newCredentialId);
  }
  const tested = await integrations.testAction(target.healthActionId, target.healthActionInput ?? {});
  if (!tested.success) {
    await flipBack(deps, target, { newCredentialId, previousCredentialId });
    throw new VerificationFailedError(
      `Action ${target.healthActionId} failed with the new key ${value.keyId}; integration ${target.integrationId} flipped back: ${tested.message ?? `status ${tested.status}`}`,
      {
        details: { integrationId: target.integrationId, actionId: target.healthActionId, keyId: value.keyId },
      },
    );
  }
  return { newCredentialId, previousCredentialId, newKeyId: value.keyId };
}

/** Rollback is a flip: the integration back on its previous credential object, the new one deleted. */
export async function flipBack(
  deps: { integrations: DataActionCredentialsPort },
  target: PartnerKeyTarget,
  slots: { newCredentialId: string; previousCredentialId: string },
): Promise<void> {
  const references = await deps.integrations.credentialReferences(target.integrationId);
  if (references.credentials[target.credentialKey] !== slots.previousCredentialId) {
    await deps.integrations.setCredentialReference(
      target.integrationId,
      target.credentialKey,
      slots.previousCredentialId,
    );
  }
  await deps.integrations.deleteCredential(slots.newCredentialId);
}

/**
 * After the adoption gate only: the old key revoked at the partner, then its credential object
 * deleted. Until then a consumer holding the old value (a stale cache of AWSPREVIOUS) keeps working.
 */
export async function retireOldKey(
  deps: { provider: KeyProviderPort; integrations: DataActionCredentialsPort },
  target: PartnerKeyTarget,
  old: { keyId: string; credentialId: string },
): Promise<{ alreadyRevoked: boolean }> {
  const references = await deps.integrations.credentialReferences(target.integrationId);
  if (references.credentials[target.credentialKey] === old.credentialId) {
    throw new VerificationFailedError(
      `Integration ${target.integrationId} still uses credential ${old.credentialId}: the old key is not retired`,
      { details: { integrationId: target.integrationId, credentialId: old.credentialId } },
    );
  }
  const revoked = await deps.provider.revoke({
    secretId: target.secretId,
    credentialType: target.credentialType,
    env: target.env,
    service: target.service,
    keyId: old.keyId,
  });
  await deps.integrations.deleteCredential(old.credentialId);
  return { alreadyRevoked: revoked.alreadyRevoked };
}
