/**
 * Signed webhooks after promotion and after retirement (Standard Webhooks): one message per target,
 * signed with that target's own key (read from Secrets Manager here, never passed in), retried with
 * bounded backoff that honours `Retry-After`, and given up to the dead-letter queue when the target
 * refuses it for good or stays down. Every target gets a receipt; nothing a target does fails the
 * task, so a target that is down never touches a promoted rotation.
 */
import { createHash } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { assertIsError } from '../shared/errors.js';
import type { Clock } from '../shared/ports.js';
import type {
  DeliveryReceipt,
  WebhookBody,
  WebhookDelivery,
  WebhookEvent,
  WebhookState,
  WebhookTarget,
} from '../shared/webhook-contract.js';
import type {
  DeadLetterPort,
  SigningKeyPort,
  WebhookLogPort,
  WebhookResponse,
  WebhookTransportPort,
} from '../shared/webhook-ports.js';
import { requireState } from './require-state.js';

export interface DeliverySettings {
  /** Attempts per target, the first included. */
  readonly maxAttempts: number;
  /** Backoff before retry n is a random delay in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))] (full jitter). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** One attempt's time limit (connect, send, answer). */
  readonly attemptTimeoutMs: number;
  /** A target is given up once the next wait would end past this budget, counted from the task's start. */
  readonly budgetMs: number;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  attemptTimeoutMs: 10_000,
  budgetMs: 180_000,
};

export interface WebhookDependencies {
  readonly targets: readonly WebhookTarget[];
  readonly keys: SigningKeyPort;
  readonly transport: WebhookTransportPort;
  readonly deadLetters: DeadLetterPort;
  readonly clock: Clock;
  readonly settings: DeliverySettings;
  readonly log: WebhookLogPort;
  /** In [0, 1): the backoff's jitter. */
  readonly random?: () => number;
}

export interface DeliveryRequest {
  readonly event: WebhookEvent;
  readonly executionId: string;
  /** The execution state (any kind); only the fields of `WebhookStateSchema` are read. */
  readonly state: WebhookState;
}

/**
 * The message id a target sees: the same for every attempt and for a retried task (same execution,
 * event and target), so a receiver that remembers ids processes each message once.
 */
export function webhookIdFor(executionId: string, event: WebhookEvent, targetName: string): string {
  const digest = createHash('sha256').update(`${executionId}\n${event}\n${targetName}`).digest('base64url');
  return `msg_${digest.slice(0, 27)}`;
}

/**
 * The reference the body carries: ids and times from the state, never a value. `timestamp` is when
 * the event happened, so a re-run of the task sends the very same body under the same id.
 */
export function webhookBody(request: DeliveryRequest, now: Date): WebhookBody {
  const { state } = request;
  if (state.mode === 'emergency') return emergencyWebhookBody(request);
  const { inventory, created, synced } = requireState(
    state,
    `Webhooks(${request.event})`,
    'inventory',
    'created',
    'synced',
  );
  const retiredAt =
    request.event === 'credential.legacy_retired' ? (state.retired?.at ?? now.toISOString()) : null;
  return {
    type: request.event,
    timestamp: retiredAt ?? synced.promotedAt,
    data: {
      secretArn: inventory.secretArn,
      secretName: inventory.secretName,
      versionId: synced.currentVersionId,
      previousVersionId: synced.previousVersionId,
      credential: {
        kind: inventory.kind,
        id: created.credential.newId,
        previousId: inventory.credential.legacyId,
      },
      ...(inventory.kind === 'oauth-client'
        ? { clientId: created.credential.newId, previousClientId: inventory.credential.legacyId }
        : {}),
      environment: inventory.environment ?? inventory.admin.environment,
      orgId: inventory.org.id,
      executionId: request.executionId,
      trigger: state.trigger,
      mode: 'standard',
      promotedAt: synced.promotedAt,
      retiredAt,
    },
  };
}

/** An emergency promotes at once (`$.emergency`); the leaked client is the previous one. */
function emergencyWebhookBody(request: DeliveryRequest): WebhookBody {
  const { inventory, emergency } = requireState(
    request.state,
    `Webhooks(${request.event})`,
    'inventory',
    'emergency',
  );
  return {
    type: request.event,
    timestamp: emergency.promotedAt,
    data: {
      secretArn: inventory.secretArn,
      secretName: inventory.secretName,
      versionId: emergency.versionId,
      previousVersionId: inventory.currentVersionId,
      credential: { kind: 'oauth-client', id: emergency.clientId, previousId: emergency.leakedClientId },
      clientId: emergency.clientId,
      previousClientId: emergency.leakedClientId,
      environment: inventory.environment ?? inventory.admin.environment,
      orgId: inventory.org.id,
      executionId: request.executionId,
      trigger: request.state.trigger,
      mode: 'emergency',
      promotedAt: emergency.promotedAt,
      retiredAt: null,
    },
  };
}

type Classification = 'delivered' | 'retryable' | 'permanent';

/**
 * 2xx is delivered. 408, 429 and 5xx say "later"; any other answer (other 4xx, a redirect, which
 * a sender must not follow) will not change by asking again.
 */
export function classifyStatus(status: number): Classification {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retryable';
  return 'permanent';
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: Date): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now.getTime());
}

export async function deliverWebhooks(
  deps: WebhookDependencies,
  request: DeliveryRequest,
): Promise<WebhookDelivery> {
  const startedAt = deps.clock.now();
  const body = JSON.stringify(webhookBody(request, startedAt));
  const deadline = startedAt.getTime() + deps.settings.budgetMs;
  // Targets are independent: a slow one must not hold the others' messages back.
  const receipts = await Promise.all(
    deps.targets.map((target) => deliverToTarget(deps, request, target, body, deadline)),
  );
  return {
    event: request.event,
    receipts,
    gaveUp: receipts.some((receipt) => receipt.status !== 'delivered'),
  };
}

interface Outcome {
  readonly delivered: boolean;
  readonly attempts: number;
  readonly lastHttpStatus: number | null;
  readonly reason: string | null;
}

async function deliverToTarget(
  deps: WebhookDependencies,
  request: DeliveryRequest,
  target: WebhookTarget,
  body: string,
  deadline: number,
): Promise<DeliveryReceipt> {
  const webhookId = webhookIdFor(request.executionId, request.event, target.name);
  const outcome = await attemptDelivery(deps, target, webhookId, body, deadline);
  const facts = { target: target.name, webhookId, event: request.event, attempts: outcome.attempts };
  if (outcome.delivered) {
    deps.log.info('webhook delivered', { ...facts, httpStatus: outcome.lastHttpStatus });
    return receipt(deps, target, webhookId, outcome, 'delivered', null);
  }
  deps.log.warn('webhook given up', { ...facts, httpStatus: outcome.lastHttpStatus, reason: outcome.reason });
  try {
    const { messageId } = await deps.deadLetters.send({
      webhookId,
      target: target.name,
      event: request.event,
      attempts: outcome.attempts,
      lastHttpStatus: outcome.lastHttpStatus,
      reason: outcome.reason ?? 'unknown',
      gaveUpAt: deps.clock.now().toISOString(),
      body,
    });
    return receipt(deps, target, webhookId, outcome, 'dead-lettered', messageId);
  } catch (error) {
    assertIsError(error);
    deps.log.error('webhook dead letter failed', { ...facts, errorName: error.name });
    return receipt(
      deps,
      target,
      webhookId,
      { ...outcome, reason: `${outcome.reason ?? 'unknown'}; dead letter failed: ${error.name}` },
      'failed',
      null,
    );
  }
}

function receipt(
  deps: WebhookDependencies,
  target: WebhookTarget,
  webhookId: string,
  outcome: Outcome,
  status: DeliveryReceipt['status'],
  deadLetterMessageId: string | null,
): DeliveryReceipt {
  return {
    target: target.name,
    webhookId,
    status,
    attempts: outcome.attempts,
    lastHttpStatus: outcome.lastHttpStatus,
    reason: outcome.reason,
    deadLetterMessageId,
    completedAt: deps.clock.now().toISOString(),
  };
}

async function attemptDelivery(
  deps: WebhookDependencies,
  target: WebhookTarget,
  webhookId: string,
  body: string,
  deadline: number,
): Promise<Outcome> {
  let signer: Webhook;
  try {
    signer = new Webhook(await deps.keys.signingKey(target.signingSecretArn));
  } catch (error) {
    assertIsError(error);
    // Neither the key nor the library's message (which could quote it) goes anywhere.
    return {
      delivered: false,
      attempts: 0,
      lastHttpStatus: null,
      reason: `signing key unusable: ${error.name}`,
    };
  }
  const { settings } = deps;
  let lastHttpStatus: number | null = null;
  for (let attempt = 1; ; attempt++) {
    const sentAt = deps.clock.now();
    let response: WebhookResponse | null = null;
    let failure: string;
    try {
      response = await deps.transport.post({
        url: target.url,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'genesys-credential-rotator',
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          // Signed afresh on each attempt: the timestamp is the attempt's, so a receiver's
          // staleness check judges this attempt, not the first one.
          'webhook-signature': signer.sign(webhookId, sentAt, body),
        },
        body,
        timeoutMs: settings.attemptTimeoutMs,
      });
      lastHttpStatus = response.status;
      const verdict = classifyStatus(response.status);
      if (verdict === 'delivered')
        return { delivered: true, attempts: attempt, lastHttpStatus, reason: null };
      if (verdict === 'permanent') {
        return {
          delivered: false,
          attempts: attempt,
          lastHttpStatus,
          reason: `refused: HTTP ${response.status}`,
        };
      }
      failure = `HTTP ${response.status}`;
    } catch (error) {
      assertIsError(error);
      lastHttpStatus = null;
      // No answer: the transport names why (`Timeout`, `ECONNREFUSED`, ...).
      failure = 'code' in error && typeof error.code === 'string' ? error.code : error.name;
    }
    if (attempt >= settings.maxAttempts) {
      return {
        delivered: false,
        attempts: attempt,
        lastHttpStatus,
        reason: `attempts exhausted: ${failure}`,
      };
    }
    const now = deps.clock.now();
    const asked = response === null ? null : retryAfterMs(response.retryAfter, now);
    const waitMs = asked ?? backoffMs(settings, attempt, deps.random ?? Math.random);
    if (now.getTime() + waitMs > deadline) {
      return {
        delivered: false,
        attempts: attempt,
        lastHttpStatus,
        reason: `retry budget exhausted: ${failure}${asked === null ? '' : ` (Retry-After ${Math.ceil(asked / 1000)} s)`}`,
      };
    }
    await deps.clock.sleep(waitMs);
  }
}

function backoffMs(settings: DeliverySettings, attempt: number, random: () => number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}
