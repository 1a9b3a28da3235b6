import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AwsStandIn } from '../../local/standins/aws/index.js';
import { fixedNow, stagesByVersion, startStandIn, stopStandIn } from '../helpers/aws-standin.js';

let standIn: AwsStandIn;
let client: SecretsManagerClient;
let secretCounter = 0;

beforeAll(async () => {
  ({ standIn, client } = await startStandIn(SecretsManagerClient));
});

afterAll(() => stopStandIn({ standIn, client }));

afterEach(() => {
  standIn.faults.clear();
});

function uniqueName(): string {
  secretCounter += 1;
  return `genesys/test-secret-${secretCounter}`;
}

async function createSecret(value = '{"clientId":"c-1"}') {
  const name = uniqueName();
  const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  return { name, arn: created.ARN ?? '', versionId: created.VersionId ?? '' };
}

describe('Secrets Manager stand-in: secrets and versions', () => {
  it('creates a secret with an ARN carrying a 6-character suffix and a first version labelled AWSCURRENT (aws-rotation-and-local-tooling.md §3.7)', async () => {
    // Prepare
    const name = uniqueName();

    // Act
    const created = await client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: '{"clientId":"c-1"}',
        KmsKeyId: 'alias/rotator',
        Description: 'oauth client',
        Tags: [{ Key: 'genesys:kind', Value: 'oauth-client' }],
      }),
    );
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));

    // Assess
    expect(created.ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-[A-Za-z0-9]{6}$`),
    );
    expect(described).toMatchObject({
      ARN: created.ARN,
      Name: name,
      KmsKeyId: 'alias/rotator',
      Description: 'oauth client',
      RotationEnabled: false,
      Tags: [{ Key: 'genesys:kind', Value: 'oauth-client' }],
      VersionIdsToStages: { [created.VersionId ?? '']: ['AWSCURRENT'] },
    });
    expect(described.CreatedDate).toEqual(fixedNow);
    expect(described.LastChangedDate).toEqual(fixedNow);
  });

  it('refuses a second secret with the same name with ResourceExistsException (aws-rotation-and-local-tooling.md §3.7)', async () => {
    // Prepare
    const { name } = await createSecret();

    // Act
    const attempt = client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('resolves a SecretId given as name, full ARN or ARN without its suffix (aws-rotation-and-local-tooling.md §3.7)', async () => {
    // Prepare
    const { name, arn } = await createSecret('v1');

    // Act
    const values = await Promise.all(
      [name, arn, arn.slice(0, -7)].map((secretId) =>
        client.send(new GetSecretValueCommand({ SecretId: secretId })),
      ),
    );

    // Assess
    expect(values.map((value) => value.SecretString)).toEqual(['v1', 'v1', 'v1']);
    expect(values.map((value) => value.ARN)).toEqual([arn, arn, arn]);
  });

  it('answers an unknown secret with a typed ResourceNotFoundException (aws-rotation-and-local-tooling.md §3.6)', async () => {
    // Act
    const error = await client
      .send(new GetSecretValueCommand({ SecretId: 'no-such-secret' }))
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('reads AWSCURRENT by default, a version by VersionId, and refuses a VersionId/VersionStage mismatch (aws-rotation-and-local-tooling.md §1.3)', async () => {
    // Prepare
    const { name, versionId: firstVersion } = await createSecret('v1');
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }));

    // Act
    const current = await client.send(new GetSecretValueCommand({ SecretId: name }));
    const first = await client.send(new GetSecretValueCommand({ SecretId: name, VersionId: firstVersion }));
    const mismatch = client.send(
      new GetSecretValueCommand({ SecretId: name, VersionId: firstVersion, VersionStage: 'AWSCURRENT' }),
    );

    // Assess
    expect(current.SecretString).toBe('v2');
    expect(current.VersionStages).toEqual(['AWSCURRENT']);
    expect(first.SecretString).toBe('v1');
    expect(first.VersionStages).toEqual(['AWSPREVIOUS']);
    await expect(mismatch).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('moves AWSCURRENT and AWSPREVIOUS when PutSecretValue gives no VersionStages (aws-rotation-and-local-tooling.md §1.3)', async () => {
    // Prepare
    const { name, versionId: v1 } = await createSecret('v1');

    // Act
    const second = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }));
    const third = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v3' }));

    // Assess
    expect(third.VersionStages).toEqual(['AWSCURRENT']);
    expect(stagesByVersion(standIn, name)).toEqual({
      [v1]: [],
      [second.VersionId ?? '']: ['AWSPREVIOUS'],
      [third.VersionId ?? '']: ['AWSCURRENT'],
    });
  });

  it('keeps AWSCURRENT where it is when PutSecretValue stages AWSPENDING (aws-rotation-and-local-tooling.md §1.3)', async () => {
    // Prepare
    const { name, versionId: v1 } = await createSecret('v1');
    const token = 'a1b2c3d4-0000-4000-8000-000000000001';

    // Act
    await client.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: 'v2',
        ClientRequestToken: token,
        VersionStages: ['AWSPENDING'],
      }),
    );

    // Assess
    expect(stagesByVersion(standIn, name)).toEqual({ [v1]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
  });

  it('treats a repeated PutSecretValue token with the same value as a no-op and with a different value as ResourceExistsException (aws-rotation-and-local-tooling.md §1.3)', async () => {
    // Prepare
    const { name } = await createSecret('v1');
    const token = 'a1b2c3d4-0000-4000-8000-000000000002';
    const put = (value: string) =>
      client.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: value,
          ClientRequestToken: token,
          VersionStages: ['AWSPENDING'],
        }),
      );
    await put('v2');

    // Act
    const replay = await put('v2');
    const conflicting = put('v2-other');

    // Assess
    expect(replay.VersionId).toBe(token);
    await expect(conflicting).rejects.toBeInstanceOf(ResourceExistsException);
    expect(standIn.secretsManager.versions(name)).toHaveLength(2);
    const pending = await client.send(
      new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }),
    );
    expect(pending.SecretString).toBe('v2');
  });

  it('refuses to move a label that is attached elsewhere unless RemoveFromVersionId names its holder (aws-rotation-and-local-tooling.md §1.3)', async () => {
    // Prepare
    const { name, versionId: v1 } = await createSecret('v1');
    const token = 'a1b2c3d4-0000-4000-8000-000000000003';
    await client.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: 'v2',
        ClientRequestToken: token,
        VersionStages: ['AWSPENDING'],
      }),
    );

    // Act
    const withoutRemove = client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: token,
      }),
    );
    const wrongRemove = client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: token,
        RemoveFromVersionId: token,
      }),
    );

    // Assess
    await expect(withoutRemove).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(wrongRemove).rejects.toBeInstanceOf(InvalidParameterException);
    expect(stagesByVersion(standIn, name)).toEqual({ [v1]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
  });

  it('moves AWSPREVIOUS to the version AWSCURRENT left when UpdateSecretVersionStage promotes (aws-rotation-and-local-tooling.md §1.2, §1.3)', async () => {
    // Prepare
    const { name, versionId: v1 } = await createSecret('v1');
    const token = 'a1b2c3d4-0000-4000-8000-000000000004';
    await client.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: 'v2',
        ClientRequestToken: token,
        VersionStages: ['AWSPENDING'],
      }),
    );

    // Act
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: token,
        RemoveFromVersionId: v1,
      }),
    );
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));

    // Assess
    expect(described.VersionIdsToStages).toEqual({
      [v1]: ['AWSPREVIOUS'],
      [token]: ['AWSPENDING', 'AWSCURRENT'],
    });
  });

  it('removes a label without moving it and hides label-less (deprecated) versions unless IncludeDeprecated (aws-rotation-and-local-tooling.md §1.3, §1.5)', async () => {
    // Prepare
    const { name, versionId: v1 } = await createSecret('v1');
    const token = 'a1b2c3d4-0000-4000-8000-000000000005';
    await client.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: 'v2',
        ClientRequestToken: token,
        VersionStages: ['AWSPENDING'],
      }),
    );

    // Act
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: token,
      }),
    );
    const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: name }));
    const listedWithDeprecated = await client.send(
      new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
    );

    // Assess
    expect(listed.Versions?.map((version) => version.VersionId)).toEqual([v1]);
    expect(
      listedWithDeprecated.Versions?.map((version) => [version.VersionId, version.VersionStages]),
    ).toEqual([
      [token, []],
      [v1, ['AWSCURRENT']],
    ]);
    expect(listed.Versions?.[0]?.CreatedDate).toEqual(fixedNow);
  });

  it('refuses to remove AWSCURRENT without moving it (aws-rotation-and-local-tooling.md §1.3)', async () => {
    // Prepare
    const { name, versionId: v1 } = await createSecret('v1');

    // Act
    const attempt = client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSCURRENT',
        RemoveFromVersionId: v1,
      }),
    );

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidParameterException);
    expect(stagesByVersion(standIn, name)).toEqual({ [v1]: ['AWSCURRENT'] });
  });

  it('adds, overwrites and removes tags (aws-rotation-and-local-tooling.md §3.7)', async () => {
    // Prepare
    const { name } = await createSecret();

    // Act
    await client.send(
      new TagResourceCommand({
        SecretId: name,
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
        ],
      }),
    );
    await client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'a', Value: '3' }] }));
    await client.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['b'] }));
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));

    // Assess
    expect(described.Tags).toEqual([{ Key: 'a', Value: '3' }]);
  });

  it('answers a secret scheduled for deletion with InvalidRequestException and forgets a force-deleted one (aws-rotation-and-local-tooling.md §3.7)', async () => {
    // Prepare
    const scheduled = await createSecret();
    const forced = await createSecret();

    // Act
    const deletion = await client.send(
      new DeleteSecretCommand({ SecretId: scheduled.name, RecoveryWindowInDays: 7 }),
    );
    await client.send(new DeleteSecretCommand({ SecretId: forced.name, ForceDeleteWithoutRecovery: true }));
    const readScheduled = await client
      .send(new GetSecretValueCommand({ SecretId: scheduled.name }))
      .catch((e: unknown) => e);
    const describedScheduled = await client.send(new DescribeSecretCommand({ SecretId: scheduled.name }));
    const readForced = client.send(new GetSecretValueCommand({ SecretId: forced.name }));

    // Assess
    expect(deletion.DeletionDate).toEqual(new Date(fixedNow.getTime() + 7 * 86_400_000));
    expect(readScheduled).toBeInstanceOf(InvalidRequestException);
    expect((readScheduled as Error).message).toContain('marked for deletion');
    expect(describedScheduled.DeletedDate).toEqual(fixedNow);
    await expect(readForced).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('generates random passwords that honour length and exclusions (aws-rotation-and-local-tooling.md §1.11)', async () => {
    // Act
    const generated = await client.send(
      new GetRandomPasswordCommand({
        PasswordLength: 40,
        ExcludePunctuation: true,
        ExcludeCharacters: 'abc',
      }),
    );

    // Assess
    expect(generated.RandomPassword).toHaveLength(40);
    expect(generated.RandomPassword).toMatch(/^[d-zA-Z0-9]+$/);
    expect(generated.RandomPassword).toMatch(/[0-9]/);
    expect(generated.RandomPassword).toMatch(/[A-Z]/);
  });

  it('is reached by an SDK client configured only through AWS_ENDPOINT_URL_SECRETS_MANAGER (aws-rotation-and-local-tooling.md §3.6)', async () => {
    // Prepare
    const { name } = await createSecret('through-env');
    const previous = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = standIn.url;
    const envClient = new SecretsManagerClient({ maxAttempts: 1 });

    try {
      // Act
      const value = await envClient.send(new GetSecretValueCommand({ SecretId: name }));

      // Assess
      expect(value.SecretString).toBe('through-env');
      expect(standIn.requestLog.at(-1)).toMatchObject({
        service: 'secretsmanager',
        operation: 'GetSecretValue',
        status: 200,
      });
    } finally {
      envClient.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
      else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = previous;
    }
  });
});
