import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  classifyStatus,
  type DeliverySettings,
  deliverWebhooks,
  retryAfterMs,
  type WebhookDependencies,
  webhookBody,
  webhookIdFor,
} from '../../../functions/core/webhooks.js';
import type { RotationState } from '../../../functions/shared/contract.js';
import { InvalidInputError } from '../../../functions/shared/errors.js';
import type { DeadLetter, WebhookRequest, WebhookResponse } from '../../../functions/shared/webhook-ports.js';
import { buildInventory, buildState, NOW } from '../../helpers/builders.js';
import { fixedClock } from '../../helpers/fakes.js';

const KEY = `whsec_${randomBytes(32).toString('base64')}`;
const SETTINGS: DeliverySettings = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 8_000,
  attemptTimeoutMs: 5_000,
  budgetMs: 60_000,
};

function promoted(): RotationState {
  const inventory = buildInventory();
  return buildState({
    inventory,
    created: {
      credential: { newId: 'new-1' },
      newClientId: 'new-1',
      newClientName: 'n',
      versionId: inventory.token,
      reused: false,
    },
    synced: {
      currentVersionId: inventory.token,
      previousVersionId: inventory.currentVersionId,
      promotedAt: NOW,
      promotedBy: 'state-machine',
    },
  });
}

/** A transport answering from a script, one answer per request; a thrown Error stands for no answer. */
function scriptedWorld(answers: Array<WebhookResponse | Error>, settings = SETTINGS) {
  const clock = fixedClock(NOW);
  const requests: Array<WebhookRequest & { at: number }> = [];
  const letters: DeadLetter[] = [];
  const deps: WebhookDependencies = {
    targets: [
      {
        name: 't1',
        url: 'https://t1.example.com/h',
        signingSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf',
      },
    ],
    keys: { signingKey: async () => KEY },
    transport: {
      post: async (request) => {
        requests.push({ ...request, at: clock.now().getTime() });
        const answer = answers.shift() ?? { status: 200, retryAfter: null };
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
    deadLetters: {
      send: async (letter) => {
        letters.push(letter);
        return { messageId: `m-${letters.length}` };
      },
    },
    clock,
    settings,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    random: () => 0.5,
  };
  return { deps, clock, requests, letters };
}

const request = (state = promoted()) => ({
  event: 'credential.promoted' as const,
  executionId: 'arn:aws:states:eu-west-1:123456789012:execution:m:e-1',
  state,
});

describe('webhook delivery (Standard Webhooks)', () => {
  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [301, 'permanent'],
    [400, 'permanent'],
    [401, 'permanent'],
    [404, 'permanent'],
    [410, 'permanent'],
    [413, 'permanent'],
    [408, 'retryable'],
    [429, 'retryable'],
    [500, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
  ])('classifies HTTP %i as %s', (status, verdict) => {
    expect(classifyStatus(status)).toBe(verdict);
  });

  it('reads Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3)', () => {
    const now = new Date('2026-03-04T10:00:00.000Z');
    expect(retryAfterMs('7', now)).toBe(7_000);
    expect(retryAfterMs('Wed, 04 Mar 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 04 Mar 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });

  it('names each message by execution, event and target, the same on every attempt', () => {
    const id = webhookIdFor('exec-1', 'credential.promoted', 't1');
    expect(id).toMatch(/^msg_[A-Za-z0-9_-]{27}$/);
    expect(webhookIdFor('exec-1', 'credential.promoted', 't1')).toBe(id);
    expect(webhookIdFor('exec-1', 'credential.legacy_retired', 't1')).not.toBe(id);
    expect(webhookIdFor('exec-1', 'credential.promoted', 't2')).not.toBe(id);
    expect(webhookIdFor('exec-2', 'credential.promoted', 't1')).not.toBe(id);
  });

  it('backs off exponentially with full jitter, capped, and signs each attempt with its own timestamp', async () => {
    // Prepare
    const unavailable = { status: 503, retryAfter: null };
    const world = scriptedWorld([unavailable, unavailable, unavailable, unavailable]);

    // Act
    const result = await deliverWebhooks(world.deps, request());

    // Assess: random() = 0.5 of ceilings 1, 2, 4, 8 s.
    expect(world.clock.slept).toEqual([500, 1_000, 2_000, 4_000]);
    expect(result.receipts[0]).toMatchObject({ status: 'delivered', attempts: 5 });
    const timestamps = world.requests.map((r) => r.headers['webhook-timestamp']);
    expect(new Set(timestamps).size).toBeGreaterThan(1);
    for (const sent of world.requests) {
      const at = new Date(sent.at);
      const signer = new Webhook(KEY);
      expect(sent.headers['webhook-signature']).toBe(
        signer.sign(sent.headers['webhook-id'] ?? '', at, sent.body),
      );
    }
  });

  it('waits exactly what Retry-After asks, without jitter', async () => {
    // Prepare
    const world = scriptedWorld([{ status: 429, retryAfter: '12' }]);

    // Act
    const result = await deliverWebhooks(world.deps, request());

    // Assess
    expect(world.clock.slept).toEqual([12_000]);
    expect(result.receipts[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('stops at the attempt limit and dead-letters the exact body it sent', async () => {
    // Prepare
    const refused = Object.assign(new Error('no answer'), {
      name: 'WebhookUnreachableError',
      code: 'ECONNREFUSED',
    });
    const world = scriptedWorld([refused, refused, refused, refused, refused, refused]);

    // Act
    const result = await deliverWebhooks(world.deps, request());

    // Assess
    expect(world.requests).toHaveLength(5);
    expect(result).toMatchObject({ gaveUp: true });
    expect(result.receipts[0]).toMatchObject({
      status: 'dead-lettered',
      attempts: 5,
      lastHttpStatus: null,
      reason: 'attempts exhausted: ECONNREFUSED',
      deadLetterMessageId: 'm-1',
    });
    expect(world.letters[0]?.body).toBe(world.requests[0]?.body);
  });

  it('gives up before a wait would pass the delivery budget', async () => {
    // Prepare: budget 60 s; waits 0.5 + 1 + 2 + 4 ... with a 40 s Retry-After on the third answer.
    const world = scriptedWorld([
      { status: 500, retryAfter: null },
      { status: 500, retryAfter: null },
      { status: 503, retryAfter: '40' },
      { status: 503, retryAfter: '40' },
    ]);

    // Act
    const result = await deliverWebhooks(world.deps, request());

    // Assess
    expect(world.clock.slept).toEqual([500, 1_000, 40_000]);
    expect(result.receipts[0]).toMatchObject({
      status: 'dead-lettered',
      attempts: 4,
      reason: 'retry budget exhausted: HTTP 503 (Retry-After 40 s)',
    });
  });

  it('refuses a state without the promotion it announces, naming what is missing', async () => {
    // Prepare
    const world = scriptedWorld([]);
    const state = buildState();

    // Act
    const act = deliverWebhooks(world.deps, request(state));

    // Assess
    await expect(act).rejects.toThrow(InvalidInputError);
    await expect(act).rejects.toThrow(/created, synced/);
    expect(world.requests).toEqual([]);
  });
});

describe('webhook body of a partner-key rotation (kind integration-credential)', () => {
  it('names the keys under the kind-neutral credential block, with no OAuth client fields', () => {
    // Prepare
    const state = {
      mode: 'standard' as const,
      trigger: 'manual',
      inventory: {
        kind: 'integration-credential' as const,
        secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner/orders-AbCdEf',
        secretName: 'partner/orders',
        currentVersionId: 'v-old',
        credential: { legacyId: 'key_old' },
        admin: { environment: 'mypurecloud.ie' },
        org: { id: 'org-1' },
      },
      created: { credential: { newId: 'key_new' } },
      synced: { currentVersionId: 'v-new', previousVersionId: 'v-old', promotedAt: NOW },
    };

    // Act
    const body = webhookBody({ event: 'credential.promoted', executionId: 'exec-1', state }, new Date(NOW));

    // Assess
    expect(body.data).toMatchObject({
      credential: { kind: 'integration-credential', id: 'key_new', previousId: 'key_old' },
      environment: 'mypurecloud.ie',
      orgId: 'org-1',
      versionId: 'v-new',
    });
    expect(body.data).not.toHaveProperty('clientId');
    expect(body.data).not.toHaveProperty('previousClientId');
  });
});
