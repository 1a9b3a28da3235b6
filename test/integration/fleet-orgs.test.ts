/**
 * A fleet over several Genesys orgs, each with its own admin credential (orgAdminSecrets): the
 * synthesized fleet and rotation machines on the local engine, the bundled functions with their
 * synthesized IAM policies, and one Genesys stand-in host serving three orgs. Org A is the demo org,
 * org B has its own admin credential, org C exists in Genesys but the rotator holds no credential
 * for it. Every assertion about who called Genesys reads the stand-in's request log.
 */
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
import { type LocalEnvironment, type LocalOrg, startLocalEnvironment } from '../../local/harness.js';
import type { GenesysRequestRecord } from '../../local/standins/genesys/index.js';
import { eventContract } from '../helpers/event-contract.js';
import { containsAny, readCredential } from '../helpers/local.js';

const ORG_B = '3b9d2c1e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const ORG_C = '9c8b7a6f-5e4d-4c3b-8a29-180f7e6d5c4b';
const TEAM_TAG = { team: 'multi-org' };
const NAMES = ['a1', 'a2', 'b1', 'b2', 'c1-no-admin'].map((n) => `genesys/fleet-orgs/${n}`);
const MAX_PER_ORG = 2;

describe('fleet rotation over two orgs, each with its own admin credential (orgAdminSecrets)', () => {
  let env: LocalEnvironment;
  let orgA: LocalOrg;
  let orgB: LocalOrg;
  let orgC: LocalOrg;
  let secrets: SeededFleetSecret[];
  let run: FleetRunResult;
  let summary: FleetSummary;
  let log: GenesysRequestRecord[];
  let clientsOfCBefore: string;
  let versionsOfC1Before: string | undefined;

  const secretOf = (suffix: string) => secrets.find((s) => s.name.endsWith(suffix)) as SeededFleetSecret;

  beforeAll(async () => {
    env = await startLocalEnvironment({
      consumer: false,
      policy: FLEET_LOCAL_POLICY,
      extraOrgs: [
        { orgId: ORG_B, orgName: 'Berlin Branch' },
        { orgId: ORG_C, orgName: 'No Admin Here', withoutAdminCredential: true },
      ],
      fleet: { maxOrgsInParallel: 3, maxConcurrencyPerOrg: MAX_PER_ORG, toleratedFailurePercentage: 50 },
      extraManagedSecretNames: NAMES,
    });
    [orgA, orgB, orgC] = env.orgs as [LocalOrg, LocalOrg, LocalOrg];
    secrets = await seedFleetSecrets(env, [
      { name: NAMES[0] as string, extraTags: TEAM_TAG },
      { name: NAMES[1] as string, extraTags: TEAM_TAG },
      { name: NAMES[2] as string, extraTags: TEAM_TAG, orgId: ORG_B },
      { name: NAMES[3] as string, extraTags: TEAM_TAG, orgId: ORG_B },
      { name: NAMES[4] as string, extraTags: TEAM_TAG, orgId: ORG_C },
    ]);
    clientsOfCBefore = JSON.stringify(orgC.genesys?.clients());
    versionsOfC1Before = (await readCredential(env, { secretId: secretOf('c1-no-admin').arn })).versionId;
    const logStart = env.genesys?.requestLog.length ?? 0;
    run = await runFleet(env, { batchId: 'orgs', tags: TEAM_TAG, reason: 'two orgs' });
    summary = run.summary as FleetSummary;
    log = (env.genesys?.requestLog ?? []).slice(logStart);
  }, 900_000);

  afterAll(async () => {
    await env?.close();
  });

  it('rotates every secret of both orgs, and refuses the org the rotator holds no admin credential for', () => {
    expect(run.status).toBe('SUCCEEDED');
    expect(summary.outcomes).toEqual({ succeeded: 4, failed: 1, 'already-started': 0 });
    expect(summary.byOrg[orgA.orgId]).toEqual({ succeeded: 2, failed: 0, 'already-started': 0 });
    expect(summary.byOrg[ORG_B]).toEqual({ succeeded: 2, failed: 0, 'already-started': 0 });
    expect(summary.failed.map((f) => [f.secretName, f.orgId, f.error])).toEqual([
      [NAMES[4], ORG_C, 'EnvironmentMismatchError'],
    ]);
  });

  it("makes each new client in the secret's own org, with that org's admin credential, and retires the legacy client there", async () => {
    for (const [org, suffixes] of [
      [orgA, ['a1', 'a2']],
      [orgB, ['b1', 'b2']],
    ] as const) {
      const clients = org.genesys?.clients() ?? [];
      for (const suffix of suffixes) {
        const secret = secretOf(suffix);
        const current = await readCredential(env, { secretId: secret.arn, stage: 'AWSCURRENT' });
        const made = clients.find((client) => client.id === current.clientId);
        expect(made, secret.name).toMatchObject({ state: 'active', createdByClientId: org.adminClientId });
        const legacy = clients.find((client) => client.id === secret.legacyClientId);
        expect(legacy === undefined || legacy.deleted, secret.name).toBe(true);
      }
    }
  });

  it("calls each org only with its own admin credential (the stand-in's request log)", () => {
    const admins = new Map(env.orgs.map((org) => [org.adminClientId, org.orgId] as const));
    const adminCallers = (orgId: string) =>
      new Set(
        log
          .filter((entry) => entry.orgId === orgId && admins.has(entry.callerClientId ?? ''))
          .map((entry) => entry.callerClientId),
      );

    expect([...adminCallers(orgA.orgId)]).toEqual([orgA.adminClientId]);
    expect([...adminCallers(ORG_B)]).toEqual([orgB.adminClientId]);
    // Both credentials created, deactivated and deleted clients, each in its own org.
    for (const org of [orgA, orgB]) {
      const writes = log.filter(
        (entry) =>
          entry.orgId === org.orgId && entry.method !== 'GET' && entry.callerClientId === org.adminClientId,
      );
      expect(writes.map((entry) => entry.route)).toEqual(
        expect.arrayContaining([
          'POST /api/v2/oauth/clients',
          'PUT /api/v2/oauth/clients/{clientId}',
          'DELETE /api/v2/oauth/clients/{clientId}',
        ]),
      );
    }
  });

  it('refuses the secret of org C before any change: no call reached org C, its clients and the secret are as they were', async () => {
    expect(log.filter((entry) => entry.orgId === ORG_C)).toEqual([]);
    const legacyC = secretOf('c1-no-admin').legacyClientId;
    expect(log.filter((entry) => entry.path.includes(legacyC))).toEqual([]);
    expect(JSON.stringify(orgC.genesys?.clients())).toBe(clientsOfCBefore);
    const current = await readCredential(env, { secretId: secretOf('c1-no-admin').arn, stage: 'AWSCURRENT' });
    expect(current.versionId).toBe(versionsOfC1Before);
    expect(current.clientId).toBe(legacyC);

    const executions = await rotationExecutions(env.clients.sfn, env.stateMachineArn);
    const refused = executions.find(
      (e) => e.name === rotationExecutionName('orgs', secretOf('c1-no-admin').arn, NAMES[4] as string),
    );
    expect(refused?.status).toBe('FAILED');
    const refusedEvent = env.aws.eventBridge.events.find(
      (event) =>
        event.detailType === 'Rotation Refused' &&
        (event.detail as { secretId?: string }).secretId === secretOf('c1-no-admin').arn,
    );
    const refusal = refusedEvent?.detail as { error?: { Error?: string; Cause?: string } } | undefined;
    expect(refusal?.error).toMatchObject({
      Error: 'EnvironmentMismatchError',
      Cause: expect.stringContaining('holds admin credentials only for'),
    });
  });

  it('runs the orgs side by side, each within its own per-org concurrency', async () => {
    const executions = await rotationExecutions(env.clients.sfn, env.stateMachineArn);
    const orgOf = new Map(
      secrets.map((s) => [rotationExecutionName('orgs', s.arn, s.name), s.orgId] as const),
    );
    const ofOrg = (orgId: string) => executions.filter((e) => orgOf.get(e.name) === orgId);

    expect(maxInFlight(ofOrg(orgA.orgId))).toBe(MAX_PER_ORG);
    expect(maxInFlight(ofOrg(ORG_B))).toBe(MAX_PER_ORG);
    // Orgs in parallel: more rotations at once than one org may run.
    expect(maxInFlight(executions)).toBeGreaterThan(MAX_PER_ORG);
  });

  it('emits one Fleet Rotation Completed event that validates against its registered schema, with no secret value', async () => {
    const fleetEvents = env.aws.eventBridge.events.filter((event) => event.detailType === FLEET_DETAIL_TYPE);
    expect(fleetEvents).toHaveLength(1);
    expect(eventContract(fleetEventSchemaFiles()).violations(fleetEvents)).toEqual([]);
    // The rotations' own events keep theirs.
    const rotationEvents = env.aws.eventBridge.events.filter(
      (event) => event.detailType !== FLEET_DETAIL_TYPE,
    );
    expect(eventContract().violations(rotationEvents)).toEqual([]);

    const values = await Promise.all(
      secrets.map(
        async (s) => (await readCredential(env, { secretId: s.arn, stage: 'AWSCURRENT' })).clientSecret,
      ),
    );
    const adminValues = await Promise.all(
      [orgA, orgB].map(
        async (org) => (await readCredential(env, { secretId: org.adminSecretArn as string })).clientSecret,
      ),
    );
    expect(containsAny(JSON.stringify(env.aws.eventBridge.events), [...values, ...adminValues])).toBe(false);
  });
});
