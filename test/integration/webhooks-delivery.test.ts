/**
 * Signed webhook delivery through its real adapters: the signing key read from the Secrets Manager
 * stand-in, one POST per attempt over fetch to a receiver on 127.0.0.1 that verifies with
 * `standardwebhooks`' `Webhook.verify`, and given-up messages sent to the SQS stand-in.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DeliverySettings,
  deliverWebhooks,
  type WebhookDependencies,
  webhookIdFor,
} from '../../functions/core/webhooks.js';
import { SqsDeadLetters } from '../../functions/shared/aws/dead-letters.js';
import { SecretsManagerStore } from '../../functions/shared/aws/secrets-store.js';
import type { RotationState } from '../../functions/shared/contract.js';
import { systemClock } from '../../functions/shared/ports.js';
import { FetchWebhookTransport, SecretsManagerSigningKeys } from '../../functions/shared/webhook-adapters.js';
import type { WebhookTarget } from '../../functions/shared/webhook-contract.js';
import { newWebhookSigningKey } from '../../local/harness.js';
import { type AwsStandIn, startAwsStandIn } from '../../local/standins/aws/index.js';
import { buildInventory, buildState, buildValidation } from '../helpers/builders.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const EXECUTION_ID = 'arn:aws:states:eu-west-1:123456789012:execution:rotation:manual-1';
/** The credential being rotated: it must never reach a target, a dead letter or a receipt. */
const CANARY_SECRET = 'CANARYwebhook-7f3a9c-the-rotated-client-secret';

const FAST: DeliverySettings = {
  maxAttempts: 4,
  baseDelayMs: 50,
  maxDelayMs: 200,
  attemptTimeoutMs: 2_000,
  budgetMs: 10_000,
};

function promotedState(): RotationState {
  const inventory = buildInventory();
  return buildState({
    inventory,
    validation: buildValidation(inventory),
    created: {
      credential: { newId: 'new-client-9' },
      newClientId: 'new-client-9',
      newClientName: 'svc [r1]',
      versionId: inventory.token,
      reused: false,
    },
    synced: {
      currentVersionId: inventory.token,
      previousVersionId: inventory.currentVersionId,
      promotedAt: '2026-03-04T10:05:00.000Z',
      promotedBy: 'state-machine',
    },
  });
}

let aws: AwsStandIn;
let secretsClient: SecretsManagerClient;
let sqsClient: SQSClient;
let queueUrl: string;
const receivers: WebhookReceiver[] = [];

beforeEach(async () => {
  aws = await startAwsStandIn();
  const config = {
    endpoint: aws.url,
    region: aws.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  secretsClient = new SecretsManagerClient(config);
  sqsClient = new SQSClient({ ...config, useQueueUrlAsEndpoint: false });
  queueUrl = (await sqsClient.send(new CreateQueueCommand({ QueueName: 'webhooks-dlq' }))).QueueUrl as string;
});

afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
  secretsClient.destroy();
  sqsClient.destroy();
  await aws.close();
});

/** A receiver and its signing secret; `storedValue` replaces the key in the secret (a misconfiguration). */
async function target(name: string, storedValue?: string) {
  const signingKey = newWebhookSigningKey();
  const receiver = await startWebhookReceiver(signingKey);
  receivers.push(receiver);
  const arn = (
    await secretsClient.send(
      new CreateSecretCommand({
        Name: `genesys/rotator/webhooks/${name}`,
        SecretString: storedValue ?? signingKey,
      }),
    )
  ).ARN as string;
  const config: WebhookTarget = { name, url: receiver.url, signingSecretArn: arn };
  return { receiver, config, signingKey };
}

function dependencies(targets: WebhookTarget[], settings: DeliverySettings = FAST): WebhookDependencies {
  return {
    targets,
    keys: new SecretsManagerSigningKeys(new SecretsManagerStore(secretsClient)),
    transport: new FetchWebhookTransport(),
    deadLetters: new SqsDeadLetters(sqsClient, queueUrl),
    clock: systemClock,
    settings,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
}

async function deadLetters(): Promise<Array<Record<string, unknown>>> {
  const answer = await sqsClient.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
  );
  return (answer.Messages ?? []).map(
    (message) => JSON.parse(message.Body ?? '{}') as Record<string, unknown>,
  );
}

describe('signed webhook delivery (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature)', () => {
  it('delivers one message per target that the receiver verifies, carrying a reference and never a value', async () => {
    // Prepare
    const vault = await target('vault-sync');
    const doppler = await target('doppler');
    const state = promotedState();

    // Act
    const result = await deliverWebhooks(dependencies([vault.config, doppler.config]), {
      event: 'credential.promoted',
      executionId: EXECUTION_ID,
      state,
    });

    // Assess
    expect(result.gaveUp).toBe(false);
    expect(result.receipts.map((receipt) => [receipt.target, receipt.status, receipt.attempts])).toEqual([
      ['vault-sync', 'delivered', 1],
      ['doppler', 'delivered', 1],
    ]);
    for (const { receiver, config } of [vault, doppler]) {
      expect(receiver.accepted).toHaveLength(1);
      const [message] = receiver.accepted;
      expect(message?.headers['webhook-id']).toBe(
        webhookIdFor(EXECUTION_ID, 'credential.promoted', config.name),
      );
      expect(message?.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(Math.abs(Number(message?.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(10);
      expect(message?.payload).toEqual({
        type: 'credential.promoted',
        timestamp: '2026-03-04T10:05:00.000Z',
        data: {
          secretArn: state.inventory?.secretArn,
          secretName: state.inventory?.secretName,
          versionId: state.synced?.currentVersionId,
          previousVersionId: state.synced?.previousVersionId,
          credential: {
            kind: 'oauth-client',
            id: 'new-client-9',
            previousId: state.inventory?.credential.legacyId,
          },
          clientId: 'new-client-9',
          previousClientId: state.inventory?.credential.legacyId,
          environment: 'mypurecloud.ie',
          orgId: state.inventory?.org.id,
          executionId: EXECUTION_ID,
          trigger: 'manual',
          mode: 'standard',
          promotedAt: '2026-03-04T10:05:00.000Z',
          retiredAt: null,
        },
      });
    }
    // Each target's message is signed with its own key: the other target's key does not verify it.
    const vaultRequest = vault.receiver.accepted[0];
    expect(() =>
      new Webhook(doppler.signingKey).verify(vaultRequest?.body ?? '', vaultRequest?.headers ?? {}),
    ).toThrow();
    const everything = JSON.stringify([vault.receiver.requests, doppler.receiver.requests, result]);
    expect(everything).not.toContain(CANARY_SECRET);
    expect(everything).not.toContain(vault.signingKey.slice('whsec_'.length));
  });

  it('the receiver refuses a replay of a delivered message (acknowledged, not acted on), a stale timestamp and a bad signature', async () => {
    // Prepare
    const vault = await target('vault-sync');
    await deliverWebhooks(dependencies([vault.config]), {
      event: 'credential.promoted',
      executionId: EXECUTION_ID,
      state: promotedState(),
    });
    const [delivered] = vault.receiver.requests;
    if (delivered === undefined) throw new Error('nothing was delivered');
    const signer = new Webhook(vault.signingKey);
    const id = 'msg_fresh-id-never-seen-before';
    const stale = new Date(Date.now() - 10 * 60_000);
    const staleHeaders = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(stale.getTime() / 1000)),
      'webhook-signature': signer.sign(id, stale, delivered.body),
    };
    const tamperedBody = delivered.body.replace('new-client-9', 'attacker-client');

    // Act
    const replayed = await vault.receiver.replay(delivered);
    const staleStatus = await vault.receiver.replay({ headers: staleHeaders, body: delivered.body });
    const tampered = await vault.receiver.replay({ headers: delivered.headers, body: tamperedBody });
    const otherKey = new Webhook(newWebhookSigningKey());
    const now = new Date();
    const forged = await vault.receiver.replay({
      headers: {
        'webhook-id': 'msg_forged',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': otherKey.sign('msg_forged', now, delivered.body),
      },
      body: delivered.body,
    });

    // Assess
    expect([replayed, staleStatus, tampered, forged]).toEqual([200, 401, 401, 401]);
    expect(vault.receiver.rejections.map((rejection) => rejection.reason)).toEqual([
      'replayed webhook-id',
      'stale timestamp',
      'bad signature',
      'bad signature',
    ]);
    expect(vault.receiver.accepted).toHaveLength(1);
  });

  it('a re-run of the task sends the same ids, so a receiver that remembers them acts on each message once', async () => {
    // Prepare: Step Functions may run a task twice (a Lambda service error retried).
    const vault = await target('vault-sync');
    const request = {
      event: 'credential.promoted' as const,
      executionId: EXECUTION_ID,
      state: promotedState(),
    };
    await deliverWebhooks(dependencies([vault.config]), request);

    // Act
    const again = await deliverWebhooks(dependencies([vault.config]), request);

    // Assess
    expect(again.receipts[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(vault.receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([
      again.receipts[0]?.webhookId,
      again.receipts[0]?.webhookId,
    ]);
    expect(vault.receiver.requests[1]?.body).toBe(vault.receiver.requests[0]?.body);
    expect(vault.receiver.accepted).toHaveLength(1);
    expect(vault.receiver.rejections.map((rejection) => rejection.reason)).toEqual(['replayed webhook-id']);
  });

  it('retries a target answering 503 with Retry-After, keeping the id and signing each attempt afresh', async () => {
    // Prepare
    const vault = await target('vault-sync');
    vault.receiver.script((n) => (n <= 2 ? { status: 503, retryAfter: '1' } : null));

    // Act
    const result = await deliverWebhooks(dependencies([vault.config]), {
      event: 'credential.promoted',
      executionId: EXECUTION_ID,
      state: promotedState(),
    });

    // Assess
    expect(result.receipts[0]).toMatchObject({ status: 'delivered', attempts: 3, lastHttpStatus: 204 });
    const requests = vault.receiver.requests;
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    for (let index = 1; index < requests.length; index++) {
      const gap = (requests[index]?.at ?? 0) - (requests[index - 1]?.at ?? 0);
      expect(gap, 'Retry-After: 1 is honoured').toBeGreaterThanOrEqual(950);
    }
    // The bodies are identical; every attempt carries a signature that verifies on its own.
    const signer = new Webhook(vault.signingKey);
    for (const request of requests) expect(() => signer.verify(request.body, request.headers)).not.toThrow();
    expect(await deadLetters()).toEqual([]);
  });

  it('gives up at once on a permanent 4xx and dead-letters the message with its receipt', async () => {
    // Prepare
    const vault = await target('vault-sync');
    vault.receiver.script(() => ({ status: 400 }));

    // Act
    const result = await deliverWebhooks(dependencies([vault.config]), {
      event: 'credential.legacy_retired',
      executionId: EXECUTION_ID,
      state: promotedState(),
    });

    // Assess
    expect(result.gaveUp).toBe(true);
    expect(result.receipts[0]).toMatchObject({
      target: 'vault-sync',
      status: 'dead-lettered',
      attempts: 1,
      lastHttpStatus: 400,
      reason: 'refused: HTTP 400',
    });
    expect(vault.receiver.requests).toHaveLength(1);
    const [letter] = await deadLetters();
    expect(letter).toMatchObject({
      webhookId: result.receipts[0]?.webhookId,
      target: 'vault-sync',
      event: 'credential.legacy_retired',
      attempts: 1,
      lastHttpStatus: 400,
    });
    expect(letter?.body).toBe(vault.receiver.requests[0]?.body);
    expect(result.receipts[0]?.deadLetterMessageId).toEqual(expect.any(String));
  });

  it('retries 429 and a refused connection up to the attempt limit, then dead-letters; other targets are unaffected', async () => {
    // Prepare
    const throttled = await target('throttled');
    throttled.receiver.script(() => ({ status: 429 }));
    const down = await target('down');
    await down.receiver.close();
    receivers.splice(receivers.indexOf(down.receiver), 1);
    const healthy = await target('healthy');

    // Act
    const result = await deliverWebhooks(dependencies([throttled.config, down.config, healthy.config]), {
      event: 'credential.promoted',
      executionId: EXECUTION_ID,
      state: promotedState(),
    });

    // Assess
    const byTarget = Object.fromEntries(result.receipts.map((receipt) => [receipt.target, receipt]));
    expect(byTarget.throttled).toMatchObject({
      status: 'dead-lettered',
      attempts: 4,
      reason: 'attempts exhausted: HTTP 429',
    });
    expect(byTarget.down).toMatchObject({
      status: 'dead-lettered',
      attempts: 4,
      lastHttpStatus: null,
      reason: 'attempts exhausted: ECONNREFUSED',
    });
    expect(byTarget.healthy).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(throttled.receiver.requests).toHaveLength(4);
    expect((await deadLetters()).map((letter) => letter.target).sort()).toEqual(['down', 'throttled']);
  });

  it('gives up when Retry-After asks for longer than the delivery budget, instead of waiting past it', async () => {
    // Prepare
    const vault = await target('vault-sync');
    vault.receiver.script(() => ({ status: 503, retryAfter: '3600' }));

    // Act
    const started = Date.now();
    const result = await deliverWebhooks(dependencies([vault.config]), {
      event: 'credential.promoted',
      executionId: EXECUTION_ID,
      state: promotedState(),
    });

    // Assess
    expect(Date.now() - started).toBeLessThan(FAST.budgetMs);
    expect(result.receipts[0]).toMatchObject({
      status: 'dead-lettered',
      attempts: 1,
      reason: 'retry budget exhausted: HTTP 503 (Retry-After 3600 s)',
    });
  });

  it('dead-letters a target whose signing secret holds no Standard Webhooks key, without quoting the value', async () => {
    // Prepare
    const misconfigured = await target('misconfigured', 'not-a-whsec-key-but-something-private');

    // Act
    const result = await deliverWebhooks(dependencies([misconfigured.config]), {
      event: 'credential.promoted',
      executionId: EXECUTION_ID,
      state: promotedState(),
    });

    // Assess
    expect(result.receipts[0]).toMatchObject({
      status: 'dead-lettered',
      attempts: 0,
      reason: 'signing key unusable: InvalidConfigurationError',
    });
    expect(misconfigured.receiver.requests).toEqual([]);
    expect(JSON.stringify([result, await deadLetters()])).not.toContain('something-private');
  });

  it('reports a give-up whose dead letter failed too as failed, still without throwing', async () => {
    // Prepare
    const vault = await target('vault-sync');
    vault.receiver.script(() => ({ status: 410 }));
    aws.faults.add({ operation: 'sqs.SendMessage', status: 500 });

    // Act
    const result = await deliverWebhooks(dependencies([vault.config]), {
      event: 'credential.promoted',
      executionId: EXECUTION_ID,
      state: promotedState(),
    });

    // Assess
    expect(result.receipts[0]).toMatchObject({ status: 'failed', deadLetterMessageId: null });
    expect(result.receipts[0]?.reason).toMatch(/^refused: HTTP 410; dead letter failed: /);
  });
});
