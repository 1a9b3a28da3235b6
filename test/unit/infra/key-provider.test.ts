import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../infra/app.js';
import { ExamplePartnerKeyProvider, useKeyProvider } from '../../../infra/constructs/key-provider.js';
import { PartnerKeySecret } from '../../../infra/constructs/partner-key-secret.js';
import type { RotatorStack } from '../../../infra/stacks/rotator-stack.js';

type Statement = { Action: string | string[]; Resource: unknown };

function statementsOf(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleLogicalId }] },
  });
  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

const invokes = (statement: Statement) =>
  (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).includes('lambda:InvokeFunction');

function withProvider(options: { nag: boolean; outdir?: string }) {
  const built = buildApp({ bundling: false, ...options });
  const adminSecret = new Secret(built.stack, 'PartnerAdminSecret', {
    description: 'Partner admin token of the example key provider',
  });
  Validations.of(adminSecret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: "The partner's admin token is rotated by the partner's own process, not by Secrets Manager.",
  });
  const provider = new ExamplePartnerKeyProvider(built.stack, 'PartnerKeyProvider', {
    partnerApiUrl: 'https://api.partner.example',
    adminSecret,
  });
  useKeyProvider(built.stack.functions, provider.function);
  return { ...built, provider, adminSecret };
}

describe('Key provider wiring (docs/KEY-PROVIDERS.md)', () => {
  let stack: RotatorStack;
  let template: Template;
  let provider: ExamplePartnerKeyProvider;
  const outdir = mkdtempSync(join(tmpdir(), 'key-provider-nag-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  beforeAll(() => {
    ({ stack, provider } = withProvider({ nag: false }));
    template = Template.fromStack(stack);
  });

  it('grants lambda:InvokeFunction on exactly the provider function to Rotator, Verify, CheckAdoption and DeleteOrRollback only', () => {
    // Prepare
    const providerId = stack.getLogicalId(provider.function.node.defaultChild as CfnElement);
    const roleOf = (fn: keyof RotatorStack['functions']) =>
      stack.getLogicalId(stack.functions[fn].serviceRole.node.defaultChild as CfnElement);

    // Act
    const grants = Object.fromEntries(
      (Object.keys(stack.functions) as (keyof RotatorStack['functions'])[]).map((fn) => [
        fn,
        statementsOf(template, roleOf(fn)).filter(invokes),
      ]),
    );

    // Assess
    for (const fn of ['rotator', 'verify', 'checkAdoption', 'deleteOrRollback'] as const) {
      expect(grants[fn], fn).toEqual([
        { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [providerId, 'Arn'] } },
      ]);
    }
    for (const fn of ['fetch', 'validate'] as const) expect(grants[fn], fn).toEqual([]);
  });

  it('lets the example provider read only its partner admin secret, from Secrets Manager (not its environment)', () => {
    // Prepare
    const role = stack.getLogicalId(provider.function.serviceRole.node.defaultChild as CfnElement);

    // Act
    const statements = statementsOf(template, role).filter((statement) =>
      JSON.stringify(statement.Action).includes('secretsmanager'),
    );
    const environment = template.findResources('AWS::Lambda::Function', {
      Metadata: { 'genesys-rotator:entry': 'functions/examples/partner-key-provider/handler.ts' },
    });

    // Assess
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('secretsmanager:GetSecretValue');
    expect(JSON.stringify(environment)).toContain('PARTNER_ADMIN_SECRET_ID');
    expect(JSON.stringify(environment)).not.toMatch(/adminToken/i);
  });

  it('synthesizes cdk-nag clean with the provider added', () => {
    // Prepare
    const { app } = withProvider({ nag: true, outdir });

    // Act
    const act = () => app.synth();

    // Assess
    expect(act).not.toThrow();
  });
});

describe('PartnerKeySecret (one secret per credential, tagged env/service/cadence/provider)', () => {
  it('creates one secret of kind integration-credential with the partner-key tags', () => {
    // Prepare
    const { stack, provider } = withProvider({ nag: false });

    // Act
    new PartnerKeySecret(stack, 'OrdersKey', {
      rotator: stack,
      secretName: 'partner/prod/orders-api-key',
      environment: 'mypurecloud.ie',
      orgId: '00000000-0000-4000-8000-000000000001',
      stage: 'prod',
      schedule: { cron: '0 8 ? * TUE *', window: '4h' },
      env: 'prod',
      service: 'orders',
      cadenceDays: 30,
      keyProvider: provider.function,
    });
    const template = Template.fromStack(stack);

    // Assess
    const secrets = template.findResources('AWS::SecretsManager::Secret', {
      Properties: { Name: 'partner/prod/orders-api-key' },
    });
    const [secret] = Object.values(secrets);
    if (!secret) throw new Error('no partner key secret synthesized');
    const tags = Object.fromEntries(
      (secret.Properties.Tags as { Key: string; Value: unknown }[]).map((tag) => [tag.Key, tag.Value]),
    );
    expect(tags).toMatchObject({
      'genesys:kind': 'integration-credential',
      env: 'prod',
      service: 'orders',
      cadence: '30d',
      'genesys:key-provider': { Ref: stack.getLogicalId(provider.function.node.defaultChild as CfnElement) },
    });
  });

  it('refuses a cadence outside 1-999 days at synth', () => {
    // Prepare
    const { stack } = buildApp({ bundling: false, nag: false });

    // Act
    const act = () =>
      new PartnerKeySecret(stack, 'BadKey', {
        rotator: stack,
        secretName: 'partner/prod/bad',
        environment: 'mypurecloud.ie',
        orgId: '00000000-0000-4000-8000-000000000001',
        stage: 'prod',
        schedule: { cron: '0 8 ? * TUE *', window: '4h' },
        env: 'prod',
        service: 'orders',
        cadenceDays: 0,
        keyProvider: 'operator',
      });

    // Assess
    expect(act).toThrow(/cadence/);
  });
});
