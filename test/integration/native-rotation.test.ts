/**
 * Secrets Manager native rotation, end to end through the stand-ins and the real SDK clients:
 * RotateSecret on the Secrets Manager stand-in drives the rotation function (the hook) in-process,
 * the hook starts the synthesized state machine on the Step Functions stand-in, and every task talks
 * to the Genesys stand-in over HTTP.
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type ExecutionListItem, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEnvironment, startLocalEnvironment } from '../../local/harness.js';
import type { RotationRecord } from '../../local/standins/aws/index.js';

const POLICY = { adoptionQuietSeconds: 1, adoptionPollSeconds: 1, gracePeriodSeconds: 30 } as const;
const WAITS = { WaitForAdoption: 50, ObserveInactive: 10 } as const;
const CONSUMER = { callIntervalMs: 50, refreshIntervalMs: 100 } as const;
const HOOK_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
const CREATE_CLIENT_ROUTE = 'POST /api/v2/oauth/clients';

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

async function start(): Promise<{ env: LocalEnvironment; sfn: SFNClient }> {
  awsPort ??= await freePort();
  env = await startLocalEnvironment({
    policy: POLICY,
    waitOverridesMs: WAITS,
    consumer: CONSUMER,
    aws: { port: awsPort },
  });
  sfn = new SFNClient({
    endpoint: env.aws.url,
    region: env.aws.region,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  return { env, sfn };
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
  return items;
}

function latestRotation(local: LocalEnvironment): RotationRecord {
  const rotation = local.aws.secretsManager.rotations().at(-1);
  if (rotation === undefined) throw new Error('no rotation was recorded');
  return rotation;
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

function clientsCreated(local: LocalEnvironment): number {
  return (local.genesys?.requestLog ?? []).filter(
    (request) => request.route === CREATE_CLIENT_ROUTE && request.status >= 200 && request.status < 300,
  ).length;
}

async function currentClientId(client: SecretsManagerClient, secretId: string): Promise<string> {
  const value = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  return (JSON.parse(value.SecretString ?? '{}') as { clientId: string }).clientId;
}

describe('Secrets Manager native rotation', () => {
  it('promotes the RotateSecret token, makes exactly one client and retires the legacy client', async () => {
    // Prepare
    const { env: local, sfn: client } = await start();
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');
    const legacyId = local.demo.legacyClientId;
    const startedAt = new Date();

    // Act
    await local.rotateNatively();
    const rotation = latestRotation(local);
    const executions = (await listExecutions(client, local)).filter((execution) =>
      execution.name?.startsWith(`sm-${rotation.token}`),
    );
    const execution = executions[0];
    if (execution?.executionArn === undefined) throw new Error('no execution for the token');
    const result = await local.waitForExecution(execution.executionArn);
    const stats = await consumer.stop();

    // Assess
    expect(rotation.outcome).toBe('succeeded');
    expect(rotation.attempts).toHaveLength(1);
    expect(rotation.attempts[0]?.steps).toEqual(HOOK_STEPS.map((step) => ({ step, ok: true, error: null })));
    expect(executions.map((candidate) => candidate.name)).toEqual([`sm-${rotation.token}`]);
    expect(result.status).toBe('SUCCEEDED');

    // Labels: AWSCURRENT on the token's version (VersionId = ClientRequestToken), AWSPREVIOUS on the old one.
    const stages = stagesByVersion(local);
    expect(originalVersion).toBeDefined();
    expect(stages[rotation.token]).toEqual(['AWSCURRENT']);
    expect(stages[originalVersion ?? '']).toEqual(['AWSPREVIOUS']);
    for (const labels of Object.values(stages)) {
      if (labels.includes('AWSPENDING')) expect(labels).toContain('AWSCURRENT');
    }
    const described = await local.clients.secretsManager.send(
      new DescribeSecretCommand({ SecretId: local.managedSecretArn }),
    );
    expect(described.RotationEnabled).toBe(true);
    expect(described.LastRotatedDate?.getTime()).toBeGreaterThanOrEqual(startedAt.getTime() - 1_000);

    // Exactly one new client, and it is the one AWSCURRENT names; the legacy client is retired.
    const newClientId = await currentClientId(local.clients.secretsManager, local.managedSecretArn);
    expect(clientsCreated(local)).toBe(1);
    const clients = local.genesys?.clients() ?? [];
    const live = clients.filter((candidate) => !candidate.deleted);
    expect(live.map((candidate) => candidate.id).sort()).toEqual(
      [local.demo.adminClientId, newClientId].sort(),
    );
    expect(newClientId).not.toBe(legacyId);
    expect(clients.find((candidate) => candidate.id === legacyId)?.deleted).toBe(true);

    // The consumer moved from the legacy client to the new one without a single failed call.
    expect(stats.failures).toEqual([]);
    expect(stats.failedCalls).toBe(0);
    expect(stats.clientsUsed).toEqual([legacyId, newClientId]);
  });

  it('rotates again after a completed native rotation, each with its own token and one client', async () => {
    // Prepare
    const { env: local, sfn: client } = await start();
    const consumer = await startConsumer(local);
    await local.rotateNatively();
    const first = latestRotation(local);
    const firstExecution = (await listExecutions(client, local)).find(
      (execution) => execution.name === `sm-${first.token}`,
    );
    if (firstExecution?.executionArn === undefined) throw new Error('no execution for the first token');
    expect((await local.waitForExecution(firstExecution.executionArn)).status).toBe('SUCCEEDED');
    const afterFirst = await currentClientId(local.clients.secretsManager, local.managedSecretArn);
    await waitUntil(() => consumer.stats.clientsUsed.at(-1) === afterFirst, 'consumer on the new client');
    const callsAtSwitch = consumer.stats.calls;
    await waitUntil(() => consumer.stats.calls >= callsAtSwitch + 3, 'usage of the new client');

    // Act
    await local.rotateNatively();
    const second = latestRotation(local);
    const secondExecution = (await listExecutions(client, local)).find(
      (execution) => execution.name === `sm-${second.token}`,
    );
    if (secondExecution?.executionArn === undefined) throw new Error('no execution for the second token');
    const result = await local.waitForExecution(secondExecution.executionArn);
    const stats = await consumer.stop();

    // Assess
    expect(second.token).not.toBe(first.token);
    expect(second.outcome).toBe('succeeded');
    expect(result.status).toBe('SUCCEEDED');
    const stages = stagesByVersion(local);
    expect(stages[second.token]).toEqual(['AWSCURRENT']);
    expect(stages[first.token]).toEqual(['AWSPREVIOUS']);
    const afterSecond = await currentClientId(local.clients.secretsManager, local.managedSecretArn);
    expect(clientsCreated(local)).toBe(2);
    const live = (local.genesys?.clients() ?? []).filter((candidate) => !candidate.deleted);
    expect(live.map((candidate) => candidate.id).sort()).toEqual(
      [local.demo.adminClientId, afterSecond].sort(),
    );
    expect(stats.failedCalls).toBe(0);
    expect(stats.clientsUsed).toEqual([local.demo.legacyClientId, afterFirst, afterSecond]);
  });

  it('runs only testSecret for RotateImmediately=false and changes nothing', async () => {
    // Prepare
    const { env: local, sfn: client } = await start();
    const consumer = await startConsumer(local);
    const before = stagesByVersion(local);
    const valueBefore = await currentClientId(local.clients.secretsManager, local.managedSecretArn);
    const clientsBefore = local.genesys?.clients() ?? [];

    // Act
    await local.rotateNatively({ rotateImmediately: false });
    const rotation = latestRotation(local);
    const stats = await consumer.stop();

    // Assess
    expect(rotation.rotateImmediately).toBe(false);
    expect(rotation.outcome).toBe('succeeded');
    expect(rotation.attempts).toEqual([{ steps: [{ step: 'testSecret', ok: true, error: null }] }]);
    expect(await listExecutions(client, local)).toEqual([]);
    expect(clientsCreated(local)).toBe(0);
    expect(local.genesys?.clients()).toEqual(clientsBefore);
    // The placeholder RotateSecret made for the token is gone; every other version is untouched.
    expect(stagesByVersion(local)).toEqual(before);
    expect(versionWith(local, 'AWSPENDING')).toBeUndefined();
    expect(await currentClientId(local.clients.secretsManager, local.managedSecretArn)).toBe(valueBefore);
    expect(stats.failedCalls).toBe(0);
  });
});
