/**
 * End to end: manual rotations of the synthesized state machine (stack synthesized with webhook
 * targets) delivering signed webhooks after promotion and after retirement to receivers on
 * 127.0.0.1 that verify them with `standardwebhooks`. Targets failing for a while, or for good,
 * never change the rotation's outcome; they are retried, dead-lettered and reported.
 */
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookIdFor } from '../../functions/core/webhooks.js';
import { DETAIL_TYPE } from '../../infra/constructs/rotation-state-machine.js';
import { WEBHOOK_DETAIL_TYPE, WEBHOOK_STATE } from '../../infra/constructs/webhook-states.js';
import { CanaryVault, findLeaks, type TextSource } from '../../local/faults/canary.js';
import { captureOutput, type OutputCapture } from '../../local/faults/capture.js';
import { newWebhookSigningKey } from '../../local/harness.js';
import { eventContract } from '../helpers/event-contract.js';
import {
  enteredStates,
  eventsOf,
  executionHistory,
  readCredential,
  runRotation,
  startConsumer,
  useFastEnvironments,
} from '../helpers/local.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const { start } = useFastEnvironments();

/** Short waits so a target that stays down is given up in about a second. */
const FAST_WEBHOOKS = {
  WEBHOOK_MAX_ATTEMPTS: '4',
  WEBHOOK_RETRY_BASE_MILLIS: '100',
  WEBHOOK_RETRY_MAX_MILLIS: '400',
  WEBHOOK_ATTEMPT_TIMEOUT_MILLIS: '2000',
  WEBHOOK_BUDGET_SECONDS: '20',
  // Logs on, so the leak search below reads what the functions would send to CloudWatch.
  POWERTOOLS_LOG_LEVEL: 'DEBUG',
};

const receivers: WebhookReceiver[] = [];
let capture: OutputCapture | undefined;
afterEach(async () => {
  capture?.restore();
  capture = undefined;
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function receiver(): Promise<{ receiver: WebhookReceiver; signingKey: string }> {
  const signingKey = newWebhookSigningKey();
  const started = await startWebhookReceiver(signingKey);
  receivers.push(started);
  return { receiver: started, signingKey };
}

interface Receipt {
  target: string;
  status: string;
  attempts: number;
  webhookId: string;
  lastHttpStatus: number | null;
}

function receiptsOf(detail: Record<string, unknown>): Receipt[] {
  return ((detail.webhooks as { receipts?: Receipt[] } | undefined)?.receipts ?? []) as Receipt[];
}

describe('signed webhooks in a rotation, end to end', () => {
  it('delivers a verified reference after promotion and after retirement; a target failing with 503 is retried until it recovers', async () => {
    // Prepare
    const vault = new CanaryVault();
    const steady = await receiver();
    const flaky = await receiver();
    // The flaky target is down for its first two requests (503, Retry-After 1 s), then recovers.
    flaky.receiver.script((n) => (n <= 2 ? { status: 503, retryAfter: '1' } : null));
    const env = await start({
      genesys: { secretFactory: vault.next },
      functionEnvironment: FAST_WEBHOOKS,
      webhookTargets: [
        { name: 'vault-sync', url: steady.receiver.url, signingKey: steady.signingKey },
        { name: 'flaky-sync', url: flaky.receiver.url, signingKey: flaky.signingKey },
      ],
    });
    await startConsumer(env);
    const legacy = await readCredential(env, { stage: 'AWSCURRENT' });
    capture = captureOutput();

    // Act
    const { executionArn, result } = await runRotation(env);

    // Assess: the rotation itself.
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    expect(result.terminalState).toBe('RotationSucceeded');
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    expect(current.clientId).not.toBe(legacy.clientId);

    // Each target acted on exactly two verified messages: promoted, then legacy retired.
    for (const { receiver: target } of [steady, flaky]) {
      expect(target.rejections).toEqual([]);
      const payloads = target.accepted.map(
        (message) => message.payload as { type: string; data: Record<string, unknown> },
      );
      expect(payloads.map((payload) => payload.type)).toEqual([
        'credential.promoted',
        'credential.legacy_retired',
      ]);
      for (const payload of payloads) {
        expect(payload.data).toMatchObject({
          secretArn: env.managedSecretArn,
          versionId: current.versionId,
          previousVersionId: legacy.versionId,
          clientId: current.clientId,
          previousClientId: legacy.clientId,
          executionId: executionArn,
        });
      }
      expect(payloads[1]?.data.retiredAt).toEqual(expect.any(String));
    }
    expect(flaky.receiver.requests).toHaveLength(4);
    expect(flaky.receiver.requests[0]?.headers['webhook-id']).toBe(
      webhookIdFor(executionArn, 'credential.promoted', 'flaky-sync'),
    );
    expect(
      new Set(flaky.receiver.requests.slice(0, 3).map((request) => request.headers['webhook-id'])).size,
    ).toBe(1);

    // The receipts are in the events, one event per point, after the point's own event.
    const events = eventsOf(env, executionArn);
    const types = events.map((event) => event.detailType);
    const delivered = events.filter((event) => event.detailType === WEBHOOK_DETAIL_TYPE.delivered);
    expect(delivered).toHaveLength(2);
    expect(types).not.toContain(WEBHOOK_DETAIL_TYPE.gaveUp);
    expect(eventContract().violations(env.aws.eventBridge.events)).toEqual([]);
    expect(types.indexOf(DETAIL_TYPE.promoted)).toBeLessThan(types.indexOf(WEBHOOK_DETAIL_TYPE.delivered));
    expect(types.lastIndexOf(WEBHOOK_DETAIL_TYPE.delivered)).toBeGreaterThan(
      types.indexOf(DETAIL_TYPE.legacyRetired),
    );
    const [afterPromotion, afterRetirement] = delivered.map((event) => receiptsOf(event.detail));
    expect(afterPromotion?.map((r) => [r.target, r.status, r.attempts])).toEqual([
      ['vault-sync', 'delivered', 1],
      ['flaky-sync', 'delivered', 3],
    ]);
    expect(afterRetirement?.map((r) => [r.target, r.status, r.attempts])).toEqual([
      ['vault-sync', 'delivered', 1],
      ['flaky-sync', 'delivered', 1],
    ]);
    expect(afterPromotion?.[0]?.webhookId).toBe(steady.receiver.accepted[0]?.headers['webhook-id']);

    // No secret value anywhere: webhook bodies and headers, events, the execution, logs.
    const history = await executionHistory(env, executionArn);
    const sources: TextSource[] = [
      {
        where: 'webhook requests',
        text: JSON.stringify([steady.receiver.requests, flaky.receiver.requests]),
      },
      { where: 'events', text: JSON.stringify(events) },
      { where: 'execution output', text: JSON.stringify(result) },
      { where: 'execution history', text: JSON.stringify(history) },
      { where: 'log', text: capture.text() },
    ];
    expect(vault.secrets.length).toBeGreaterThanOrEqual(2);
    expect(capture.text()).toContain('webhook delivered');
    expect(findLeaks(sources, vault, [legacy.clientId, current.clientId])).toEqual([]);
  });

  it('a target down for good is dead-lettered and reported as a give-up; the rotation still succeeds', async () => {
    // Prepare
    const vault = new CanaryVault();
    const steady = await receiver();
    const gone = await receiver();
    await gone.receiver.close();
    receivers.splice(receivers.indexOf(gone.receiver), 1);
    const env = await start({
      genesys: { secretFactory: vault.next },
      functionEnvironment: FAST_WEBHOOKS,
      webhookTargets: [
        { name: 'vault-sync', url: steady.receiver.url, signingKey: steady.signingKey },
        { name: 'gone-sync', url: gone.receiver.url, signingKey: gone.signingKey },
      ],
    });
    await startConsumer(env);
    const legacy = await readCredential(env, { stage: 'AWSCURRENT' });
    const logs = captureOutput();
    capture = logs;

    // Act
    const { executionArn, result } = await runRotation(env);

    // Assess
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    expect(result.terminalState).toBe('RotationSucceeded');
    const states = enteredStates(await executionHistory(env, executionArn));
    expect(states).toContain(WEBHOOK_STATE.EmitPromotedWebhooksGaveUp);
    expect(states).toContain(WEBHOOK_STATE.EmitRetiredWebhooksGaveUp);
    expect(states).toContain('DeleteLegacy');
    expect(states).not.toContain('EmitNeedsAttention');
    expect(states).not.toContain('DiscardPending');

    const events = eventsOf(env, executionArn);
    const gaveUp = events.filter((event) => event.detailType === WEBHOOK_DETAIL_TYPE.gaveUp);
    expect(gaveUp).toHaveLength(2);
    expect(eventContract().violations(env.aws.eventBridge.events)).toEqual([]);
    for (const event of gaveUp) {
      const receipts = receiptsOf(event.detail);
      expect(receipts.find((r) => r.target === 'vault-sync')).toMatchObject({
        status: 'delivered',
        attempts: 1,
      });
      expect(receipts.find((r) => r.target === 'gone-sync')).toMatchObject({
        status: 'dead-lettered',
        attempts: 4,
        lastHttpStatus: null,
      });
    }
    expect(steady.receiver.accepted).toHaveLength(2);

    // The dead-letter queue holds both messages, readable through the real SQS client.
    const queueName = env.webhooks?.deadLetterQueueName ?? '';
    const sqs = new SQSClient({
      endpoint: env.aws.url,
      region: env.aws.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      useQueueUrlAsEndpoint: false,
    });
    try {
      const answer = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: env.aws.sqs.urlOf(queueName), MaxNumberOfMessages: 10 }),
      );
      const letters = (answer.Messages ?? []).map(
        (message) => JSON.parse(message.Body ?? '{}') as Record<string, unknown>,
      );
      expect(letters.map((letter) => [letter.target, letter.event])).toEqual([
        ['gone-sync', 'credential.promoted'],
        ['gone-sync', 'credential.legacy_retired'],
      ]);
      expect(letters[0]?.reason).toBe('attempts exhausted: ECONNREFUSED');
      expect(logs.text()).toContain('webhook given up');
      const current = await readCredential(env, { stage: 'AWSCURRENT' });
      const leaks = findLeaks(
        [
          { where: 'dead letters', text: JSON.stringify(letters) },
          { where: 'events', text: JSON.stringify(events) },
          { where: 'log', text: logs.text() },
        ],
        vault,
        [legacy.clientId, current.clientId],
      );
      expect(leaks).toEqual([]);
    } finally {
      sqs.destroy();
    }
  });
  it('announces an emergency replacement at once, naming the leaked client as the previous one', async () => {
    // Prepare
    const steady = await receiver();
    const env = await start({
      functionEnvironment: FAST_WEBHOOKS,
      webhookTargets: [{ name: 'vault-sync', url: steady.receiver.url, signingKey: steady.signingKey }],
    });
    await startConsumer(env);
    const leaked = await readCredential(env, { stage: 'AWSCURRENT' });
    capture = captureOutput();

    // Act
    const { executionArn, result } = await runRotation(env, { mode: 'emergency', reason: 'leaked in a log' });

    // Assess
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    expect(current.clientId).not.toBe(leaked.clientId);
    expect(steady.receiver.accepted.map((message) => message.payload)).toEqual([
      {
        type: 'credential.promoted',
        timestamp: expect.any(String),
        data: expect.objectContaining({
          mode: 'emergency',
          versionId: current.versionId,
          previousVersionId: leaked.versionId,
          clientId: current.clientId,
          previousClientId: leaked.clientId,
          retiredAt: null,
        }),
      },
    ]);
    const delivered = eventsOf(env, executionArn).filter(
      (event) => event.detailType === WEBHOOK_DETAIL_TYPE.delivered,
    );
    expect(delivered.map((event) => (event.detail.credential as { newId?: string }).newId)).toEqual([
      current.clientId,
    ]);
  });

  it('a delivery task that itself fails is reported as a give-up with its error, and the rotation goes on', async () => {
    // Prepare: the first delivery task dies as a Lambda that timed out would.
    const steady = await receiver();
    const env = await start({
      functionEnvironment: FAST_WEBHOOKS,
      webhookTargets: [{ name: 'vault-sync', url: steady.receiver.url, signingKey: steady.signingKey }],
      interceptor: async (call, invoke) => {
        if (call.stateName !== WEBHOOK_STATE.DeliverPromotedWebhooks) return invoke();
        throw Object.assign(new Error('Task timed out after 240.00 seconds'), { name: 'Sandbox.Timedout' });
      },
    });
    await startConsumer(env);
    capture = captureOutput();

    // Act
    const { executionArn, result } = await runRotation(env);

    // Assess
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    expect(result.terminalState).toBe('RotationSucceeded');
    const events = eventsOf(env, executionArn);
    const gaveUp = events.filter((event) => event.detailType === WEBHOOK_DETAIL_TYPE.gaveUp);
    expect(gaveUp.map((event) => event.detail.webhooks)).toEqual([
      {
        event: 'credential.promoted',
        receipts: [],
        gaveUp: true,
        error: { Error: 'Sandbox.Timedout', Cause: expect.stringContaining('timed out') },
      },
    ]);
    // Retirement still happened, and its webhook went out.
    expect(events.map((event) => event.detailType)).toContain(DETAIL_TYPE.legacyRetired);
    expect(steady.receiver.accepted.map((message) => (message.payload as { type: string }).type)).toEqual([
      'credential.legacy_retired',
    ]);
  });
});
