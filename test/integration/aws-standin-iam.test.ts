/**
 * The AWS stand-in enforces the synthesized stack's IAM: each function's role, through the real SDK
 * v3 clients signing with that role's local credentials, may make exactly the AWS calls its code
 * makes, and nothing else.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import type { ManagedSecretProps, RotatorStack } from '../../infra/stacks/rotator-stack.js';
import type { CfnTemplate, PhysicalResource } from '../../local/engine/template.js';
import {
  type AwsStandIn,
  IamAuthority,
  IamConfigurationError,
  type LocalCredentials,
  OPERATOR_CREDENTIALS,
  startAwsStandIn,
} from '../../local/standins/aws/index.js';
import { fixedNow } from '../helpers/aws-standin.js';

const MANAGED: ManagedSecretProps = {
  secretName: 'genesys/prod/contact-centre-api',
  environment: 'mypurecloud.ie',
  orgId: '00000000-0000-4000-8000-000000000001',
  stage: 'prod',
  schedule: { cron: '0 8 ? * TUE *', window: '4h' },
};
const VALUE = JSON.stringify({ clientId: 'c', clientSecret: 's', environment: 'mypurecloud.ie' });
const PENDING_TOKEN = '11111111-2222-4333-8444-555555555555';

type FunctionKey = keyof RotatorStack['functions'];
const FUNCTIONS: readonly FunctionKey[] = [
  'fetch',
  'validate',
  'rotator',
  'verify',
  'checkAdoption',
  'deleteOrRollback',
];

/** Every AWS call a function of the rotator could make, each on the resource it targets. */
type Call =
  | 'managed:DescribeSecret'
  | 'managed:GetSecretValue'
  | 'managed:PutSecretValue'
  | 'managed:UpdateSecretVersionStage'
  | 'admin:DescribeSecret'
  | 'admin:GetSecretValue'
  | 'states:StartExecution'
  | 'states:ListExecutions'
  | 'states:DescribeExecution'
  | 'states:GetExecutionHistory'
  | 'events:PutEvents';
const CALLS: readonly Call[] = [
  'managed:DescribeSecret',
  'managed:GetSecretValue',
  'managed:PutSecretValue',
  'managed:UpdateSecretVersionStage',
  'admin:DescribeSecret',
  'admin:GetSecretValue',
  'states:StartExecution',
  'states:ListExecutions',
  'states:DescribeExecution',
  'states:GetExecutionHistory',
  'events:PutEvents',
];

/**
 * What each function's code calls (functions/core/*.ts and the handlers): Fetch describes the
 * managed secret (by whatever id the input names) and reads its current value, describes the admin
 * secret once per container, reads it for Genesys, and looks for running executions; the Rotator
 * reads and writes the managed secret and starts and follows executions; Verify reads the pending
 * value and probes it on its own client; DeleteOrRollback checks AWSCURRENT before retiring or
 * rolling back; Validate is pure.
 */
const CALLED_BY: Record<FunctionKey, readonly Call[]> = {
  fetch: [
    'managed:DescribeSecret',
    'managed:GetSecretValue',
    'admin:DescribeSecret',
    'admin:GetSecretValue',
    'states:ListExecutions',
    'states:DescribeExecution',
  ],
  validate: [],
  rotator: [
    'managed:DescribeSecret',
    'managed:GetSecretValue',
    'managed:PutSecretValue',
    'managed:UpdateSecretVersionStage',
    'admin:GetSecretValue',
    'states:StartExecution',
    'states:ListExecutions',
    'states:DescribeExecution',
    'states:GetExecutionHistory',
  ],
  verify: ['managed:GetSecretValue'],
  checkAdoption: ['admin:GetSecretValue'],
  deleteOrRollback: ['managed:DescribeSecret', 'admin:GetSecretValue'],
};

interface Environment {
  readonly standIn: AwsStandIn;
  readonly stack: RotatorStack;
  readonly iam: IamAuthority;
  readonly managedArn: string;
  readonly adminArn: string;
  readonly stateMachineArn: string;
  readonly executionArn: string;
  readonly busName: string;
  readonly clients: { destroy(): void }[];
}

let env: Environment;

function logicalIdOf(stack: RotatorStack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

function clientConfig(credentials: LocalCredentials) {
  return {
    endpoint: env.standIn.url,
    region: env.standIn.region,
    credentials,
    maxAttempts: 1,
  };
}

function clientsFor(credentials: LocalCredentials) {
  const clients = {
    secrets: new SecretsManagerClient(clientConfig(credentials)),
    sfn: new SFNClient(clientConfig(credentials)),
    events: new EventBridgeClient(clientConfig(credentials)),
  };
  env.clients.push(clients.secrets, clients.sfn, clients.events);
  return clients;
}

function credentialsOf(fn: FunctionKey): LocalCredentials {
  return env.iam.credentialsOfFunction(logicalIdOf(env.stack, env.stack.functions[fn]));
}

/** Makes the call as `credentials`; resolves to the error's name, or null when it succeeded. */
async function attempt(credentials: LocalCredentials, call: Call): Promise<string | null> {
  const { secrets, sfn, events } = clientsFor(credentials);
  const [target, operation] = call.split(':') as [string, string];
  const secretId = target === 'admin' ? env.adminArn : env.managedArn;
  const commands: Record<string, () => Promise<unknown>> = {
    DescribeSecret: () => secrets.send(new DescribeSecretCommand({ SecretId: secretId })),
    GetSecretValue: () => secrets.send(new GetSecretValueCommand({ SecretId: secretId })),
    PutSecretValue: () =>
      secrets.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: PENDING_TOKEN,
          SecretString: VALUE,
          VersionStages: ['AWSPENDING'],
        }),
      ),
    UpdateSecretVersionStage: () =>
      secrets.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSPENDING',
          RemoveFromVersionId: PENDING_TOKEN,
        }),
      ),
    StartExecution: () =>
      sfn.send(new StartExecutionCommand({ stateMachineArn: env.stateMachineArn, input: '{}' })),
    ListExecutions: () => sfn.send(new ListExecutionsCommand({ stateMachineArn: env.stateMachineArn })),
    DescribeExecution: () => sfn.send(new DescribeExecutionCommand({ executionArn: env.executionArn })),
    GetExecutionHistory: () => sfn.send(new GetExecutionHistoryCommand({ executionArn: env.executionArn })),
    PutEvents: () =>
      events.send(
        new PutEventsCommand({
          Entries: [{ EventBusName: env.busName, Source: 'test', DetailType: 'Test', Detail: '{}' }],
        }),
      ),
  };
  const send = commands[operation];
  if (send === undefined) throw new Error(`No command for ${call}`);
  try {
    await send();
    return null;
  } catch (error) {
    return error instanceof Error ? error.name : String(error);
  }
}

beforeAll(async () => {
  const { app, stack } = buildApp({ bundling: false, nag: false, managedSecrets: [MANAGED] });
  const template = app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  const standIn = await startAwsStandIn({ clock: { now: () => fixedNow } });
  const operator = new SecretsManagerClient({
    endpoint: standIn.url,
    region: standIn.region,
    credentials: OPERATOR_CREDENTIALS,
    maxAttempts: 1,
  });
  const create = async (name: string, tags: Record<string, string>): Promise<PhysicalResource> => {
    const created = await operator.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: VALUE,
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    return { arn: created.ARN ?? '', name };
  };
  const managedSecret = stack.managedSecrets[0];
  if (managedSecret === undefined) throw new Error('The stack has no managed secret');
  const managed = await create(MANAGED.secretName, {
    'genesys:kind': 'oauth-client',
    'genesys:stage': 'prod',
  });
  const admin = await create('genesys/rotator/admin', {});
  operator.destroy();

  const stateMachineArn = `arn:aws:states:${standIn.region}:${standIn.accountId}:stateMachine:${stack.stateMachineName}`;
  standIn.stepFunctions.registerStateMachine(stateMachineArn, async () => ({}));
  const iam = IamAuthority.fromTemplate({
    template,
    account: { region: standIn.region, accountId: standIn.accountId },
    physicalIds: new Map([
      [logicalIdOf(stack, managedSecret.secret), managed],
      [logicalIdOf(stack, stack.adminSecret), admin],
      [logicalIdOf(stack, stack.stateMachine), { arn: stateMachineArn, name: stack.stateMachineName }],
    ]),
  });
  standIn.setIamAuthority(iam);
  env = {
    standIn,
    stack,
    iam,
    managedArn: managed.arn,
    adminArn: admin.arn,
    stateMachineArn,
    executionArn: `arn:aws:states:${standIn.region}:${standIn.accountId}:execution:${stack.stateMachineName}:missing`,
    busName: 'genesys-credential-rotation',
    clients: [],
  };
}, 120_000);

afterAll(async () => {
  for (const client of env?.clients ?? []) client.destroy();
  await env?.standIn.close();
});

describe('AWS stand-in IAM: each function role may make exactly the calls its code makes', () => {
  for (const fn of FUNCTIONS) {
    for (const call of CALLS) {
      const allowed = CALLED_BY[fn].includes(call);
      it(`${fn} ${allowed ? 'may' : 'may not'} ${call} (IAM policy evaluation logic: implicit deny unless an identity-based policy allows)`, async () => {
        // Act
        const outcome = await attempt(credentialsOf(fn), call);

        // Assess
        if (allowed) expect(outcome, `${fn} ${call}`).not.toBe('AccessDeniedException');
        else expect(outcome, `${fn} ${call}`).toBe('AccessDeniedException');
      });
    }
  }
});

describe('AWS stand-in IAM: the known DeleteOrRollback bug (issue #8)', () => {
  it('lets DeleteOrRollback DescribeSecret the managed secret, which retire and rollback call before touching Genesys (Secrets Manager: DescribeSecret needs secretsmanager:DescribeSecret on the secret)', async () => {
    // Arrange
    const { secrets } = clientsFor(credentialsOf('deleteOrRollback'));

    // Act
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: env.managedArn }));

    // Assess
    expect(described.ARN).toBe(env.managedArn);
  });
});

describe('AWS stand-in IAM: answers as AWS does', () => {
  it('answers a denied call with AccessDeniedException naming the session, action and resource (IAM: Troubleshoot access denied error messages)', async () => {
    // Arrange
    const { secrets } = clientsFor(credentialsOf('validate'));
    const roleName = env.iam.roleOfFunction(logicalIdOf(env.stack, env.stack.functions.validate));

    // Act
    const error = await secrets
      .send(new GetSecretValueCommand({ SecretId: env.managedArn }))
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
      message: expect.stringMatching(
        new RegExp(
          `^User: arn:aws:sts::${env.standIn.accountId}:assumed-role/${roleName}/\\S+ is not authorized to perform: secretsmanager:GetSecretValue on resource: ${escapeRegExp(env.managedArn)} because no identity-based policy allows the secretsmanager:GetSecretValue action$`,
        ),
      ),
    });
  });

  it('evaluates a secret named by its name or partial ARN on its full ARN (Secrets Manager: resources in IAM policies)', async () => {
    // Arrange
    const { secrets } = clientsFor(credentialsOf('fetch'));

    // Act
    const byName = await secrets.send(new DescribeSecretCommand({ SecretId: MANAGED.secretName }));
    const byPartialArn = await secrets.send(
      new DescribeSecretCommand({ SecretId: env.managedArn.slice(0, -7) }),
    );

    // Assess
    expect(byName.ARN).toBe(env.managedArn);
    expect(byPartialArn.ARN).toBe(env.managedArn);
  });

  it('answers AccessDeniedException, not ResourceNotFoundException, for a missing secret the caller may not touch (Secrets Manager: troubleshooting access denied)', async () => {
    // Arrange
    const { secrets } = clientsFor(credentialsOf('verify'));

    // Act
    const error = await secrets
      .send(new DescribeSecretCommand({ SecretId: 'genesys/prod/does-not-exist' }))
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('rejects an access key it never issued, and lets the operator key through (AWS STS: security token is invalid)', async () => {
    // Arrange
    const unknown = clientsFor({ accessKeyId: 'AKIANOTISSUED0000000', secretAccessKey: 'x' });
    const operator = clientsFor(OPERATOR_CREDENTIALS);

    // Act
    const error = await unknown.secrets
      .send(new DescribeSecretCommand({ SecretId: env.managedArn }))
      .catch((caught: unknown) => caught);
    const described = await operator.secrets.send(new DescribeSecretCommand({ SecretId: env.managedArn }));

    // Assess
    expect(error).toMatchObject({ name: 'UnrecognizedClientException' });
    expect(described.ARN).toBe(env.managedArn);
  });

  it('records a denied call in the request log as AccessDeniedException', async () => {
    // Act
    await attempt(credentialsOf('checkAdoption'), 'managed:GetSecretValue');

    // Assess
    expect(env.standIn.requestLog.at(-1)).toMatchObject({
      service: 'secretsmanager',
      operation: 'GetSecretValue',
      status: 400,
      errorType: 'AccessDeniedException',
    });
  });
});

describe('AWS stand-in IAM: Secrets Manager invoking the rotation function', () => {
  it('lets RotateSecret use the Rotator, whose function policy admits secretsmanager.amazonaws.com of this account, and no other function (Secrets Manager: permissions for the rotation function)', async () => {
    // Arrange
    const arnOf = (fn: FunctionKey) =>
      `arn:aws:lambda:${env.standIn.region}:${env.standIn.accountId}:function:${logicalIdOf(env.stack, env.stack.functions[fn])}`;
    env.standIn.secretsManager.registerRotationFunction(arnOf('rotator'), async () => {});
    env.standIn.secretsManager.registerRotationFunction(arnOf('fetch'), async () => {});
    const { secrets } = clientsFor(OPERATOR_CREDENTIALS);
    const rotate = (fn: FunctionKey) =>
      secrets.send(
        new RotateSecretCommand({
          SecretId: env.managedArn,
          RotationLambdaARN: arnOf(fn),
          RotationRules: { ScheduleExpression: 'rate(30 days)' },
          RotateImmediately: false,
        }),
      );

    // Act
    const byFetch = await rotate('fetch').catch((caught: unknown) => caught);
    const byRotator = await rotate('rotator');
    await env.standIn.secretsManager.waitForRotation(env.managedArn);

    // Assess
    expect(byFetch).toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('Secrets Manager cannot invoke the specified Lambda function'),
    });
    expect(byRotator.ARN).toBe(env.managedArn);
  });
});

describe('AWS stand-in IAM: the state machine role', () => {
  it.each(FUNCTIONS)('may invoke %s (Step Functions: IAM policies for Lambda tasks)', async (fn) => {
    // Arrange
    const functionLogicalId = logicalIdOf(env.stack, env.stack.functions[fn]);
    const functionArn = `arn:aws:lambda:${env.standIn.region}:${env.standIn.accountId}:function:${functionLogicalId}`;

    // Act
    const decision = await env.iam.authorizeStateMachineTask({
      action: 'lambda:InvokeFunction',
      resource: functionArn,
    });

    // Assess
    expect(decision).toEqual({ allowed: true });
  });

  it('may put events on the audit bus, through the EventBridge API (Step Functions: IAM policies for EventBridge tasks)', async () => {
    // Arrange
    const { events } = clientsFor(env.iam.credentialsFor(env.iam.stateMachineRole()));

    // Act
    const answer = await events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: env.busName, Source: 'test', DetailType: 'Test', Detail: '{}' }],
      }),
    );

    // Assess
    expect(answer.FailedEntryCount).toBe(0);
  });

  it('may not put events on another bus, nor invoke a function outside the stack (IAM policy evaluation logic)', async () => {
    // Arrange
    const { events } = clientsFor(env.iam.credentialsFor(env.iam.stateMachineRole()));

    // Act
    const putOnDefault = await events
      .send(new PutEventsCommand({ Entries: [{ Source: 'test', DetailType: 'Test', Detail: '{}' }] }))
      .catch((caught: unknown) => caught);
    const invokeOther = await env.iam.authorizeStateMachineTask({
      action: 'lambda:InvokeFunction',
      resource: `arn:aws:lambda:${env.standIn.region}:${env.standIn.accountId}:function:SomeoneElses`,
    });

    // Assess
    expect(putOnDefault).toMatchObject({ name: 'AccessDeniedException' });
    expect(invokeOther).toMatchObject({
      allowed: false,
      errorType: 'AccessDeniedException',
      message: expect.stringContaining('lambda:InvokeFunction on resource: arn:aws:lambda:'),
    });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const ANY_SECRET_OF_THE_ACCOUNT =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not JavaScript's
  'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*';

describe('AWS stand-in IAM: conditions and template forms', () => {
  const account = { region: 'eu-west-1', accountId: '123456789012' };
  /** One role whose inline policy reads secrets by tag, its resource written with Fn::Sub. */
  const taggedReaderTemplate: CfnTemplate = {
    Resources: {
      ReaderRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Policies: [
            {
              PolicyName: 'ReadProdSecrets',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: 'secretsmanager:GetSecretValue',
                    Resource: {
                      'Fn::Sub': ANY_SECRET_OF_THE_ACCOUNT,
                    },
                    Condition: { StringEquals: { 'aws:ResourceTag/genesys:stage': 'prod' } },
                  },
                ],
              },
            },
          ],
        },
      },
    },
  };

  it('evaluates a tag condition against the secret the request names (IAM JSON policy elements: Condition; Secrets Manager: aws:ResourceTag)', async () => {
    // Arrange
    const standIn = await startAwsStandIn({ clock: { now: () => fixedNow } });
    const iam = IamAuthority.fromTemplate({ template: taggedReaderTemplate, account });
    const clientOf = (credentials: LocalCredentials) =>
      new SecretsManagerClient({
        endpoint: standIn.url,
        region: standIn.region,
        credentials,
        maxAttempts: 1,
      });
    const operator = clientOf(OPERATOR_CREDENTIALS);
    const reader = clientOf(iam.credentialsFor('ReaderRole'));
    try {
      for (const stage of ['prod', 'dev']) {
        await operator.send(
          new CreateSecretCommand({
            Name: `genesys/${stage}/x`,
            SecretString: VALUE,
            Tags: [{ Key: 'genesys:stage', Value: stage }],
          }),
        );
      }
      standIn.setIamAuthority(iam);

      // Act
      const prod = await reader.send(new GetSecretValueCommand({ SecretId: 'genesys/prod/x' }));
      const dev = await reader
        .send(new GetSecretValueCommand({ SecretId: 'genesys/dev/x' }))
        .catch((caught: unknown) => caught);

      // Assess
      expect(prod.SecretString).toBe(VALUE);
      expect(dev).toMatchObject({ name: 'AccessDeniedException' });
    } finally {
      operator.destroy();
      reader.destroy();
      await standIn.close();
    }
  });

  it('lets unknown access keys through only when configured unrestricted, and always lets the operator key through', async () => {
    // Arrange
    const unrestricted = IamAuthority.fromTemplate({
      template: taggedReaderTemplate,
      account,
      unknownAccessKeys: 'unrestricted',
    });
    const denying = IamAuthority.fromTemplate({ template: taggedReaderTemplate, account });
    const request = { action: 'secretsmanager:ListSecrets', resource: '*' };

    // Act
    const decisions = await Promise.all([
      unrestricted.authorize({ accessKeyId: 'test', ...request }),
      denying.authorize({ accessKeyId: 'test', ...request }),
      denying.authorize({ accessKeyId: undefined, ...request }),
      denying.authorize({ accessKeyId: OPERATOR_CREDENTIALS.accessKeyId, ...request }),
    ]);

    // Assess
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, false, false, true]);
  });

  it('refuses a policy whose resource resolves to something other than an ARN (an unmapped logical id)', () => {
    // Arrange
    const template: CfnTemplate = {
      Resources: {
        Thing: { Type: 'AWS::Some::Thing', Properties: {} },
        Role: { Type: 'AWS::IAM::Role', Properties: {} },
        Policy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            Roles: [{ Ref: 'Role' }],
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: 'Thing' } },
              ],
            },
          },
        },
      },
    };

    // Act
    const build = () => IamAuthority.fromTemplate({ template, account });

    // Assess
    expect(build).toThrow(IamConfigurationError);
  });

  it('issues the same credentials for a role every time, and names its session ARN', () => {
    // Arrange
    const first = IamAuthority.fromTemplate({ template: taggedReaderTemplate, account });
    const second = IamAuthority.fromTemplate({ template: taggedReaderTemplate, account });

    // Act
    const credentials = first.credentialsFor('ReaderRole');

    // Assess
    expect(second.credentialsFor('ReaderRole')).toEqual(credentials);
    expect(credentials.accessKeyId).toMatch(/^LOCAL[0-9A-F]{15}$/);
    expect(first.principalArnFor(credentials.accessKeyId)).toBe(
      'arn:aws:sts::123456789012:assumed-role/ReaderRole/local-session',
    );
  });
});
