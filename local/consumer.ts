/**
 * A simulated consumer, like a customer's service: it re-reads AWSCURRENT from Secrets Manager
 * every few seconds, logs in to Genesys with it when the credential changes (or its token stops
 * working), and calls the API. Every failed call is counted: the rotation must cause none.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import platformClient from 'purecloud-platform-client-v2';
import { createIsolatedApiClient } from '../functions/shared/genesys/index.js';

export interface ConsumerStats {
  calls: number;
  failedCalls: number;
  logins: number;
  secretReads: number;
  /** Client ids in the order the consumer used them. */
  clientsUsed: string[];
  failures: string[];
}

export interface ConsumerOptions {
  readonly secrets: SecretsManagerClient;
  readonly secretId: string;
  readonly gatewayUrl: string | null;
  readonly callIntervalMs: number;
  readonly refreshIntervalMs: number;
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
  };
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #clientId: string | null = null;
  #api: ApiClient | null = null;
  #lastRefresh = 0;

  constructor(private readonly options: ConsumerOptions) {}

  start(): void {
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
    await this.#running;
    return this.stats;
  }

  async #refresh(force: boolean): Promise<void> {
    if (!force && this.#api !== null && Date.now() - this.#lastRefresh < this.options.refreshIntervalMs)
      return;
    const response = await this.options.secrets.send(
      new GetSecretValueCommand({ SecretId: this.options.secretId }),
    );
    this.stats.secretReads += 1;
    this.#lastRefresh = Date.now();
    const value = JSON.parse(response.SecretString ?? '{}') as {
      clientId: string;
      clientSecret: string;
      environment: string;
    };
    if (value.clientId === this.#clientId && this.#api !== null && !force) return;
    const api = createIsolatedApiClient({
      environment: value.environment,
      gatewayUrl: this.options.gatewayUrl,
    });
    await api.loginClientCredentialsGrant(value.clientId, value.clientSecret);
    this.stats.logins += 1;
    this.#api = api;
    if (this.#clientId !== value.clientId) this.stats.clientsUsed.push(value.clientId);
    this.#clientId = value.clientId;
  }

  /** One unit of the consumer's work: an authenticated API call with the current credential. */
  async callOnce(): Promise<void> {
    this.stats.calls += 1;
    try {
      await this.#refresh(false);
      if (this.#api === null) throw new Error('no credential');
      await new platformClient.OrganizationApi(this.#api).getOrganizationsMe();
    } catch (error) {
      this.stats.failedCalls += 1;
      const status =
        typeof error === 'object' && error !== null && 'status' in error ? String(error.status) : 'no status';
      this.stats.failures.push(`call ${this.stats.calls} with client ${this.#clientId ?? 'none'}: ${status}`);
      this.#api = null; // a real service re-reads the secret after a failure
    }
  }
}
