/**
 * The webhook function's synthesized policy, evaluated by the local IAM authority (a real IAM
 * evaluator) and enforced by the SQS stand-in: exactly the signing secrets, exactly the dead-letter
 * queue.
 */
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { CfnElement } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { type CfnTemplate, sqsQueueName, sqsQueueUrl } from '../../local/engine/template.js';
import { type AwsStandIn, IamAuthority, startAwsStandIn } from '../../local/standins/aws/index.js';

const account = { region: 'eu-west-1', accountId: '123456789012' };
const SIGNING_ARN =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys/rotator/webhooks/vault-AbCdEf';
const OTHER_ARN =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys/rotator/webhooks/other-GhIjKl';

let template: CfnTemplate;
let functionId: string;
let queueName: string;
let iam: IamAuthority;
let aws: AwsStandIn;

beforeAll(async () => {
  const { app, stack } = buildApp({
    bundling: false,
    nag: false,
    env: account,
    webhookTargets: [
      { name: 'vault-sync', url: 'https://vault.example.com/h', signingSecretArn: SIGNING_ARN },
    ],
  });
  template = app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  const webhooks = stack.webhooks;
  if (webhooks === undefined) throw new Error('no webhooks');
  functionId = stack.getLogicalId(webhooks.function.node.defaultChild as CfnElement);
  queueName = sqsQueueName(
    template,
    stack.getLogicalId(webhooks.deadLetterQueue.node.defaultChild as CfnElement),
  );
  iam = IamAuthority.fromTemplate({ template, account });
  aws = await startAwsStandIn({ ...account, iam });
});

afterAll(() => aws.close());

describe('webhook function IAM (least privilege, enforced locally)', () => {
  it('may read its target signing secret and nothing else of Secrets Manager', async () => {
    // Prepare
    const { accessKeyId } = iam.credentialsOfFunction(functionId);
    const ask = (action: string, resource: string) => iam.authorize({ accessKeyId, action, resource });

    // Act
    const decisions = {
      readSigning: await ask('secretsmanager:GetSecretValue', SIGNING_ARN),
      readOther: await ask('secretsmanager:GetSecretValue', OTHER_ARN),
      describeSigning: await ask('secretsmanager:DescribeSecret', SIGNING_ARN),
      putSigning: await ask('secretsmanager:PutSecretValue', SIGNING_ARN),
    };

    // Assess
    expect(decisions.readSigning.allowed).toBe(true);
    expect(decisions.readOther.allowed).toBe(false);
    expect(decisions.describeSigning.allowed).toBe(false);
    expect(decisions.putSigning.allowed).toBe(false);
  });

  it('may send to the dead-letter queue only, through the SQS stand-in', async () => {
    // Prepare
    const operator = new SQSClient({
      endpoint: aws.url,
      region: account.region,
      credentials: { accessKeyId: 'LOCALOPERATOR0000000', secretAccessKey: 'x' },
      useQueueUrlAsEndpoint: false,
    });
    await operator.send(new CreateQueueCommand({ QueueName: queueName }));
    await operator.send(new CreateQueueCommand({ QueueName: 'someone-elses-queue' }));
    operator.destroy();
    const fn = new SQSClient({
      endpoint: aws.url,
      region: account.region,
      credentials: iam.credentialsOfFunction(functionId),
      useQueueUrlAsEndpoint: false,
      maxAttempts: 1,
    });

    // Act
    const toDeadLetters = await fn.send(
      new SendMessageCommand({
        QueueUrl: sqsQueueUrl(account, queueName),
        MessageBody: '{"webhookId":"msg_1"}',
      }),
    );
    const elsewhere = await fn
      .send(
        new SendMessageCommand({ QueueUrl: sqsQueueUrl(account, 'someone-elses-queue'), MessageBody: '{}' }),
      )
      .then(
        () => null,
        (error: unknown) => error,
      );

    // Assess
    expect(toDeadLetters.MessageId).toEqual(expect.any(String));
    expect(elsewhere).toMatchObject({ name: 'AccessDeniedException' });
    expect(aws.sqs.messages('someone-elses-queue')).toEqual([]);
    fn.destroy();
  });
});
