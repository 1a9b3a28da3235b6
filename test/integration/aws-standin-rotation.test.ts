import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsStandIn, RotationEvent } from '../../local/standins/aws/index.js';
import { fixedNow, stagesByVersion, startStandIn, stopStandIn } from '../helpers/aws-standin.js';

const rotationLambdaArn = 'arn:aws:lambda:eu-west-1:123456789012:function:Rotator';

type StepHandler = (event: RotationEvent) => Promise<void>;

let standIn: AwsStandIn;
let client: SecretsManagerClient;
let secretCounter = 0;

async function start(rotationAttempts?: number, rotationRetryToken?: 'same' | 'new'): Promise<void> {
  ({ standIn, client } = await startStandIn(SecretsManagerClient, { rotationAttempts, rotationRetryToken }));
}

beforeEach(async () => {
  await start();
});

afterEach(() => stopStandIn({ standIn, client }));

async function createSecret(): Promise<{ name: string; arn: string; versionId: string }> {
  secretCounter += 1;
  const name = `genesys/rotation-${secretCounter}`;
  const created = await client.send(
    new CreateSecretCommand({ Name: name, SecretString: '{"clientSecret":"v1"}' }),
  );
  return { name, arn: created.ARN ?? '', versionId: created.VersionId ?? '' };
}

/** A rotation function written like the aws-samples template (reference §1.11), with per-step overrides. */
function templateRotation(overrides: Partial<Record<string, StepHandler>> = {}) {
  const calls: RotationEvent[] = [];
  const steps: Record<string, StepHandler> = {
    createSecret: async (event) => {
      try {
        await client.send(
          new GetSecretValueCommand({
            SecretId: event.SecretId,
            VersionId: event.ClientRequestToken,
            VersionStage: 'AWSPENDING',
          }),
        );
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
        await client.send(
          new PutSecretValueCommand({
            SecretId: event.SecretId,
            ClientRequestToken: event.ClientRequestToken,
            SecretString: '{"clientSecret":"v2"}',
            VersionStages: ['AWSPENDING'],
            RotationToken: event.RotationToken,
          }),
        );
      }
    },
    setSecret: async () => {},
    testSecret: async (event) => {
      await client.send(
        new GetSecretValueCommand({
          SecretId: event.SecretId,
          VersionId: event.ClientRequestToken,
          VersionStage: 'AWSPENDING',
        }),
      );
    },
    finishSecret: async (event) => {
      const described = await client.send(new DescribeSecretCommand({ SecretId: event.SecretId }));
      const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) =>
        stages.includes('AWSCURRENT'),
      )?.[0];
      if (current === event.ClientRequestToken) return;
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: event.SecretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: event.ClientRequestToken,
          RemoveFromVersionId: current,
        }),
      );
    },
    ...overrides,
  };
  const invoke = async (event: RotationEvent): Promise<void> => {
    calls.push({ ...event });
    const handler = steps[event.Step];
    if (handler === undefined) throw new Error(`unexpected step ${event.Step}`);
    await handler(event);
  };
  return { calls, invoke };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('Secrets Manager stand-in: RotateSecret', () => {
  it('creates a value-less AWSPENDING placeholder whose VersionId is the token before createSecret runs (aws-rotation-and-local-tooling.md §1.3)', async () => {
    // Prepare
    const { name, versionId: v1 } = await createSecret();
    const seenAtCreate: { stages?: Record<string, string[]>; pendingRead?: unknown } = {};
    const rotation = templateRotation({
      createSecret: async (event) => {
        const described = await client.send(new DescribeSecretCommand({ SecretId: event.SecretId }));
        seenAtCreate.stages = described.VersionIdsToStages;
        seenAtCreate.pendingRead = await client
          .send(new GetSecretValueCommand({ SecretId: event.SecretId, VersionStage: 'AWSPENDING' }))
          .catch((error: unknown) => error);
        throw new Error('stop here');
      },
    });
    standIn.secretsManager.registerRotationFunction(rotationLambdaArn, rotation.invoke);

    // Act
    const rotated = await client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: rotationLambdaArn }),
    );
    await standIn.secretsManager.waitForRotation(name);

    // Assess
    const token = rotated.VersionId ?? '';
    expect(token).not.toBe('');
    expect(seenAtCreate.stages).toEqual({ [v1]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    expect(seenAtCreate.pendingRead).toBeInstanceOf(ResourceNotFoundException);
    expect((seenAtCreate.pendingRead as Error).message).toBe(
      "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
    );
    expect(
      standIn.secretsManager.versions(name).find((version) => version.versionId === token)?.hasValue,
    ).toBe(false);
  });

  it('drives the registered rotation function through createSecret, setSecret, testSecret, finishSecret in order (aws-rotation-and-local-tooling.md §1.1, §1.2)', async () => {
    // Prepare
    const { name, arn, versionId: v1 } = await createSecret();
    const rotation = templateRotation();
    standIn.secretsManager.registerRotationFunction(rotationLambdaArn, rotation.invoke);

    // Act
    const rotated = await client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: rotationLambdaArn,
        RotationRules: { ScheduleExpression: 'rate(30 days)', Duration: '4h' },
      }),
    );
    const record = await standIn.secretsManager.waitForRotation(name);
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));

    // Assess
    const token = rotated.VersionId ?? '';
    expect(rotation.calls.map((call) => call.Step)).toEqual([
      'createSecret',
      'setSecret',
      'testSecret',
      'finishSecret',
    ]);
    expect(new Set(rotation.calls.map((call) => call.SecretId))).toEqual(new Set([arn]));
    expect(new Set(rotation.calls.map((call) => call.ClientRequestToken))).toEqual(new Set([token]));
    expect(rotation.calls[0]?.RotationToken).toEqual(expect.any(String));
    expect(record).toMatchObject({ secretArn: arn, token, rotateImmediately: true, outcome: 'succeeded' });
    expect(record.attempts).toHaveLength(1);
    expect(described).toMatchObject({
      RotationEnabled: true,
      RotationLambdaARN: rotationLambdaArn,
      RotationRules: { ScheduleExpression: 'rate(30 days)', Duration: '4h' },
      VersionIdsToStages: { [v1]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] },
    });
    expect(described.LastRotatedDate).toEqual(fixedNow);
    expect(described.NextRotationDate).toEqual(new Date(fixedNow.getTime() + 30 * 86_400_000));
  });

  it('clears AWSPENDING from the version that also holds AWSCURRENT after a successful rotation (aws-rotation-and-local-tooling.md §1.4)', async () => {
    // Prepare
    const { name } = await createSecret();
    standIn.secretsManager.registerRotationFunction(rotationLambdaArn, templateRotation().invoke);

    // Act
    await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: rotationLambdaArn }));
    await standIn.secretsManager.waitForRotation(name);

    // Assess
    expect(standIn.secretsManager.versions(name).flatMap((version) => version.stages)).not.toContain(
      'AWSPENDING',
    );
  });

  it('retries the whole rotation with the same token until rotationAttempts is used up, leaving AWSPENDING on the placeholder (aws-rotation-and-local-tooling.md §1.4, §1.5)', async () => {
    // Prepare
    await stopStandIn({ standIn, client });
    await start(3);
    const { name, versionId: v1 } = await createSecret();
    const rotation = templateRotation({
      setSecret: async () => {
        throw new TypeError('target rejected the credential');
      },
    });
    standIn.secretsManager.registerRotationFunction(rotationLambdaArn, rotation.invoke);

    // Act
    const rotated = await client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: rotationLambdaArn }),
    );
    const record = await standIn.secretsManager.waitForRotation(name);

    // Assess
    const token = rotated.VersionId ?? '';
    expect(record.outcome).toBe('failed');
    expect(record.attempts).toHaveLength(3);
    for (const attempt of record.attempts) {
      expect(attempt.steps).toEqual([
        { step: 'createSecret', ok: true, error: null },
        { step: 'setSecret', ok: false, error: 'TypeError: target rejected the credential' },
      ]);
    }
    expect(new Set(rotation.calls.map((call) => call.ClientRequestToken))).toEqual(new Set([token]));
    expect(stagesByVersion(standIn, name)).toEqual({ [v1]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.LastRotatedDate).toBeUndefined();
  });

  it('succeeds on the second attempt when the first attempt fails once (aws-rotation-and-local-tooling.md §1.5)', async () => {
    // Prepare
    const { name } = await createSecret();
    let testCalls = 0;
    const rotation = templateRotation({
      testSecret: async () => {
        testCalls += 1;
        if (testCalls === 1) throw new Error('not yet active');
      },
    });
    standIn.secretsManager.registerRotationFunction(rotationLambdaArn, rotation.invoke);

    // Act
    const rotated = await client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: rotationLambdaArn }),
    );
    const record = await standIn.secretsManager.waitForRotation(name);

    // Assess
    expect(record.outcome).toBe('succeeded');
    expect(record.attempts.map((attempt) => attempt.steps.map((step) => step.step))).toEqual([
      ['createSecret', 'setSecret', 'testSecret'],
      ['createSecret', 'setSecret', 'testSecret', 'finishSecret'],
    ]);
    const current = await client.send(new GetSecretValueCommand({ SecretId: name }));
    expect(current.VersionId).toBe(rotated.VersionId);
    expect(current.SecretString).toBe('{"clientSecret":"v2"}');
  });

  it('re-stages AWSPENDING on the token before retrying when the failed attempt removed it (aws-rotation-and-local-tooling.md §1.5)', async () => {
    // Prepare
    const { name } = await createSecret();
    const pendingAtCreate: boolean[] = [];
    let setCalls = 0;
    const rotation = templateRotation({
      createSecret: async (event) => {
        const described = await client.send(new DescribeSecretCommand({ SecretId: event.SecretId }));
        pendingAtCreate.push(
          described.VersionIdsToStages?.[event.ClientRequestToken]?.includes('AWSPENDING') ?? false,
        );
      },
      setSecret: async (event) => {
        setCalls += 1;
        if (setCalls > 1) return;
        await client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: event.SecretId,
            VersionStage: 'AWSPENDING',
            RemoveFromVersionId: event.ClientRequestToken,
          }),
        );
        throw new Error('discarded pending, then failed');
      },
      testSecret: async () => {},
    });
    standIn.secretsManager.registerRotationFunction(rotationLambdaArn, rotation.invoke);

    // Act
    await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: rotationLambdaArn }));
    const record = await standIn.secretsManager.waitForRotation(name);

    // Assess
    expect(pendingAtCreate).toEqual([true, true]);
    expect(record.attempts).toHaveLength(2);
  });

  it("with rotationRetryToken 'new' retries under a fresh token whose placeholder takes AWSPENDING from the earlier attempt's version (aws-rotation-and-local-tooling.md §1.5: the retry's token is unconfirmed)", async () => {
    // Prepare
    await stopStandIn({ standIn, client });
    await start(2, 'new');
    const { name, versionId: v1 } = await createSecret();
    let setCalls = 0;
    const rotation = templateRotation({
      setSecret: async () => {
        setCalls += 1;
        if (setCalls === 1) throw new Error('target not ready');
      },
      testSecret: async () => {},
    });
    standIn.secretsManager.registerRotationFunction(rotationLambdaArn, rotation.invoke);

    // Act
    const rotated = await client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: rotationLambdaArn }),
    );
    const record = await standIn.secretsManager.waitForRotation(name);

    // Assess
    const first = rotated.VersionId ?? '';
    const second = record.attempts[1]?.token ?? '';
    expect(record.outcome).toBe('succeeded');
    expect(record.attempts.map((attempt) => attempt.token)).toEqual([first, second]);
    expect(second).not.toBe(first);
    expect(record.token).toBe(second);
    expect(new Set(rotation.calls.map((call) => call.ClientRequestToken))).toEqual(new Set([first, second]));
    // The first attempt's version keeps its value but no label; the second is current.
    expect(stagesByVersion(standIn, name)).toEqual({
      [v1]: ['AWSPREVIOUS'],
      [first]: [],
      [second]: ['AWSCURRENT'],
    });
  });

  it('fails the attempt when finishSecret returns without AWSCURRENT on the token (aws-rotation-and-local-tooling.md §1.2)', async () => {
    // Prepare
    const { name } = await createSecret();
    const rotation = templateRotation({ finishSecret: async () => {} });
    standIn.secretsManager.registerRotationFunction(rotationLambdaArn, rotation.invoke);

    // Act
    await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: rotationLambdaArn }));
    const record = await standIn.secretsManager.waitForRotation(name);

    // Assess
    expect(record.outcome).toBe('failed');
    expect(record.attempts[0]?.steps.at(-1)).toMatchObject({ step: 'finishSecret', ok: false });
    expect(record.attempts[0]?.steps.at(-1)?.error).toContain('AWSCURRENT is not on version');
  });

  it('refuses RotateSecret while AWSPENDING is on another version (aws-rotation-and-local-tooling.md §1.4)', async () => {
    // Prepare
    const { name } = await createSecret();
    const rotation = templateRotation();
    standIn.secretsManager.registerRotationFunction(rotationLambdaArn, rotation.invoke);
    const stranded = 'a1b2c3d4-0000-4000-8000-00000000000a';
    await client.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: 'x',
        ClientRequestToken: stranded,
        VersionStages: ['AWSPENDING'],
      }),
    );

    // Act
    const refused = await client
      .send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: rotationLambdaArn }))
      .catch((error: unknown) => error);
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: stranded,
      }),
    );
    const accepted = await client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: rotationLambdaArn }),
    );
    await standIn.secretsManager.waitForRotation(name);

    // Assess
    expect(refused).toBeInstanceOf(InvalidRequestException);
    expect((refused as Error).message).toBe(
      "A previous rotation isn't complete. That rotation will be reattempted.",
    );
    expect(accepted.VersionId).toEqual(expect.any(String));
    expect(standIn.secretsManager.rotations()).toHaveLength(1);
  });

  it('answers a repeated RotateSecret with the same ClientRequestToken without starting a second rotation (aws-rotation-and-local-tooling.md §1.1)', async () => {
    // Prepare
    const { name } = await createSecret();
    standIn.secretsManager.registerRotationFunction(rotationLambdaArn, templateRotation().invoke);
    const token = 'b1b2b3b4-0000-4000-8000-000000000001';
    const rotate = () =>
      client.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: rotationLambdaArn,
          ClientRequestToken: token,
        }),
      );

    // Act
    const first = await rotate();
    const repeated = await rotate();
    await standIn.secretsManager.waitForRotation(name);

    // Assess
    expect(repeated.VersionId).toBe(first.VersionId);
    expect(standIn.secretsManager.rotations()).toHaveLength(1);
  });

  it('refuses a second RotateSecret while a rotation of the same secret is running (aws-rotation-and-local-tooling.md §1.4)', async () => {
    // Prepare
    const { name } = await createSecret();
    const release = deferred();
    const entered = deferred();
    const rotation = templateRotation({
      setSecret: async () => {
        entered.resolve();
        await release.promise;
      },
    });
    standIn.secretsManager.registerRotationFunction(rotationLambdaArn, rotation.invoke);
    await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: rotationLambdaArn }));
    await entered.promise;

    // Act
    const second = client.send(new RotateSecretCommand({ SecretId: name }));

    // Assess
    await expect(second).rejects.toBeInstanceOf(InvalidRequestException);
    release.resolve();
    const record = await standIn.secretsManager.waitForRotation(name);
    expect(record.outcome).toBe('succeeded');
    expect(standIn.secretsManager.rotations()).toHaveLength(1);
  });

  it('with RotateImmediately=false runs only testSecret on a fresh placeholder and leaves no AWSPENDING (aws-rotation-and-local-tooling.md §1.7)', async () => {
    // Prepare
    const { name, versionId: v1 } = await createSecret();
    const stagesDuringTest: Record<string, string[]>[] = [];
    const rotation = templateRotation({
      testSecret: async (event) => {
        const described = await client.send(new DescribeSecretCommand({ SecretId: event.SecretId }));
        stagesDuringTest.push(described.VersionIdsToStages ?? {});
      },
    });
    standIn.secretsManager.registerRotationFunction(rotationLambdaArn, rotation.invoke);

    // Act
    const rotated = await client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: rotationLambdaArn,
        RotateImmediately: false,
      }),
    );
    const record = await standIn.secretsManager.waitForRotation(name);
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));

    // Assess
    expect(rotation.calls.map((call) => call.Step)).toEqual(['testSecret']);
    expect(stagesDuringTest).toEqual([{ [v1]: ['AWSCURRENT'], [rotated.VersionId ?? '']: ['AWSPENDING'] }]);
    expect(record).toMatchObject({ rotateImmediately: false, outcome: 'succeeded' });
    expect(described.VersionIdsToStages).toEqual({ [v1]: ['AWSCURRENT'] });
    expect(described.RotationEnabled).toBe(true);
    expect(described.LastRotatedDate).toBeUndefined();
    expect(standIn.secretsManager.versions(name)).toHaveLength(1);
  });

  it('refuses RotateSecret with no rotation function configured or one Secrets Manager cannot invoke (aws-rotation-and-local-tooling.md §3.7)', async () => {
    // Prepare
    const { name } = await createSecret();

    // Act
    const withoutFunction = client.send(new RotateSecretCommand({ SecretId: name }));
    const unknownFunction = client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: `${rotationLambdaArn}-missing` }),
    );

    // Assess
    await expect(withoutFunction).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(unknownFunction).rejects.toBeInstanceOf(InvalidRequestException);
    expect(stagesByVersion(standIn, name)).toEqual({
      [standIn.secretsManager.versions(name)[0]?.versionId ?? '']: ['AWSCURRENT'],
    });
    expect(standIn.secretsManager.rotations()).toHaveLength(0);
  });

  it('turns rotation off on CancelRotateSecret but keeps AWSPENDING where it is (aws-rotation-and-local-tooling.md §1.5)', async () => {
    // Prepare
    const { name, versionId: v1 } = await createSecret();
    const rotation = templateRotation({
      setSecret: async () => {
        throw new Error('fails');
      },
    });
    standIn.secretsManager.registerRotationFunction(rotationLambdaArn, rotation.invoke);
    const rotated = await client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: rotationLambdaArn }),
    );
    await standIn.secretsManager.waitForRotation(name);

    // Act
    const cancelled = await client.send(new CancelRotateSecretCommand({ SecretId: name }));
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));

    // Assess
    expect(cancelled.VersionId).toBe(rotated.VersionId);
    expect(described.RotationEnabled).toBe(false);
    expect(described.VersionIdsToStages).toEqual({
      [v1]: ['AWSCURRENT'],
      [rotated.VersionId ?? '']: ['AWSPENDING'],
    });
  });

  it('stops retrying once rotation is cancelled (aws-rotation-and-local-tooling.md §1.5)', async () => {
    // Prepare
    await stopStandIn({ standIn, client });
    await start(5);
    const { name } = await createSecret();
    const rotation = templateRotation({
      setSecret: async (event) => {
        await client.send(new CancelRotateSecretCommand({ SecretId: event.SecretId }));
        throw new Error('fails');
      },
    });
    standIn.secretsManager.registerRotationFunction(rotationLambdaArn, rotation.invoke);

    // Act
    await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: rotationLambdaArn }));
    const record = await standIn.secretsManager.waitForRotation(name);

    // Assess
    expect(record.outcome).toBe('failed');
    expect(record.attempts).toHaveLength(1);
  });
});
