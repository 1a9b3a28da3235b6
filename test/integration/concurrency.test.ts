/**
 * One rotation per secret at a time (DESIGN.md §7.5), through the stand-ins and the real SDK
 * clients: a manual execution against an open native rotation, a native rotation against a running
 * manual execution, and two manual executions at once. Executions are held at a chosen state by the
 * harness's Lambda interceptor to make the overlap certain.
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import {
  GetSecretValueCommand,
  InvalidRequestException,
  RotateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { type ExecutionListItem, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ExecutionResult,
  type LocalEnvironment,
  type LocalEnvironmentOptions,
  startLocalEnvironment,
} from '../../local/harness.js';
import type { GenesysStandIn } from '../../local/standins/genesys/index.js';

const POLICY = { adoptionQuietSeconds: 1, adoptionPollSeconds: 1, gracePeriodSeconds: 30 } as const;
const WAITS = { WaitForAdoption: 50, ObserveInactive: 10 } as const;
const CONSUMER = { callIntervalMs: 50, refreshIntervalMs: 100 } as const;
const CREATE_CLIENT_ROUTE = 'POST /api/v2/oauth/clients';
const SECRET_NAME = 'genesys/demo/reporting-service';

let env: LocalEnvironment | null = null;
let sfn: SFNClient | null = null;
let awsPort: number | undefined;

/**
 * Every environment of this file serves AWS on one port: the functions keep one Secrets Manager and
 * one Step Functions SDK client per module, which `resetRuntime()` does not drop, so a later
 * environment on another port would see the functions call the first one's closed endpoint.
 */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Synthesizes the stack once for this file (the harness caches it per policy), outside any test's timeout. */
beforeAll(async () => {
  awsPort ??= await freePort();
  const warm = await startLocalEnvironment({ policy: POLICY, consumer: false, aws: { port: awsPort } });
  await warm.close();
}, 180_000);

afterEach(async () => {
  sfn?.destroy();
  sfn = null;
  await env?.close();
  env = null;
});

async function start(
  options: Pick<LocalEnvironmentOptions, 'interceptor'> = {},
): Promise<{ env: LocalEnvironment; sfn: SFNClient; genesys: GenesysStandIn }> {
  awsPort ??= await freePort();
  env = await startLocalEnvironment({
    policy: POLICY,
    waitOverridesMs: WAITS,
    consumer: CONSUMER,
    aws: { port: awsPort },
    ...options,
  });
  sfn = new SFNClient({
    endpoint: env.aws.url,
    region: env.aws.region,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  if (env.genesys === null) throw new Error('these tests need the Genesys stand-in');
  return { env, sfn, genesys: env.genesys };
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts the consumer and waits until the legacy client has usage (Validate refuses an unused one). */
async function startConsumer(local: LocalEnvironment): Promise<NonNullable<LocalEnvironment['consumer']>> {
  const consumer = local.consumer;
  if (consumer === null) throw new Error('the environment has no consumer');
  consumer.start();
  await waitUntil(() => consumer.stats.calls - consumer.stats.failedCalls >= 3, 'consumer calls');
  return consumer;
}

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

async function listExecutions(client: SFNClient, local: LocalEnvironment): Promise<ExecutionListItem[]> {
  const items: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListExecutionsCommand({ stateMachineArn: local.stateMachineArn, nextToken }),
    );
    items.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return items.reverse();
}

async function settle(local: LocalEnvironment, executions: readonly ExecutionListItem[]) {
  const results: Array<ExecutionResult & { name: string }> = [];
  for (const execution of executions) {
    if (execution.executionArn === undefined || execution.name === undefined) throw new Error('no ARN');
    results.push({ name: execution.name, ...(await local.waitForExecution(execution.executionArn)) });
  }
  return results;
}

function startManual(local: LocalEnvironment): Promise<string> {
  return local.startExecution({ secretId: local.managedSecretArn, reason: 'concurrency test' });
}

function stagesByVersion(local: LocalEnvironment): Record<string, string[]> {
  return Object.fromEntries(
    local.aws.secretsManager
      .versions(local.managedSecretArn)
      .map((version) => [version.versionId, [...version.stages].sort()]),
  );
}

function versionWith(local: LocalEnvironment, stage: string): string | undefined {
  return local.aws.secretsManager
    .versions(local.managedSecretArn)
    .find((version) => version.stages.includes(stage))?.versionId;
}

/** AWSPENDING may only sit with AWSCURRENT: anywhere else it blocks the next rotation. */
function strandedPending(local: LocalEnvironment): string[] {
  return local.aws.secretsManager
    .versions(local.managedSecretArn)
    .filter((version) => version.stages.includes('AWSPENDING') && !version.stages.includes('AWSCURRENT'))
    .map((version) => version.versionId);
}

function clientsCreated(genesys: GenesysStandIn): number {
  return genesys.requestLog.filter(
    (request) => request.route === CREATE_CLIENT_ROUTE && request.status >= 200 && request.status < 300,
  ).length;
}

function liveClientIds(genesys: GenesysStandIn): string[] {
  return genesys
    .clients()
    .filter((client) => !client.deleted)
    .map((client) => client.id)
    .sort();
}

async function currentClientId(local: LocalEnvironment): Promise<string> {
  const value = await local.clients.secretsManager.send(
    new GetSecretValueCommand({ SecretId: local.managedSecretArn }),
  );
  return (JSON.parse(value.SecretString ?? '{}') as { clientId: string }).clientId;
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
    const {
      env: local,
      sfn: client,
      genesys,
    } = await start({
      interceptor: (call, invoke) => hold.around(call.stateName, call.executionName, invoke),
    });
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');
    const rotating = local.rotateNatively();
    await waitUntil(() => hold.reached, 'the native execution to reach Verify');
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
      (await listExecutions(client, local)).filter((execution) => isNative(execution.name ?? '')),
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
    const {
      env: local,
      sfn: client,
      genesys,
    } = await start({
      interceptor: (call, invoke) => hold.around(call.stateName, call.executionName, invoke),
    });
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');
    const manualArn = await startManual(local);
    await waitUntil(() => hold.reached, 'the manual execution to reach Verify');
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
    const native = (await listExecutions(client, local)).filter((execution) =>
      isNative(execution.name ?? ''),
    );
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
    const {
      env: local,
      sfn: client,
      genesys,
    } = await start({
      interceptor: (call, invoke) => hold.around(call.stateName, call.executionName, invoke),
    });
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');
    const manualArn = await startManual(local);
    await waitUntil(() => hold.reached, 'the manual execution to reach Create');

    // Act
    await local.rotateNatively();
    const rotation = local.aws.secretsManager.rotations().at(-1);
    const native = await settle(
      local,
      (await listExecutions(client, local)).filter((execution) => isNative(execution.name ?? '')),
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
    await waitUntil(() => hold.reached, 'the first execution to reach Verify');
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
