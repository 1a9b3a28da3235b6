/**
 * A simulated consumer, like a customer's service, built on the consumer kit (`kit/consumer`): it
 * calls the API with a cached token minted from AWSCURRENT (read through Powertools Parameters, cached
 * for `refreshIntervalMs` rounded up to whole seconds), moves to the new client when the rotator's
 * `Secret Promoted` event arrives or the cached read expires, and recovers from a refused token or
 * credential by re-reading AWSCURRENT. Every failed call is counted: the rotation must cause none.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import platformClient from 'purecloud-platform-client-v2';
import { createIsolatedApiClient } from '../functions/shared/genesys/index.js';
import {
  createGenesysConsumer,
  type GenesysConsumer,
  handleRotationEvent,
  type RotationEventOutcome,
} from '../kit/consumer/index.js';

export interface ConsumerStats {
  calls: number;
  failedCalls: number;
  /** Tokens minted. */
  logins: number;
  /** GetSecretValue calls that reached Secrets Manager (cache misses). */
  secretReads: number;
  /** Client ids in the order the consumer used them. */
  clientsUsed: string[];
  failures: string[];
  /** Rotator events that invalidated the consumer's cache. */
  invalidations: number;
  /** Calls refused by Genesys (401, invalid_client) that the kit recovered from. */
  refusalsRecovered: number;
}

/** Delivers the rotator's events to a listener (an EventBridge rule with this consumer as target). */
export type RotationEventSubscription = (listener: (event: unknown) => void) => () => void;

export interface ConsumerOptions {
  readonly secrets: SecretsManagerClient;
  readonly secretId: string;
  readonly gatewayUrl: string | null;
  readonly callIntervalMs: number;
  /** How long a read of AWSCURRENT is reused; Powertools counts whole seconds, so at least 1 s. */
  readonly refreshIntervalMs: number;
  /** Absent: the consumer learns of a promotion only when its cached read expires. */
  readonly rotationEvents?: RotationEventSubscription;
}

type ApiClient = ReturnType<typeof createIsolatedApiClient>;

export class SimulatedConsumer {
  readonly stats: ConsumerStats = {
    calls: 0,
    failedCalls: 0,
    logins: 0,
    secretReads: 0,
    clientsUsed: [],
    failures: [],
    invalidations: 0,
    refusalsRecovered: 0,
  };
  readonly #kit: GenesysConsumer<ApiClient>;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(private readonly options: ConsumerOptions) {
    this.#kit = createGenesysConsumer({
      secretId: options.secretId,
      secretsManager: options.secrets,
      maxAgeSeconds: Math.max(1, Math.ceil(options.refreshIntervalMs / 1000)),
      // The project's isolated SDK client: it retries 429 after Retry-After as Genesys' SDKs do.
      createApiClient: (environment) =>
        createIsolatedApiClient({ environment, gatewayUrl: options.gatewayUrl }),
      onSecretRead: () => {
        this.stats.secretReads += 1;
      },
    });
  }

  start(): void {
    this.#unsubscribe ??= this.options.rotationEvents?.((event) => void this.onRotationEvent(event)) ?? null;
    const schedule = (delayMs: number) => {
      this.#timer = setTimeout(() => {
        this.#running = this.callOnce().then(() => {
          if (this.#timer !== null) schedule(this.options.callIntervalMs);
        });
      }, delayMs);
    };
    schedule(0);
  }

  async stop(): Promise<ConsumerStats> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    await this.#running;
    return this.stats;
  }

  /** The kit's EventBridge handler: a `Secret Promoted` for this secret makes the next call re-read. */
  onRotationEvent(event: unknown): RotationEventOutcome {
    const outcome = handleRotationEvent([this.#kit], event);
    this.#syncKitStats();
    return outcome;
  }

  /** One unit of the consumer's work: an authenticated API call with the current credential. */
  async callOnce(): Promise<void> {
    this.stats.calls += 1;
    try {
      const clientId = await this.#kit.withToken(async (session) => {
        await new platformClient.OrganizationApi(session.api).getOrganizationsMe();
        return session.clientId;
      });
      if (this.stats.clientsUsed.at(-1) !== clientId) this.stats.clientsUsed.push(clientId);
    } catch (error) {
      this.stats.failedCalls += 1;
      const status =
        typeof error === 'object' && error !== null && 'status' in error ? String(error.status) : 'no status';
      this.stats.failures.push(
        `call ${this.stats.calls} with client ${this.#kit.clientId ?? 'none'}: ${status}`,
      );
    } finally {
      this.#syncKitStats();
    }
  }

  #syncKitStats(): void {
    this.stats.logins = this.#kit.stats.tokensMinted;
    this.stats.invalidations = this.#kit.stats.invalidations;
    this.stats.refusalsRecovered = this.#kit.stats.refusalsRecovered;
  }
}
