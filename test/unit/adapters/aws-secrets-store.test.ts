import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  InvalidParameterException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { rotationIntervalDays, SecretsManagerStore } from '../../../functions/shared/aws/secrets-store.js';

const sm = mockClient(SecretsManagerClient);
afterEach(() => sm.reset());

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:genesys/svc-AbCdEf';
const TOKEN = '11111111-2222-3333-4444-555555555555';
const meta = { $metadata: {} };

function store() {
  return new SecretsManagerStore(new SecretsManagerClient({}));
}

describe('SecretsManagerStore.describe', () => {
  it('returns tags, rotation interval, versions and key', async () => {
    // Prepare
    sm.on(DescribeSecretCommand).resolves({
      ARN,
      Name: 'genesys/svc',
      RotationEnabled: true,
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      Tags: [
        { Key: 'genesys:kind', Value: 'oauth-client' },
        { Key: 'genesys:environment', Value: 'mypurecloud.ie' },
      ],
      VersionIdsToStages: { v1: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] },
      KmsKeyId: 'alias/x',
    });

    // Act
    const description = await store().describe('genesys/svc');

    // Assess
    expect(description).toEqual({
      arn: ARN,
      name: 'genesys/svc',
      tags: { 'genesys:kind': 'oauth-client', 'genesys:environment': 'mypurecloud.ie' },
      rotationEnabled: true,
      rotationIntervalDays: 30,
      versionIdsToStages: { v1: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] },
      kmsKeyId: 'alias/x',
    });
  });

  it('throws TargetNotFoundError for a missing secret', async () => {
    // Prepare
    sm.on(DescribeSecretCommand).rejects(new ResourceNotFoundException({ message: 'not found', ...meta }));

    // Act
    const error = await store()
      .describe('nope')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TargetNotFoundError', code: 'TARGET_NOT_FOUND' });
  });

  it('maps throttling and service errors to TransientUpstreamError', async () => {
    // Prepare
    const throttled = new SecretsManagerServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    sm.on(DescribeSecretCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(new InternalServiceError({ message: 'oops', ...meta }));

    // Act
    const first = await store()
      .describe('x')
      .catch((e: unknown) => e);
    const second = await store()
      .describe('x')
      .catch((e: unknown) => e);

    // Assess
    expect(first).toMatchObject({ name: 'TransientUpstreamError', retryable: true });
    expect(second).toMatchObject({ name: 'TransientUpstreamError' });
  });

  it('reports access denied as a secret that does not exist or is not managed (AWS denies a secret outside the policy whether or not it exists)', async () => {
    // Prepare
    sm.on(DescribeSecretCommand).rejects(
      new SecretsManagerServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'no',
        ...meta,
      }),
    );

    // Act
    const error = await store()
      .describe('x')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TargetNotFoundError', code: 'TARGET_NOT_FOUND' });
    expect((error as Error).message).toMatch(/does not exist or is not managed by this rotator/);
    expect((error as Error).message).toContain('GenesysRotatedSecret');
  });
});

describe('rotationIntervalDays', () => {
  it('reads rate() in days or hours, AutomaticallyAfterDays, and null for cron', () => {
    // Prepare // Act // Assess
    expect(rotationIntervalDays({ ScheduleExpression: 'rate(1 day)' })).toBe(1);
    expect(rotationIntervalDays({ ScheduleExpression: 'rate(90 days)' })).toBe(90);
    expect(rotationIntervalDays({ ScheduleExpression: 'rate(12 hours)' })).toBe(0.5);
    expect(rotationIntervalDays({ ScheduleExpression: 'cron(0 16 1,15 * ? *)' })).toBeNull();
    expect(rotationIntervalDays({ AutomaticallyAfterDays: 45 })).toBe(45);
    expect(rotationIntervalDays(undefined)).toBeNull();
  });
});

describe('SecretsManagerStore.getValue', () => {
  it('reads a version by id or stage', async () => {
    // Prepare
    sm.on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSCURRENT' }).resolves({
      SecretString: '{"a":1}',
    });

    // Act
    const value = await store().getValue(ARN, { stage: 'AWSCURRENT' });

    // Assess
    expect(value).toBe('{"a":1}');
  });

  it('returns null for a stage without a value', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
        ...meta,
      }),
    );

    // Act
    const value = await store().getValue(ARN, { stage: 'AWSPENDING' });

    // Assess
    expect(value).toBeNull();
  });
});

describe('SecretsManagerStore.putPending', () => {
  it('writes AWSPENDING with the token as ClientRequestToken', async () => {
    // Prepare
    sm.on(PutSecretValueCommand).resolves({ VersionId: TOKEN, VersionStages: ['AWSPENDING'] });

    // Act
    await store().putPending(ARN, TOKEN, '{"v":2}');

    // Assess
    expect(sm.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: ARN,
      ClientRequestToken: TOKEN,
      SecretString: '{"v":2}',
      VersionStages: ['AWSPENDING'],
    });
  });

  it('treats ResourceExists with the same stored value as a replay', async () => {
    // Prepare
    sm.on(PutSecretValueCommand).rejects(new ResourceExistsException({ message: 'exists', ...meta }));
    sm.on(GetSecretValueCommand, { SecretId: ARN, VersionId: TOKEN }).resolves({ SecretString: '{"v":2}' });

    // Act
    const result = await store().putPending(ARN, TOKEN, '{"v":2}');

    // Assess
    expect(result).toBeUndefined();
  });

  it('throws RotationInProgressError when the token already holds another value, without echoing either', async () => {
    // Prepare
    sm.on(PutSecretValueCommand).rejects(new ResourceExistsException({ message: 'exists', ...meta }));
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"clientSecret":"earlier-secret"}' });

    // Act
    const error = await store()
      .putPending(ARN, TOKEN, '{"clientSecret":"new-secret"}')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'RotationInProgressError', details: { versionId: TOKEN } });
    const rendered = JSON.stringify(error) + String(error);
    expect(rendered).not.toContain('earlier-secret');
    expect(rendered).not.toContain('new-secret');
  });

  it('does not carry the value in a mapped AWS error', async () => {
    // Prepare
    sm.on(PutSecretValueCommand).rejects(new InternalServiceError({ message: 'oops', ...meta }));

    // Act
    const error = await store()
      .putPending(ARN, TOKEN, '{"clientSecret":"s3cr3t"}')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TransientUpstreamError' });
    expect((error as Error).cause).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain('s3cr3t');
  });
});

describe('SecretsManagerStore.promote and removeStage', () => {
  it('moves AWSCURRENT from the current version to the token', async () => {
    // Prepare
    sm.on(UpdateSecretVersionStageCommand).resolves({});

    // Act
    await store().promote(ARN, TOKEN, 'v1');

    // Assess
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)[0]?.args[0].input).toEqual({
      SecretId: ARN,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: TOKEN,
      RemoveFromVersionId: 'v1',
    });
  });

  it('does nothing when the token is already current', async () => {
    // Prepare // Act
    await store().promote(ARN, TOKEN, TOKEN);

    // Assess
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  it('removes a stage, and treats a stage already gone as done', async () => {
    // Prepare
    sm.on(UpdateSecretVersionStageCommand)
      .resolvesOnce({})
      .rejects(new InvalidParameterException({ message: 'label not attached', ...meta }));
    sm.on(DescribeSecretCommand).resolves({ ARN, Name: 'n', VersionIdsToStages: { v1: ['AWSCURRENT'] } });

    // Act
    await store().removeStage(ARN, 'AWSPENDING', TOKEN);
    await store().removeStage(ARN, 'AWSPENDING', TOKEN);

    // Assess
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)[0]?.args[0].input).toEqual({
      SecretId: ARN,
      VersionStage: 'AWSPENDING',
      RemoveFromVersionId: TOKEN,
    });
  });

  it('rethrows when the stage is still attached after an InvalidParameter answer', async () => {
    // Prepare
    sm.on(UpdateSecretVersionStageCommand).rejects(
      new InvalidParameterException({ message: 'bad', ...meta }),
    );
    sm.on(DescribeSecretCommand).resolves({
      ARN,
      Name: 'n',
      VersionIdsToStages: { [TOKEN]: ['AWSPENDING'] },
    });

    // Act
    const error = await store()
      .removeStage(ARN, 'AWSPENDING', TOKEN)
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'AwsServiceError', awsErrorName: 'InvalidParameterException' });
  });
});
