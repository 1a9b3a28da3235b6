import { describe, expect, it } from 'vitest';
import {
  IssueKeyResponseSchema,
  KeyProviderRequestSchema,
  PartnerKeySecretValueSchema,
  PartnerKeyTagsSchema,
  RevokeKeyResponseSchema,
} from '../../../functions/shared/key-provider-contract.js';

const reference = {
  secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner/orders-AbCdEf',
  credentialType: 'userDefined',
  env: 'prod',
  service: 'orders',
};

describe('Key provider contract schemas (docs/KEY-PROVIDERS.md)', () => {
  it('accepts each operation with its own members, and refuses a member of another', () => {
    // Act
    const issue = KeyProviderRequestSchema.safeParse({
      operation: 'issue',
      ...reference,
      rotationToken: '0b3c7a4e-2f1d-4b8a-9c6e-5d4f3a2b1c0d',
      currentKeyId: null,
    });
    const revokeWithFields = KeyProviderRequestSchema.safeParse({
      operation: 'revoke',
      ...reference,
      keyId: 'key_1',
      fields: { apiKey: 'x' },
    });
    const unknown = KeyProviderRequestSchema.safeParse({ operation: 'rotate', ...reference });

    // Assess
    expect(issue.success).toBe(true);
    expect(revokeWithFields.success).toBe(false);
    expect(unknown.success).toBe(false);
  });

  it('refuses an issue answer with extra members and a revoke answer that did not revoke', () => {
    // Act
    const extra = IssueKeyResponseSchema.safeParse({
      keyId: 'k',
      fields: { apiKey: 'x' },
      expiresAt: 'soon',
    });
    const notRevoked = RevokeKeyResponseSchema.safeParse({
      keyId: 'k',
      revoked: false,
      alreadyRevoked: false,
    });

    // Assess
    expect(extra.success).toBe(false);
    expect(notRevoked.success).toBe(false);
  });

  it.each([
    [{ credentialType: 'basicAuth', keyId: 'k', fields: { userName: 'u', password: 'p' } }, true],
    [{ credentialType: 'basicAuth', keyId: 'k', fields: { userName: 'u' } }, false],
    [{ credentialType: 'userDefinedOAuth', keyId: 'k', fields: { clientId: 'c', clientSecret: 's' } }, true],
    [
      {
        credentialType: 'userDefinedOAuth',
        keyId: 'k',
        fields: { clientId: 'c', clientSecret: 's', loginUrl: 'ftp://x' },
      },
      false,
    ],
    [{ credentialType: 'userDefined', keyId: 'k', fields: {} }, false],
    [
      {
        credentialType: 'userDefined',
        keyId: 'k',
        fields: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`key${i}`, 'v'])),
      },
      false,
    ],
    [
      { credentialType: 'pureCloudOAuthClient', keyId: 'k', fields: { clientId: 'c', clientSecret: 's' } },
      false,
    ],
    [{ credentialType: 'userDefined', keyId: 'k', fields: { apiKey: 'x' }, environment: 'prod' }, false],
  ])('one credential per secret: %j is %s', (value, valid) => {
    expect(PartnerKeySecretValueSchema.safeParse(value).success).toBe(valid);
  });

  it('needs env, service, a cadence in days and a key provider among the tags', () => {
    // Act
    const good = PartnerKeyTagsSchema.safeParse({
      env: 'prod',
      service: 'orders',
      cadence: '30d',
      'genesys:key-provider': 'operator',
      'genesys:kind': 'integration-credential',
    });
    const badCadence = PartnerKeyTagsSchema.safeParse({
      env: 'prod',
      service: 'orders',
      cadence: 'monthly',
      'genesys:key-provider': 'operator',
    });

    // Assess
    expect(good.success).toBe(true);
    expect(badCadence.success).toBe(false);
  });
});
