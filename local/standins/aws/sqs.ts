import { createHash, randomUUID } from 'node:crypto';
import {
  type AuthorizationTarget,
  AwsServiceError,
  type AwsServiceHandler,
  type InputReader,
  type JsonObject,
  type Operation,
  OperationTable,
} from './protocol.js';
import type { Clock } from './types.js';

/** SendMessage's documented limit of the stand-in (the SQS quota page: 256 KiB was the long-standing one). */
const MAX_MESSAGE_BYTES = 256 * 1024;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export interface SqsOptions {
  readonly region: string;
  readonly accountId: string;
  readonly clock: Clock;
}

/** A message as the stand-in holds it (tests read the dead-letter queue through this or ReceiveMessage). */
export interface SqsMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: Date;
  receiveCount: number;
  receiptHandle: string | null;
  invisibleUntil: number;
}

interface Queue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly createdAt: Date;
  readonly messages: SqsMessage[];
}

/**
 * Amazon SQS over its AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.<Operation>`, what SDK v3
 * clients speak): just enough for a dead-letter queue and the tests that read it. Standard queues
 * only; long polling answers at once; message attributes are not kept.
 */
export class SqsStandIn extends OperationTable implements AwsServiceHandler {
  readonly service = 'sqs';
  readonly targetPrefix = 'AmazonSQS';
  readonly contentType = 'application/x-amz-json-1.0';
  readonly internalErrorType = 'InternalError';

  private readonly queues = new Map<string, Queue>();
  protected readonly invalidParameterType = 'InvalidParameterValue';
  protected readonly operations: Readonly<Record<string, Operation>> = {
    CreateQueue: (input) => this.createQueue(input),
    GetQueueUrl: (input) => this.getQueueUrl(input),
    SendMessage: (input) => this.sendMessage(input),
    ReceiveMessage: (input) => this.receiveMessage(input),
    DeleteMessage: (input) => this.deleteMessage(input),
    GetQueueAttributes: (input) => this.getQueueAttributes(input),
  };

  constructor(private readonly options: SqsOptions) {
    super();
  }

  /** `sqs:<Operation>` on the queue's ARN (from QueueName or the QueueUrl's last path segment). */
  authorizationTargets(operation: string, input: JsonObject): AuthorizationTarget[] {
    const name =
      typeof input.QueueName === 'string'
        ? input.QueueName
        : typeof input.QueueUrl === 'string'
          ? queueNameOfUrl(input.QueueUrl)
          : undefined;
    if (name === undefined) return [];
    return [{ action: `sqs:${operation}`, resource: this.arnOf(name) }];
  }

  /** Messages currently on a queue (visible or in flight), oldest first. */
  messages(queueName: string): readonly SqsMessage[] {
    return this.queues.get(queueName)?.messages ?? [];
  }

  /** The URL SQS gives a queue of this account and region. */
  urlOf(name: string): string {
    return `https://sqs.${this.options.region}.amazonaws.com/${this.options.accountId}/${name}`;
  }

  private arnOf(name: string): string {
    return `arn:aws:sqs:${this.options.region}:${this.options.accountId}:${name}`;
  }

  private createQueue(input: InputReader): JsonObject {
    const name = input.requiredString('QueueName');
    if (!QUEUE_NAME.test(name)) {
      throw new AwsServiceError(
        'InvalidParameterValue',
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    // CreateQueue is idempotent for a queue of the same name and attributes.
    const existing = this.queues.get(name);
    if (existing !== undefined) return { QueueUrl: existing.url };
    const queue: Queue = {
      name,
      url: this.urlOf(name),
      arn: this.arnOf(name),
      createdAt: this.options.clock.now(),
      messages: [],
    };
    this.queues.set(name, queue);
    return { QueueUrl: queue.url };
  }

  private getQueueUrl(input: InputReader): JsonObject {
    return { QueueUrl: this.queueNamed(input.requiredString('QueueName')).url };
  }

  private sendMessage(input: InputReader): JsonObject {
    const queue = this.queueAt(input.requiredString('QueueUrl'));
    const body = input.requiredString('MessageBody');
    if (Buffer.byteLength(body, 'utf8') > MAX_MESSAGE_BYTES) {
      throw new AwsServiceError(
        'InvalidParameterValue',
        `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`,
      );
    }
    const delaySeconds = input.number('DelaySeconds') ?? 0;
    const message: SqsMessage = {
      messageId: randomUUID(),
      body,
      sentAt: this.options.clock.now(),
      receiveCount: 0,
      receiptHandle: null,
      invisibleUntil: this.options.clock.now().getTime() + delaySeconds * 1000,
    };
    queue.messages.push(message);
    return { MessageId: message.messageId, MD5OfMessageBody: md5(body) };
  }

  private receiveMessage(input: InputReader): JsonObject {
    const queue = this.queueAt(input.requiredString('QueueUrl'));
    const max = input.number('MaxNumberOfMessages') ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw new AwsServiceError(
        'InvalidParameterValue',
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    }
    const visibilityMs = (input.number('VisibilityTimeout') ?? 30) * 1000;
    const now = this.options.clock.now().getTime();
    const received = queue.messages.filter((message) => message.invisibleUntil <= now).slice(0, max);
    for (const message of received) {
      message.receiveCount += 1;
      message.receiptHandle = randomUUID();
      message.invisibleUntil = now + visibilityMs;
    }
    return {
      Messages: received.map((message) => ({
        MessageId: message.messageId,
        ReceiptHandle: message.receiptHandle,
        MD5OfBody: md5(message.body),
        Body: message.body,
        Attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt.getTime()),
        },
      })),
    };
  }

  private deleteMessage(input: InputReader): JsonObject {
    const queue = this.queueAt(input.requiredString('QueueUrl'));
    const handle = input.requiredString('ReceiptHandle');
    const index = queue.messages.findIndex((message) => message.receiptHandle === handle);
    if (index === -1) {
      throw new AwsServiceError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${handle}" is not valid.`,
      );
    }
    queue.messages.splice(index, 1);
    return {};
  }

  private getQueueAttributes(input: InputReader): JsonObject {
    const queue = this.queueAt(input.requiredString('QueueUrl'));
    const now = this.options.clock.now().getTime();
    const visible = queue.messages.filter((message) => message.invisibleUntil <= now).length;
    return {
      Attributes: {
        QueueArn: queue.arn,
        ApproximateNumberOfMessages: String(visible),
        ApproximateNumberOfMessagesNotVisible: String(queue.messages.length - visible),
        CreatedTimestamp: String(Math.floor(queue.createdAt.getTime() / 1000)),
      },
    };
  }

  private queueNamed(name: string): Queue {
    const queue = this.queues.get(name);
    if (queue === undefined) {
      throw new AwsServiceError('QueueDoesNotExist', 'The specified queue does not exist.');
    }
    return queue;
  }

  private queueAt(url: string): Queue {
    const name = queueNameOfUrl(url);
    const account = url.split('/').at(-2);
    if (name === undefined || account !== this.options.accountId) {
      throw new AwsServiceError('QueueDoesNotExist', 'The specified queue does not exist.');
    }
    return this.queueNamed(name);
  }
}

function queueNameOfUrl(url: string): string | undefined {
  const name = url.replace(/\/+$/, '').split('/').at(-1);
  return name === undefined || name === '' ? undefined : name;
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
