import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { InvalidConfigurationError } from '../../../functions/shared/errors.js';
import { buildApp } from '../../../infra/app.js';
import { STATE } from '../../../infra/constructs/rotation-state-machine.js';
import { WEBHOOK_DETAIL_TYPE, WEBHOOK_STATE } from '../../../infra/constructs/webhook-states.js';
import type { WebhookTargetConfig } from '../../../infra/stacks/rotator-stack.js';
import { jsonPathsIn, VALUE_BEARING_PATH } from '../../helpers/event-contract.js';

type Json = Record<string, unknown>;
interface AslState extends Json {
  Type: string;
  Next?: string;
  Default?: string;
  Catch?: Array<{ ErrorEquals: string[]; ResultPath?: string; Next: string }>;
  Choices?: Array<Json & { Next: string }>;
  Parameters?: Json;
}

const VAULT_ARN =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys/rotator/webhooks/vault-AbCdEf';
const DOPPLER_ARN =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys/rotator/webhooks/doppler-GhIjKl';
const TARGETS: WebhookTargetConfig[] = [
  { name: 'vault-sync', url: 'https://vault.example.com/hooks/rotation', signingSecretArn: VAULT_ARN },
  { name: 'doppler-sync', url: 'https://doppler.example.com/hooks', signingSecretArn: DOPPLER_ARN },
];

function aslOf(template: Template): { States: Record<string, AslState> } {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const definition = machine?.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
  const [separator, parts] = definition['Fn::Join'];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const token = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
      return token.Ref ? `REF_${token.Ref}` : `GETATT_${token['Fn::GetAtt']?.join('_')}`;
    })
    .join(separator);
  return JSON.parse(text) as { States: Record<string, AslState> };
}

function synth(targets: WebhookTargetConfig[] | undefined) {
  const { stack } = buildApp({
    bundling: false,
    nag: false,
    ...(targets ? { webhookTargets: targets } : {}),
  });
  return { stack, template: Template.fromStack(stack) };
}

function statementsOf(template: Template, roleLogicalId: string): Json[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      (policy.Properties.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleLogicalId),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Json[]);
}

describe('Signed webhooks in the stack', () => {
  it('synthesizes with webhook targets without an unacknowledged cdk-nag finding, each acknowledgement with a reason', () => {
    // Prepare
    const { app } = buildApp({ bundling: false, webhookTargets: TARGETS });

    // Act
    const act = () => app.synth();

    // Assess
    expect(act).not.toThrow();
    const acknowledgements = app.node
      .findAll()
      .filter((construct) => construct.node.path.includes('/Webhooks/'))
      .flatMap((construct) =>
        construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY),
      )
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    expect(acknowledgements.map(([id]) => id.replace(/^Annotation::/, '')).sort()).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-L1',
    ]);
    for (const [id, reason] of acknowledgements) expect(reason.length, id).toBeGreaterThan(30);
  });

  it('lets the webhook function read exactly the signing secrets and send exactly to its dead-letter queue', () => {
    // Prepare
    const { stack, template } = synth(TARGETS);
    const fn = stack.webhooks?.function;
    if (fn === undefined) throw new Error('no webhook function');
    const roleId = stack.getLogicalId(fn.serviceRole.node.defaultChild as never);
    const queueId = stack.getLogicalId(stack.webhooks?.deadLetterQueue.node.defaultChild as never);

    // Act
    const statements = statementsOf(template, roleId);

    // Assess
    const byAction = statements.map((statement) => [statement.Action, statement.Resource]);
    expect(byAction).toEqual(
      expect.arrayContaining([
        ['sqs:SendMessage', { 'Fn::GetAtt': [queueId, 'Arn'] }],
        ['secretsmanager:GetSecretValue', VAULT_ARN],
        ['secretsmanager:GetSecretValue', DOPPLER_ARN],
      ]),
    );
    const actions = statements.flatMap((statement) => [statement.Action].flat()).sort();
    expect(actions).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    // No other function reads a signing secret.
    const everyStatement = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Json[],
    );
    const readers = everyStatement.filter((statement) =>
      [statement.Resource].flat().some((resource) => resource === VAULT_ARN || resource === DOPPLER_ARN),
    );
    expect(readers).toHaveLength(2);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      Environment: {
        Variables: {
          WEBHOOK_DEAD_LETTER_QUEUE_URL: { Ref: queueId },
          WEBHOOK_TARGETS: JSON.stringify(
            TARGETS.map(({ name, url, signingSecretArn }) => ({ name, url, signingSecretArn })),
          ),
        },
      },
    });
  });

  it('alarms on the first message waiting on the dead-letter queue', () => {
    // Prepare
    const { template } = synth(TARGETS);

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
    });
  });

  it('runs the webhook segment after EmitPromoted and after EmitRetired, each ending where the rotation went on', () => {
    // Prepare
    const asl = aslOf(synth(TARGETS).template);
    const at = (name: string): AslState => {
      const found = asl.States[name];
      if (found === undefined) throw new Error(`No state ${name}`);
      return found;
    };

    // Assess
    expect(at(STATE.EmitPromoted).Next).toBe(WEBHOOK_STATE.DeliverPromotedWebhooks);
    expect(at(WEBHOOK_STATE.PromotedWebhooksReported).Next).toBe(STATE.CheckAdoption);
    expect(at(STATE.EmitRetired).Next).toBe(WEBHOOK_STATE.DeliverRetiredWebhooks);
    expect(at(STATE.EmitEmergencyRotated).Next).toBe(WEBHOOK_STATE.DeliverEmergencyWebhooks);
    expect(at(WEBHOOK_STATE.EmergencyWebhooksReported).Next).toBe(STATE.RotationSucceeded);
    expect(at(WEBHOOK_STATE.DeliverEmergencyWebhooks).Parameters).toMatchObject({
      event: 'credential.promoted',
    });
    expect(at(WEBHOOK_STATE.RetiredWebhooksReported).Next).toBe(STATE.RotationSucceeded);
    expect(at(WEBHOOK_STATE.DeliverPromotedWebhooks).Parameters).toEqual({
      event: 'credential.promoted',
      'executionId.$': '$$.Execution.Id',
      'state.$': '$',
    });
    expect(at(WEBHOOK_STATE.DeliverRetiredWebhooks).Parameters).toMatchObject({
      event: 'credential.legacy_retired',
    });
  });

  it('never leaves the webhook segment for a compensation or the needs-attention path', () => {
    // Prepare
    const asl = aslOf(synth(TARGETS).template);
    const webhookStates = new Set<string>(Object.values(WEBHOOK_STATE));
    const allowedExits = new Set<string>([...webhookStates, STATE.CheckAdoption, STATE.RotationSucceeded]);

    // Act
    const exits = Object.entries(asl.States)
      .filter(([name]) => webhookStates.has(name))
      .flatMap(([name, s]) =>
        [s.Next, s.Default, ...(s.Catch ?? []).map((c) => c.Next), ...(s.Choices ?? []).map((c) => c.Next)]
          .filter((next): next is string => next !== undefined)
          .map((next) => [name, next] as const),
      );

    // Assess
    expect(
      Object.keys(asl.States)
        .filter((name) => webhookStates.has(name))
        .sort(),
    ).toEqual([...webhookStates].sort());
    for (const [from, to] of exits) expect(allowedExits.has(to), `${from} -> ${to}`).toBe(true);
    for (const name of [
      WEBHOOK_STATE.DeliverPromotedWebhooks,
      WEBHOOK_STATE.DeliverRetiredWebhooks,
      WEBHOOK_STATE.DeliverEmergencyWebhooks,
    ]) {
      expect(asl.States[name]?.Catch?.map((c) => c.ErrorEquals)).toEqual([['States.ALL']]);
    }
  });

  it('emits webhook receipts with the receipts and the common facts, from no path that could hold a value', () => {
    // Prepare
    const asl = aslOf(synth(TARGETS).template);
    const emits = [
      WEBHOOK_STATE.EmitPromotedWebhooks,
      WEBHOOK_STATE.EmitPromotedWebhooksGaveUp,
      WEBHOOK_STATE.EmitRetiredWebhooks,
      WEBHOOK_STATE.EmitRetiredWebhooksGaveUp,
      WEBHOOK_STATE.EmitEmergencyWebhooks,
      WEBHOOK_STATE.EmitEmergencyWebhooksGaveUp,
    ];

    // Act
    const entries = emits.flatMap((name) => (asl.States[name]?.Parameters?.Entries ?? []) as Json[]);

    // Assess
    expect(entries.map((entry) => entry.DetailType).sort()).toEqual(
      [
        WEBHOOK_DETAIL_TYPE.gaveUp,
        WEBHOOK_DETAIL_TYPE.gaveUp,
        WEBHOOK_DETAIL_TYPE.gaveUp,
        WEBHOOK_DETAIL_TYPE.delivered,
        WEBHOOK_DETAIL_TYPE.delivered,
        WEBHOOK_DETAIL_TYPE.delivered,
      ].sort(),
    );
    for (const entry of entries) {
      const keys = Object.keys(entry.Detail as Json).map((key) => key.replace(/\.\$$/, ''));
      expect(keys).toEqual(
        expect.arrayContaining(['schemaVersion', 'secretId', 'executionId', 'trigger', 'webhooks']),
      );
      expect(jsonPathsIn(entry.Detail).filter((path) => VALUE_BEARING_PATH.test(path))).toEqual([]);
    }
  });

  it('has no webhook function, queue or state without targets', () => {
    // Prepare
    const { stack, template } = synth(undefined);

    // Assess
    expect(stack.webhooks).toBeUndefined();
    template.resourceCountIs('AWS::SQS::Queue', 0);
    expect(Object.keys(aslOf(template).States).some((name) => name.includes('Webhooks'))).toBe(false);
  });

  it.each([
    ['a plain http URL', [{ ...TARGETS[0], url: 'http://vault.example.com/hooks' }], /must be https/],
    ['a URL with credentials', [{ ...TARGETS[0], url: 'https://user:pw@vault.example.com/' }], /credentials/],
    ['two targets of one name', [TARGETS[0], { ...TARGETS[1], name: 'vault-sync' }], /unique/],
    ['a name with spaces', [{ ...TARGETS[0], name: 'vault sync' }], /name/],
  ])('refuses %s at synth with InvalidConfigurationError', (_, targets, message) => {
    // Act
    const act = () => synth(targets as WebhookTargetConfig[]);

    // Assess
    expect(act).toThrow(InvalidConfigurationError);
    expect(act).toThrow(message);
  });
});
