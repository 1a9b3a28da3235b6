/**
 * One rotation per secret at a time (DESIGN.md §7.5), through the stand-ins and the real SDK
 * clients: a manual execution against an open native rotation, a native rotation against a running
 * manual execution, and two manual executions at once. Executions are held at a chosen state by the
 * harness's Lambda interceptor to make the overlap certain.
 */
import { InvalidRequestException, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import type { LocalEnvironment } from '../../local/harness.js';
import type { GenesysStandIn } from '../../local/standins/genesys/index.js';
import { startConsumer, waitUntil } from '../helpers/local.js';
import {
  clientsCreated,
  currentClientId,
  listExecutions,
  liveClientIds,
  SECRET_NAME,
  settle,
  stagesByVersion,
  strandedPending,
  useLocalEnvironments,
  versionWith,
} from '../helpers/native.js';

const { start } = useLocalEnvironments();

/** Holds the first Lambda invocation that matches until released. */
class Hold {
  reached = false;
  #release: () => void = () => undefined;
  readonly #released = new Promise<void>((resolve) => {
    this.#release = resolve;
  });

  constructor(private readonly matches: (stateName: string, executionName: string) => boolean) {}

  /** Interceptor body: waits here for the first matching call, then invokes. */
  async around(stateName: string, executionName: string, invoke: () => Promise<unknown>) {
    if (!this.reached && this.matches(stateName, executionName)) {
      this.reached = true;
      await this.#released;
    }
    return invoke();
  }

  release(): void {
    this.#release();
  }
}

const isNative = (executionName: string) => executionName.startsWith('sm-');

function startManual(local: LocalEnvironment): Promise<string> {
  return local.startExecution({ secretId: local.managedSecretArn, reason: 'concurrency test' });
}

/** The end state of exactly one successful rotation: one live new client, current, legacy retired. */
async function expectOneRotation(local: LocalEnvironment, genesys: GenesysStandIn, originalVersion?: string) {
  const current = await currentClientId(local);
  expect(current).not.toBe(local.demo.legacyClientId);
  expect(clientsCreated(genesys)).toBe(1);
  expect(liveClientIds(genesys)).toEqual([local.demo.adminClientId, current].sort());
  expect(strandedPending(local)).toEqual([]);
  expect(versionWith(local, 'AWSPREVIOUS')).toBe(originalVersion);
  return current;
}

describe('one rotation per secret at a time', () => {
  it('refuses a manual execution with ROTATION_IN_PROGRESS while a native rotation is open', async () => {
    // Prepare: the native rotation is held before Verify, its pending version written.
    const hold = new Hold((state, execution) => state === 'Verify' && isNative(execution));
    const { env: local, genesys } = await start({
      interceptor: (call, invoke) => hold.around(call.stateName, call.executionName, invoke),
    });
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');
    const rotating = local.rotateNatively();
    await waitUntil('the native execution to reach Verify', () => hold.reached);
    const stagesBefore = stagesByVersion(local);
    const clientsBefore = liveClientIds(genesys);
    const token = local.aws.secretsManager.rotations().at(-1)?.token;

    // Act
    const manual = await local.waitForExecution(await startManual(local));

    // Assess: refused, and the open rotation is untouched.
    expect(manual.status).toBe('FAILED');
    expect(manual.error).toBe('RotationInProgressError');
    expect(manual.cause).toContain(SECRET_NAME);
    expect(stagesByVersion(local)).toEqual(stagesBefore);
    expect(stagesBefore[token ?? 'missing']).toEqual(['AWSPENDING']);
    expect(liveClientIds(genesys)).toEqual(clientsBefore);
    expect(clientsCreated(genesys)).toBe(1);

    // Act: the native rotation carries on.
    hold.release();
    await rotating;
    const rotation = local.aws.secretsManager.rotations().at(-1);
    const executions = await settle(
      local,
      (await listExecutions(local)).filter((execution) => isNative(execution.name ?? '')),
    );
    const stats = await consumer.stop();

    // Assess
    expect(rotation?.outcome).toBe('succeeded');
    expect(executions.map(({ name, status }) => ({ name, status }))).toEqual([
      { name: `sm-${token}`, status: 'SUCCEEDED' },
    ]);
    expect(versionWith(local, 'AWSCURRENT')).toBe(token);
    await expectOneRotation(local, genesys, originalVersion);
    expect(stats.failedCalls).toBe(0);
  });

  it('refuses RotateSecret while a manual execution holds the pending version, and the manual one succeeds', async () => {
    // Prepare: the manual execution is held before Verify, its pending version written.
    const hold = new Hold((state, execution) => state === 'Verify' && !isNative(execution));
    const { env: local, genesys } = await start({
      interceptor: (call, invoke) => hold.around(call.stateName, call.executionName, invoke),
    });
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');
    const manualArn = await startManual(local);
    await waitUntil('the manual execution to reach Verify', () => hold.reached);
    const manualToken = strandedPending(local)[0];

    // Act
    const rotateSecret = local.clients.secretsManager.send(
      new RotateSecretCommand({
        SecretId: local.managedSecretArn,
        RotationLambdaARN: local.rotatorFunctionArn,
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
      }),
    );
    const refusedBySecretsManager = await rotateSecret.then(
      () => null,
      (error: unknown) => error,
    );
    if (refusedBySecretsManager === null) {
      await local.aws.secretsManager.waitForRotation(local.managedSecretArn, 60_000);
    }
    hold.release();
    const manual = await local.waitForExecution(manualArn);
    const stats = await consumer.stop();

    // Assess: the native rotation never got going; the manual one completed alone.
    expect(manualToken).toBeDefined();
    if (refusedBySecretsManager !== null) {
      expect(refusedBySecretsManager).toBeInstanceOf(InvalidRequestException);
      expect(String(refusedBySecretsManager)).toContain("A previous rotation isn't complete");
      expect(local.aws.secretsManager.rotations()).toEqual([]);
    } else {
      const rotation = local.aws.secretsManager.rotations().at(-1);
      expect(rotation?.outcome).toBe('failed');
      for (const attempt of rotation?.attempts ?? []) {
        expect(attempt.steps.at(-1)?.error).toContain('RotationInProgressError');
      }
    }
    const native = (await listExecutions(local)).filter((execution) => isNative(execution.name ?? ''));
    for (const execution of await settle(local, native)) {
      expect(execution).toMatchObject({ status: 'FAILED', error: 'RotationInProgressError' });
    }
    expect(manual.status).toBe('SUCCEEDED');
    expect(versionWith(local, 'AWSCURRENT')).toBe(manualToken);
    await expectOneRotation(local, genesys, originalVersion);
    expect(stats.failedCalls).toBe(0);
  });

  it('refuses the native rotation with ROTATION_IN_PROGRESS while a manual execution runs, and the manual one succeeds', async () => {
    // Prepare: the manual execution is held before Create: nothing is pending yet.
    const hold = new Hold((state, execution) => state === 'Create' && !isNative(execution));
    const { env: local, genesys } = await start({
      interceptor: (call, invoke) => hold.around(call.stateName, call.executionName, invoke),
    });
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');
    const manualArn = await startManual(local);
    await waitUntil('the manual execution to reach Create', () => hold.reached);

    // Act
    await local.rotateNatively();
    const rotation = local.aws.secretsManager.rotations().at(-1);
    const native = await settle(
      local,
      (await listExecutions(local)).filter((execution) => isNative(execution.name ?? '')),
    );
    const stagesAfterNative = stagesByVersion(local);
    const createdDuringNative = clientsCreated(genesys);
    hold.release();
    const manual = await local.waitForExecution(manualArn);
    const stats = await consumer.stop();

    // Assess: every attempt of the native rotation was refused and left nothing pending.
    expect(rotation?.outcome).toBe('failed');
    expect(rotation?.attempts.length).toBeGreaterThanOrEqual(1);
    for (const attempt of rotation?.attempts ?? []) {
      expect(attempt.steps).toHaveLength(1);
      expect(attempt.steps[0]?.step).toBe('createSecret');
      expect(attempt.steps[0]?.error).toContain(`createSecret for secret ${SECRET_NAME}`);
      expect(attempt.steps[0]?.error).toContain('RotationInProgressError');
    }
    expect(native.length).toBe(rotation?.attempts.length);
    for (const execution of native) {
      expect(execution).toMatchObject({ status: 'FAILED', error: 'RotationInProgressError' });
    }
    expect(createdDuringNative).toBe(0);
    expect(Object.values(stagesAfterNative).flat().sort()).toEqual(['AWSCURRENT']);
    // The manual execution then rotated alone.
    expect(manual.status).toBe('SUCCEEDED');
    await expectOneRotation(local, genesys, originalVersion);
    expect(stats.failedCalls).toBe(0);
  });

  it('refuses a second manual execution while the first is running', async () => {
    // Prepare
    let first: string | null = null;
    const hold = new Hold((state, execution) => state === 'Verify' && execution === first);
    const { env: local, genesys } = await start({
      interceptor: (call, invoke) => hold.around(call.stateName, call.executionName, invoke),
    });
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');
    const firstArn = await startManual(local);
    first = firstArn.split(':').at(-1) ?? null;
    await waitUntil('the first execution to reach Verify', () => hold.reached);
    const stagesBefore = stagesByVersion(local);

    // Act
    const second = await local.waitForExecution(await startManual(local));
    const stagesWhileRefused = stagesByVersion(local);
    hold.release();
    const firstResult = await local.waitForExecution(firstArn);
    const stats = await consumer.stop();

    // Assess
    expect(second.status).toBe('FAILED');
    expect(second.error).toBe('RotationInProgressError');
    expect(stagesWhileRefused).toEqual(stagesBefore);
    expect(firstResult.status).toBe('SUCCEEDED');
    await expectOneRotation(local, genesys, originalVersion);
    expect(stats.failedCalls).toBe(0);
  });

  it('lets at most one of two simultaneous manual executions rotate, leaving no orphan', async () => {
    // Prepare
    const { env: local, genesys } = await start();
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');

    // Act
    const arns = await Promise.all([startManual(local), startManual(local)]);
    const results = await Promise.all(arns.map((arn) => local.waitForExecution(arn)));
    const stats = await consumer.stop();

    // Assess
    const succeeded = results.filter((result) => result.status === 'SUCCEEDED');
    expect(succeeded.length).toBeLessThanOrEqual(1);
    for (const result of results.filter((candidate) => candidate.status !== 'SUCCEEDED')) {
      expect(result).toMatchObject({ status: 'FAILED', error: 'RotationInProgressError' });
    }
    // A refused execution may have created a client if both passed Validate; it must have removed it.
    const current = await currentClientId(local);
    expect(liveClientIds(genesys)).toEqual([local.demo.adminClientId, current].sort());
    expect(strandedPending(local)).toEqual([]);
    if (succeeded.length === 1) {
      expect(current).not.toBe(local.demo.legacyClientId);
      expect(versionWith(local, 'AWSPREVIOUS')).toBe(originalVersion);
    } else {
      expect(current).toBe(local.demo.legacyClientId);
      expect(versionWith(local, 'AWSCURRENT')).toBe(originalVersion);
    }
    expect(stats.failedCalls).toBe(0);
  });
});
