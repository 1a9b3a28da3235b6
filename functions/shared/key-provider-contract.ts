/**
 * The key provider contract (docs/KEY-PROVIDERS.md) and the managed secret of a partner API key.
 *
 * A key provider is a customer Lambda the rotator invokes synchronously with one of three requests:
 * `issue` (a new key for one credential), `test` (does the partner accept this key?) and `revoke`
 * (the partner stops accepting a key). Only the `issue` answer and the `test` request carry a key;
 * both travel only between the provider and the rotator function that writes or reads Secrets
 * Manager, and are parsed here without ever being echoed in an error.
 *
 * One Secrets Manager secret holds exactly one integration credential: a value that bundles several
 * (an array, a map of credentials, nested objects) is refused by the strict schema.
 *
 * `zod/mini` (`./zod.js`), as every schema every bundle loads: the rotator's bundles and the example
 * provider's stay small.
 */
import { PARTNER_CREDENTIAL_TYPES, type PartnerCredentialType } from './contract.js';
import * as z from './zod.js';

export { PARTNER_CREDENTIAL_TYPES, type PartnerCredentialType };
export const PartnerCredentialTypeSchema = z.enum(PARTNER_CREDENTIAL_TYPES);

/** Tags every partner-key secret carries (besides `genesys:kind = integration-credential`). */
export const TAG_ENV = 'env';
export const TAG_SERVICE = 'service';
export const TAG_CADENCE = 'cadence';
/** The provider that issues this secret's keys: a Lambda function name or ARN, or `operator`. */
export const TAG_KEY_PROVIDER = 'genesys:key-provider';
export const OPERATOR_STAGED_PROVIDER = 'operator';
/**
 * The staging label an operator puts on a new value they obtained from the partner themselves; the
 * rotation copies that version into AWSPENDING and removes the label (docs/KEY-PROVIDERS.md).
 */
export const OPERATOR_STAGED_LABEL = 'GENESYS_STAGED';

export const PartnerKeyTagsSchema = z.object({
  [TAG_ENV]: z.string().check(z.minLength(1), z.maxLength(64)),
  [TAG_SERVICE]: z.string().check(z.minLength(1), z.maxLength(128)),
  /** How often the key rotates, e.g. `30d`. */
  [TAG_CADENCE]: z.string().check(z.regex(/^[1-9]\d{0,2}d$/, 'a number of days, e.g. 30d')),
  [TAG_KEY_PROVIDER]: z.string().check(z.minLength(1), z.maxLength(170)),
});
export type PartnerKeyTags = z.infer<typeof PartnerKeyTagsSchema>;

/** Where the credential is used in Genesys: the integration, its `config.credentials` key, the action to test. */
export const TAG_INTEGRATION_ID = 'genesys:integration-id';
export const TAG_CREDENTIAL_KEY = 'genesys:credential-key';
export const TAG_HEALTH_ACTION_ID = 'genesys:health-action-id';

export const PartnerKeyTargetTagsSchema = z.object({
  [TAG_INTEGRATION_ID]: z.string().check(z.minLength(1), z.maxLength(64)),
  /** Default: the credential type name, as Genesys' UI keys it. */
  [TAG_CREDENTIAL_KEY]: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  [TAG_HEALTH_ACTION_ID]: z.string().check(z.minLength(1), z.maxLength(128)),
});

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const fieldValue = z.string().check(z.minLength(1), z.maxLength(4096));

/** The fields of one credential, as `credentialFields` of `POST /api/v2/integrations/credentials`. */
export const BasicAuthFieldsSchema = z.strictObject({ userName: fieldValue, password: fieldValue });
export const UserDefinedOAuthFieldsSchema = z.strictObject({
  clientId: fieldValue,
  clientSecret: fieldValue,
  loginUrl: z.optional(z.url({ protocol: /^https?$/ }).check(z.maxLength(2048))),
});
/** Arbitrary key/values (§4.2), flat strings only, and at most a handful: one credential, not a bundle. */
export const UserDefinedFieldsSchema = z.record(z.string().check(z.regex(FIELD_NAME)), fieldValue).check(
  z.refine((fields) => Object.keys(fields).length >= 1, 'at least one field'),
  z.refine((fields) => Object.keys(fields).length <= 8, 'at most 8 fields: one credential per secret'),
);

export type PartnerKeyFields = Record<string, string>;

/** Which fields schema a credential type takes. */
export function fieldsSchemaOf(type: PartnerCredentialType): z.ZodMiniType<PartnerKeyFields> {
  switch (type) {
    case 'basicAuth':
      return BasicAuthFieldsSchema;
    case 'userDefinedOAuth':
      return UserDefinedOAuthFieldsSchema as z.ZodMiniType<PartnerKeyFields>;
    case 'userDefined':
      return UserDefinedFieldsSchema;
  }
}

const keyId = z.string().check(z.minLength(1), z.maxLength(256));

/**
 * The managed secret's value for one partner key. Strict: `{credentials: [...]}`, two keys side by
 * side or a nested object are refused, so one rotation never touches another credential's key.
 */
export const PartnerKeySecretValueSchema = z
  .strictObject({
    credentialType: PartnerCredentialTypeSchema,
    /** The provider's handle of this key: what `revoke` and the partner's usage name. */
    keyId,
    fields: z.record(z.string(), z.string()),
  })
  .check(
    z.superRefine((value, context) => {
      const parsed = z.safeParse(fieldsSchemaOf(value.credentialType), value.fields);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          context.issues.push({
            ...issue,
            input: value.fields,
            path: ['fields', ...issue.path],
          } as unknown as z.core.$ZodRawIssue);
        }
      }
    }),
  );
export type PartnerKeySecretValue = z.infer<typeof PartnerKeySecretValueSchema>;

/** What the rotator tells a provider about the credential whose key it asks for. Ids and names only. */
const credentialReference = {
  /** The managed secret's ARN. */
  secretId: z.string().check(z.minLength(1), z.maxLength(2048)),
  credentialType: PartnerCredentialTypeSchema,
  /** env/service tags of the secret, so one provider can serve several partners or environments. */
  env: z.string().check(z.minLength(1), z.maxLength(64)),
  service: z.string().check(z.minLength(1), z.maxLength(128)),
};

export const IssueKeyRequestSchema = z.strictObject({
  operation: z.literal('issue'),
  ...credentialReference,
  /**
   * The rotation token. A retried issue for the same token (the rotator crashed before it stored the
   * answer) gets a new key; the provider revokes any key it issued earlier for that token, so a retry
   * leaves no orphan key at the partner.
   */
  rotationToken: z.string().check(z.minLength(32), z.maxLength(64)),
  /** The key being replaced, which stays valid until the rotator revokes it. */
  currentKeyId: z.nullable(keyId),
});
export const TestKeyRequestSchema = z.strictObject({
  operation: z.literal('test'),
  ...credentialReference,
  keyId,
  fields: z.record(z.string(), z.string()),
});
export const RevokeKeyRequestSchema = z.strictObject({
  operation: z.literal('revoke'),
  ...credentialReference,
  keyId,
});
/**
 * Optional: revoke every key issued for a rotation token. The rollback of a rotation whose Create
 * failed asks this, since a key issued before the failure was never stored and its id is unknown to
 * the rotator. A provider without it throws `UnsupportedOperationError`; such a rollback then ends
 * NeedsAttention, naming the token, whenever a key may have been issued.
 */
export const RevokeTokenKeysRequestSchema = z.strictObject({
  operation: z.literal('revokeTokenKeys'),
  ...credentialReference,
  rotationToken: z.string().check(z.minLength(32), z.maxLength(64)),
});
/**
 * Optional: how much the partner saw a key used (the adoption gate's evidence that consumers left
 * the old key). A provider that cannot tell throws an error of type `UnsupportedOperationError`;
 * the rotator then retires the old key after the policy's quiet period alone.
 */
export const KeyUsageRequestSchema = z.strictObject({
  operation: z.literal('usage'),
  ...credentialReference,
  keyId,
});
export const KeyProviderRequestSchema = z.discriminatedUnion('operation', [
  IssueKeyRequestSchema,
  TestKeyRequestSchema,
  RevokeKeyRequestSchema,
  RevokeTokenKeysRequestSchema,
  KeyUsageRequestSchema,
]);
export type IssueKeyRequest = z.infer<typeof IssueKeyRequestSchema>;
export type TestKeyRequest = z.infer<typeof TestKeyRequestSchema>;
export type RevokeKeyRequest = z.infer<typeof RevokeKeyRequestSchema>;
export type RevokeTokenKeysRequest = z.infer<typeof RevokeTokenKeysRequestSchema>;
export type KeyUsageRequest = z.infer<typeof KeyUsageRequestSchema>;
export type KeyProviderRequest = z.infer<typeof KeyProviderRequestSchema>;

/** `issue`: the new key's handle and the credential fields that hold it (checked per type by the rotator). */
export const IssueKeyResponseSchema = z.strictObject({
  keyId,
  fields: z.record(z.string(), z.string()),
});
/** `test`: whether the partner accepted the key; `reason` is a short, value-free explanation. */
export const TestKeyResponseSchema = z.strictObject({
  accepted: z.boolean(),
  reason: z.optional(z.string().check(z.maxLength(256))),
});
/** `revoke`: idempotent; a key already revoked, or unknown to the partner, answers `alreadyRevoked`. */
export const RevokeKeyResponseSchema = z.strictObject({
  keyId,
  revoked: z.literal(true),
  alreadyRevoked: z.boolean(),
});
/** `revokeTokenKeys`: the keys issued for the token that were still valid and are now revoked (none: `[]`). */
export const RevokeTokenKeysResponseSchema = z.strictObject({
  rotationToken: z.string(),
  revokedKeyIds: z.array(keyId),
});
/** `usage`: the partner's counters for the key; `lastUsedAt` null when never used. */
export const KeyUsageResponseSchema = z.strictObject({
  keyId,
  lastUsedAt: z.nullable(z.iso.datetime({ offset: true })),
  requests: z.nullable(z.int().check(z.minimum(0))),
});
/** The error type a provider throws for an operation it does not implement (`usage` is optional). */
export const UNSUPPORTED_OPERATION_ERROR = 'UnsupportedOperationError';
export type IssueKeyResponse = z.infer<typeof IssueKeyResponseSchema>;
export type TestKeyResponse = z.infer<typeof TestKeyResponseSchema>;
export type RevokeKeyResponse = z.infer<typeof RevokeKeyResponseSchema>;
export type RevokeTokenKeysResponse = z.infer<typeof RevokeTokenKeysResponseSchema>;
export type KeyUsageResponse = z.infer<typeof KeyUsageResponseSchema>;
