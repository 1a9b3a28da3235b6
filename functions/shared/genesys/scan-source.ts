/**
 * `ScanSourcePort` over `purecloud-platform-client-v2` (IntegrationsApi, ArchitectApi), read-only,
 * with the rotator's admin credential on an isolated SDK client (genesys-cloud-api.md §4.4, §5).
 *
 * Rate limits (§3): 300 requests per minute per token. The retrying HTTP client (`http.ts`) answers a
 * 429 by waiting `Retry-After`; on top of it this adapter paces itself to `requestsPerMinute`
 * (default 240) in a sliding minute, so a scan of a large org does not run into the limit at all.
 */
import type { Models } from 'purecloud-platform-client-v2';
import type {
  ActionDocument,
  ConsumingResource,
  FlowSummary,
  IntegrationSummary,
  Page,
  PageRequest,
  ScanSourcePort,
} from '../../core/scan/ports.js';
import type { OAuthClientSecretValue } from '../contract.js';
import { InsufficientPrivilegeError, TransientUpstreamError } from '../errors.js';
import type { Clock } from '../ports.js';
import { systemClock } from '../ports.js';
import { type HttpTransport, isGenesysHttpError, type RetryPolicy } from './http.js';
import { mapApiError } from './map-errors.js';
import platformClient from './platform-scan.js';
import { createIsolatedApiClient, type GenesysApiClient } from './sdk.js';

/** Under Genesys' 300 per token per minute, leaving room for the rotation's own calls. */
export const DEFAULT_SCAN_REQUESTS_PER_MINUTE = 240;

const MINUTE_MS = 60_000;

/** Sliding-window pacing: at most `limit` request starts in any minute. */
export class RequestPacer {
  readonly #starts: number[] = [];
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
  ) {}

  /** Resolves when one more request may start. Calls are served in order. */
  take(): Promise<void> {
    const turn = this.#queue.then(() => this.#wait());
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #wait(): Promise<void> {
    for (;;) {
      const now = this.clock.now().getTime();
      while (this.#starts.length > 0 && now - (this.#starts[0] ?? 0) >= MINUTE_MS) this.#starts.shift();
      if (this.#starts.length < this.limit) {
        this.#starts.push(now);
        return;
      }
      await this.clock.sleep((this.#starts[0] ?? now) + MINUTE_MS - now);
    }
  }
}

export interface GenesysScanSourceOptions {
  readonly credential: OAuthClientSecretValue;
  readonly gatewayUrl?: string | null;
  readonly retry?: Partial<RetryPolicy>;
  readonly clock?: Clock;
  readonly transport?: HttpTransport;
  readonly requestsPerMinute?: number;
  /** Called before each retry wait (a 429 among them); never receives a header or a body. */
  readonly onRetry?: (event: { method: string; path: string; status: number | null; waitMs: number }) => void;
}

interface Listing<T> {
  entities?: T[];
  pageCount?: number;
}

function pageOf<T, R>(listing: Listing<T>, map: (entity: T) => R | null): Page<R> {
  return {
    entities: (listing.entities ?? []).map(map).filter((entity): entity is R => entity !== null),
    pageCount: Math.max(1, listing.pageCount ?? 1),
  };
}

function toAction(action: Models.Action): ActionDocument | null {
  if (!action.id) return null;
  return {
    id: action.id,
    name: action.name ?? '',
    integrationId: action.integrationId ?? null,
    category: action.category ?? null,
    config: action.config ?? null,
  };
}

export class GenesysScanSource implements ScanSourcePort {
  readonly #client: GenesysApiClient;
  readonly #integrations: InstanceType<typeof platformClient.IntegrationsApi>;
  readonly #architect: InstanceType<typeof platformClient.ArchitectApi>;
  readonly #credential: OAuthClientSecretValue;
  readonly #pacer: RequestPacer;
  #login: Promise<void> | null = null;

  constructor(options: GenesysScanSourceOptions) {
    const clock = options.clock ?? systemClock;
    this.#credential = options.credential;
    this.#client = createIsolatedApiClient({
      environment: options.credential.environment,
      gatewayUrl: options.gatewayUrl ?? null,
      clock,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.transport ? { transport: options.transport } : {}),
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    });
    this.#integrations = new platformClient.IntegrationsApi(this.#client);
    this.#architect = new platformClient.ArchitectApi(this.#client);
    this.#pacer = new RequestPacer(options.requestsPerMinute ?? DEFAULT_SCAN_REQUESTS_PER_MINUTE, clock);
  }

  async listActions(page: PageRequest): Promise<Page<ActionDocument>> {
    const listing = await this.#call('list Data Actions', () =>
      this.#integrations.getIntegrationsActions({
        ...page,
        includeConfig: true,
        // Typed as a string in v262 (§5).
        includeAuthActions: 'true',
      }),
    );
    return pageOf(listing, toAction);
  }

  async listActionDrafts(page: PageRequest): Promise<Page<ActionDocument>> {
    const listing = await this.#call('list Data Action drafts', () =>
      this.#integrations.getIntegrationsActionsDrafts({
        ...page,
        includeConfig: true,
        includeAuthActions: 'true',
      }),
    );
    return pageOf(listing, toAction);
  }

  async getActionDraft(actionId: string): Promise<ActionDocument | null> {
    const draft = await this.#call(
      `read the draft of Data Action ${actionId}`,
      () => this.#integrations.getIntegrationsActionDraft(actionId, { includeConfig: true }),
      true,
    );
    return draft === null ? null : toAction(draft);
  }

  async listFlows(page: PageRequest): Promise<Page<FlowSummary>> {
    const listing = await this.#call('list flows', () => this.#architect.getFlows({ ...page }));
    return pageOf(listing, (flow) =>
      flow.id ? { id: flow.id, name: flow.name ?? '', type: flow.type ?? null } : null,
    );
  }

  async flowConfiguration(flowId: string): Promise<unknown> {
    return this.#call(
      `read the latest configuration of flow ${flowId}`,
      () => this.#architect.getFlowLatestconfiguration(flowId),
      true,
    );
  }

  async listIntegrations(page: PageRequest): Promise<Page<IntegrationSummary>> {
    const listing = await this.#call('list integrations', () =>
      this.#integrations.getIntegrations({ ...page }),
    );
    return pageOf(listing, (integration) =>
      integration.id
        ? {
            id: integration.id,
            name: integration.name ?? '',
            integrationType: integration.integrationType?.id ?? null,
          }
        : null,
    );
  }

  async integrationCredentialIds(integrationId: string): Promise<Readonly<Record<string, string>> | null> {
    const config = await this.#call(
      `read the current config of integration ${integrationId}`,
      () => this.#integrations.getIntegrationConfigCurrent(integrationId),
      true,
    );
    if (config === null) return null;
    const ids: Record<string, string> = {};
    for (const [key, reference] of Object.entries(config.credentials ?? {})) {
      if (reference?.id) ids[key] = reference.id;
    }
    return ids;
  }

  async flowsConsumingAction(actionId: string, page: PageRequest): Promise<Page<ConsumingResource>> {
    const listing = await this.#call(`list the flows consuming Data Action ${actionId}`, () =>
      this.#architect.getArchitectDependencytrackingConsumingresources(actionId, 'DATAACTION', { ...page }),
    );
    return pageOf(listing, (dependency) =>
      dependency.id
        ? { id: dependency.id, name: dependency.name ?? '', type: dependency.type ?? null }
        : null,
    );
  }

  /**
   * Paced, logged in, re-logged-in once on 401; `nullOn404` turns a 404 into null. Failures become the
   * rotation's typed errors (429/5xx after the retries: `TransientUpstreamError`), as the admin's do.
   */
  async #call<T>(operation: string, fn: () => Promise<T>, nullOn404: true): Promise<T | null>;
  async #call<T>(operation: string, fn: () => Promise<T>): Promise<T>;
  async #call<T>(operation: string, fn: () => Promise<T>, nullOn404 = false): Promise<T | null> {
    try {
      return await this.#attempt(fn);
    } catch (error) {
      if (nullOn404 && isGenesysHttpError(error) && error.status === 404) return null;
      throw mapApiError(error, {
        operation,
        actorClientId: this.#credential.clientId,
        secrets: [this.#credential.clientSecret],
      });
    }
  }

  async #attempt<T>(fn: () => Promise<T>): Promise<T> {
    await this.#ensureLogin();
    try {
      await this.#pacer.take();
      return await fn();
    } catch (error) {
      if (!isGenesysHttpError(error) || error.status !== 401) throw error;
      this.#login = null;
      await this.#ensureLogin();
      await this.#pacer.take();
      return await fn();
    }
  }

  #ensureLogin(): Promise<void> {
    this.#login ??= this.#client
      .loginClientCredentialsGrant(this.#credential.clientId, this.#credential.clientSecret)
      .then(
        () => undefined,
        (error: unknown) => {
          this.#login = null;
          if (isGenesysHttpError(error) && error.transient) {
            throw new TransientUpstreamError(
              `The admin credential (client ${this.#credential.clientId}) could not log in to read actions and flows: ${error.message}`,
            );
          }
          // GenesysHttpError carries no secret; anything else is described without its content.
          throw new InsufficientPrivilegeError(
            `The admin credential (client ${this.#credential.clientId}) could not log in to read actions and flows${
              isGenesysHttpError(error) ? `: ${error.message}` : ''
            }`,
          );
        },
      );
    return this.#login;
  }
}
