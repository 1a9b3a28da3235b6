/**
 * A webhook receiver as a target would run it: an HTTP server on 127.0.0.1 that verifies each
 * request with `standardwebhooks`' `Webhook.verify` (signature over id, timestamp and body; a
 * timestamp more than five minutes off is refused) and never acts twice on a webhook-id it has
 * already processed (a replay: acknowledged, not processed). A test can make it answer as a failing target does before it looks.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export interface ReceivedRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly at: number;
}

export interface Rejection {
  readonly webhookId: string | null;
  readonly reason: 'replayed webhook-id' | 'stale timestamp' | 'bad signature' | 'missing headers';
}

/** What the receiver answers instead of processing: a status and, optionally, a Retry-After. */
export interface ScriptedAnswer {
  readonly status: number;
  readonly retryAfter?: string;
}

export interface WebhookReceiver {
  readonly url: string;
  /** Every request that reached the server, in order. */
  readonly requests: readonly ReceivedRequest[];
  /** Verified, first-seen messages: what the target acted on. */
  readonly accepted: ReadonlyArray<ReceivedRequest & { readonly payload: unknown }>;
  readonly rejections: readonly Rejection[];
  /** Answers request n (1-based) with this instead of processing it; null: process. */
  script(answer: (requestNumber: number) => ScriptedAnswer | null): void;
  /** Sends a request to this receiver as an attacker or a late copy would, and returns the status. */
  replay(request: { headers: Readonly<Record<string, string>>; body: string }): Promise<number>;
  close(): Promise<void>;
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  );
}

function reasonOf(error: unknown): Rejection['reason'] {
  const message = error instanceof Error ? error.message : '';
  if (/timestamp too (old|new)/i.test(message)) return 'stale timestamp';
  if (/missing required headers/i.test(message)) return 'missing headers';
  return 'bad signature';
}

export async function startWebhookReceiver(signingKey: string): Promise<WebhookReceiver> {
  const verifier = new Webhook(signingKey);
  const requests: ReceivedRequest[] = [];
  const accepted: Array<ReceivedRequest & { payload: unknown }> = [];
  const rejections: Rejection[] = [];
  const seen = new Set<string>();
  let scripted: (requestNumber: number) => ScriptedAnswer | null = () => null;

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received = {
        headers: flatHeaders(request.headers),
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(received);
      const answer = scripted(requests.length);
      if (answer !== null) {
        response.writeHead(answer.status, answer.retryAfter ? { 'retry-after': answer.retryAfter } : {});
        response.end();
        return;
      }
      const webhookId = received.headers['webhook-id'] ?? null;
      let payload: unknown;
      try {
        payload = verifier.verify(received.body, received.headers);
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
        rejections.push({ webhookId, reason: reasonOf(error) });
        response.writeHead(401).end();
        return;
      }
      // Verified but already processed: a replay, or the sender's retry after a lost answer. Never
      // acted on twice; acknowledged (2xx), so a sender whose answer was lost stops retrying.
      if (webhookId === null || seen.has(webhookId)) {
        rejections.push({ webhookId, reason: 'replayed webhook-id' });
        response.writeHead(200).end();
        return;
      }
      seen.add(webhookId);
      accepted.push({ ...received, payload });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/rotation`;

  return {
    url,
    requests,
    accepted,
    rejections,
    script(answer) {
      scripted = answer;
    },
    async replay({ headers, body }) {
      const sent = Object.fromEntries(
        Object.entries(headers).filter(([name]) => name.startsWith('webhook-') || name === 'content-type'),
      );
      const response = await fetch(url, { method: 'POST', headers: sent, body });
      return response.status;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
