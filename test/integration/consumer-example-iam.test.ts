/**
 * The IAM the example consumer construct grants (examples/consumer-lambda/consumer-function.ts),
 * synthesized and enforced by the AWS stand-in: with its role's credentials the kit reads AWSCURRENT
 * of its secret, and nothing else; and the rule that delivers the rotator's promotions to it.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenesysConsumerFunction } from '../../examples/consumer-lambda/consumer-function.js';
import {
  AwsCurrentCredentialSource,
  CREDENTIAL_CHANGED_DETAIL_TYPES,
  ROTATION_EVENT_SOURCE,
  SecretReadFailedError,
} from '../../kit/consumer/index.js';
import type { CfnTemplate } from '../../local/engine/template.js';
import {
  type AwsStandIn,
  IamAuthority,
  type LocalCredentials,
  OPERATOR_CREDENTIALS,
  startAwsStandIn,
} from '../../local/standins/aws/index.js';

const VALUE = JSON.stringify({ clientId: 'c', clientSecret: 's', environment: 'mypurecloud.ie' });

let aws: AwsStandIn;
let template: Template;
let consumerCredentials: LocalCredentials;
let managedArn: string;
let otherArn: string;
const clients: SecretsManagerClient[] = [];

function secretsAs(credentials: LocalCredentials): SecretsManagerClient {
  const client = new SecretsManagerClient({
    endpoint: aws.url,
    region: aws.region,
    credentials,
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ConsumerExample');
  const secret = new Secret(stack, 'ManagedSecret', { secretName: 'genesys/prod/consumer' });
  const bus = new EventBus(stack, 'RotationBus', { eventBusName: 'genesys-credential-rotation' });
  const consumer = new GenesysConsumerFunction(stack, 'Consumer', { secret, rotationEventBus: bus });
  const synthesized = app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  template = Template.fromJSON(synthesized);

  aws = await startAwsStandIn();
  const operator = secretsAs(OPERATOR_CREDENTIALS);
  const create = async (name: string) => {
    const created = await operator.send(new CreateSecretCommand({ Name: name, SecretString: VALUE }));
    return { arn: created.ARN as string, name };
  };
  const managed = await create('genesys/prod/consumer');
  const other = await create(`genesys/prod/other-${randomUUID()}`);
  managedArn = managed.arn;
  otherArn = other.arn;
  const logicalId = (element: CfnElement) => stack.getLogicalId(element);
  const iam = IamAuthority.fromTemplate({
    template: synthesized,
    account: { region: aws.region, accountId: aws.accountId },
    physicalIds: new Map([[logicalId(secret.node.defaultChild as CfnElement), managed]]),
  });
  aws.setIamAuthority(iam);
  consumerCredentials = iam.credentialsOfFunction(
    logicalId(consumer.function.node.defaultChild as CfnElement),
  );
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.destroy();
  await aws.close();
});

describe('example consumer construct: IAM enforced by the AWS stand-in (IAM policy evaluation: implicit deny)', () => {
  it('the kit, with the function role, reads AWSCURRENT of its secret through Powertools', async () => {
    // Prepare
    const source = new AwsCurrentCredentialSource({
      secretId: managedArn,
      client: secretsAs(consumerCredentials),
    });

    // Act
    const credential = await source.read(true);

    // Assess
    expect(credential.clientId).toBe('c');
  });

  it('the role may not read another secret, describe its own, or write it', async () => {
    // Prepare
    const secrets = secretsAs(consumerCredentials);
    const other = new AwsCurrentCredentialSource({ secretId: otherArn, client: secrets });

    // Act
    const readOther = await other.read(true).catch((error: unknown) => error);
    const describe = await secrets
      .send(new DescribeSecretCommand({ SecretId: managedArn }))
      .catch((e: Error) => e.name);
    const write = await secrets
      .send(new PutSecretValueCommand({ SecretId: managedArn, SecretString: VALUE }))
      .catch((e: Error) => e.name);
    const readDirect = await secrets.send(new GetSecretValueCommand({ SecretId: managedArn }));

    // Assess
    expect(readOther).toBeInstanceOf(SecretReadFailedError);
    expect((readOther as SecretReadFailedError).details.reason).toBe('AccessDeniedException');
    expect(describe).toBe('AccessDeniedException');
    expect(write).toBe('AccessDeniedException');
    expect(readDirect.SecretString).toBe(VALUE);
  });

  it('a rule on the rotator bus sends Secret Promoted and Emergency Rotation Completed to the function', () => {
    // Prepare // Act // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.anyValue(),
      EventPattern: {
        source: [ROTATION_EVENT_SOURCE],
        'detail-type': [...CREDENTIAL_CHANGED_DETAIL_TYPES],
      },
      Targets: [Match.objectLike({ Arn: Match.anyValue(), RetryPolicy: { MaximumRetryAttempts: 2 } })],
    });
    template.resourceCountIs('AWS::Lambda::Permission', 1);
  });
});
