/**
 * What a partner-key rotation starts from (its Fetch): the secret's tags and current value, and the
 * integration that uses the credential, checked before anything changes. Returns ids and facts,
 * never a key.
 */

import type { DataActionCredentialsPort } from '../../shared/data-action-ports.js';
import { InvalidInputError, TargetNotFoundError } from '../../shared/errors.js';
import {
  OPERATOR_STAGED_PROVIDER,
  PartnerKeyTargetTagsSchema,
  TAG_CREDENTIAL_KEY,
  TAG_HEALTH_ACTION_ID,
  TAG_INTEGRATION_ID,
  TAG_KEY_PROVIDER,
} from '../../shared/key-provider-contract.js';
import type { SecretStorePort } from '../../shared/ports.js';
import type { PartnerKeyTarget } from './flip.js';
import { parsePartnerKeySecretValue, parsePartnerKeyTags } from './secret-value.js';

export interface PartnerKeyInventory {
  readonly target: PartnerKeyTarget;
  readonly secretArn: string;
  readonly currentVersionId: string;
  readonly currentKeyId: string;
  /** The credential object the integration references now. */
  readonly currentCredentialId: string;
  /** A key provider function, or null for operator-staged keys. */
  readonly keyProviderFunction: string | null;
}

export async function partnerKeyInventory(
  deps: { secrets: SecretStorePort; integrations: DataActionCredentialsPort },
  secretId: string,
): Promise<PartnerKeyInventory> {
  const described = await deps.secrets.describe(secretId);
  const tags = parsePartnerKeyTags(described.tags, described.arn);
  const placement = PartnerKeyTargetTagsSchema.safeParse(described.tags);
  if (!placement.success) {
    throw new InvalidInputError(
      `Secret ${described.arn} does not say where its credential is used: tag ${TAG_INTEGRATION_ID} and ${TAG_HEALTH_ACTION_ID}`,
      { details: { secretId: described.arn } },
    );
  }
  const currentVersionId = Object.entries(described.versionIdsToStages).find(([, stages]) =>
    stages.includes('AWSCURRENT'),
  )?.[0];
  if (!currentVersionId) {
    throw new TargetNotFoundError(`Secret ${described.arn} has no AWSCURRENT version`, {
      details: { secretId: described.arn },
    });
  }
  const current = parsePartnerKeySecretValue(
    await deps.secrets.getValue(described.arn, { versionId: currentVersionId }),
    `The current value of ${described.arn}`,
  );
  const integrationId = placement.data[TAG_INTEGRATION_ID];
  const credentialKey = placement.data[TAG_CREDENTIAL_KEY] ?? current.credentialType;
  const references = await deps.integrations.credentialReferences(integrationId);
  const currentCredentialId = references.credentials[credentialKey];
  if (currentCredentialId === undefined) {
    throw new TargetNotFoundError(
      `Integration ${integrationId} references no credential under ${credentialKey}`,
      { details: { secretId: described.arn, integrationId } },
    );
  }
  const provider = tags[TAG_KEY_PROVIDER];
  return {
    target: {
      secretId: described.arn,
      credentialType: current.credentialType,
      env: tags.env,
      service: tags.service,
      integrationId,
      credentialKey,
      healthActionId: placement.data[TAG_HEALTH_ACTION_ID],
    },
    secretArn: described.arn,
    currentVersionId,
    currentKeyId: current.keyId,
    currentCredentialId,
    keyProviderFunction: provider === OPERATOR_STAGED_PROVIDER ? null : provider,
  };
}
