import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../infra/app.js';
import {
  ADMIN_CALLS_PER_ADOPTION_CHECK,
  FIXED_ADMIN_CALLS_PER_ROTATION,
  type FleetRateBudget,
  fleetConcurrency,
} from '../../../infra/constructs/fleet-budget.js';
import {
  EXECUTION_ALREADY_EXISTS,
  FLEET_MACHINE_METADATA_KEY,
  FLEET_STATE,
} from '../../../infra/constructs/fleet-rotation.js';

type Json = Record<string, unknown>;
interface AslState extends Json {
  Type: string;
  Resource?: string;
  Parameters?: Json;
  MaxConcurrency?: number;
  ToleratedFailurePercentage?: number;
  ItemProcessor?: { ProcessorConfig?: Json; StartAt: string; States: Record<string, AslState> };
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
}

function fleetTemplate(options: Parameters<typeof buildApp>[0] = {}) {
  const { app, stack } = buildApp({ bundling: false, nag: false, fleet: true, ...options });
  return { template: Template.fromStack(stack), stack, app };
}

/** The fleet machine's ASL, tokens replaced by readable placeholders. */
function fleetAsl(template: Template): { StartAt: string; States: Record<string, AslState> } {
  const machines = template.findResources('AWS::StepFunctions::StateMachine', {
    Metadata: { [FLEET_MACHINE_METADATA_KEY]: true },
  });
  const [machine] = Object.values(machines);
  const definition = machine?.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
  const text = definition['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const token = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
      return token.Ref !== undefined ? `REF_${token.Ref}` : `GETATT_${token['Fn::GetAtt']?.[0]}`;
    })
    .join('');
  return JSON.parse(text) as { StartAt: string; States: Record<string, AslState> };
}

function logicalIdOf(template: Template, type: string, predicate: (resource: Json) => boolean): string {
  const match = Object.entries(template.findResources(type)).find(([, resource]) => predicate(resource));
  if (!match) throw new Error(`No ${type} found`);
  return match[0];
}

describe('FleetRotation state machine', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'rotator-fleet-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('synthesizes with the fleet machine and no unacknowledged cdk-nag finding', () => {
    const { app } = buildApp({ bundling: false, outdir, fleet: true });

    expect(() => app.synth()).not.toThrow();
  });

  it('is off unless asked for: the default stack has one state machine', () => {
    const { stack } = buildApp({ bundling: false, nag: false });

    Template.fromStack(stack).resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });

  it('maps orgs with a Distributed Map (STANDARD child workflows) and each org with its own MaxConcurrency', () => {
    const { template, stack } = fleetTemplate({
      fleet: { maxOrgsInParallel: 3, toleratedFailurePercentage: 20 },
    });
    const asl = fleetAsl(template);
    const fleet = stack.fleet;

    const orgs = asl.States[FLEET_STATE.RotateOrgs] as AslState;
    expect(asl.StartAt).toBe(FLEET_STATE.Select);
    expect(orgs.Type).toBe('Map');
    expect(orgs.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(orgs.MaxConcurrency).toBe(fleet?.maxOrgsInParallel);
    expect(orgs.ToleratedFailurePercentage).toBe(20);
    const perOrg = orgs.ItemProcessor?.States[FLEET_STATE.RotateOrgSecrets] as AslState;
    expect(perOrg.Type).toBe('Map');
    expect(perOrg.MaxConcurrency).toBe(fleet?.maxConcurrencyPerOrg);
    expect((fleet?.maxOrgsInParallel ?? 0) * (fleet?.maxConcurrencyPerOrg ?? 0)).toBeLessThanOrEqual(
      fleetConcurrency({ policy: stack.policy }, 3).total,
    );
  });

  it('starts the rotation machine per secret with .sync:2, named per batch and secret, and catches each failure', () => {
    const { template } = fleetTemplate();
    const asl = fleetAsl(template);
    const rotationId = logicalIdOf(
      template,
      'AWS::StepFunctions::StateMachine',
      (resource) => (resource.Metadata as Json | undefined)?.[FLEET_MACHINE_METADATA_KEY] !== true,
    );

    const perOrg = asl.States[FLEET_STATE.RotateOrgs]?.ItemProcessor?.States[FLEET_STATE.RotateOrgSecrets];
    const rotate = perOrg?.ItemProcessor?.States[FLEET_STATE.RotateSecret] as AslState;
    expect(rotate.Resource).toBe('arn:REF_AWS::Partition:states:::states:startExecution.sync:2');
    expect(rotate.Parameters?.StateMachineArn).toBe(`REF_${rotationId}`);
    expect(rotate.Parameters?.['Name.$']).toBe('$.item.executionName');
    // A Task with no TimeoutSeconds never times out in AWS: the rotation machine's 45 days, explicitly.
    expect(rotate.TimeoutSeconds).toBe(45 * 86_400);
    // The rotation's input is strict: nothing but what ExecutionInputSchema accepts.
    expect(Object.keys(rotate.Parameters?.Input as Json).sort()).toEqual([
      'dryRun.$',
      'reason.$',
      'secretId.$',
      'trigger',
    ]);
    expect(rotate.Catch?.map((c) => [c.ErrorEquals, c.Next])).toEqual([
      [[EXECUTION_ALREADY_EXISTS], FLEET_STATE.RecordAlreadyStarted],
      [['States.ALL'], FLEET_STATE.RecordFailed],
    ]);
  });

  it('is a definition aws-local-stepfunctions accepts as synthesized', () => {
    const { template } = fleetTemplate();

    expect(
      () => new StateMachine(fleetAsl(template) as never, { validationOptions: { checkArn: false } }),
    ).not.toThrow();
  });

  it('grants StartExecution on exactly the rotation machine, Describe/Stop on its executions, and the .sync rule', () => {
    const { template } = fleetTemplate();
    const rotationId = logicalIdOf(
      template,
      'AWS::StepFunctions::StateMachine',
      (resource) => (resource.Metadata as Json | undefined)?.[FLEET_MACHINE_METADATA_KEY] !== true,
    );
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
      id.startsWith('FleetRotationStateMachineRoleDefaultPolicy'),
    );
    expect(policies).toHaveLength(1);
    const statements = (policies[0]?.[1].Properties.PolicyDocument.Statement ?? []) as Array<{
      Action: string | string[];
      Resource: unknown;
    }>;
    const byAction = (action: string) =>
      statements.filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).includes(action));

    expect(byAction('states:StartExecution').map((s) => s.Resource)).toEqual([{ Ref: rotationId }]);
    const describe = byAction('states:DescribeExecution');
    expect(describe).toHaveLength(1);
    expect(describe[0]?.Action).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    expect(JSON.stringify(describe[0]?.Resource)).toContain(`:execution:`);
    expect(JSON.stringify(describe[0]?.Resource)).toContain(rotationId);
    const rule = byAction('events:PutRule');
    expect(rule[0]?.Action).toEqual(['events:PutTargets', 'events:PutRule', 'events:DescribeRule']);
    expect(JSON.stringify(rule[0]?.Resource)).toContain(
      'rule/StepFunctionsGetEventsForStepFunctionsExecutionRule',
    );
    expect(byAction('secretsmanager:GetSecretValue')).toHaveLength(0);
  });

  it('lets the fleet function list secrets and nothing else of Secrets Manager (no value)', () => {
    const { template } = fleetTemplate();

    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
      id.startsWith('FleetServiceRoleDefaultPolicy'),
    );
    const statements = (policies[0]?.[1]?.Properties.PolicyDocument.Statement ?? []) as Array<{
      Action: string | string[];
    }>;
    expect(statements.length).toBeGreaterThan(0);
    const actions = statements
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
      .filter((action) => action.startsWith('secretsmanager:'));
    expect(actions).toEqual(['secretsmanager:ListSecrets']);
  });
});

describe('fleet rate budget (genesys-cloud-api.md §3: 300 requests a minute per token)', () => {
  const policy = (overrides: Partial<FleetRateBudget['policy']> = {}): FleetRateBudget['policy'] => ({
    adoptionPollSeconds: 6,
    gracePeriodSeconds: 7 * 86_400,
    retireWithoutEvidence: false,
    adoptionEvidenceDays: 2,
    usageDayLengthSeconds: 86_400,
    ...overrides,
  });

  it('sizes concurrency from what one slot can call in a minute: fixed calls of the rotations it overlaps, plus a minute of checks', () => {
    const sizing = fleetConcurrency({ policy: policy() }, 2);

    const peak = FIXED_ADMIN_CALLS_PER_ROTATION * 1 + ADMIN_CALLS_PER_ADOPTION_CHECK * 10;
    expect(sizing.peakCallsPerMinute).toBe(peak);
    expect(sizing.total).toBe(Math.floor(240 / peak));
    expect(sizing.perOrg * sizing.orgsInParallel).toBeLessThanOrEqual(sizing.total);
    expect(sizing.total * sizing.peakCallsPerMinute).toBeLessThanOrEqual(240);
  });

  it('counts back-to-back rotations when the shortest rotation is under a minute (local compressed policies)', () => {
    const short = fleetConcurrency(
      { policy: policy({ gracePeriodSeconds: 6, retireWithoutEvidence: true }) },
      1,
    );

    expect(short.shortestRotationSeconds).toBe(6);
    expect(short.peakCallsPerMinute).toBe(
      FIXED_ADMIN_CALLS_PER_ROTATION * 11 + ADMIN_CALLS_PER_ADOPTION_CHECK * 10,
    );
    expect(short.total).toBe(1);
  });

  it('runs fewer orgs at once when the budget allows fewer rotations than orgs', () => {
    const sizing = fleetConcurrency({ policy: policy({ adoptionPollSeconds: 1 }) }, 5);

    expect(sizing.total).toBe(1);
    expect(sizing.orgsInParallel).toBe(1);
    expect(sizing.perOrg).toBe(1);
  });

  it('gives each org the whole budget of its own admin credential when there is one per org', () => {
    const shared = fleetConcurrency({ policy: policy() }, 3);
    const perOrg = fleetConcurrency({ policy: policy(), adminCredentialsPerOrg: true }, 3);

    expect(shared.budgetScope).toBe('rotator');
    expect(perOrg.budgetScope).toBe('org');
    expect(perOrg.orgsInParallel).toBe(3);
    expect(perOrg.perOrg).toBe(Math.floor(240 / perOrg.peakCallsPerMinute));
    expect(perOrg.total).toBe(perOrg.perOrg * 3);
    // Each credential stays inside its token's share; one credential for all stays inside the one.
    expect(perOrg.perOrg * perOrg.peakCallsPerMinute).toBeLessThanOrEqual(240);
    expect(shared.perOrg * shared.orgsInParallel * shared.peakCallsPerMinute).toBeLessThanOrEqual(240);
    expect(perOrg.explanation).toContain("each org's admin credential");
  });

  it('keeps every org in parallel per org even when one rotation at a time is all a credential allows', () => {
    const sizing = fleetConcurrency(
      { policy: policy({ adoptionPollSeconds: 1 }), adminCredentialsPerOrg: true },
      5,
    );

    expect(sizing.orgsInParallel).toBe(5);
    expect(sizing.perOrg).toBe(1);
    expect(sizing.total).toBe(5);
  });

  it('scales with admin tokens', () => {
    const one = fleetConcurrency({ policy: policy() }, 1);
    const five = fleetConcurrency({ policy: policy(), adminTokens: 5 }, 5);

    expect(five.total).toBeGreaterThanOrEqual(one.total * 5);
  });

  it('refuses at synth a per-org concurrency above the budget', () => {
    const build = () =>
      buildApp({
        bundling: false,
        nag: false,
        fleet: { maxConcurrencyPerOrg: 40 },
      });

    expect(build).toThrow(/exceeds the Genesys rate budget/);
  });
});
