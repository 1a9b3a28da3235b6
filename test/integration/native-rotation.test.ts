/**
 * Secrets Manager native rotation, end to end through the stand-ins and the real SDK clients:
 * RotateSecret on the Secrets Manager stand-in drives the rotation function (the hook) in-process,
 * the hook starts the synthesized state machine on the Step Functions stand-in, and every task talks
 * to the Genesys stand-in over HTTP.
 */
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { startConsumer, waitUntil } from '../helpers/local.js';
import {
  clientsCreated,
  currentClientId,
  HOOK_STEPS,
  latestRotation,
  listExecutions,
  stagesByVersion,
  useLocalEnvironments,
  versionWith,
} from '../helpers/native.js';

const { start } = useLocalEnvironments();

describe('Secrets Manager native rotation', () => {
  it('promotes the RotateSecret token, makes exactly one client and retires the legacy client', async () => {
    // Prepare
    const { env: local, genesys } = await start();
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');
    const legacyId = local.demo.legacyClientId;
    const startedAt = new Date();

    // Act
    await local.rotateNatively();
    const rotation = latestRotation(local);
    const executions = (await listExecutions(local)).filter((execution) =>
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
    const newClientId = await currentClientId(local);
    expect(clientsCreated(genesys)).toBe(1);
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
    const { env: local, genesys } = await start();
    const consumer = await startConsumer(local);
    await local.rotateNatively();
    const first = latestRotation(local);
    const firstExecution = (await listExecutions(local)).find(
      (execution) => execution.name === `sm-${first.token}`,
    );
    if (firstExecution?.executionArn === undefined) throw new Error('no execution for the first token');
    expect((await local.waitForExecution(firstExecution.executionArn)).status).toBe('SUCCEEDED');
    const afterFirst = await currentClientId(local);
    await waitUntil('consumer on the new client', () => consumer.stats.clientsUsed.at(-1) === afterFirst);
    const callsAtSwitch = consumer.stats.calls;
    await waitUntil('usage of the new client', () => consumer.stats.calls >= callsAtSwitch + 3);

    // Act
    await local.rotateNatively();
    const second = latestRotation(local);
    const secondExecution = (await listExecutions(local)).find(
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
    const afterSecond = await currentClientId(local);
    expect(clientsCreated(genesys)).toBe(2);
    const live = (local.genesys?.clients() ?? []).filter((candidate) => !candidate.deleted);
    expect(live.map((candidate) => candidate.id).sort()).toEqual(
      [local.demo.adminClientId, afterSecond].sort(),
    );
    expect(stats.failedCalls).toBe(0);
    expect(stats.clientsUsed).toEqual([local.demo.legacyClientId, afterFirst, afterSecond]);
  });

  it('runs only testSecret for RotateImmediately=false and changes nothing', async () => {
    // Prepare
    const { env: local, genesys } = await start();
    const consumer = await startConsumer(local);
    const before = stagesByVersion(local);
    const valueBefore = await currentClientId(local);
    const clientsBefore = local.genesys?.clients() ?? [];

    // Act
    await local.rotateNatively({ rotateImmediately: false });
    const rotation = latestRotation(local);
    const stats = await consumer.stop();

    // Assess
    expect(rotation.rotateImmediately).toBe(false);
    expect(rotation.outcome).toBe('succeeded');
    expect(rotation.attempts).toEqual([
      { token: rotation.token, steps: [{ step: 'testSecret', ok: true, error: null }] },
    ]);
    expect(await listExecutions(local)).toEqual([]);
    expect(clientsCreated(genesys)).toBe(0);
    expect(local.genesys?.clients()).toEqual(clientsBefore);
    // The placeholder RotateSecret made for the token is gone; every other version is untouched.
    expect(stagesByVersion(local)).toEqual(before);
    expect(versionWith(local, 'AWSPENDING')).toBeUndefined();
    expect(await currentClientId(local)).toBe(valueBefore);
    expect(stats.failedCalls).toBe(0);
  });
});
