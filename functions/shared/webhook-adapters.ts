/**
 * Adapters of the webhook delivery: signing keys read from Secrets Manager, and one HTTP POST over
 * Node's fetch. Neither puts a key, a header or a response body in an error message.
 */
import { InvalidConfigurationError } from './errors.js';
import type { SecretStorePort } from './ports.js';
import type {
  SigningKeyPort,
  WebhookRequest,
  WebhookResponse,
  WebhookTransportPort,
} from './webhook-ports.js';

/** Standard Webhooks symmetric keys: `whsec_` + base64 of 24 to 64 random bytes. */
const SIGNING_KEY = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

export class SecretsManagerSigningKeys implements SigningKeyPort {
  readonly #secrets: SecretStorePort;
  readonly #cache = new Map<string, Promise<string>>();

  constructor(secrets: SecretStorePort) {
    this.#secrets = secrets;
  }

  /** AWSCURRENT of the secret; read once per container and task (a rotated key is read by the next container). */
  signingKey(secretArn: string): Promise<string> {
    let reading = this.#cache.get(secretArn);
    if (reading === undefined) {
      reading = this.#read(secretArn);
      this.#cache.set(secretArn, reading);
      reading.catch(() => this.#cache.delete(secretArn));
    }
    return reading;
  }

  async #read(secretArn: string): Promise<string> {
    const value = (await this.#secrets.getValue(secretArn, { stage: 'AWSCURRENT' }))?.trim() ?? null;
    if (value === null || value === '') {
      throw new InvalidConfigurationError(`Webhook signing secret ${secretArn} has no value`);
    }
    if (!SIGNING_KEY.test(value)) {
      throw new InvalidConfigurationError(
        `Webhook signing secret ${secretArn} does not hold a Standard Webhooks key (whsec_ + base64 of 24 to 64 bytes)`,
      );
    }
    return value;
  }
}

/** Why no answer came: `Timeout`, or the socket error's code (`ECONNREFUSED`, ...). */
export class WebhookUnreachableError extends Error {
  static readonly errorName = 'WebhookUnreachableError';
  override readonly name = WebhookUnreachableError.errorName;
  readonly code: string;

  constructor(code: string) {
    super(`No answer from the webhook target: ${code}`);
    this.code = code;
  }
}

function codeOf(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'Timeout';
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'Error';
}

export class FetchWebhookTransport implements WebhookTransportPort {
  async post(request: WebhookRequest): Promise<WebhookResponse> {
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        // A sender must not follow a redirect with a signed message; a 3xx counts as a refusal.
        redirect: 'manual',
        signal: AbortSignal.timeout(request.timeoutMs),
      });
    } catch (error) {
      throw new WebhookUnreachableError(codeOf(error));
    }
    // The body is never read (it is the target's, and may echo anything); drop it to free the socket.
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, retryAfter: response.headers.get('retry-after') };
  }
}
