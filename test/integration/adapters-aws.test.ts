import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StepFunctionsExecutions } from '../../functions/shared/aws/executions.js';
import { SecretsManagerStore } from '../../functions/shared/aws/secrets-store.js';
import { type AwsStandIn, type ExecutionRunner, startAwsStandIn } from '../../local/standins/aws/index.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const TOKEN_A = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa';
const TOKEN_B = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb';

let standIn: AwsStandIn;
let sm: SecretsManagerClient;
let sfn: SFNClient;
let counter = 0;

beforeAll(async () => {
  standIn = await startAwsStandIn();
  const config = { endpoint: standIn.url, region: standIn.region, credentials, maxAttempts: 1 };
  sm = new SecretsManagerClient(config);
  sfn = new SFNClient(config);
});

afterAll(async () => {
  sm.destroy();
  sfn.destroy();
  await standIn.close();
});

afterEach(() => {
  standIn.faults.clear();
});

async function createSecret(value: string) {
  counter += 1;
  const name = `genesys/adapter-${counter}`;
  const created = await sm.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: value,
      Tags: [
        { Key: 'genesys:kind', Value: 'oauth-client' },
        { Key: 'genesys:environment', Value: 'mypurecloud.ie' },
      ],
    }),
  );
  return { name, arn: created.ARN ?? '', versionId: created.VersionId ?? '' };
}

describe('SecretsManagerStore against the AWS stand-in', () => {
  it('describes a secret with its tags and versions, and refuses a missing one', async () => {
    // Prepare
    const secret = await createSecret('{"v":1}');
    const store = new SecretsManagerStore(sm);

    // Act
    const description = await store.describe(secret.name);
    const missing = await store.describe('genesys/missing').catch((e: unknown) => e);

    // Assess
    expect(description).toMatchObject({
      arn: secret.arn,
      name: secret.name,
      tags: { 'genesys:kind': 'oauth-client', 'genesys:environment': 'mypurecloud.ie' },
      rotationEnabled: false,
      rotationIntervalDays: null,
      versionIdsToStages: { [secret.versionId]: ['AWSCURRENT'] },
    });
    expect(missing).toMatchObject({ name: 'TargetNotFoundError' });
  });

  it('writes AWSPENDING idempotently per token and refuses a different value for the same token', async () => {
    // Prepare
    const secret = await createSecret('{"v":1}');
    const store = new SecretsManagerStore(sm);

    // Act
    const before = await store.getValue(secret.arn, { stage: 'AWSPENDING' });
    await store.putPending(secret.arn, TOKEN_A, '{"v":2}');
    await store.putPending(secret.arn, TOKEN_A, '{"v":2}');
    const conflict = await store.putPending(secret.arn, TOKEN_A, '{"v":3}').catch((e: unknown) => e);
    const pending = await store.getValue(secret.arn, { stage: 'AWSPENDING' });
    const byVersion = await store.getValue(secret.arn, { versionId: TOKEN_A });

    // Assess
    expect(before).toBeNull();
    expect(conflict).toMatchObject({ name: 'RotationInProgressError', details: { versionId: TOKEN_A } });
    expect(JSON.stringify(conflict) + String(conflict)).not.toContain('"v":3');
    expect(pending).toBe('{"v":2}');
    expect(byVersion).toBe('{"v":2}');
    expect(standIn.secretsManager.versions(secret.arn).filter((v) => v.versionId === TOKEN_A)).toHaveLength(
      1,
    );
    const description = await store.describe(secret.arn);
    expect(description.versionIdsToStages[TOKEN_A]).toEqual(['AWSPENDING']);
    expect(description.versionIdsToStages[secret.versionId]).toEqual(['AWSCURRENT']);
  });

  it('promotes the token to AWSCURRENT (AWSPREVIOUS follows) and removes AWSPENDING idempotently', async () => {
    // Prepare
    const secret = await createSecret('{"v":1}');
    const store = new SecretsManagerStore(sm);
    await store.putPending(secret.arn, TOKEN_B, '{"v":2}');

    // Act
    await store.promote(secret.arn, TOKEN_B, secret.versionId);
    await store.promote(secret.arn, TOKEN_B, TOKEN_B);
    await store.removeStage(secret.arn, 'AWSPENDING', TOKEN_B);
    await store.removeStage(secret.arn, 'AWSPENDING', TOKEN_B);

    // Assess
    const description = await store.describe(secret.arn);
    expect(description.versionIdsToStages[TOKEN_B]).toEqual(['AWSCURRENT']);
    expect(description.versionIdsToStages[secret.versionId]).toEqual(['AWSPREVIOUS']);
    expect(await store.getValue(secret.arn, { stage: 'AWSCURRENT' })).toBe('{"v":2}');
  });

  it('maps throttling from the stand-in to TransientUpstreamError', async () => {
    // Prepare
    const secret = await createSecret('{"v":1}');
    standIn.faults.add({ operation: 'secretsmanager.DescribeSecret', nth: 1, status: 429 });

    // Act
    const error = await new SecretsManagerStore(sm).describe(secret.arn).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TransientUpstreamError', retryable: true });
  });
});

describe('StepFunctionsExecutions against the AWS stand-in', () => {
  const stateMachineArn = `arn:aws:states:eu-west-1:123456789012:stateMachine:adapter-rotation`;
  const gates = new Map<string, () => void>();

  /** Records Fetch (exited), then waits at Create until the test opens its gate. */
  const runner: ExecutionRunner = async (input, context) => {
    context.recordEvent({ type: 'TaskStateEntered', stateName: 'Fetch', details: { input } });
    context.recordEvent({ type: 'TaskStateExited', stateName: 'Fetch', details: { output: input } });
    context.recordEvent({ type: 'TaskStateEntered', stateName: 'Create', details: { input } });
    await new Promise<void>((resolve) => {
      gates.set(context.name, resolve);
      context.signal.addEventListener('abort', () => resolve());
    });
    context.recordEvent({ type: 'TaskStateExited', stateName: 'Create', details: { output: input } });
    return input;
  };

  beforeAll(() => {
    standIn.stepFunctions.registerStateMachine(stateMachineArn, runner);
  });

  afterAll(() => {
    for (const open of gates.values()) open();
  });

  it('starts once per name, describes by name and lists the states left so far', async () => {
    // Prepare
    const executions = new StepFunctionsExecutions(sfn, stateMachineArn);
    const input = { secretId: 'genesys/a', trigger: 'secretsmanager', token: TOKEN_A };

    // Act
    const first = await executions.start('rotation-a', input);
    const again = await executions.start('rotation-a', {
      token: TOKEN_A,
      trigger: 'secretsmanager',
      secretId: 'genesys/a',
    });
    const clash = await executions
      .start('rotation-a', { secretId: 'genesys/other' })
      .catch((e: unknown) => e);
    const running = await executions.describeByName('rotation-a');
    const missing = await executions.describeByName('never-started');
    const statesSoFar = await executions.completedStates(first.executionArn);
    gates.get('rotation-a')?.();
    const outcome = await standIn.stepFunctions.waitForExecution(first.executionArn, 5_000);
    const statesAtEnd = await executions.completedStates(first.executionArn);
    const finished = await executions.describeByName('rotation-a');
    const reuse = await executions.start('rotation-a', input).catch((e: unknown) => e);

    // Assess
    expect(first.executionArn).toBe(
      `arn:aws:states:eu-west-1:123456789012:execution:adapter-rotation:rotation-a`,
    );
    expect(again).toEqual(first);
    expect(clash).toMatchObject({ name: 'RotationInProgressError' });
    expect(running).toMatchObject({
      name: 'rotation-a',
      status: 'RUNNING',
      executionArn: first.executionArn,
    });
    expect(missing).toBeNull();
    expect(statesSoFar).toEqual(['Fetch']);
    expect(outcome.status).toBe('SUCCEEDED');
    expect(statesAtEnd).toEqual(['Fetch', 'Create']);
    expect(finished).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(reuse).toMatchObject({ name: 'InvalidInputError' });
  });

  it('finds the other running executions for a secret by ARN or name', async () => {
    // Prepare
    const executions = new StepFunctionsExecutions(sfn, stateMachineArn);
    const secret = {
      arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys/b-AbCdEf',
      name: 'genesys/b',
    };
    const mine = await executions.start('b-mine', { secretId: secret.name });
    await executions.start('b-by-arn', { secretId: secret.arn });
    await executions.start('b-by-name', { secretId: secret.name });
    await executions.start('c-other', { secretId: 'genesys/c' });
    await executions.start('b-done', { secretId: secret.name });
    gates.get('b-done')?.();
    await standIn.stepFunctions.waitForExecution(
      `arn:aws:states:eu-west-1:123456789012:execution:adapter-rotation:b-done`,
      5_000,
    );

    // Act
    const others = await executions.runningFor(secret, mine.executionArn);

    // Assess
    expect(others.map((e) => e.name).sort()).toEqual(['b-by-arn', 'b-by-name']);
    expect(others.every((e) => e.status === 'RUNNING')).toBe(true);
  });
});
