import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GenesysHttpError,
  isIdempotentRequest,
  parseRetryAfter,
  RetryingHttpClient,
  type RetryPolicy,
} from '../../../functions/shared/genesys/http.js';
import platformClient from '../../../functions/shared/genesys/platform.js';
import { createIsolatedApiClient } from '../../../functions/shared/genesys/sdk.js';
import type { Clock } from '../../../functions/shared/ports.js';

/** A clock whose sleep returns at once and moves time forward; records every wait. */
function virtualClock(start = Date.parse('2026-11-21T10:00:00Z')): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => new Date(now),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

type Step = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback server answering each request with the next step (the last one repeats). */
async function scriptedServer(steps: Step[]): Promise<{ url: string; hits: () => number; server: Server }> {
  let hits = 0;
  const server = createServer((req, res) => {
    const step = steps[Math.min(hits, steps.length - 1)];
    hits += 1;
    req.resume();
    step?.(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { url: `http://127.0.0.1:${port}`, hits: () => hits, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** Holds the request open until the test's server closes its connections. */
const neverAnswer: Step = () => {};

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Step =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

const policy: Partial<RetryPolicy> = { maxAttempts: 4, maxRetryTimeMs: 60_000, timeoutMs: 2_000 };

function request(url: string, method = 'GET') {
  return new platformClient.HttpRequestOptions(
    url,
    method,
    { Accept: 'application/json' },
    {},
    undefined,
    2_000,
  );
}

describe('RetryingHttpClient', () => {
  it('retries a 429 after the Retry-After seconds and returns the next answer', async () => {
    // Prepare
    const server = await scriptedServer([
      json(429, { code: 'too.many.requests.retry.after' }, { 'retry-after': '2' }),
      json(200, { id: 'c-1' }),
    ]);
    const clock = virtualClock();
    const http = new RetryingHttpClient({ policy, clock });

    // Act
    const response = (await http.request(request(`${server.url}/api/v2/oauth/clients/c-1`))) as {
      status: number;
      data: unknown;
    };

    // Assess
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ id: 'c-1' });
    expect(server.hits()).toBe(2);
    expect(clock.sleeps).toEqual([2_000]);
  });

  it('waits the default 3 s when a 503 has no Retry-After', async () => {
    // Prepare
    const server = await scriptedServer([json(503, { message: 'unavailable' }), json(200, {})]);
    const clock = virtualClock();
    const http = new RetryingHttpClient({ policy, clock });

    // Act
    await http.request(request(`${server.url}/api/v2/tokens/me`));

    // Assess
    expect(clock.sleeps).toEqual([3_000]);
  });

  it('gives up after maxAttempts with a sanitised GenesysHttpError', async () => {
    // Prepare
    const server = await scriptedServer([json(429, { code: 'too.many.requests', message: 'slow down' })]);
    const clock = virtualClock();
    const http = new RetryingHttpClient({
      policy: { ...policy, maxAttempts: 3, defaultRetryAfterMs: 10 },
      clock,
    });

    // Act
    const error = await http
      .request(request(`${server.url}/api/v2/oauth/clients?x=1`))
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(GenesysHttpError);
    expect(error).toMatchObject({
      status: 429,
      attempts: 3,
      errorCode: 'too.many.requests',
      path: '/api/v2/oauth/clients',
    });
    expect(server.hits()).toBe(3);
    expect(clock.sleeps).toEqual([10, 10]);
  });

  it('does not start a wait that would exceed the total time budget', async () => {
    // Prepare
    const server = await scriptedServer([json(429, {}, { 'retry-after': '60' }), json(200, {})]);
    const clock = virtualClock();
    const http = new RetryingHttpClient({ policy: { ...policy, maxRetryTimeMs: 10_000 }, clock });

    // Act
    const error = await http.request(request(`${server.url}/api/v2/tokens/me`)).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ status: 429, attempts: 1 });
    expect(server.hits()).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('does not resend a POST that creates a client after a 502, but does after a 429', async () => {
    // Prepare
    const bad = await scriptedServer([json(502, {}), json(200, {})]);
    const limited = await scriptedServer([json(429, {}, { 'retry-after': '1' }), json(200, { id: 'new' })]);
    const http = new RetryingHttpClient({ policy, clock: virtualClock() });

    // Act
    const error = await http
      .request(request(`${bad.url}/api/v2/oauth/clients`, 'POST'))
      .catch((e: unknown) => e);
    const ok = await http.request(request(`${limited.url}/api/v2/oauth/clients`, 'POST'));

    // Assess
    expect(error).toMatchObject({ status: 502, attempts: 1 });
    expect(bad.hits()).toBe(1);
    expect(ok).toMatchObject({ status: 200 });
    expect(limited.hits()).toBe(2);
  });

  it('retries a GET whose connection was reset', async () => {
    // Prepare
    const server = await scriptedServer([(req) => req.socket.destroy(), json(200, { ok: true })]);
    const clock = virtualClock();
    const http = new RetryingHttpClient({ policy: { ...policy, defaultRetryAfterMs: 5 }, clock });

    // Act
    const response = await http.request(request(`${server.url}/api/v2/tokens/me`));

    // Assess
    expect(response).toMatchObject({ status: 200 });
    expect(server.hits()).toBe(2);
    expect(clock.sleeps).toEqual([5]);
  });

  it('retries a request that timed out', async () => {
    // Prepare
    // The first attempt is never answered, so only the timeout can end it; the answered attempt has
    // a timeout no descheduled test process reaches.
    const server = await scriptedServer([neverAnswer, json(200, { ok: true })]);
    const http = new RetryingHttpClient({
      policy: { ...policy, timeoutMs: 1_000, defaultRetryAfterMs: 1 },
      clock: virtualClock(),
    });

    // Act
    const response = await http.request(request(`${server.url}/api/v2/tokens/me`));

    // Assess
    expect(response).toMatchObject({ status: 200 });
    expect(server.hits()).toBe(2);
  });

  it('throws a timeout as kind "timeout" when the attempts run out', async () => {
    // Prepare
    const server = await scriptedServer([neverAnswer]);
    const http = new RetryingHttpClient({
      policy: { ...policy, maxAttempts: 2, timeoutMs: 100, defaultRetryAfterMs: 1 },
      clock: virtualClock(),
    });

    // Act
    const error = await http.request(request(`${server.url}/api/v2/tokens/me`)).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ kind: 'timeout', status: null, attempts: 2 });
  });

  it('does not retry a 400', async () => {
    // Prepare
    const server = await scriptedServer([
      json(400, { error: 'invalid_client', error_description: 'authentication failed' }),
    ]);
    const http = new RetryingHttpClient({ policy, clock: virtualClock() });

    // Act
    const error = await http.request(request(`${server.url}/oauth/token`, 'POST')).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      status: 400,
      errorCode: 'invalid_client',
      description: 'authentication failed',
    });
    expect(server.hits()).toBe(1);
  });

  it('backs off 3 s, 9 s after the configured number of 5xx retries', async () => {
    // Prepare
    const server = await scriptedServer([json(503, {})]);
    const clock = virtualClock();
    const http = new RetryingHttpClient({
      policy: { maxAttempts: 5, maxRetriesBeforeBackoff: 2, defaultRetryAfterMs: 100, backoffBaseMs: 3_000 },
      clock,
    });

    // Act
    await http.request(request(`${server.url}/api/v2/tokens/me`)).catch(() => undefined);

    // Assess
    expect(clock.sleeps).toEqual([100, 100, 3_000, 9_000]);
  });

  it('makes the SDK retry: an OAuthApi call through an isolated client sees the 200 after a 429', async () => {
    // Prepare
    const server = await scriptedServer([
      json(429, {}, { 'retry-after': '1' }),
      json(200, { id: 'c-9', name: 'svc', authorizedGrantType: 'CLIENT-CREDENTIALS' }),
    ]);
    const clock = virtualClock();
    const client = createIsolatedApiClient({
      environment: 'mypurecloud.com',
      gatewayUrl: server.url,
      clock,
      retry: policy,
    });
    client.setAccessToken('token');

    // Act
    const answer = await new platformClient.OAuthApi(client).getOauthClient('c-9');

    // Assess
    expect(answer).toMatchObject({ id: 'c-9' });
    expect(clock.sleeps).toEqual([1_000]);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, and ignores garbage', () => {
    // Prepare
    const now = new Date('2026-11-21T10:00:00Z');

    // Act
    const values = [
      parseRetryAfter('3', now),
      parseRetryAfter('1.5', now),
      parseRetryAfter('Sat, 21 Nov 2026 10:00:07 GMT', now),
      parseRetryAfter('Sat, 21 Nov 2026 09:00:00 GMT', now),
      parseRetryAfter('soon', now),
      parseRetryAfter(null, now),
    ];

    // Assess
    expect(values).toEqual([3_000, 1_500, 7_000, 0, null, null]);
  });
});

describe('isIdempotentRequest', () => {
  it('treats token grants and usage queries as safe to resend, client creation as not', () => {
    // Prepare // Act // Assess
    expect(isIdempotentRequest('POST', '/oauth/token')).toBe(true);
    expect(isIdempotentRequest('POST', '/api/v2/oauth/clients/x/usage/query')).toBe(true);
    expect(isIdempotentRequest('POST', '/api/v2/oauth/clients')).toBe(false);
    expect(isIdempotentRequest('POST', '/api/v2/oauth/clients/x/secret')).toBe(false);
    expect(isIdempotentRequest('PUT', '/api/v2/oauth/clients/x')).toBe(true);
  });
});
