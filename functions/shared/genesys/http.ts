/**
 * The HTTP layer under the Genesys SDK: a retrying client plugged in with `client.setHttpClient()`.
 *
 * The JS SDK has no retry of its own (reference/genesys-cloud-api.md §3, §5). This client mirrors the
 * logic of Genesys' Java/.NET SDKs: retry 429/502/503/504 (and network errors/timeouts), wait for
 * `Retry-After` seconds (3 s when absent), after a number of 5xx retries back off 3 s, 9 s, 27 s..., and
 * stop after `maxAttempts` or when the next wait would exceed the total `maxRetryTimeMs` budget.
 *
 * It is also the one place where a failed request becomes an error: every failure is thrown as a
 * `GenesysHttpError` carrying only the method, the path, the status and Genesys' error code and
 * description. The transport's own error (an AxiosError, whose `config` holds the `Authorization`
 * header and the form body) is dropped here and never attached as `cause`. Because the thrown object
 * has no `response` property, the SDK's `callApi` and `loginClientCredentialsGrant` reject with it
 * unchanged.
 */
import type { Clock } from '../ports.js';
import { systemClock } from '../ports.js';
import platformClient from './platform.js';

export interface RetryPolicy {
  /** Attempts in all, the first included (Genesys' SDKs: 1 + `retryMax` 5). */
  readonly maxAttempts: number;
  /** No retry is started when the elapsed time plus the next wait would exceed this budget. */
  readonly maxRetryTimeMs: number;
  /** Wait when a retryable answer has no `Retry-After` header. */
  readonly defaultRetryAfterMs: number;
  /** 5xx retries before the exponential back-off (3 s, 9 s, 27 s ...) starts. */
  readonly maxRetriesBeforeBackoff: number;
  /** First back-off step after `maxRetriesBeforeBackoff` 5xx retries; multiplied by 3 each step. */
  readonly backoffBaseMs: number;
  /** Per-request timeout handed to the transport. */
  readonly timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  maxRetryTimeMs: 30_000,
  defaultRetryAfterMs: 3_000,
  maxRetriesBeforeBackoff: 5,
  backoffBaseMs: 3_000,
  timeoutMs: 16_000,
};

/** HTTP statuses the Genesys SDKs retry. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** The SDK's request description (`HttpRequestOptions`). */
export type GenesysHttpRequest = InstanceType<typeof platformClient.HttpRequestOptions>;

/** What actually sends a request: the SDK's axios-based `DefaultHttpClient` unless a test injects one. */
export interface HttpTransport {
  /** Resolves with an axios-shaped response; rejects with an axios-shaped error. */
  request(options: GenesysHttpRequest): Promise<unknown>;
}

export type GenesysFailureKind = 'http' | 'network' | 'timeout';

export interface GenesysHttpErrorInfo {
  readonly kind: GenesysFailureKind;
  readonly method: string;
  /** URL path only: no host, no query string. */
  readonly path: string;
  /** HTTP status; null for network errors and timeouts. */
  readonly status: number | null;
  /** Genesys' `error` (token endpoint) or `code` (API `ErrorBody`). */
  readonly errorCode: string | null;
  /** Genesys' `error_description`/`description` (token endpoint) or `message` (API). Truncated. */
  readonly description: string | null;
  /** The transport's error code for network failures (`ECONNREFUSED`, `ECONNRESET`, ...). */
  readonly networkCode: string | null;
  readonly attempts: number;
}

/** A failed Genesys request, sanitised: no headers, no body, no request config, no cause. */
export class GenesysHttpError extends Error {
  override readonly name = 'GenesysHttpError';
  readonly kind: GenesysFailureKind;
  readonly method: string;
  readonly path: string;
  readonly status: number | null;
  readonly errorCode: string | null;
  readonly description: string | null;
  readonly networkCode: string | null;
  readonly attempts: number;

  constructor(info: GenesysHttpErrorInfo) {
    super(describeFailure(info));
    this.kind = info.kind;
    this.method = info.method;
    this.path = info.path;
    this.status = info.status;
    this.errorCode = info.errorCode;
    this.description = info.description;
    this.networkCode = info.networkCode;
    this.attempts = info.attempts;
  }

  /** 429, 5xx, network error or timeout: worth retrying later. */
  get transient(): boolean {
    return this.status === null || this.status === 429 || this.status >= 500;
  }
}

export function isGenesysHttpError(error: unknown): error is GenesysHttpError {
  return error instanceof GenesysHttpError;
}

function describeFailure(info: GenesysHttpErrorInfo): string {
  const what =
    info.kind === 'http'
      ? `answered ${info.status ?? '?'}${info.errorCode ? ` ${info.errorCode}` : ''}${
          info.description ? `: ${info.description}` : ''
        }`
      : info.kind === 'timeout'
        ? 'timed out'
        : `failed (${info.networkCode ?? 'network error'})`;
  const tries = info.attempts > 1 ? ` after ${info.attempts} attempts` : '';
  return `Genesys ${info.method} ${info.path} ${what}${tries}`;
}

type Outcome =
  | { readonly kind: 'http'; readonly status: number; readonly headers: unknown; readonly data: unknown }
  | { readonly kind: 'network' | 'timeout'; readonly code: string | null };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);
/** Network codes that prove the request never reached the server: safe to resend even a POST. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

function classify(error: unknown): Outcome {
  if (isRecord(error)) {
    const response = error.response;
    if (isRecord(response) && typeof response.status === 'number') {
      return { kind: 'http', status: response.status, headers: response.headers, data: response.data };
    }
    const code = typeof error.code === 'string' ? error.code : null;
    if (code !== null && TIMEOUT_CODES.has(code)) return { kind: 'timeout', code };
    return { kind: 'network', code };
  }
  return { kind: 'network', code: null };
}

/** Reads a header from a plain object or an AxiosHeaders instance. */
export function readHeader(headers: unknown, name: string): string | null {
  if (!isRecord(headers)) return null;
  const lower = name.toLowerCase();
  const getter = headers.get;
  if (typeof getter === 'function') {
    const value: unknown = getter.call(headers, lower);
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lower) {
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return String(value);
      if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
    }
  }
  return null;
}

/** `Retry-After` as milliseconds: delta-seconds (decimals tolerated) or an HTTP date; null when absent/invalid. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now.getTime());
}

const MAX_TEXT = 300;

function text(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}...` : value;
}

/** Only Genesys' error code and description are kept from a body; everything else is dropped. */
function errorFields(data: unknown): { errorCode: string | null; description: string | null } {
  let body = data;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return { errorCode: null, description: null };
    }
  }
  if (!isRecord(body)) return { errorCode: null, description: null };
  return {
    errorCode: text(body.error) ?? text(body.code),
    description: text(body.error_description) ?? text(body.description) ?? text(body.message),
  };
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? '';
  }
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Whether a request may be sent twice when the first outcome is unknown (a 502/504, a timeout or a
 * reset connection). A token grant and a usage query have no lasting effect; creating a client or
 * regenerating a secret has, and a blind resend could leave a second client or lose a secret.
 */
export function isIdempotentRequest(method: string, path: string): boolean {
  if (IDEMPOTENT_METHODS.has(method)) return true;
  return method === 'POST' && (path.endsWith('/oauth/token') || path.endsWith('/usage/query'));
}

export interface RetryingHttpClientOptions {
  readonly policy?: Partial<RetryPolicy>;
  readonly clock?: Clock;
  /** Defaults to the SDK's `DefaultHttpClient` with the policy's timeout. */
  readonly transport?: HttpTransport;
  /** Called before each wait; for logs and metrics. Never receives a header or a body. */
  readonly onRetry?: (event: {
    method: string;
    path: string;
    attempt: number;
    status: number | null;
    waitMs: number;
  }) => void;
}

/** `AbstractHttpClient` that retries as Genesys' own SDKs do and throws only `GenesysHttpError`. */
export class RetryingHttpClient extends platformClient.AbstractHttpClient {
  readonly policy: RetryPolicy;
  readonly #clock: Clock;
  readonly #transport: HttpTransport;
  readonly #onRetry: RetryingHttpClientOptions['onRetry'];

  constructor(options: RetryingHttpClientOptions = {}) {
    super();
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.timeout = this.policy.timeoutMs;
    this.#clock = options.clock ?? systemClock;
    this.#transport = options.transport ?? new platformClient.DefaultHttpClient(this.policy.timeoutMs);
    this.#onRetry = options.onRetry;
  }

  /** Hooks are not supported: they would see the Authorization header. */
  enableHooks(): void {}

  async request(options: GenesysHttpRequest): Promise<unknown> {
    const method = String(options.method).toUpperCase();
    const path = pathOf(String(options.url));
    const started = this.#clock.now().getTime();
    let serverErrorRetries = 0;
    for (let attempt = 1; ; attempt += 1) {
      let outcome: Outcome;
      try {
        return await this.#transport.request(options);
      } catch (error) {
        outcome = classify(error);
      }
      const waitMs = this.#waitBeforeRetry(outcome, method, path, serverErrorRetries);
      const elapsed = this.#clock.now().getTime() - started;
      const canRetry =
        waitMs !== null &&
        attempt < this.policy.maxAttempts &&
        elapsed + waitMs <= this.policy.maxRetryTimeMs;
      if (!canRetry) throw toError(outcome, method, path, attempt);
      if (outcome.kind === 'http' && outcome.status >= 500) serverErrorRetries += 1;
      this.#onRetry?.({
        method,
        path,
        attempt,
        status: outcome.kind === 'http' ? outcome.status : null,
        waitMs,
      });
      await this.#clock.sleep(waitMs);
    }
  }

  /** Milliseconds to wait before the next attempt, or null when this outcome is not retried. */
  #waitBeforeRetry(
    outcome: Outcome,
    method: string,
    path: string,
    serverErrorRetries: number,
  ): number | null {
    const idempotent = isIdempotentRequest(method, path);
    if (outcome.kind !== 'http') {
      const notSent = outcome.code !== null && NOT_SENT_CODES.has(outcome.code);
      return idempotent || notSent ? this.policy.defaultRetryAfterMs : null;
    }
    if (!RETRYABLE_STATUSES.has(outcome.status)) return null;
    // 429 and 503 say the request was refused, not processed; 502/504 leave the outcome unknown.
    if (!idempotent && outcome.status !== 429 && outcome.status !== 503) return null;
    const retryAfter = parseRetryAfter(readHeader(outcome.headers, 'retry-after'), this.#clock.now());
    if (outcome.status === 429) return retryAfter ?? this.policy.defaultRetryAfterMs;
    const base = retryAfter ?? this.policy.defaultRetryAfterMs;
    if (serverErrorRetries < this.policy.maxRetriesBeforeBackoff) return base;
    const step = serverErrorRetries - this.policy.maxRetriesBeforeBackoff;
    return Math.max(base, this.policy.backoffBaseMs * 3 ** step);
  }
}

function toError(outcome: Outcome, method: string, path: string, attempts: number): GenesysHttpError {
  if (outcome.kind === 'http') {
    return new GenesysHttpError({
      kind: 'http',
      method,
      path,
      status: outcome.status,
      ...errorFields(outcome.data),
      networkCode: null,
      attempts,
    });
  }
  return new GenesysHttpError({
    kind: outcome.kind,
    method,
    path,
    status: null,
    errorCode: null,
    description: null,
    networkCode: outcome.code,
    attempts,
  });
}
