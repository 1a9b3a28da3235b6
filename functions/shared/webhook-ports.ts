/**
 * Narrow interfaces of the webhook delivery (`functions/core/webhooks.ts`). Adapters: the signing
 * keys over Secrets Manager, the transport over Node's fetch, the dead letters over SQS.
 */
import type { WebhookEvent } from './webhook-contract.js';

/** A target's signing key, `whsec_` + base64 (Standard Webhooks). Read where it is used, never passed on. */
export interface SigningKeyPort {
  signingKey(secretArn: string): Promise<string>;
}

export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

export interface WebhookResponse {
  readonly status: number;
  /** The `Retry-After` header, as sent. */
  readonly retryAfter: string | null;
}

/** One POST, redirects not followed. Throws (an Error whose `name` says why) when no answer came. */
export interface WebhookTransportPort {
  post(request: WebhookRequest): Promise<WebhookResponse>;
}

/** A message given up: enough to redrive it (the body is the signed reference, not a secret). */
export interface DeadLetter {
  readonly webhookId: string;
  readonly target: string;
  readonly event: WebhookEvent;
  readonly attempts: number;
  readonly lastHttpStatus: number | null;
  readonly reason: string;
  readonly gaveUpAt: string;
  /** The exact body the target was sent (a JSON string). */
  readonly body: string;
}

export interface DeadLetterPort {
  send(message: DeadLetter): Promise<{ messageId: string }>;
}

/** What the delivery logs: ids and facts only. */
export interface WebhookLogPort {
  info(message: string, facts: Record<string, unknown>): void;
  warn(message: string, facts: Record<string, unknown>): void;
  error(message: string, facts: Record<string, unknown>): void;
}
