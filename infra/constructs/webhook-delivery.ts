/**
 * Signed webhooks: the delivering function, its dead-letter queue and its least-privilege grants.
 * The function reads exactly the targets' signing secrets (GetSecretValue) and sends to exactly the
 * dead-letter queue (SendMessage); the targets are checked at synth with the schema the function
 * checks them with at cold start.
 */
import { Duration, type RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarmAction, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ViaServicePrincipal } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { parseWebhookTargets } from '../../functions/shared/webhook-contract.js';
import { RotatorFunction } from './rotator-function.js';

export interface WebhookTargetProps {
  /** Unique among the targets; names it in receipts, events and dead letters. */
  readonly name: string;
  /** https (http only to 127.0.0.1/localhost, for local mode). */
  readonly url: string;
  /** The target's signing key: a secret whose value is `whsec_` + base64 (Standard Webhooks). */
  readonly signingSecret: ISecret;
}

export interface WebhookDeliveryProps {
  readonly targets: ReadonlyArray<WebhookTargetProps>;
  /** @default RetentionDays.ONE_MONTH (RotatorFunction's) */
  readonly logRetention?: RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
  /** How long a given-up message waits on the dead-letter queue. @default Duration.days(14) (the SQS maximum) */
  readonly deadLetterRetention?: Duration;
}

/** Lambda timeout: the delivery budget (180 s) plus a last attempt and the dead letters. */
export const WEBHOOK_FUNCTION_TIMEOUT = Duration.minutes(4);

export class WebhookDelivery extends Construct {
  readonly function: RotatorFunction;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: WebhookDeliveryProps) {
    super(scope, id);
    // The same schema as at cold start: a bad target never deploys. Tokens (ARNs of secrets in this
    // stack) are checked at deploy time by CloudFormation, the rest here.
    parseWebhookTargets(
      props.targets.map((target) => ({
        name: target.name,
        url: target.url,
        signingSecretArn: placeholderIfToken(target.signingSecret.secretArn),
      })),
    );

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetention ?? Duration.days(14),
    });

    this.function = new RotatorFunction(this, 'Function', {
      entry: 'functions/deliver-webhooks/handler.ts',
      description: 'Signed webhooks (Standard Webhooks) after promotion and retirement; never a secret value',
      timeout: WEBHOOK_FUNCTION_TIMEOUT,
      memorySize: 256,
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
      ...(props.logRemovalPolicy === undefined ? {} : { logRemovalPolicy: props.logRemovalPolicy }),
      environment: {
        WEBHOOK_TARGETS: Stack.of(this).toJsonString(
          props.targets.map((target) => ({
            name: target.name,
            url: target.url,
            signingSecretArn: target.signingSecret.secretArn,
          })),
        ),
        WEBHOOK_DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
      },
    });
    // The queue is also the function's own dead-letter target, should it ever be invoked
    // asynchronously: one place holds everything that was not delivered.
    (this.function.node.defaultChild as CfnFunction).deadLetterConfig = {
      targetArn: this.deadLetterQueue.queueArn,
    };
    // Not `grantSendMessages`: it adds GetQueueAttributes and GetQueueUrl, which the function never calls.
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    // Not `grantRead`: it adds DescribeSecret, which the function never calls.
    const region = Stack.of(this).region;
    for (const target of props.targets) {
      const resource = target.signingSecret.secretFullArn ?? `${target.signingSecret.secretArn}-??????`;
      this.function.addToRolePolicy(
        new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [resource] }),
      );
      target.signingSecret.encryptionKey?.grant(
        new ViaServicePrincipal(`secretsmanager.${region}.amazonaws.com`, this.function.grantPrincipal),
        'kms:Decrypt',
      );
      if (target.signingSecret.secretFullArn === undefined) {
        Validations.of(this.function.serviceRole).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${resource}]`,
          reason: `Signing secret of webhook target ${target.name} given by partial ARN: -?????? matches only its random suffix.`,
        });
      }
    }
    Validations.of(this.function.serviceRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray (Tracing.ACTIVE) PutTraceSegments/PutTelemetryRecords support no resource-level scoping.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Lambdas target Node.js 22 per project policy (bundles are built with target node22).',
    });
  }

  /** Alarms as soon as one message waits on the dead-letter queue: a target was given up. */
  addDeadLetterAlarm(action: IAlarmAction): Alarm {
    const alarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'A signed webhook was given up (target down or refusing it); the message waits on the dead-letter queue for a redrive.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(action);
    return alarm;
  }
}

/** A token cannot be checked at synth; a well-formed stand-in lets the other fields be. */
function placeholderIfToken(arn: string): string {
  return Token.isUnresolved(arn) ? 'arn:aws:secretsmanager:us-east-1:000000000000:secret:token' : arn;
}
