import type { CfnElement } from 'aws-cdk-lib';
import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigurationError } from '../../../functions/shared/errors.js';
import { buildApp, EXAMPLE_MANAGED_SECRET } from '../../../infra/app.js';
import { type ManagedSecretProps, RotatorStack } from '../../../infra/stacks/rotator-stack.js';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };

function statementsOf(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleLogicalId }] },
  });
  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

describe('RotatorStack', () => {
  let stack: RotatorStack;
  let template: Template;
  let managedSecretId: string;
  const roleId = (fn: keyof RotatorStack['functions']) =>
    stack.getLogicalId(stack.functions[fn].serviceRole.node.defaultChild as CfnElement);

  beforeAll(() => {
    ({ stack } = buildApp({ bundling: false, nag: false }));
    template = Template.fromStack(stack);
    const [managed] = stack.managedSecrets;
    managedSecretId = stack.getLogicalId(managed?.secret.node.defaultChild as CfnElement);
  });

  it('creates the six functions on Node.js 22, arm64, traced, with their handler entries recorded', () => {
    // Prepare
    const entries = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Metadata?.['genesys-rotator:entry'],
    );

    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 6);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: 512,
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
    expect(entries.sort()).toEqual([
      'functions/check-adoption/handler.ts',
      'functions/delete-or-rollback/handler.ts',
      'functions/fetch/handler.ts',
      'functions/rotator/handler.ts',
      'functions/validate/handler.ts',
      'functions/verify/handler.ts',
    ]);
  });

  it('gives the rotation function 15 minutes and the state machine ARN without depending on it', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      Environment: {
        Variables: Match.objectLike({
          STATE_MACHINE_ARN: Match.objectLike({
            'Fn::Join': [
              '',
              Match.arrayWith([Match.stringLikeRegexp(':stateMachine:GenesysCredentialRotator-rotation$')]),
            ],
          }),
          HOOK_MAX_WAIT_SECONDS: '840',
          ROTATOR_POLICY: Match.stringLikeRegexp('"stage":"prod"'),
        }),
      },
    });
  });

  it('sets the retention of every log group', () => {
    // Assess
    // Six functions, the state machine and the outcome log of RotationMonitoring.
    template.resourceCountIs('AWS::Logs::LogGroup', 8);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('schedules rotation with a cron window on the rotation function, without rotating on update', () => {
    // Assess
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: managedSecretId },
      RotationLambdaARN: {
        'Fn::GetAtt': [stack.getLogicalId(stack.functions.rotator.node.defaultChild as CfnElement), 'Arn'],
      },
      RotateImmediatelyOnUpdate: false,
      RotationRules: { ScheduleExpression: 'cron(0 8 ? * TUE *)', Duration: '4h' },
    });
  });

  it('tags the managed secret with its kind, environment, org and stage, and generates no value', () => {
    // Assess
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'genesys/prod/contact-centre-api',
      GenerateSecretString: Match.absent(),
      Tags: Match.arrayWith([
        { Key: 'genesys:environment', Value: 'mypurecloud.ie' },
        { Key: 'genesys:kind', Value: 'oauth-client' },
        { Key: 'genesys:org-id', Value: EXAMPLE_MANAGED_SECRET.orgId },
        { Key: 'genesys:stage', Value: 'prod' },
      ]),
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'genesys/rotator/admin',
      GenerateSecretString: Match.absent(),
    });
  });

  it('lets only Secrets Manager of this account invoke the rotation function, with one permission', () => {
    // Prepare
    const permissions = template.findResources('AWS::Lambda::Permission', {
      Properties: { Principal: 'secretsmanager.amazonaws.com' },
    });

    // Assess
    expect(Object.keys(permissions)).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'secretsmanager.amazonaws.com',
      Action: 'lambda:InvokeFunction',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  it('scopes the rotation function secret writes to the managed secret only', () => {
    // Prepare
    const writes = statementsOf(template, roleId('rotator')).filter((s) =>
      actionsOf(s).includes('secretsmanager:PutSecretValue'),
    );

    // Assess
    expect(writes).toHaveLength(1);
    expect(writes[0]?.Resource).toEqual({ Ref: managedSecretId });
    expect(actionsOf(writes[0] as Statement).sort()).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
    ]);
    for (const fn of ['fetch', 'validate', 'verify', 'checkAdoption', 'deleteOrRollback'] as const) {
      const any = statementsOf(template, roleId(fn)).flatMap(actionsOf);
      expect(any, fn).not.toContain('secretsmanager:PutSecretValue');
      expect(any, fn).not.toContain('secretsmanager:UpdateSecretVersionStage');
    }
    const wildcards = statementsOf(template, roleId('rotator')).filter(
      (s) => s.Resource === '*' && actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
    );
    expect(wildcards).toEqual([]);
  });

  it('lets Fetch and Verify read the managed secret, and only Genesys callers read the admin secret', () => {
    // Prepare
    const adminId = stack.getLogicalId(stack.adminSecret.node.defaultChild as CfnElement);
    const reads = (fn: keyof RotatorStack['functions'], secretLogicalId: string) =>
      statementsOf(template, roleId(fn)).some(
        (s) =>
          actionsOf(s).includes('secretsmanager:GetSecretValue') &&
          JSON.stringify(s.Resource).includes(`"Ref":"${secretLogicalId}"`),
      );

    // Assess
    expect(reads('fetch', managedSecretId)).toBe(true);
    expect(reads('verify', managedSecretId)).toBe(true);
    expect(reads('checkAdoption', managedSecretId)).toBe(false);
    expect(reads('deleteOrRollback', managedSecretId)).toBe(false);
    for (const fn of ['fetch', 'rotator', 'checkAdoption', 'deleteOrRollback'] as const) {
      expect(reads(fn, adminId), fn).toBe(true);
    }
    // Verify probes with the pending credential only.
    expect(reads('verify', adminId)).toBe(false);
  });

  it('grants DescribeSecret exactly to the functions that call it: Fetch and DeleteOrRollback on the managed secret, Fetch on the admin secret', () => {
    // Prepare
    const adminId = stack.getLogicalId(stack.adminSecret.node.defaultChild as CfnElement);
    const describes = (fn: keyof RotatorStack['functions'], secretLogicalId: string) =>
      statementsOf(template, roleId(fn)).some(
        (s) =>
          actionsOf(s).includes('secretsmanager:DescribeSecret') &&
          JSON.stringify(s.Resource) === JSON.stringify({ Ref: secretLogicalId }),
      );

    // Assess
    for (const fn of ['fetch', 'rotator', 'deleteOrRollback'] as const) {
      expect(describes(fn, managedSecretId), fn).toBe(true);
    }
    for (const fn of ['validate', 'verify', 'checkAdoption'] as const) {
      expect(describes(fn, managedSecretId), fn).toBe(false);
    }
    for (const fn of ['validate', 'rotator', 'verify', 'checkAdoption', 'deleteOrRollback'] as const) {
      expect(describes(fn, adminId), fn).toBe(false);
    }
    expect(describes('fetch', adminId)).toBe(true);
  });

  it('gives Validate no AWS permission beyond its own logs and traces', () => {
    // Prepare
    const actions = statementsOf(template, roleId('validate')).flatMap(actionsOf);

    // Assess
    expect(actions.sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: Match.absent(),
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('grants Step Functions access on the rotation state machine and its executions only', () => {
    // Prepare
    const states = statementsOf(template, roleId('rotator')).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('states:')),
    );

    // Assess
    expect(states.flatMap(actionsOf).sort()).toEqual([
      'states:DescribeExecution',
      'states:GetExecutionHistory',
      'states:ListExecutions',
      'states:StartExecution',
    ]);
    for (const s of states) {
      expect(JSON.stringify(s.Resource)).toMatch(
        /:(stateMachine|execution):GenesysCredentialRotator-rotation(:\*)?"/,
      );
    }
  });

  it('alarms on failed and timed-out executions, needs-attention events and Secrets Manager rotation failures', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Namespace: 'AWS/States',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsTimedOut' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^EventBus') },
      EventPattern: { source: ['genesys.credential-rotator'], 'detail-type': ['Rotation Needs Attention'] },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^AlarmTopic') } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.secretsmanager'],
        detail: { eventName: ['RotationFailed', 'RotationAbandoned'] },
      },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('outputs the state machine ARN, the bus name and the admin secret ARN', () => {
    // Assess
    template.hasOutput('StateMachineArn', {});
    template.hasOutput('EventBusName', {});
    template.hasOutput('AdminSecretArn', {});
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'genesys-credential-rotation' });
  });

  it('rejects a bad policy at synth with InvalidConfigurationError', () => {
    // Act
    const act = () => buildApp({ bundling: false, nag: false, policy: { maxOAuthClients: 0, stage: '' } });

    // Assess
    expect(act).toThrow(InvalidConfigurationError);
    expect(act).toThrow(/maxOAuthClients/);
  });

  it('rejects a managed secret whose stage differs from the policy stage', () => {
    // Act
    const act = () => buildApp({ bundling: false, nag: false, policy: { stage: 'dev' } });

    // Assess
    expect(act).toThrow(InvalidConfigurationError);
  });
});

describe('GenesysRotatedSecret with an imported secret and a customer key', () => {
  let template: Template;
  const secretArn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:genesys/prod/reporting-AbCdEf';
  const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555';

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new RotatorStack(app, 'Keyed', { env: { account: '111122223333', region: 'eu-west-1' } });
    const managed: ManagedSecretProps = {
      ...EXAMPLE_MANAGED_SECRET,
      secretName: 'genesys/prod/reporting',
      existingSecretArn: secretArn,
      encryptionKey: Key.fromKeyArn(stack, 'ImportedKey', keyArn),
      schedule: { every: Duration.days(30) },
    };
    stack.addManagedSecret('Reporting', managed);
    template = Template.fromStack(stack);
  });

  it('limits key use to Secrets Manager and this secret', () => {
    // Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: keyArn,
            Condition: {
              StringEquals: {
                'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com',
                'kms:EncryptionContext:SecretARN': secretArn,
              },
            },
          }),
        ]),
      },
    });
  });

  it('schedules a rate rotation on the imported secret and creates no secret', () => {
    // Assess
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: secretArn,
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: false,
    });
    template.resourcePropertiesCountIs('AWS::SecretsManager::Secret', { Name: 'genesys/prod/reporting' }, 0);
  });
});
