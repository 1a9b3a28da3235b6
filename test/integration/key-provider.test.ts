import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adoptStagedKeyIntoPending, issueKeyIntoPending } from '../../functions/core/partner-key/issue.js';
import { parsePartnerKeySecretValue } from '../../functions/core/partner-key/secret-value.js';
import { LambdaKeyProvider } from '../../functions/shared/aws/key-provider.js';
import { SecretsManagerStore } from '../../functions/shared/aws/secrets-store.js';
import { FormatVerificationFailedError, InvalidInputError } from '../../functions/shared/errors.js';
import { KeyProviderFailedError } from '../../functions/shared/key-provider.js';
import {
  OPERATOR_STAGED_LABEL,
  PARTNER_CREDENTIAL_TYPES,
  type PartnerCredentialType,
} from '../../functions/shared/key-provider-contract.js';
import { type AwsStandIn, startAwsStandIn } from '../../local/standins/aws/index.js';
import { type PartnerStandIn, startPartnerStandIn } from '../../local/standins/partner/index.js';
import { type ProviderLambda, startProviderLambda } from '../helpers/key-provider.js';

const reference = (credentialType: PartnerCredentialType) => ({
  secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner/orders-AbCdEf',
  credentialType,
  env: 'dev',
  service: 'orders',
});

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be rejected');
}

describe('The key provider contract through a real Lambda Invoke (docs/KEY-PROVIDERS.md, API_Invoke)', () => {
  let aws: AwsStandIn;
  let partner: PartnerStandIn;
  let providerLambda: ProviderLambda;
  let provider: LambdaKeyProvider;

  beforeAll(async () => {
    [aws, partner] = await Promise.all([startAwsStandIn(), startPartnerStandIn()]);
    providerLambda = await startProviderLambda(aws, partner);
    provider = new LambdaKeyProvider(providerLambda.lambda, providerLambda.functionName);
  });
  afterAll(async () => {
    await providerLambda.close();
    await Promise.all([aws.close(), partner.close()]);
  });

  it.each(PARTNER_CREDENTIAL_TYPES)(
    'issues a %s key the partner accepts, tests it, revokes it (and the partner then refuses it)',
    async (credentialType) => {
      // Act
      const issued = await provider.issue({
        ...reference(credentialType),
        rotationToken: randomUUID(),
        currentKeyId: null,
      });
      const accepted = await provider.test({ ...reference(credentialType), ...issued });
      const revoked = await provider.revoke({ ...reference(credentialType), keyId: issued.keyId });
      const afterRevoke = await provider.test({ ...reference(credentialType), ...issued });
      const revokedAgain = await provider.revoke({ ...reference(credentialType), keyId: issued.keyId });

      // Assess
      expect(Object.keys(issued.fields).sort()).toEqual(
        {
          userDefined: ['apiKey'],
          basicAuth: ['password', 'userName'],
          userDefinedOAuth: ['clientId', 'clientSecret', 'loginUrl'],
        }[credentialType],
      );
      expect(accepted).toEqual({ accepted: true });
      expect(revoked).toEqual({ keyId: issued.keyId, revoked: true, alreadyRevoked: false });
      expect(afterRevoke).toMatchObject({ accepted: false });
      expect(revokedAgain).toEqual({ keyId: issued.keyId, revoked: true, alreadyRevoked: true });
      expect(partner.key(issued.keyId)).toMatchObject({ state: 'revoked' });
    },
  );

  it('answers accepted: false for a wrong key', async () => {
    // Prepare
    const issued = await provider.issue({
      ...reference('userDefined'),
      rotationToken: randomUUID(),
      currentKeyId: null,
    });

    // Act
    const result = await provider.test({
      ...reference('userDefined'),
      keyId: issued.keyId,
      fields: { apiKey: `${issued.fields.apiKey}-wrong` },
    });

    // Assess
    expect(result).toEqual({ accepted: false, reason: 'partner answered 401' });
  });

  it('revokes the key an earlier issue made for the same rotation token (a retried issue leaves no orphan)', async () => {
    // Prepare
    const rotationToken = randomUUID();
    const first = await provider.issue({ ...reference('basicAuth'), rotationToken, currentKeyId: null });

    // Act
    const second = await provider.issue({ ...reference('basicAuth'), rotationToken, currentKeyId: null });

    // Assess
    expect(second.keyId).not.toBe(first.keyId);
    expect(partner.key(first.keyId)).toMatchObject({ state: 'revoked' });
    expect(partner.key(second.keyId)).toMatchObject({ state: 'active' });
  });

  it('reports a failing provider as KeyProviderFailedError by errorType only, without the request or answer', async () => {
    // Prepare: a provider whose partner admin token is wrong
    const broken = await startProviderLambda(aws, partner, {
      adminToken: 'not-the-admin-token',
      functionName: 'BrokenKeyProvider',
    });
    try {
      const brokenProvider = new LambdaKeyProvider(broken.lambda, broken.functionName);

      // Act
      const error = await rejectionOf(
        brokenProvider.revoke({ ...reference('userDefined'), keyId: 'key_do_not_echo' }),
      );

      // Assess
      expect(error).toBeInstanceOf(KeyProviderFailedError);
      expect(error).toMatchObject({
        name: 'KeyProviderFailedError',
        code: 'KEY_PROVIDER_FAILED',
        message: 'key provider BrokenKeyProvider (revoke) failed with PartnerAdminError',
        details: { errorType: 'PartnerAdminError', operation: 'revoke' },
      });
      expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain(
        'key_do_not_echo',
      );
    } finally {
      await broken.close();
    }
  });

  it('reports an unknown provider function as KeyProviderFailedError (ResourceNotFoundException)', async () => {
    // Act
    const error = await rejectionOf(
      new LambdaKeyProvider(providerLambda.lambda, 'NoSuchProvider').revoke({
        ...reference('userDefined'),
        keyId: 'key_x',
      }),
    );

    // Assess
    expect(error).toMatchObject({
      name: 'KeyProviderFailedError',
      message: 'key provider NoSuchProvider (revoke): ResourceNotFoundException',
    });
  });

  describe('the issued key goes straight into AWSPENDING (one secret per credential)', () => {
    let store: SecretsManagerStore;
    let secretArn: string;
    let currentKeyId: string;

    beforeAll(async () => {
      store = new SecretsManagerStore(providerLambda.secretsManager);
      const current = partner.issueKey('current');
      currentKeyId = current.keyId;
      const created = await providerLambda.secretsManager.send(
        new CreateSecretCommand({
          Name: 'partner/orders/api-key',
          SecretString: JSON.stringify({
            credentialType: 'userDefined',
            keyId: current.keyId,
            fields: { apiKey: current.secret },
          }),
          Tags: [
            { Key: 'env', Value: 'dev' },
            { Key: 'service', Value: 'orders' },
            { Key: 'cadence', Value: '30d' },
          ],
        }),
      );
      secretArn = created.ARN ?? '';
    });

    it('writes the provider answer as the pending version and returns only the key id; a replay issues nothing', async () => {
      // Prepare
      const token = randomUUID();
      const keysBefore = partner.keys().length;
      const request = {
        secretId: secretArn,
        token,
        credentialType: 'userDefined' as const,
        env: 'dev',
        service: 'orders',
        currentKeyId,
      };

      // Act
      const result = await issueKeyIntoPending({ secrets: store, provider }, request);
      const replay = await issueKeyIntoPending({ secrets: store, provider }, request);

      // Assess
      const pending = await providerLambda.secretsManager.send(
        new GetSecretValueCommand({ SecretId: secretArn, VersionStage: 'AWSPENDING' }),
      );
      const value = parsePartnerKeySecretValue(pending.SecretString ?? null, 'pending');
      expect(Object.keys(result).sort()).toEqual(['alreadyPending', 'keyId']);
      expect(result).toEqual({ keyId: value.keyId, alreadyPending: false });
      expect(replay).toEqual({ keyId: value.keyId, alreadyPending: true });
      expect(pending.VersionId).toBe(token);
      expect(partner.keys().length).toBe(keysBefore + 1);
      expect(partner.key(currentKeyId)).toMatchObject({ state: 'active' });
      await expect(provider.test({ ...reference('userDefined'), ...value })).resolves.toEqual({
        accepted: true,
      });
      // Leave no pending version behind for the next test.
      await store.removeStage(secretArn, 'AWSPENDING', token);
    });

    it('takes a value the operator staged as GENESYS_STAGED, once, and moves the label off it', async () => {
      // Prepare: the operator obtained a key from the partner and staged it
      const staged = partner.issueKey('from the operator');
      const put = await providerLambda.secretsManager.send(
        new PutSecretValueCommand({
          SecretId: secretArn,
          SecretString: JSON.stringify({
            credentialType: 'userDefined',
            keyId: staged.keyId,
            fields: { apiKey: staged.secret },
          }),
          VersionStages: [OPERATOR_STAGED_LABEL],
        }),
      );
      const token = randomUUID();
      const request = {
        secretId: secretArn,
        token,
        credentialType: 'userDefined' as const,
        env: 'dev',
        service: 'orders',
        currentKeyId,
      };

      // Act
      const result = await adoptStagedKeyIntoPending({ secrets: store }, request);

      // Assess
      const described = await providerLambda.secretsManager.send(
        new DescribeSecretCommand({ SecretId: secretArn }),
      );
      expect(result).toEqual({ keyId: staged.keyId, alreadyPending: false });
      expect(described.VersionIdsToStages?.[token]).toEqual(['AWSPENDING']);
      expect(described.VersionIdsToStages?.[put.VersionId ?? '']).toBeUndefined();
      const second = await rejectionOf(
        adoptStagedKeyIntoPending({ secrets: store }, { ...request, token: randomUUID() }),
      );
      expect(second).toBeInstanceOf(InvalidInputError);
      await store.removeStage(secretArn, 'AWSPENDING', token);
    });

    it.each([
      [
        'two credentials in an array',
        [
          { credentialType: 'userDefined', keyId: 'a', fields: { apiKey: 'x' } },
          { credentialType: 'userDefined', keyId: 'b', fields: { apiKey: 'y' } },
        ],
        'is an array',
      ],
      [
        'a map of credentials',
        {
          orders: { credentialType: 'userDefined', keyId: 'a', fields: { apiKey: 'x' } },
          billing: { credentialType: 'basicAuth', keyId: 'b', fields: { userName: 'u', password: 'p' } },
        },
        'bundles several credentials',
      ],
      [
        'a nested object in the fields',
        { credentialType: 'userDefined', keyId: 'a', fields: { orders: { apiKey: 'x' } } },
        'fields.orders',
      ],
      [
        'a second key beside the first',
        { credentialType: 'basicAuth', keyId: 'a', fields: { userName: 'u', password: 'p', password2: 'q' } },
        'unexpected field(s) password2',
      ],
    ])('refuses a value holding %s, naming fields and never values', (_name, value, expected) => {
      // Act
      let error: unknown;
      try {
        parsePartnerKeySecretValue(JSON.stringify(value), 'The secret');
      } catch (thrown) {
        error = thrown;
      }

      // Assess
      expect(error).toBeInstanceOf(FormatVerificationFailedError);
      expect((error as Error).message).toContain(expected);
      for (const secret of ['"x"', '"y"', '"p"', '"q"'])
        expect((error as Error).message).not.toContain(secret);
    });
  });
});
