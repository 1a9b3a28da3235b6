/**
 * A new partner key into AWSPENDING, from one of the two sources docs/KEY-PROVIDERS.md describes:
 * the customer's key provider (`issue`) or a value the operator staged under `GENESYS_STAGED`.
 * Either way the key goes from its source straight into `PutSecretValue` inside this call and is
 * never returned: the result holds the key's id only.
 */
import { InvalidInputError } from '../../shared/errors.js';
import type { KeyProviderPort } from '../../shared/key-provider.js';
import { KeyProviderFailedError } from '../../shared/key-provider.js';
import {
  OPERATOR_STAGED_LABEL,
  type PartnerCredentialType,
  PartnerKeySecretValueSchema,
} from '../../shared/key-provider-contract.js';
import type { SecretStorePort } from '../../shared/ports.js';
import { parsePartnerKeySecretValue, serialisePartnerKeySecretValue } from './secret-value.js';

export interface PendingKeyRequest {
  readonly secretId: string;
  readonly token: string;
  readonly credentialType: PartnerCredentialType;
  readonly env: string;
  readonly service: string;
  /** The key AWSCURRENT holds, which stays valid until retired. */
  readonly currentKeyId: string | null;
}

export interface PendingKey {
  readonly keyId: string;
  /** The pending version already held a key for this token (a retried step). */
  readonly alreadyPending: boolean;
}

/** A replay of the same token finds its pending value and changes nothing. */
async function existingPending(
  secrets: SecretStorePort,
  request: PendingKeyRequest,
): Promise<PendingKey | null> {
  const raw = await secrets.getValue(request.secretId, { versionId: request.token });
  if (raw === null) return null;
  const value = parsePartnerKeySecretValue(
    raw,
    `The pending version ${request.token} of ${request.secretId}`,
  );
  return { keyId: value.keyId, alreadyPending: true };
}

export async function issueKeyIntoPending(
  deps: { secrets: SecretStorePort; provider: KeyProviderPort },
  request: PendingKeyRequest,
): Promise<PendingKey> {
  const existing = await existingPending(deps.secrets, request);
  if (existing) return existing;
  const issued = await deps.provider.issue({
    secretId: request.secretId,
    credentialType: request.credentialType,
    env: request.env,
    service: request.service,
    rotationToken: request.token,
    currentKeyId: request.currentKeyId,
  });
  const value = PartnerKeySecretValueSchema.safeParse({
    credentialType: request.credentialType,
    keyId: issued.keyId,
    fields: issued.fields,
  });
  if (!value.success) {
    // A key the rotator cannot store must not stay valid at the partner.
    await deps.provider
      .revoke({
        secretId: request.secretId,
        credentialType: request.credentialType,
        env: request.env,
        service: request.service,
        keyId: issued.keyId,
      })
      .catch(() => undefined);
    const fields = [...new Set(value.error.issues.map((issue) => issue.path.join('.')))];
    throw new KeyProviderFailedError(
      `The key provider's issue answer does not fit a ${request.credentialType} credential at ${fields.join(', ')}; the key was revoked`,
      { details: { secretId: request.secretId, keyId: issued.keyId } },
    );
  }
  if (value.data.keyId === request.currentKeyId) {
    throw new KeyProviderFailedError(
      `The key provider answered the current key ${issued.keyId} instead of a new one`,
      { details: { secretId: request.secretId, keyId: issued.keyId } },
    );
  }
  await deps.secrets.putPending(request.secretId, request.token, serialisePartnerKeySecretValue(value.data));
  return { keyId: value.data.keyId, alreadyPending: false };
}

/**
 * The operator obtained the new key from the partner and staged it with
 * `PutSecretValue --version-stages GENESYS_STAGED`: that version becomes AWSPENDING for this token,
 * then loses the label, so a staged value is used once.
 */
export async function adoptStagedKeyIntoPending(
  deps: { secrets: SecretStorePort },
  request: PendingKeyRequest,
): Promise<PendingKey> {
  const existing = await existingPending(deps.secrets, request);
  if (existing) return existing;
  const described = await deps.secrets.describe(request.secretId);
  const stagedVersionId = Object.entries(described.versionIdsToStages).find(([, stages]) =>
    stages.includes(OPERATOR_STAGED_LABEL),
  )?.[0];
  if (!stagedVersionId) {
    throw new InvalidInputError(
      `Secret ${request.secretId} takes operator-staged keys and no version carries ${OPERATOR_STAGED_LABEL}: stage the new key first (docs/KEY-PROVIDERS.md)`,
      { details: { secretId: request.secretId } },
    );
  }
  const where = `The version of ${request.secretId} staged ${OPERATOR_STAGED_LABEL}`;
  const staged = parsePartnerKeySecretValue(
    await deps.secrets.getValue(request.secretId, { versionId: stagedVersionId }),
    where,
  );
  if (staged.credentialType !== request.credentialType) {
    throw new InvalidInputError(
      `${where} holds a ${staged.credentialType} credential, not ${request.credentialType}`,
      {
        details: { secretId: request.secretId },
      },
    );
  }
  if (staged.keyId === request.currentKeyId) {
    throw new InvalidInputError(`${where} holds the current key ${staged.keyId}: stage a new key`, {
      details: { secretId: request.secretId },
    });
  }
  await deps.secrets.putPending(request.secretId, request.token, serialisePartnerKeySecretValue(staged));
  await deps.secrets.removeStage(request.secretId, OPERATOR_STAGED_LABEL, stagedVersionId);
  return { keyId: staged.keyId, alreadyPending: false };
}
