/**
 * Genesys Cloud stand-in: the Platform API surface the rotator uses, served on 127.0.0.1 for the real
 * `purecloud-platform-client-v2` SDK (`apiClient.setGateway(standIn.gateway)`). Behaviour follows
 * ../../../../shared/reference/genesys-cloud-api.md; where the reference says UNCONFIRMED, the choice is:
 *
 * - Regenerating a secret (§1.3) refuses the old secret at once; tokens minted before stay valid.
 * - DELETE (§1.3): a client younger than 30 days is gone at once (404, its tokens 401). An older one becomes
 *   `state: inactive`, `dateToDelete = now + 7 days`, still listed and readable (and still counted against
 *   the client limit); its tokens stop working. A full PUT with `state: active` inside those 7 days restores
 *   it; after them (by the clock) it is gone. DELETE of an already-deactivated client is a no-op (204).
 * - PUT is a full update (§1.1): omitted optional fields go back to their defaults (roleDivisions [],
 *   accessTokenValiditySeconds 86400); an omitted `state` keeps the current one.
 * - `inactive` clients cannot mint tokens but their live tokens keep working; `disabled` clients' tokens
 *   are refused (§1.2). A client created through the API is refused (400 invalid_client, "authentication
 *   failed") until `newClientActivationDelayMs` has passed: Genesys' eventual consistency after create.
 * - Role grants (§1.2): creating or updating a client needs every requested (role, division) pair held by
 *   the caller (division '*' stands for all divisions); otherwise 400 naming the role. Permissions follow
 *   `domain:entity:action` with `*` wildcards; a role's permissions apply in every division.
 * - Client listing (§1.1) is one page holding every client unless pageSize/pageNumber are sent or
 *   `oauthClientsPageSize` sets a default page size (then `pageCount` says how many pages there are).
 * - The OAuth client limit is reported as `{key: 'oauth.client.max', namespace: 'oauth'}` and enforced on
 *   create with a 400 `limit.exceeded` ErrorBody carrying `limit`.
 * - Orgs: one host serves every org of its region (one API host per region, §2.3). Each org has its own
 *   clients, tokens, usage, limits and Data Actions. A request goes to the org of its bearer token (a
 *   token is minted by a client of one org, and `GET /api/v2/tokens/me` names that `organization`, §2.4)
 *   or, at the token endpoint, of its client id; so a token of org A lists, reads and changes only org
 *   A's clients ("the clients your organization has defined", [Help-OAuthMgmt]), and org B's client ids
 *   are 404 to it. Client ids are UUIDs, unique across orgs. The stand-in's own `orgId`, `seed` and
 *   `clients()` are the default org's; `addOrg` adds more.
 * - Rate limit (§3): a per-token window opens with the token's first call and lasts one clock minute;
 *   every /api/v2 answer to an authenticated call carries `inin-ratelimit-*`; 429 adds `Retry-After`.
 * - Usage (§1.4) counts /api/v2 calls per calling client, UTC day, template URI and method, whatever their
 *   status (429s and injected faults included, dropped connections excluded; token grants are not /api/v2
 *   calls). As the API Usage report (help.mypurecloud.com): daily aggregates of 00:00:00-23:59:59 UTC, "This
 *   report does not include data for the current day", and a completed day appears `usageReportLagMs` after
 *   it ends (the real lag is UNCONFIRMED). `usageDayLengthMs` compresses days for local demos, counted from
 *   the clock's time at start. A query snapshots the rows when it starts and reports `Running` for
 *   `usageQueryRunningMs`. Day-granular: an interval touching a day sees the whole day.
 * - Data Action tests (§4.4) run against the integration's first configured credential:
 *   `pureCloudOAuthClient` mints a real token (and counts one request of usage for that client). Other types
 *   whose URL renders to a server on 127.0.0.1 (the partner stand-in, `local/standins/partner/`) are really
 *   called over HTTP: URL, headers and body rendered with `${credentials.*}`, `${input.*}` and, after the
 *   integration's custom auth action ran (`userDefinedOAuth`), `${authResponse.*}`; `basicAuth` sends the
 *   Basic header (see action-request.ts). A backend off this machine is simulated: the credential must
 *   match one of the field sets the partner accepts (`seed.partnerAccepts`; default: the seeded one).
 *   `GET .../credentials/types` answers `{entities}` as the API does, although v262's typings say an array.
 *
 * - Scanning (architect.ts, action-drafts.ts): Architect flows with their latest configuration,
 *   dependency tracking (flows consuming a Data Action), action drafts, and auth actions listed only with
 *   `includeAuthActions=true`; seeded through `seed.flow`, `seed.actionDraft`, `seed.authAction`.
 *
 * Not modelled: user (non client-credentials) grants and scopes, per-division object visibility, paging of
 * credentials beyond a simple cursor, flow versions and export jobs.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActionDraftStore } from './action-drafts.js';
import { ArchitectStore } from './architect.js';
import { type AdvanceableClock, type Clock, StandInClock, toAdvanceableClock } from './clock.js';
import { FaultInjector, type GenesysFaultRule } from './faults.js';
import { identityRoutes } from './identity.js';
import {
  type IntegrationCredentialSnapshot,
  type IntegrationSnapshot,
  IntegrationStore,
} from './integrations.js';
import { type ClientState, newSecret, OrgDirectory, type RoleDivision } from './model.js';
import { oauthClientRoutes } from './oauth-clients.js';
import { PerTokenRateLimiter } from './rate-limit.js';
import { Router } from './router.js';
import { createScanSeed, type ScanSeed } from './scan-seed.js';
import { createSeed, type GenesysSeed } from './seed.js';
import { type GenesysRequestRecord, type OrgPipeline, type RequestPipeline, serveRequest } from './server.js';
import { UsageCalendar, UsageExecutions, UsageLedger } from './usage.js';
import type { StandInSettings, StandInWorld } from './world.js';

export type { SeedActionDraftInput } from './action-drafts.js';
export type { SeedFlowInput } from './architect.js';
export type { AdvanceableClock, Clock } from './clock.js';
export { StandInClock } from './clock.js';
export type { ErrorBody } from './errors.js';
export type { GenesysFaultRule } from './faults.js';
export type {
  ActionConfigInput,
  CredentialTypeName,
  IntegrationCredentialSnapshot,
  IntegrationSnapshot,
  SeedCredentialInput,
  SeededIntegration,
  SeedIntegrationInput,
} from './integrations.js';
export { CREDENTIAL_TYPE_NAMES, INTEGRATION_TYPES, REDACTED_VALUE } from './integrations.js';
export type { ClientState, RoleDivision } from './model.js';
export { OAUTH_CLIENT_LIMIT_KEY, OAUTH_LIMIT_NAMESPACE } from './oauth-clients.js';
export type { ScanSeed } from './scan-seed.js';
export type { GenesysSeed, SeedAdminClientOptions, SeedClientInput, SeededClient } from './seed.js';
export { ROTATOR_ADMIN_PERMISSIONS } from './seed.js';
export type { GenesysRequestRecord } from './server.js';

export const DEFAULT_ORG_ID = '5f1c9a3e-7b2d-4e8f-9a61-0c3d2b4e6f70';
export const DEFAULT_ORG_NAME = 'Demo Contact Centre';

/** One more org served by the same region host (its own clients, tokens, usage, rate limits). */
export interface GenesysOrgOptions {
  /** Default: a random UUID. */
  orgId?: string;
  /** Default: `Org <orgId>`. */
  orgName?: string;
  /** Default: the stand-in's `rateLimitPerMinute`. */
  rateLimitPerMinute?: number;
  /** Default: the stand-in's `oauthClientLimit`. */
  oauthClientLimit?: number | null;
  /** Default: the stand-in's `oauthClientsPageSize`. */
  oauthClientsPageSize?: number | null;
}

export interface GenesysStandInOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Per token; default 300 (genesys-cloud-api.md §3). */
  rateLimitPerMinute?: number;
  orgId?: string;
  orgName?: string;
  /** Reported under namespace 'oauth', key OAUTH_CLIENT_LIMIT_KEY, and enforced on create; null: no limit. Default 50. */
  oauthClientLimit?: number | null;
  /**
   * Page size of `GET /api/v2/oauth/clients` when the caller sends none (the v262 SDK never does):
   * the listing then pages with `pageCount`, as the model says it can (genesys-cloud-api.md §1.1).
   * Default null: one page holding every client.
   */
  oauthClientsPageSize?: number | null;
  /** How long a usage query stays 'Running' before 'Complete' (default 100). */
  usageQueryRunningMs?: number;
  /**
   * Length of one usage day (default 86 400 000, Genesys' UTC day). Shorter: compressed days counted from
   * the clock's time when the stand-in starts, so a local demo sees days complete in seconds.
   */
  usageDayLengthMs?: number;
  /** How long after a usage day ends it first appears in usage queries (default 0). */
  usageReportLagMs?: number;
  /** Eventual consistency: a newly created client's secret is refused with invalid_client for this long (default 0). */
  newClientActivationDelayMs?: number;
  /** Default: a StandInClock starting at real now. */
  clock?: Clock;
  /** Makes every client secret the stand-in issues (seeded without one, created, regenerated); default random. */
  secretFactory?: () => string;
  /** Further orgs on the same host from the start (`addOrg` adds more later); the default org comes first. */
  orgs?: readonly GenesysOrgOptions[];
}

/** An OAuth client as the stand-in holds it, without its secret. */
export interface GenesysClientSnapshot {
  id: string;
  name: string;
  state: ClientState;
  roleDivisions: RoleDivision[];
  authorizedGrantType: string;
  accessTokenValiditySeconds: number;
  dateCreated: string;
  /** Deleted while older than 30 days: restorable until dateToDelete. */
  deleted: boolean;
  dateToDelete: string | null;
  /** The client whose token created it; null for seeded clients. */
  createdByClientId: string | null;
}

/** One org of the stand-in: what a test seeds and inspects in it. */
export interface GenesysOrg {
  readonly orgId: string;
  readonly orgName: string;
  readonly seed: GenesysSeed & ScanSeed;
  /** This org's OAuth clients (never another org's). */
  clients(): GenesysClientSnapshot[];
  /** This org's integration credentials, without their secret values (which grant still succeeds is computed). */
  integrationCredentials(): IntegrationCredentialSnapshot[];
  /** This org's integrations and the credentials their current config references. */
  integrations(): IntegrationSnapshot[];
  /** Expires every live access token of one of this org's clients now; returns how many. */
  expireTokens(clientId: string): number;
}

/**
 * The stand-in serves one region host and any number of orgs on it, as Genesys does (one API host
 * per region, genesys-cloud-api.md §2.3): each org has its own clients, tokens, usage and rate limits,
 * a token acts in the org of the client that minted it (TokenInfo names that `organization`, §2.4),
 * and the client listing shows "the clients your organization has defined" only ([Help-OAuthMgmt]).
 * The fields below without an org (`orgId`, `seed`, `clients`, `integrations`, ...) are the default org's,
 * so a single-org test never needs to know there could be more.
 */
export interface GenesysStandIn extends GenesysOrg {
  /** 'http://127.0.0.1:PORT' */
  readonly url: string;
  /** For `apiClient.setGateway(...)`. */
  readonly gateway: { host: string; protocol: 'http'; port: number };
  close(): Promise<void>;
  /** Advancing ages clients, expires tokens, rolls rate-limit windows and moves usage days. */
  readonly clock: AdvanceableClock;
  readonly faults: { add(rule: GenesysFaultRule): void; clear(): void };
  /** Every request, of every org (`orgId` says which answered). */
  readonly requestLog: readonly GenesysRequestRecord[];
  setNewClientActivationDelay(ms: number): void;
  /** Adds an org to the host (a fresh directory with its Home division; seed it through `seed`). */
  addOrg(options?: GenesysOrgOptions): GenesysOrg;
  /** The org with this id; throws when the host serves none. */
  org(orgId: string): GenesysOrg;
  /** Every org, the default one first. */
  orgs(): GenesysOrg[];
}

function domainOf(orgName: string): string {
  return (
    orgName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'org'
  );
}

export async function startGenesysStandIn(options: GenesysStandInOptions = {}): Promise<GenesysStandIn> {
  const clock = options.clock ? toAdvanceableClock(options.clock) : new StandInClock();
  const base: StandInSettings = {
    rateLimitPerMinute: options.rateLimitPerMinute ?? 300,
    oauthClientLimit: options.oauthClientLimit === undefined ? 50 : options.oauthClientLimit,
    oauthClientsPageSize: options.oauthClientsPageSize ?? null,
    usageQueryRunningMs: options.usageQueryRunningMs ?? 100,
    newClientActivationDelayMs: options.newClientActivationDelayMs ?? 0,
    newSecret: options.secretFactory ?? newSecret,
  };
  // One usage calendar for the host: every org's days start and end together.
  const calendar = new UsageCalendar({
    ...(options.usageDayLengthMs !== undefined ? { dayLengthMs: options.usageDayLengthMs } : {}),
    ...(options.usageReportLagMs !== undefined ? { reportLagMs: options.usageReportLagMs } : {}),
    epochMs: clock.now().getTime(),
  });
  const now = () => clock.now();
  const orgPipelines: OrgPipeline[] = [];
  const orgHandles = new Map<string, GenesysOrg>();

  const addOrg = (orgOptions: GenesysOrgOptions = {}): GenesysOrg => {
    const orgId = orgOptions.orgId ?? randomUUID();
    if (orgHandles.has(orgId)) throw new Error(`The Genesys stand-in already serves org ${orgId}`);
    const orgName = orgOptions.orgName ?? `Org ${orgId}`;
    const directory = new OrgDirectory({ id: orgId, name: orgName, domain: domainOf(orgName) }, clock);
    const settings: StandInSettings = {
      ...base,
      ...(orgOptions.rateLimitPerMinute === undefined
        ? {}
        : { rateLimitPerMinute: orgOptions.rateLimitPerMinute }),
      ...(orgOptions.oauthClientLimit === undefined ? {} : { oauthClientLimit: orgOptions.oauthClientLimit }),
      ...(orgOptions.oauthClientsPageSize === undefined
        ? {}
        : { oauthClientsPageSize: orgOptions.oauthClientsPageSize }),
    };
    const usage = new UsageLedger(calendar);
    const world: StandInWorld = {
      clock,
      directory,
      usage,
      executions: new UsageExecutions(() => settings.usageQueryRunningMs),
      integrations: new IntegrationStore(directory, usage, now),
      settings,
    };
    const drafts = new ActionDraftStore();
    const architect = new ArchitectStore();
    orgPipelines.push({
      world,
      router: new Router([
        ...identityRoutes(world),
        ...oauthClientRoutes(world),
        ...world.integrations.routes(),
        ...drafts.routes(),
        ...architect.routes(),
      ]),
      rateLimiter: new PerTokenRateLimiter(settings.rateLimitPerMinute),
    });
    const handle: GenesysOrg = {
      orgId,
      orgName,
      seed: {
        ...createSeed(directory, world.integrations, now, settings.newSecret, usage),
        ...createScanSeed(world.integrations, drafts, architect),
      },
      clients: () =>
        directory.clients().map((client) => ({
          id: client.id,
          name: client.name,
          state: client.state,
          roleDivisions: client.roleDivisions.map((pair) => ({ ...pair })),
          authorizedGrantType: client.authorizedGrantType,
          accessTokenValiditySeconds: client.accessTokenValiditySeconds,
          dateCreated: client.dateCreated.toISOString(),
          deleted: client.deleted,
          dateToDelete: client.dateToDelete?.toISOString() ?? null,
          createdByClientId: client.createdByClientId,
        })),
      integrationCredentials: () => world.integrations.credentialSnapshots(),
      integrations: () => world.integrations.integrationSnapshots(),
      expireTokens: (clientId) => directory.expireTokensOf(clientId),
    };
    orgHandles.set(orgId, handle);
    return handle;
  };

  const defaultOrg = addOrg({
    orgId: options.orgId ?? DEFAULT_ORG_ID,
    orgName: options.orgName ?? DEFAULT_ORG_NAME,
  });
  for (const extra of options.orgs ?? []) addOrg(extra);

  const pendingTimers = new Set<NodeJS.Timeout>();
  const faults = new FaultInjector();
  const requestLog: GenesysRequestRecord[] = [];
  const pipeline: RequestPipeline = {
    orgs: orgPipelines,
    clock,
    faults,
    requestLog,
    sleep: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          pendingTimers.delete(timer);
          resolve();
        }, ms);
        pendingTimers.add(timer);
      }),
  };

  const server: Server = createServer((request, response) => {
    serveRequest(pipeline, request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: String(error), code: 'internal.server.error', status: 500 }));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    gateway: { host: '127.0.0.1', protocol: 'http', port },
    orgId: defaultOrg.orgId,
    orgName: defaultOrg.orgName,
    clock,
    seed: defaultOrg.seed,
    faults: { add: (rule) => faults.add(rule), clear: () => faults.clear() },
    requestLog,
    clients: () => defaultOrg.clients(),
    integrationCredentials: () => defaultOrg.integrationCredentials(),
    integrations: () => defaultOrg.integrations(),
    expireTokens: (clientId) => defaultOrg.expireTokens(clientId),
    setNewClientActivationDelay: (ms) => {
      for (const org of orgPipelines) org.world.settings.newClientActivationDelayMs = ms;
    },
    addOrg,
    org: (orgId) => {
      const handle = orgHandles.get(orgId);
      if (handle === undefined) throw new Error(`The Genesys stand-in serves no org ${orgId}`);
      return handle;
    },
    orgs: () => [...orgHandles.values()],
    close: async () => {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
