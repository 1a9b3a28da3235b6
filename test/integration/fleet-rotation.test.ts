/**
 * Fleet rotation end to end: the synthesized fleet machine on the local engine, its Select step
 * listing secrets through the real Secrets Manager client, each secret's rotation started through
 * the Step Functions API (`startExecution.sync:2`) and run by the synthesized rotation machine
 * against the Genesys stand-in.
 */
import { StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotationExecutionName } from '../../functions/core/fleet.js';
import type { FleetSummary } from '../../functions/shared/fleet-contract.js';
import { FLEET_DETAIL_TYPE } from '../../infra/constructs/fleet-rotation.js';
import { fleetEventSchemaFiles } from '../../infra/constructs/rotation-monitoring.js';
import {
  FLEET_LOCAL_POLICY,
  type FleetRunResult,
  maxInFlight,
  rotationExecutions,
  runFleet,
  type SeededFleetSecret,
  seedFleetSecrets,
} from '../../local/fleet.js';
import { type LocalEnvironment, startLocalEnvironment } from '../../local/harness.js';
import { eventContract } from '../helpers/event-contract.js';
import { containsAny, readCredential } from '../helpers/local.js';

const TEAM_TAG = { team: 'contact-centre' };
const OTHER_ORG = '7a0c2f4e-1b3d-4c5e-8f90-a1b2c3d4e5f6';
const NAMES = ['a1', 'a2', 'a3', 'a4-missing-client', 'b1-other-org', 'b2-other-org'].map(
  (n) => `genesys/fleet/${n}`,
);
const MAX_PER_ORG = 2;

describe('fleet rotation on the stand-ins with one admin credential, the default (genesys-cloud-api.md §3: one admin token, 300 requests a minute)', () => {
  let env: LocalEnvironment;
  let secrets: SeededFleetSecret[];
  let first: FleetRunResult;
  let summary: FleetSummary;
  let legacySecrets: string[];

  beforeAll(async () => {
    env = await startLocalEnvironment({
      consumer: false,
      policy: FLEET_LOCAL_POLICY,
      fleet: { maxOrgsInParallel: 2, maxConcurrencyPerOrg: MAX_PER_ORG, toleratedFailurePercentage: 50 },
      extraManagedSecretNames: NAMES,
    });
    secrets = await seedFleetSecrets(env, [
      { name: NAMES[0] as string, extraTags: TEAM_TAG },
      { name: NAMES[1] as string, extraTags: TEAM_TAG },
      { name: NAMES[2] as string, extraTags: TEAM_TAG },
      { name: NAMES[3] as string, extraTags: TEAM_TAG, missingClient: true },
      { name: NAMES[4] as string, extraTags: TEAM_TAG, orgId: OTHER_ORG },
      { name: NAMES[5] as string, extraTags: TEAM_TAG, orgId: OTHER_ORG },
    ]);
    legacySecrets = await Promise.all(
      secrets.map(async (secret) => (await readCredential(env, { secretId: secret.arn })).clientSecret),
    );
    first = await runFleet(env, { batchId: 'it-batch', tags: TEAM_TAG, reason: 'integration test' });
    summary = first.summary as FleetSummary;
  }, 900_000);

  afterAll(async () => {
    await env?.close();
  });

  it('selects by tag (the demo secret lacks the team tag) and rotates every healthy secret', async () => {
    expect(first.status).toBe('SUCCEEDED');
    expect(summary.selected).toBe(6);
    expect(summary.reported).toBe(6);
    expect(summary.outcomes).toEqual({ succeeded: 3, failed: 3, 'already-started': 0 });
    for (const secret of secrets.slice(0, 3)) {
      const current = await readCredential(env, { secretId: secret.arn, stage: 'AWSCURRENT' });
      expect(current.clientId, secret.name).not.toBe(secret.legacyClientId);
      const legacy = env.genesys?.clients().find((client) => client.id === secret.legacyClientId);
      expect(legacy === undefined || legacy.deleted || legacy.state === 'inactive', secret.name).toBe(true);
    }
  });

  it('names each failed secret with its error, counts per org, and a failure stops no other secret', () => {
    expect(summary.failed.map((f) => [f.secretName, f.error]).sort()).toEqual([
      [NAMES[3], 'TargetNotFoundError'],
      [NAMES[4], 'EnvironmentMismatchError'],
      [NAMES[5], 'EnvironmentMismatchError'],
    ]);
    expect(summary.byOrg[env.orgId]).toEqual({ succeeded: 3, failed: 1, 'already-started': 0 });
    expect(summary.byOrg[OTHER_ORG]).toEqual({ succeeded: 0, failed: 2, 'already-started': 0 });
  });

  it('respects the per-org concurrency (observed from the rotation executions the Step Functions API lists)', async () => {
    const executions = await rotationExecutions(env.clients.sfn, env.stateMachineArn);
    const orgOf = new Map(secrets.map((s) => [rotationExecutionName('it-batch', s.arn, s.name), s.orgId]));
    const ofOrg = (orgId: string) => executions.filter((e) => orgOf.get(e.name) === orgId);

    expect(executions).toHaveLength(6);
    expect(maxInFlight(ofOrg(env.orgId))).toBe(MAX_PER_ORG);
    expect(maxInFlight(ofOrg(OTHER_ORG))).toBeLessThanOrEqual(MAX_PER_ORG);
  });

  it('emits one Fleet Rotation Completed event with the summary, and no secret value anywhere', async () => {
    const events = env.aws.eventBridge.events.filter((event) => event.detailType === FLEET_DETAIL_TYPE);
    expect(events).toHaveLength(1);
    expect((events[0]?.detail as { summary?: FleetSummary } | undefined)?.summary).toEqual(summary);
    // As registered in the stack's schema registry (schemas/events/fleet-rotation-completed.v1.json).
    expect(eventContract(fleetEventSchemaFiles()).violations(events)).toEqual([]);

    const newSecrets = await Promise.all(
      secrets
        .slice(0, 3)
        .map(async (s) => (await readCredential(env, { secretId: s.arn, stage: 'AWSCURRENT' })).clientSecret),
    );
    const everything = JSON.stringify({ summary, events: env.aws.eventBridge.events });
    expect(containsAny(everything, [...legacySecrets, ...newSecrets])).toBe(false);
  });

  it('a re-run of the batch starts no rotation twice: every secret is already-started, Genesys sees no create', async () => {
    const creates = () =>
      (env.genesys?.requestLog ?? []).filter((entry) => entry.route === 'POST /api/v2/oauth/clients').length;
    const createsBefore = creates();
    const currentBefore = await Promise.all(
      secrets.map(
        async (s) => (await readCredential(env, { secretId: s.arn, stage: 'AWSCURRENT' })).versionId,
      ),
    );

    const rerun = await runFleet(env, { batchId: 'it-batch', tags: TEAM_TAG, reason: 'integration test' });

    expect(rerun.status).toBe('SUCCEEDED');
    expect(rerun.summary?.outcomes).toEqual({ succeeded: 0, failed: 0, 'already-started': 6 });
    expect(await rotationExecutions(env.clients.sfn, env.stateMachineArn)).toHaveLength(6);
    expect(creates()).toBe(createsBefore);
    const currentAfter = await Promise.all(
      secrets.map(
        async (s) => (await readCredential(env, { secretId: s.arn, stage: 'AWSCURRENT' })).versionId,
      ),
    );
    expect(currentAfter).toEqual(currentBefore);
  }, 120_000);

  it('selects only the requested orgs, and fails the fleet when failures pass the tolerated percentage', async () => {
    const eventsBefore = env.aws.eventBridge.events.length;

    const onlyOther = await runFleet(env, { batchId: 'it-other-org', tags: TEAM_TAG, orgIds: [OTHER_ORG] });

    // 2 of 2 failed: 100% > 50%. The summary still goes out as the audit event.
    expect(onlyOther.status).toBe('FAILED');
    expect(onlyOther.error).toBe('FleetFailureToleranceExceededError');
    const event = env.aws.eventBridge.events
      .slice(eventsBefore)
      .find((candidate) => candidate.detailType === FLEET_DETAIL_TYPE);
    const otherSummary = (event?.detail as { summary?: FleetSummary } | undefined)?.summary as FleetSummary;
    expect(otherSummary.selected).toBe(2);
    expect(Object.keys(otherSummary.byOrg)).toEqual([OTHER_ORG]);
    expect(otherSummary.failedPercentage).toBe(100);
    // A failed fleet's event keeps the contract too.
    expect(eventContract(fleetEventSchemaFiles()).violations(event ? [event] : [])).toEqual([]);
  }, 120_000);

  it('stopping the fleet execution stops the rotation it waits for (.sync)', async () => {
    if (env.fleet === null) throw new Error('no fleet machine');
    const started = await env.clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: env.fleet.stateMachineArn,
        name: 'it-stop',
        input: JSON.stringify({ batchId: 'it-stop', tags: TEAM_TAG, orgIds: [env.orgId] }),
      }),
    );
    const childName = rotationExecutionName('it-stop', secrets[0]?.arn ?? '', secrets[0]?.name ?? '');
    const runningChild = async () =>
      (await rotationExecutions(env.clients.sfn, env.stateMachineArn)).find((e) => e.name === childName);
    const deadline = Date.now() + 60_000;
    while ((await runningChild())?.status !== 'RUNNING' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    await env.clients.sfn.send(new StopExecutionCommand({ executionArn: started.executionArn }));

    const stopDeadline = Date.now() + 30_000;
    while ((await runningChild())?.status === 'RUNNING' && Date.now() < stopDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await runningChild())?.status).toBe('ABORTED');
  }, 120_000);
});
