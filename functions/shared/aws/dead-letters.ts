/**
 * `DeadLetterPort` over Amazon SQS (SDK v3): a webhook given up becomes one message on the
 * dead-letter queue, for an operator to inspect and redrive. One client per container, default
 * configuration, so `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_SQS` point it at a stand-in.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterPort } from '../webhook-ports.js';
import { mapAwsError } from './errors.js';

let sharedClient: SQSClient | undefined;

export function createSqsClient(): SQSClient {
  // The queue URL names the queue; the endpoint stays the region's (or AWS_ENDPOINT_URL*), so a
  // configured endpoint is never bypassed for the URL's host.
  sharedClient ??= new SQSClient({ useQueueUrlAsEndpoint: false });
  return sharedClient;
}

export function resetSqsClient(): void {
  sharedClient?.destroy();
  sharedClient = undefined;
}

export class SqsDeadLetters implements DeadLetterPort {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async send(message: DeadLetter): Promise<{ messageId: string }> {
    try {
      const answer = await this.#client.send(
        new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify(message) }),
      );
      return { messageId: answer.MessageId ?? '(none)' };
    } catch (error) {
      throw mapAwsError(error, 'SQS', 'SendMessage');
    }
  }
}
