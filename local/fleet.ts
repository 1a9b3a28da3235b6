/**
 * Fleet rotation in local mode: seeding many managed secrets (each with its own legacy client in
 * the Genesys stand-in), starting the synthesized fleet machine, and reading what happened back
 * through the real SDK clients (rotation executions, their overlap per org). Used by the fleet
 * integration test and `npm run bench -- --fleet`.
 */
import { ListExecutionsCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { TAG_ORG_ID } from '../functions/shared/contract.js';
import type { FleetSummary } from '../functions/shared/fleet-contract.js';
import type { RotationPolicyInput } from '../functions/shared/policy.js';
import { DEMO_ENVIRONMENT, type LocalEnvironment } from './harness.js';

/**
 * A policy for many rotations without a consumer per secret: the legacy client is retired after a
 * 60 s grace period without usage evidence, checked every 12 s. Real minutes are not compressed
 * for the rate limit, so this is what lets the budget (infra/constructs/fleet-budget.ts) run four
 * rotations at once on one admin token (per org, with an admin credential per org): a slot overlaps
 * two rotations a minute (2 x 17 calls) plus five checks (5 x 4), 54 calls, and 240 / 54 = 4.
 */
export const FLEET_LOCAL_POLICY: RotationPolicyInput = {
  gracePeriodSeconds: 60,
  retireWithoutEvidence: true,
  adoptionPollSeconds: 12,
  retireObserveSeconds: 1,
  // Local usage days are 2 s, so Fetch's 30-day lookback is one minute: in a fleet of many minutes a
  // secret rotated late no longer shows the usage seeded before the run. Each secret is seeded as
  // used, so this only stops the compressed calendar from refusing it; real orgs keep the default.
  allowUnusedLegacyClient: true,
};

export interface FleetSecretSpec {
  readonly name: string;
  /**
   * Value of `genesys:org-id`; default the demo org. The legacy client is seeded in that org when the
   * environment has it (`extraOrgs`), else in the demo org (a tag that names another org).
   */
  readonly orgId?: string;
  /** The secret names a client that does not exist in Genesys (Fetch refuses it). */
  readonly missingClient?: boolean;
  /** Tags on top of the managed-secret tags. */
  readonly extraTags?: Readonly<Record<string, string>>;
}

export interface SeededFleetSecret {
  readonly name: string;
  readonly arn: string;
  readonly orgId: string;
  readonly legacyClientId: string;
}

/** Creates each managed secret with a legacy client of its own, used before (Validate asks for usage). */
export async function seedFleetSecrets(
  env: LocalEnvironment,
  specs: readonly FleetSecretSpec[],
): Promise<SeededFleetSecret[]> {
  const genesys = env.genesys;
  if (genesys === null) throw new Error('Seeding a fleet needs the embedded Genesys stand-in');
  const [demoOrg] = env.orgs;
  const seeded: SeededFleetSecret[] = [];
  for (const spec of specs) {
    const org = env.orgs.find((candidate) => candidate.orgId === spec.orgId) ?? demoOrg;
    if (org === undefined || org.genesys === null)
      throw new Error('Seeding a fleet needs the embedded Genesys stand-in');
    const pair = { roleId: org.serviceRoleId, divisionId: org.serviceDivisionId };
    const legacy = org.genesys.seed.client({
      name: `legacy-${spec.name.replace(/[^A-Za-z0-9]+/g, '-')}`,
      roleDivisions: [pair],
      dateCreated: new Date(genesys.clock.now().getTime() - 90 * 86_400_000),
      accessTokenValiditySeconds: 3_600,
      pastUsage: { days: 7, requestsPerDay: 40 },
    });
    const orgId = spec.orgId ?? env.orgId;
    const arn = await env.createManagedSecret({
      name: spec.name,
      value: JSON.stringify({
        clientId: spec.missingClient ? '00000000-0000-4000-8000-00000000dead' : legacy.clientId,
        clientSecret: legacy.clientSecret,
        environment: DEMO_ENVIRONMENT,
      }),
      tags: { ...env.defaultTags(), [TAG_ORG_ID]: orgId, ...spec.extraTags },
    });
    seeded.push({ name: spec.name, arn, orgId, legacyClientId: legacy.clientId });
  }
  return seeded;
}

export interface FleetRunResult {
  readonly executionArn: string;
  readonly status: string;
  readonly error: string | null;
  /** The fleet execution's output (the summary) when it succeeded. */
  readonly summary: FleetSummary | null;
}

/** Starts the fleet machine with `input` through the Step Functions API and waits for it. */
export async function runFleet(
  env: LocalEnvironment,
  input: unknown,
  name?: string,
): Promise<FleetRunResult> {
  if (env.fleet === null) throw new Error('Start the local environment with { fleet: ... }');
  const started = await env.clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: env.fleet.stateMachineArn,
      input: JSON.stringify(input),
      ...(name === undefined ? {} : { name }),
    }),
  );
  const executionArn = started.executionArn as string;
  const result = await env.aws.stepFunctions.waitForExecution(executionArn, 6 * 3_600_000);
  return {
    executionArn,
    status: result.status,
    error: result.error,
    summary: result.output === null ? null : (JSON.parse(result.output) as FleetSummary),
  };
}

export interface RotationExecutionRecord {
  readonly name: string;
  readonly status: string;
  readonly startDate: Date;
  readonly stopDate: Date | null;
}

/** Every execution of the rotation machine, through ListExecutions (all pages). */
export async function rotationExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
): Promise<RotationExecutionRecord[]> {
  const records: RotationExecutionRecord[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
    );
    for (const execution of page.executions ?? []) {
      records.push({
        name: execution.name ?? '',
        status: execution.status ?? 'UNKNOWN',
        startDate: execution.startDate ?? new Date(0),
        stopDate: execution.stopDate ?? null,
      });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return records;
}

/** Most executions running at the same instant, from their start and stop dates. */
export function maxInFlight(executions: readonly RotationExecutionRecord[]): number {
  const edges = executions.flatMap((execution) => [
    { at: execution.startDate.getTime(), delta: 1 },
    { at: (execution.stopDate ?? new Date(8.64e15)).getTime(), delta: -1 },
  ]);
  // A stop and a start at the same millisecond do not overlap.
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let most = 0;
  for (const edge of edges) {
    running += edge.delta;
    most = Math.max(most, running);
  }
  return most;
}
