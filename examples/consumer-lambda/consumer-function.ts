/**
 * Example CDK wiring for a Lambda on the consumer kit: the IAM it needs and the EventBridge rule that
 * tells it a rotation promoted a new credential. Least privilege: `secretsmanager:GetSecretValue` on
 * the one secret (and `kms:Decrypt` through Secrets Manager when the secret has its own key); the kit
 * never describes, lists or writes secrets.
 */
import { Duration } from 'aws-cdk-lib';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { RotatorFunction } from '../../infra/constructs/rotator-function.js';
import { CREDENTIAL_CHANGED_DETAIL_TYPES, ROTATION_EVENT_SOURCE } from '../../kit/consumer/index.js';

export interface GenesysConsumerFunctionProps {
  /** The managed secret (a `GenesysRotatedSecret`'s secret, or one imported by ARN). */
  readonly secret: ISecret;
  /** The rotator's audit bus (`RotatorStack.eventBus`, or `EventBus.fromEventBusName`). */
  readonly rotationEventBus: IEventBus;
  /** @default 300: a missed event delays the move to a new client by at most this. */
  readonly maxAgeSeconds?: number;
  /** Handler module, relative to the repository root. @default 'examples/consumer-lambda/handler.ts' */
  readonly entry?: string;
}

export class GenesysConsumerFunction extends Construct {
  readonly function: RotatorFunction;
  readonly promotionRule: Rule;

  constructor(scope: Construct, id: string, props: GenesysConsumerFunctionProps) {
    super(scope, id);
    this.function = new RotatorFunction(this, 'Function', {
      entry: props.entry ?? 'examples/consumer-lambda/handler.ts',
      serviceName: 'genesys-consumer-example',
      timeout: Duration.seconds(30),
      description: 'Example consumer of a rotated Genesys Cloud OAuth client',
      environment: {
        GENESYS_SECRET_ARN: props.secret.secretArn,
        GENESYS_SECRET_MAX_AGE_SECONDS: String(props.maxAgeSeconds ?? 300),
      },
    });
    // A full ARN when the secret is known; an imported name's ARN lacks Secrets Manager's suffix.
    const secretArn = props.secret.secretFullArn ?? `${props.secret.secretArn}-??????`;
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }),
    );
    props.secret.encryptionKey?.grantDecrypt(this.function);

    // Source and detail type only: the events name the secret as the execution input did (ARN or
    // name), and the kit's handler matches either, ignoring other secrets' promotions.
    this.promotionRule = new Rule(this, 'SecretPromoted', {
      description: 'A rotation promoted a new Genesys credential: re-read AWSCURRENT',
      eventBus: props.rotationEventBus,
      eventPattern: { source: [ROTATION_EVENT_SOURCE], detailType: [...CREDENTIAL_CHANGED_DETAIL_TYPES] },
    });
    this.promotionRule.addTarget(new LambdaFunction(this.function, { retryAttempts: 2 }));
  }
}
