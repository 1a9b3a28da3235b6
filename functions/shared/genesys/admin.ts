/**
 * `GenesysAdminPort` over `purecloud-platform-client-v2`, with the rotator's own admin credential.
 *
 * - One isolated SDK client per adapter (never the singleton), retrying HTTP client installed.
 * - The admin token is cached at module level, keyed by client id + environment + gateway, so a warm
 *   Lambda container reuses it across invocations. It is renewed when within `tokenRefreshMarginMs`
 *   (5 min) of expiry, and once more (with one retry of the call) when Genesys answers 401: the
 *   token may expire or be revoked in the middle of a rotation.
 * - Failures become typed errors (see `map-errors.ts`); the secret never appears in any of them.
 */

import type { Models } from 'purecloud-platform-client-v2';
import * as z from 'zod';
import { type OAuthClientSecretValue, RoleDivisionSchema } from '../contract.js';
import {
  ClientListingIncompleteError,
  InsufficientPrivilegeError,
  InvalidConfigurationError,
  InvalidInputError,
  NeedsAttentionError,
  RotationError,
  TargetNotFoundError,
  TransientUpstreamError,
  VerificationFailedError,
} from '../errors.js';
import type {
  Clock,
  DailyUsage,
  GenesysAdminPort,
  GenesysClientRecord,
  GenesysClientState,
  GenesysClientWithSecret,
  NewGenesysClient,
} from '../ports.js';
import { systemClock } from '../ports.js';
import {
  type HttpTransport,
  isGenesysHttpError,
  type RetryingHttpClientOptions,
  type RetryPolicy,
} from './http.js';
import { basicCredential, describeUnknown, httpDetails, mapApiError, redact } from './map-errors.js';
import platformClient from './platform.js';
import { createIsolatedApiClient, type GenesysApiClient } from './sdk.js';

/** Renew the admin token when it has less than this left. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

export interface UsagePollOptions {
  /** Wait between two polls of a usage query. */
  readonly intervalMs: number;
  /** Polls before giving up with `TransientUpstreamError`. */
  readonly maxPolls: number;
}

export const DEFAULT_USAGE_POLL: UsagePollOptions = { intervalMs: 2_000, maxPolls: 15 };

/**
 * Limit keys in the `oauth` limits namespace that hold the org's OAuth client limit, in order.
 * Empty on purpose: Genesys documents no such key (genesys-cloud-api.md §1.3, "Org limit on the number
 * of OAuth clients: UNCONFIRMED"), and a guessed key could read some other limit as the quota. Until one
 * is documented, Validate uses the policy's `maxOAuthClients`.
 */
export const DEFAULT_CLIENT_LIMIT_KEYS: readonly string[] = [];

export interface GenesysAdminOptions {
  readonly credential: OAuthClientSecretValue;
  /** e.g. `http://127.0.0.1:8123`; absent or null: `api.<environment>`. */
  readonly gatewayUrl?: string | null;
  readonly retry?: Partial<RetryPolicy>;
  readonly clock?: Clock;
  /** Tests only: replaces the SDK's axios transport under the retrying client. */
  readonly transport?: HttpTransport;
  readonly usagePoll?: Partial<UsagePollOptions>;
  readonly tokenRefreshMarginMs?: number;
  readonly clientLimitKeys?: readonly string[];
  /** Called when Genesys refuses the admin credential itself (the factory drops its cache then). */
  readonly onCredentialRejected?: () => void;
  readonly onRetry?: RetryingHttpClientOptions['onRetry'];
}

interface CachedToken {
  readonly accessToken: string;
  readonly expiresAtMs: number;
}

const tokenCache = new Map<string, CachedToken>();
const loginsInFlight = new Map<string, Promise<CachedToken>>();

/** Forgets every cached admin token (tests; or after the admin secret changed). */
export function clearAdminTokenCache(): void {
  tokenCache.clear();
  loginsInFlight.clear();
}

const OAuthClientResponseSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().nullish(),
  state: z.string().nullish(),
  authorizedGrantType: z.string(),
  roleDivisions: z.array(RoleDivisionSchema).nullish(),
  accessTokenValiditySeconds: z.number().nullish(),
  dateCreated: z.string().nullish(),
});

/** Default token validity Genesys applies when a client does not set one (24 h). */
const DEFAULT_TOKEN_VALIDITY_SECONDS = 86_400;

function toRecord(value: unknown, what: string): GenesysClientRecord {
  const parsed = OAuthClientResponseSchema.safeParse(value);
  if (!parsed.success) {
    // Issue paths only: the value may hold a secret (create/regenerate answers).
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
    throw new InvalidInputError(
      `Genesys answered ${what} with an unexpected OAuth client (fields: ${fields.join(', ')})`,
    );
  }
  const client = parsed.data;
  return {
    id: client.id,
    name: client.name,
    description: client.description ?? '',
    state: client.state ?? 'active',
    authorizedGrantType: client.authorizedGrantType,
    roleDivisions: (client.roleDivisions ?? []).map((rd) => ({
      roleId: rd.roleId,
      divisionId: rd.divisionId,
    })),
    accessTokenValiditySeconds: client.accessTokenValiditySeconds ?? DEFAULT_TOKEN_VALIDITY_SECONDS,
    dateCreated: client.dateCreated ?? null,
  };
}

function secretOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const secret = (value as { secret?: unknown }).secret;
  return typeof secret === 'string' && secret !== '' ? secret : null;
}

export class GenesysAdmin implements GenesysAdminPort {
  readonly clientId: string;
  readonly environment: string;
  readonly #secret: string;
  readonly #client: GenesysApiClient;
  readonly #oauth: InstanceType<typeof platformClient.OAuthApi>;
  readonly #tokens: InstanceType<typeof platformClient.TokensApi>;
  readonly #organization: InstanceType<typeof platformClient.OrganizationApi>;
  readonly #clock: Clock;
  readonly #cacheKey: string;
  readonly #usagePoll: UsagePollOptions;
  readonly #refreshMarginMs: number;
  readonly #limitKeys: readonly string[];
  readonly #onCredentialRejected: (() => void) | undefined;
  #appliedToken: string | null = null;

  constructor(options: GenesysAdminOptions) {
    const { credential } = options;
    this.clientId = credential.clientId;
    this.environment = credential.environment;
    this.#secret = credential.clientSecret;
    this.#clock = options.clock ?? systemClock;
    this.#client = createIsolatedApiClient({
      environment: credential.environment,
      gatewayUrl: options.gatewayUrl ?? null,
      clock: this.#clock,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.transport ? { transport: options.transport } : {}),
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    });
    this.#oauth = new platformClient.OAuthApi(this.#client);
    this.#tokens = new platformClient.TokensApi(this.#client);
    this.#organization = new platformClient.OrganizationApi(this.#client);
    this.#cacheKey = `${credential.clientId}|${credential.environment}|${options.gatewayUrl ?? ''}`;
    this.#usagePoll = { ...DEFAULT_USAGE_POLL, ...options.usagePoll };
    this.#refreshMarginMs = options.tokenRefreshMarginMs ?? TOKEN_REFRESH_MARGIN_MS;
    this.#limitKeys = options.clientLimitKeys ?? DEFAULT_CLIENT_LIMIT_KEYS;
    this.#onCredentialRejected = options.onCredentialRejected;
  }

  async getClient(clientId: string): Promise<GenesysClientRecord | null> {
    const operation = `get OAuth client ${clientId}`;
    return this.#call(
      operation,
      async () => toRecord(await this.#oauth.getOauthClient(clientId), operation),
      () => null,
    );
  }

  /**
   * Every OAuth client of the org. The listing model has `pageCount` but v262's `getOauthClients`
   * sends no paging parameters, and whether the endpoint honours them is unconfirmed
   * (genesys-cloud-api.md §1.1): a listing of more than one page is refused, never half-counted.
   */
  async listClients(): Promise<GenesysClientRecord[]> {
    const operation = 'list OAuth clients';
    const listing = await this.#call(operation, () => this.#oauth.getOauthClients());
    const entities = listing.entities ?? [];
    const pageCount = listing.pageCount ?? 1;
    const total = listing.total ?? entities.length;
    if (pageCount > 1 || total > entities.length) {
      throw new ClientListingIncompleteError(
        `Genesys listed ${entities.length} of ${total} OAuth clients (page ${listing.pageNumber ?? 1} of ${pageCount}); ` +
          "the SDK's getOauthClients cannot ask for the other pages, so the quota and the token's client cannot be checked",
        { details: { listed: entities.length, total, pageCount } },
      );
    }
    return entities.map((entity) => toRecord(entity, operation));
  }

  async createClient(request: NewGenesysClient): Promise<GenesysClientWithSecret> {
    const operation = `create OAuth client "${request.name}"`;
    const body: Models.OAuthClientRequest = {
      name: request.name,
      description: request.description,
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: request.roleDivisions.map((rd) => ({ roleId: rd.roleId, divisionId: rd.divisionId })),
      accessTokenValiditySeconds: request.accessTokenValiditySeconds,
    };
    const created: unknown = await this.#call(operation, () => this.#oauth.postOauthClients(body));
    const client = toRecord(created, operation);
    const secret = secretOf(created);
    if (secret === null) {
      // The secret is shown once only: without it the new client is useless. Remove it.
      await this.deleteClient(client.id).catch(() => undefined);
      throw new VerificationFailedError(
        `Genesys created OAuth client ${client.id} without returning its secret; the client was deleted`,
        { details: { clientId: client.id } },
      );
    }
    return { client, secret };
  }

  async setClientState(
    clientId: string,
    state: GenesysClientState,
    read?: GenesysClientRecord,
  ): Promise<GenesysClientRecord> {
    const current = read?.id === clientId ? read : await this.getClient(clientId);
    if (current === null) {
      throw new TargetNotFoundError(`OAuth client ${clientId} does not exist in Genesys`, {
        details: { clientId },
      });
    }
    if (current.state === state) return current;
    const operation = `set OAuth client ${clientId} ${state}`;
    // Genesys has no PATCH: the PUT carries the whole client.
    const body: Models.OAuthClientRequest = {
      name: current.name,
      authorizedGrantType: current.authorizedGrantType,
      roleDivisions: current.roleDivisions.map((rd) => ({ roleId: rd.roleId, divisionId: rd.divisionId })),
      accessTokenValiditySeconds: current.accessTokenValiditySeconds,
      description: current.description,
      state,
    };
    return toRecord(await this.#call(operation, () => this.#oauth.putOauthClient(clientId, body)), operation);
  }

  async deleteClient(clientId: string): Promise<void> {
    await this.#call(
      `delete OAuth client ${clientId}`,
      () => this.#oauth.deleteOauthClient(clientId),
      () => undefined,
    );
  }

  async regenerateSecret(clientId: string): Promise<GenesysClientWithSecret> {
    const operation = `regenerate the secret of OAuth client ${clientId}`;
    const answer: unknown = await this.#call(operation, () => this.#oauth.postOauthClientSecret(clientId));
    const client = toRecord(answer, operation);
    const secret = secretOf(answer);
    if (secret === null) {
      throw new NeedsAttentionError(
        `Genesys regenerated the secret of OAuth client ${clientId} but did not return it: the old secret no longer works`,
        { details: { clientId } },
      );
    }
    return { client, secret };
  }

  async usageRequests(clientId: string, days: number): Promise<number> {
    const operation = `query the usage of OAuth client ${clientId}`;
    const rows = await this.#usageRows(clientId, operation, () =>
      this.#oauth.getOauthClientUsageSummary(clientId, { days: String(days) }),
    );
    return rows.reduce((sum, row) => sum + (row.requests ?? 0), 0);
  }

  async usageByDay(clientId: string, interval: { from: Date; to: Date }): Promise<DailyUsage[]> {
    const operation = `query the daily usage of OAuth client ${clientId}`;
    // genesys-cloud-api.md §1.4 ApiUsageClientQuery: `interval` is required; one row per day.
    const body: Models.ApiUsageClientQuery = {
      interval: `${interval.from.toISOString()}/${interval.to.toISOString()}`,
      granularity: 'Day',
      metrics: ['Requests'],
    };
    const rows = await this.#usageRows(clientId, operation, () =>
      this.#oauth.postOauthClientUsageQuery(clientId, body),
    );
    const byDay = new Map<string, number>();
    for (const row of rows) {
      if (!row.date) continue;
      const date = new Date(row.date).toISOString();
      byDay.set(date, (byDay.get(date) ?? 0) + (row.requests ?? 0));
    }
    return [...byDay]
      .map(([date, requests]) => ({ date, requests }))
      .sort((a, b) => a.date.localeCompare(b.date));
  }

  /** Starts an asynchronous usage query and polls its result until `Complete`. */
  async #usageRows(
    clientId: string,
    operation: string,
    start: () => Promise<Models.UsageExecutionResult>,
  ): Promise<Models.ApiUsageRow[]> {
    const started = await this.#call(operation, start);
    const executionId = started.executionId;
    if (!executionId) {
      throw new TransientUpstreamError(`Genesys did not return an execution id to ${operation}`, {
        details: { clientId },
      });
    }
    for (let poll = 1; poll <= this.#usagePoll.maxPolls; poll += 1) {
      // NOTE the SDK's argument order: execution id first.
      const result = await this.#call(operation, () =>
        this.#oauth.getOauthClientUsageQueryResult(executionId, clientId),
      );
      if (result.queryStatus === 'Complete') return result.results ?? [];
      if (result.queryStatus === 'Failed') {
        throw new TransientUpstreamError(`Genesys usage query ${executionId} for client ${clientId} failed`, {
          details: { clientId, executionId },
        });
      }
      if (poll < this.#usagePoll.maxPolls) await this.#clock.sleep(this.#usagePoll.intervalMs);
    }
    throw new TransientUpstreamError(
      `Genesys usage query ${executionId} for client ${clientId} did not complete after ${this.#usagePoll.maxPolls} polls`,
      { details: { clientId, executionId } },
    );
  }

  async whoAmI(): Promise<{
    clientId: string;
    orgId: string;
    orgName: string;
    roleDivisions: { roleId: string; divisionId: string }[];
  }> {
    const me = await this.#call('read the admin token (GET /api/v2/tokens/me)', () =>
      this.#tokens.getTokensMe(),
    );
    const clientId = me.OAuthClient?.id;
    const orgId = me.organization?.id;
    if (!clientId || !orgId) {
      throw new InvalidConfigurationError(
        `The admin credential (client ${this.clientId}) did not yield a client-credentials token naming its client and org`,
      );
    }
    return {
      clientId,
      orgId,
      orgName: me.organization?.name ?? '',
      roleDivisions: (me.OAuthClient?.roleDivisions ?? []).map((rd) => ({
        roleId: rd.roleId,
        divisionId: rd.divisionId,
      })),
    };
  }

  /** The org's OAuth client limit under an exact limit key, or null (Validate uses the policy's). */
  async oauthClientLimit(): Promise<number | null> {
    if (this.#limitKeys.length === 0) return null;
    const listing = await this.#call(
      'read the org limits of namespace oauth',
      () => this.#organization.getOrganizationsLimitsNamespace('oauth'),
      () => null,
    );
    const entities = listing?.entities ?? [];
    for (const key of this.#limitKeys) {
      const match = entities.find((limit) => limit.key === key && typeof limit.value === 'number');
      if (match?.value !== undefined) return match.value;
    }
    return null;
  }

  /**
   * Runs `fn` on this adapter's authenticated SDK client, with the same token handling and error
   * mapping as the admin calls. For adapters of other API classes (`integrations.ts`), so that each
   * API class is bundled only into the functions that import its adapter.
   */
  withApiClient<T>(
    operation: string,
    fn: (client: GenesysApiClient) => Promise<T>,
    on404?: () => T,
  ): Promise<T> {
    return this.#call(operation, () => fn(this.#client), on404);
  }

  /** Runs an API call with a valid admin token; maps failures; `on404` decides what 404 means. */
  async #call<T>(operation: string, fn: () => Promise<T>, on404?: () => T): Promise<T> {
    try {
      return await this.#withToken(fn);
    } catch (error) {
      if (on404 && isGenesysHttpError(error) && error.status === 404) return on404();
      throw mapApiError(error, { operation, actorClientId: this.clientId, secrets: this.#secrets() });
    }
  }

  async #withToken<T>(fn: () => Promise<T>): Promise<T> {
    const token = await this.#ensureToken();
    try {
      return await fn();
    } catch (error) {
      if (!isGenesysHttpError(error) || error.status !== 401) throw error;
      // Expired or revoked: log in again once and retry once.
      this.#invalidate(token);
      await this.#ensureToken();
      return await fn();
    }
  }

  async #ensureToken(): Promise<CachedToken> {
    const cached = tokenCache.get(this.#cacheKey);
    if (cached && cached.expiresAtMs - this.#clock.now().getTime() > this.#refreshMarginMs) {
      this.#apply(cached);
      return cached;
    }
    let login = loginsInFlight.get(this.#cacheKey);
    if (!login) {
      login = this.#login().finally(() => loginsInFlight.delete(this.#cacheKey));
      loginsInFlight.set(this.#cacheKey, login);
    }
    const token = await login;
    this.#apply(token);
    return token;
  }

  #apply(token: CachedToken): void {
    if (this.#appliedToken !== token.accessToken) {
      this.#client.setAccessToken(token.accessToken);
      this.#appliedToken = token.accessToken;
    }
  }

  #invalidate(token: CachedToken): void {
    if (tokenCache.get(this.#cacheKey)?.accessToken === token.accessToken) tokenCache.delete(this.#cacheKey);
    this.#appliedToken = null;
  }

  async #login(): Promise<CachedToken> {
    let auth: { accessToken: string; tokenExpiryTime: number };
    try {
      auth = await this.#client.loginClientCredentialsGrant(this.clientId, this.#secret);
    } catch (error) {
      throw this.#mapLoginError(error);
    }
    // The SDK computes the expiry from the wall clock; re-base it on the injected clock.
    const remainingMs = Number.isFinite(auth.tokenExpiryTime) ? auth.tokenExpiryTime - Date.now() : 0;
    const token: CachedToken = {
      accessToken: auth.accessToken,
      expiresAtMs: this.#clock.now().getTime() + Math.max(0, remainingMs),
    };
    tokenCache.set(this.#cacheKey, token);
    return token;
  }

  #mapLoginError(error: unknown): Error {
    if (error instanceof RotationError) return error;
    const secrets = this.#secrets();
    const operation = `log in with the admin credential (client ${this.clientId})`;
    if (!isGenesysHttpError(error)) {
      return new Error(`Genesys ${operation} failed unexpectedly: ${describeUnknown(error, secrets)}`);
    }
    const details = { ...httpDetails(error, operation), clientId: this.clientId };
    if (error.transient) {
      return new TransientUpstreamError(
        `Genesys ${operation} failed transiently: ${redact(error.message, secrets)}`,
        {
          details,
        },
      );
    }
    this.#onCredentialRejected?.();
    const reason =
      error.errorCode === 'invalid_client'
        ? 'the client id or secret is wrong, or the client was deleted or deactivated'
        : error.errorCode === 'unauthorized_client'
          ? 'the client may not use the client-credentials grant'
          : `HTTP ${error.status ?? '?'}${error.errorCode ? ` ${error.errorCode}` : ''}`;
    return new InsufficientPrivilegeError(
      `Genesys refused the rotator's admin credential (client ${this.clientId}, environment ${this.environment}): ${reason}`,
      { details },
    );
  }

  #secrets(): string[] {
    return [this.#secret, basicCredential(this.clientId, this.#secret)];
  }
}
