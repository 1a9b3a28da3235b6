/**
 * A rotator that manages several Genesys orgs (RotatorStackProps.orgAdminSecrets): one admin
 * credential per org, each function that calls Genesys bound to exactly those secrets (ADMIN_SECRETS
 * and a policy naming each ARN), checked at synth, and a fleet budget per org.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../functions/shared/policy.js';
import { buildApp, EXAMPLE_MANAGED_SECRET } from '../../../infra/app.js';
import { fleetConcurrency } from '../../../infra/constructs/fleet-budget.js';
import type { RotatorFunction } from '../../../infra/constructs/rotator-function.js';
import type { OrgAdminSecretConfig, RotatorStack } from '../../../infra/stacks/rotator-stack.js';
import { type CfnTemplate, templateFunctions } from '../../../local/engine/template.js';

type Statement = { Action: string | string[]; Resource: unknown };

const ORG_A = '00000000-0000-4000-8000-000000000001';
const ORG_B = '00000000-0000-4000-8000-000000000002';
const ARN_A = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys/rotator/admin/a-AbCdEf';
const ORGS: OrgAdminSecretConfig[] = [
  { orgId: ORG_A, environment: 'mypurecloud.ie', adminSecretArn: ARN_A },
  // No ARN: the stack creates the placeholder secret.
  { orgId: ORG_B, environment: 'mypurecloud.de' },
];
const MANAGED = [
  { ...EXAMPLE_MANAGED_SECRET, orgId: ORG_A },
  {
    ...EXAMPLE_MANAGED_SECRET,
    secretName: 'genesys/prod/berlin-api',
    orgId: ORG_B,
    environment: 'mypurecloud.de',
  },
];

function build(options: Parameters<typeof buildApp>[0] = {}) {
  return buildApp({
    bundling: false,
    nag: false,
    orgAdminSecrets: ORGS,
    managedSecrets: MANAGED,
    fleet: true,
    followIntegrationCredentials: true,
    ...options,
  });
}

function statementsOf(template: Template, fn: RotatorFunction, stack: RotatorStack): Statement[] {
  const roleId = stack.getLogicalId(fn.serviceRole.node.defaultChild as CfnElement);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

describe('RotatorStack with an admin credential per org (orgAdminSecrets)', () => {
  const { app, stack } = build();
  const template = Template.fromStack(stack);
  const createdB = stack.getLogicalId(
    stack.node.findChild(`AdminSecret-${ORG_B.replace(/-/g, '')}`).node.defaultChild as CfnElement,
  );
  const adminResources = [ARN_A, { Ref: createdB }];
  const genesysCallers = () => {
    const { fetch, rotator, checkAdoption, deleteOrRollback } = stack.functions;
    return { fetch, rotator, checkAdoption, deleteOrRollback, followDependents: stack.followDependents };
  };
  const outdir = mkdtempSync(join(tmpdir(), 'rotator-orgs-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('synthesizes with no unacknowledged cdk-nag finding', () => {
    const nagged = build({ nag: true, outdir });

    expect(() => nagged.app.synth()).not.toThrow();
  });

  it("creates a placeholder secret for an org without an ARN, named after the org, and outputs each org's", () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `genesys/rotator/admin/${ORG_B}` });
    const outputs = template.toJSON().Outputs as Record<string, { Description: string }>;
    expect(Object.values(outputs).map((output) => output.Description)).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`org ${ORG_A} (mypurecloud.ie)`),
        expect.stringContaining(`org ${ORG_B} (mypurecloud.de)`),
      ]),
    );
    expect(stack.adminSecrets.mode).toBe('per-org');
  });

  it('gives every function that calls Genesys the list of org admin secrets (ADMIN_SECRETS), and no other function any', () => {
    const account = { region: 'eu-west-1', accountId: '123456789012' };
    const functions = templateFunctions(
      app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate,
      account,
    );
    const byEntry = new Map(functions.map((fn) => [fn.entry, fn.environment] as const));
    const callers = [
      'functions/fetch/handler.ts',
      'functions/rotator/handler.ts',
      'functions/check-adoption/handler.ts',
      'functions/delete-or-rollback/handler.ts',
      'functions/follow-dependents/handler.ts',
    ];

    for (const entry of callers) {
      const environment = byEntry.get(entry) ?? {};
      expect(environment.ADMIN_SECRET_ID, entry).toBeUndefined();
      const orgs = JSON.parse(environment.ADMIN_SECRETS ?? '[]') as Array<Record<string, string>>;
      expect(
        orgs.map((org) => [org.orgId, org.environment]),
        entry,
      ).toEqual([
        [ORG_A, 'mypurecloud.ie'],
        [ORG_B, 'mypurecloud.de'],
      ]);
      expect(orgs[0]?.secretId, entry).toBe(ARN_A);
      expect(orgs[1]?.secretId, entry).toContain(`genesys/rotator/admin/${ORG_B}`);
    }
    for (const entry of [
      'functions/validate/handler.ts',
      'functions/verify/handler.ts',
      'functions/fleet/handler.ts',
    ]) {
      expect(byEntry.get(entry)?.ADMIN_SECRETS, entry).toBeUndefined();
      expect(byEntry.get(entry)?.ADMIN_SECRET_ID, entry).toBeUndefined();
    }
  });

  it("names exactly the orgs' admin secret ARNs in each Genesys caller's policy, DescribeSecret for Fetch only", () => {
    for (const [name, fn] of Object.entries(genesysCallers())) {
      if (fn === undefined) throw new Error(`no ${name} function`);
      const admin = statementsOf(template, fn, stack).filter((statement) =>
        JSON.stringify(statement.Resource).includes('genesys/rotator/admin'),
      );
      const reads = admin.filter((statement) =>
        actionsOf(statement).includes('secretsmanager:GetSecretValue'),
      );
      expect(reads, name).toHaveLength(1);
      expect(reads[0]?.Resource, name).toEqual(adminResources);
      expect(actionsOf(reads[0] as Statement).sort(), name).toEqual(
        name === 'fetch'
          ? ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']
          : ['secretsmanager:GetSecretValue'],
      );
    }
    for (const fn of [stack.functions.validate, stack.functions.verify]) {
      expect(JSON.stringify(statementsOf(template, fn, stack))).not.toContain('genesys/rotator/admin');
      expect(JSON.stringify(statementsOf(template, fn, stack))).not.toContain(createdB);
    }
  });

  it('sizes the fleet per org: each org gets the whole budget of its own admin credential', () => {
    const fleet = stack.fleet;
    const perOrg = fleetConcurrency({ policy: stack.policy, adminCredentialsPerOrg: true }, 5);
    const shared = fleetConcurrency({ policy: stack.policy }, 5);

    expect(fleet?.maxConcurrencyPerOrg).toBe(perOrg.perOrg);
    expect(fleet?.maxOrgsInParallel).toBe(5);
    expect(perOrg.total).toBe(perOrg.perOrg * 5);
    expect(perOrg.perOrg).toBeGreaterThan(shared.perOrg);
  });

  it.each<[string, Parameters<typeof buildApp>[0], string]>([
    ['adminSecretArn as well', { adminSecretArn: ARN_A }, 'exclude each other'],
    ['no org', { orgAdminSecrets: [] }, 'at least one org'],
    [
      'an org listed twice',
      {
        orgAdminSecrets: [
          ORGS[0] as OrgAdminSecretConfig,
          { ...ORGS[0], adminSecretArn: `${ARN_A}x` } as OrgAdminSecretConfig,
        ],
      },
      'listed more than once',
    ],
    [
      'one secret for two orgs',
      {
        orgAdminSecrets: [
          ORGS[0] as OrgAdminSecretConfig,
          { orgId: ORG_B, environment: 'mypurecloud.ie', adminSecretArn: ARN_A },
        ],
      },
      'more than one org',
    ],
    [
      'an unknown region host',
      { orgAdminSecrets: [{ orgId: ORG_A, environment: 'example.com' }] },
      'not a Genesys Cloud region host',
    ],
    [
      'a managed secret of an org not listed',
      { orgAdminSecrets: [ORGS[0] as OrgAdminSecretConfig], managedSecrets: MANAGED },
      `is for org ${ORG_B} (mypurecloud.de) but orgAdminSecrets holds no admin credential for it`,
    ],
    [
      "a managed secret in another region than its org's credential",
      {
        managedSecrets: [{ ...EXAMPLE_MANAGED_SECRET, orgId: ORG_B, environment: 'mypurecloud.ie' }],
      },
      'holds no admin credential for it',
    ],
  ])('refuses at synth %s', (_case, options, expected) => {
    expect(() => build(options)).toThrow(expected);
  });
});

describe('the default: one admin credential', () => {
  it('keeps ADMIN_SECRET_ID, the genesys/rotator/admin secret and a fleet budget shared by every org', () => {
    const { stack } = buildApp({ bundling: false, nag: false, fleet: true });
    const template = Template.fromStack(stack);

    expect(stack.adminSecrets.mode).toBe('single');
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'genesys/rotator/admin' });
    expect(template.toJSON().Outputs.AdminSecretArn).toBeDefined();
    expect(stack.fleet?.maxConcurrencyPerOrg).toBe(fleetConcurrency({ policy: parsePolicy({}) }, 5).perOrg);
  });
});
