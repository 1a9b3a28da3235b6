import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateBearer, type Caller, requireAnyPermission } from './auth.js';
import { defaultErrorBodyForStatus, errorBody, GenesysApiError } from './errors.js';
import type { FaultInjector, GenesysFaultRule } from './faults.js';
import { clientCredentialsFrom } from './identity.js';
import { type PerTokenRateLimiter, rateLimitHeaders } from './rate-limit.js';
import { type RouteMatch, type RouteResult, type Router, routeKey } from './router.js';
import { type StandInWorld, templateUri } from './world.js';

/** One request as the stand-in saw it, for assertions. */
export interface GenesysRequestRecord {
  method: string;
  path: string;
  /** Route template, e.g. 'GET /api/v2/oauth/clients/{clientId}'; `${method} ${path}` when no route matched. */
  route: string;
  /** The status the caller saw; 0 when the connection was dropped by a fault. */
  status: number;
  callerClientId: string | null;
  /**
   * The org that answered: the org of the bearer token or of the client at the token endpoint (a
   * token or a client belongs to one org); the default org when the request names neither.
   */
  orgId: string;
  at: Date;
  /**
   * The raw body of a write to `/api/v2/integrations...` (a credential payload holds its values):
   * the fault matrix's leak checks read it. Absent for every other request.
   */
  body?: string;
}

/** One org on the region host: its own clients, tokens, usage, rate limits and routes. */
export interface OrgPipeline {
  world: StandInWorld;
  router: Router;
  rateLimiter: PerTokenRateLimiter;
}

export interface RequestPipeline {
  /** Every org the host serves; the first is the default org. */
  orgs: readonly OrgPipeline[];
  clock: StandInWorld['clock'];
  faults: FaultInjector;
  requestLog: GenesysRequestRecord[];
  sleep(ms: number): Promise<void>;
}

/** What the real handling produced, plus whose usage it counts as. */
interface Outcome extends RouteResult {
  usageClientId: string | null;
}

const MAX_BODY_BYTES = 512_000; // request.bytes.max (genesys-cloud-api.md §3)

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new GenesysApiError(413, 'request.entity.too.large', 'The request is too large.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJsonBody(rawBody: string): unknown {
  if (rawBody.trim() === '') return undefined;
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new GenesysApiError(400, 'bad.request', 'The request body is not valid JSON.');
  }
}

function bearerOf(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' ? header : undefined;
}

/**
 * The org a request is for, and who is calling (for the request log), before (and regardless of
 * whether) authentication succeeds. One region host serves many orgs: a bearer token belongs to the
 * org of the client that minted it, and the token endpoint's client id names the client's org
 * (genesys-cloud-api.md §2.3, §2.4). A request naming neither (or an unknown token or client) goes to
 * the default org, which refuses it as before.
 */
function routeToOrg(
  pipeline: RequestPipeline,
  request: IncomingMessage,
  rawBody: string,
): { org: OrgPipeline; callerClientId: string | null } {
  const [defaultOrg] = pipeline.orgs;
  if (defaultOrg === undefined) throw new Error('The Genesys stand-in serves no org');
  const authorization = bearerOf(request);
  const bearer = /^bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (bearer) {
    for (const org of pipeline.orgs) {
      const token = org.world.directory.token(bearer);
      if (token) return { org, callerClientId: token.clientId };
    }
    return { org: defaultOrg, callerClientId: null };
  }
  const clientId = clientCredentialsFrom(authorization, new URLSearchParams(rawBody))?.clientId ?? null;
  const org =
    clientId === null
      ? defaultOrg
      : (pipeline.orgs.find((candidate) => candidate.world.directory.client(clientId) !== undefined) ??
        defaultOrg);
  return { org, callerClientId: clientId };
}

function errorOutcome(error: unknown, usageClientId: string | null): Outcome {
  if (error instanceof GenesysApiError) {
    return { status: error.status, body: error.body, headers: error.headers, usageClientId };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    status: 500,
    body: errorBody(500, 'internal.server.error', `Stand-in failure: ${message}`),
    usageClientId,
  };
}

async function handleRoute(
  pipeline: OrgPipeline,
  match: RouteMatch | undefined,
  request: IncomingMessage,
  url: URL,
  rawBody: string,
  now: Date,
): Promise<Outcome> {
  const method = request.method ?? 'GET';
  if (!match) {
    return pipeline.router.hasPath(url.pathname)
      ? errorOutcome(
          new GenesysApiError(405, 'method.not.allowed', `${method} is not allowed on ${url.pathname}.`),
          null,
        )
      : errorOutcome(
          new GenesysApiError(404, 'not.found', `No resource at ${method} ${url.pathname}.`),
          null,
        );
  }
  const { definition, params } = match;
  const { directory } = pipeline.world;
  let caller: Caller | null = null;
  let limitHeaders: Record<string, string> = {};
  try {
    if (definition.access === 'bearer') {
      caller = authenticateBearer(directory, bearerOf(request), now);
      const decision = pipeline.rateLimiter.take(caller.token.accessToken, now);
      limitHeaders = rateLimitHeaders(decision);
      if (!decision.allowed) {
        throw new GenesysApiError(
          429,
          'too.many.requests.retry.after',
          `Rate limit exceeded the maximum. Retry the request in [${decision.resetSeconds}] seconds`,
          {
            limit: {
              key: 'client.credentials.token.rate.per.minute',
              namespace: 'platform.api',
              value: decision.limit,
            },
          },
          { 'retry-after': String(decision.resetSeconds) },
        );
      }
      requireAnyPermission(directory, caller.client, definition.permissions);
    }
    // The token endpoint takes a form body (§2.1); only the /api/v2 routes speak JSON.
    const body = definition.access === 'bearer' ? parseJsonBody(rawBody) : undefined;
    const result = await definition.handle({
      params,
      query: url.searchParams,
      body,
      rawBody,
      headers: request.headers,
      caller,
      now,
    });
    return {
      ...result,
      headers: { ...limitHeaders, ...result.headers },
      usageClientId: caller?.client.id ?? null,
    };
  } catch (error) {
    const outcome = errorOutcome(error, caller?.client.id ?? null);
    return { ...outcome, headers: { ...limitHeaders, ...outcome.headers } };
  }
}

function send(response: ServerResponse, correlationId: string, result: RouteResult): void {
  const headers: Record<string, string> = { 'inin-correlation-id': correlationId, ...result.headers };
  if (result.body === undefined || result.status === 204) {
    response.writeHead(result.status, headers);
    response.end();
    return;
  }
  const text = JSON.stringify(result.body);
  response.writeHead(result.status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

function faultResult(rule: GenesysFaultRule): RouteResult {
  const status = rule.status ?? 500;
  const body = rule.body !== undefined ? rule.body : defaultErrorBodyForStatus(status);
  return { status, body, headers: rule.headers ?? {} };
}

export async function serveRequest(
  pipeline: RequestPipeline,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const now = pipeline.clock.now();
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const [defaultOrg] = pipeline.orgs;
  if (defaultOrg === undefined) throw new Error('The Genesys stand-in serves no org');
  // Every org serves the same routes: the default org's router names the route for the log.
  const routeName = ((found) => (found ? routeKey(found.definition) : `${method} ${url.pathname}`))(
    defaultOrg.router.match(method, url.pathname),
  );
  const correlationId = randomUUID();
  let loggedBody: string | undefined;
  let orgId = defaultOrg.world.directory.organization.id;
  const log = (status: number, callerClientId: string | null) =>
    pipeline.requestLog.push({
      method,
      path: url.pathname,
      route: routeName,
      status,
      callerClientId,
      orgId,
      at: now,
      ...(loggedBody === undefined ? {} : { body: loggedBody }),
    });

  let rawBody: string;
  try {
    rawBody = await readBody(request);
  } catch (error) {
    const outcome = errorOutcome(error, null);
    log(outcome.status, null);
    send(response, correlationId, outcome);
    return;
  }
  const { org, callerClientId } = routeToOrg(pipeline, request, rawBody);
  orgId = org.world.directory.organization.id;
  const { world } = org;
  const match = org.router.match(method, url.pathname);
  if (method !== 'GET' && url.pathname.startsWith('/api/v2/integrations') && rawBody !== '')
    loggedBody = rawBody;
  const usageTemplateUri = url.pathname.startsWith('/api/v2/')
    ? templateUri(match?.definition.template ?? url.pathname)
    : null;
  const recordUsage = (clientId: string | null, status: number) => {
    if (usageTemplateUri && clientId) world.usage.record(clientId, now, usageTemplateUri, method, status);
  };

  const fault = pipeline.faults.decide(routeName, callerClientId);
  if (fault?.rule.latencyMs) await pipeline.sleep(fault.rule.latencyMs);

  let outcome: Outcome | undefined;
  if (!fault?.replacesAnswer || fault.rule.afterApply) {
    // Time as the handler sees it includes any injected latency.
    outcome = await handleRoute(
      org,
      match,
      request,
      url,
      rawBody,
      fault?.rule.latencyMs ? pipeline.clock.now() : now,
    );
    recordUsage(outcome.usageClientId, outcome.status);
  }

  if (fault?.replacesAnswer) {
    if (fault.rule.drop) {
      log(0, callerClientId);
      request.socket.destroy();
      return;
    }
    const injected = faultResult(fault.rule);
    if (!outcome) recordUsage(callerClientId, injected.status);
    log(injected.status, callerClientId);
    send(response, correlationId, injected);
    return;
  }

  if (!outcome) return;
  log(outcome.status, callerClientId);
  send(response, correlationId, outcome);
}
