import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsStandIn } from '../../local/standins/aws/index.js';
import { startStandIn, stopStandIn } from '../helpers/aws-standin.js';

let standIn: AwsStandIn;
let client: SQSClient;

beforeAll(async () => {
  ({ standIn, client } = await startStandIn(SQSClient));
});

afterAll(() => stopStandIn({ standIn, client }));

describe('SQS stand-in (AWS JSON 1.0, X-Amz-Target AmazonSQS.*)', () => {
  it('creates a queue idempotently and answers its URL as SQS writes it (SQS API Reference, CreateQueue, GetQueueUrl)', async () => {
    // Act
    const created = await client.send(new CreateQueueCommand({ QueueName: 'webhooks-dlq' }));
    const again = await client.send(new CreateQueueCommand({ QueueName: 'webhooks-dlq' }));
    const found = await client.send(new GetQueueUrlCommand({ QueueName: 'webhooks-dlq' }));

    // Assess
    expect(created.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks-dlq');
    expect(again.QueueUrl).toBe(created.QueueUrl);
    expect(found.QueueUrl).toBe(created.QueueUrl);
  });

  it('sends, receives with a checked MD5 and deletes a message (SQS API Reference, SendMessage MD5OfMessageBody)', async () => {
    // Prepare: the SDK checks MD5OfMessageBody and MD5OfBody itself and throws on a mismatch.
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'send-receive' }));
    const body = JSON.stringify({ webhookId: 'msg_1', note: 'ünïcode' });

    // Act
    const sent = await client.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    const received = await client.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
    );
    const hiddenWhileInFlight = await client.send(new ReceiveMessageCommand({ QueueUrl }));
    const [message] = received.Messages ?? [];
    await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message?.ReceiptHandle }));
    const attributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }),
    );

    // Assess
    expect(sent.MessageId).toBe(message?.MessageId);
    expect(message?.Body).toBe(body);
    expect(hiddenWhileInFlight.Messages ?? []).toEqual([]);
    expect(standIn.sqs.messages('send-receive')).toEqual([]);
    expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it('answers QueueDoesNotExist for an unknown queue (SQS API Reference, SendMessage errors)', async () => {
    // Act
    const act = client.send(
      new SendMessageCommand({
        QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/nobody-made-me',
        MessageBody: 'x',
      }),
    );

    // Assess
    await expect(act).rejects.toBeInstanceOf(QueueDoesNotExist);
  });
});
