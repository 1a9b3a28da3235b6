import { randomUUID } from 'node:crypto';
import { assertCanGrantRoleDivisions, type Caller } from './auth.js';
import { badRequest, GenesysApiError, notFound } from './errors.js';
import {
  CLIENT_STATES,
  type ClientRecord,
  type ClientState,
  DEACTIVATED_RETENTION_MS,
  DEFAULT_TOKEN_VALIDITY_SECONDS,
  GRANT_TYPES,
  IRREVERSIBLE_DELETE_MAX_AGE_MS,
  MAX_TOKEN_VALIDITY_SECONDS,
  MIN_TOKEN_VALIDITY_SECONDS,
  type RoleDivision,
} from './model.js';
import {
  json,
  noContent,
  pagedListing,
  pathParam,
  type RouteContext,
  type RouteDefinition,
  route,
} from './router.js';
import { parseUsageQuery } from './usage.js';
import type { StandInWorld } from './world.js';

/** Limit key reported under namespace `oauth` (GET /api/v2/organizations/limits/namespaces/oauth). */
export const OAUTH_CLIENT_LIMIT_KEY = 'oauth.client.max';
export const OAUTH_LIMIT_NAMESPACE = 'oauth';

const CLIENTS = '/api/v2/oauth/clients';
const CLIENT = '/api/v2/oauth/clients/{clientId}';

/** The validated `OAuthClientRequest` (genesys-cloud-api.md §1.2). */
export interface OAuthClientRequestInput {
  name: string;
  description: string | undefined;
  authorizedGrantType: string;
  accessTokenValiditySeconds: number;
  roleDivisions: RoleDivision[];
  scope: string[];
  registeredRedirectUri: string[];
  state: ClientState | undefined;
}

function asRecord(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

function optionalStringArray(record: Record<string, unknown>, field: string): string[] {
  const value = record[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw badRequest(`${field} must be an array of strings.`);
  }
  return value;
}

function parseRoleDivisions(record: Record<string, unknown>, homeDivisionId: string): RoleDivision[] {
  const value = record.roleDivisions;
  if (value === undefined || value === null) {
    // The deprecated roleIds still work: each role lands in the home division.
    return optionalStringArray(record, 'roleIds').map((roleId) => ({ roleId, divisionId: homeDivisionId }));
  }
  if (!Array.isArray(value)) throw badRequest('roleDivisions must be an array.');
  return value.map((item, index) => {
    const pair = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    if (typeof pair.roleId !== 'string' || pair.roleId === '') {
      throw badRequest(`roleDivisions[${index}].roleId is required.`);
    }
    if (typeof pair.divisionId !== 'string' || pair.divisionId === '') {
      throw badRequest(`roleDivisions[${index}].divisionId is required.`);
    }
    return { roleId: pair.roleId, divisionId: pair.divisionId };
  });
}

export function parseOAuthClientRequest(body: unknown, homeDivisionId: string): OAuthClientRequestInput {
  const record = asRecord(body);
  const { name, description, authorizedGrantType, accessTokenValiditySeconds, state } = record;
  if (typeof name !== 'string' || name.trim() === '') throw badRequest('name is required.');
  if (description !== undefined && description !== null && typeof description !== 'string') {
    throw badRequest('description must be a string.');
  }
  if (typeof authorizedGrantType !== 'string') throw badRequest('authorizedGrantType is required.');
  if (!(GRANT_TYPES as readonly string[]).includes(authorizedGrantType)) {
    throw badRequest(`authorizedGrantType must be one of ${GRANT_TYPES.join(', ')}.`);
  }
  let validity = DEFAULT_TOKEN_VALIDITY_SECONDS;
  if (accessTokenValiditySeconds !== undefined && accessTokenValiditySeconds !== null) {
    if (
      typeof accessTokenValiditySeconds !== 'number' ||
      !Number.isInteger(accessTokenValiditySeconds) ||
      accessTokenValiditySeconds < MIN_TOKEN_VALIDITY_SECONDS ||
      accessTokenValiditySeconds > MAX_TOKEN_VALIDITY_SECONDS
    ) {
      throw badRequest(
        `accessTokenValiditySeconds must be an integer between ${MIN_TOKEN_VALIDITY_SECONDS} and ${MAX_TOKEN_VALIDITY_SECONDS}.`,
      );
    }
    validity = accessTokenValiditySeconds;
  }
  if (state !== undefined && state !== null && !(CLIENT_STATES as readonly unknown[]).includes(state)) {
    throw badRequest(`state must be one of ${CLIENT_STATES.join(', ')}.`);
  }
  return {
    name,
    description: typeof description === 'string' ? description : undefined,
    authorizedGrantType,
    accessTokenValiditySeconds: validity,
    roleDivisions: parseRoleDivisions(record, homeDivisionId),
    scope: optionalStringArray(record, 'scope'),
    registeredRedirectUri: optionalStringArray(record, 'registeredRedirectUri'),
    state: (state ?? undefined) as ClientState | undefined,
  };
}

function clientRef(clientId: string | null): { id: string; selfUri: string } | undefined {
  return clientId ? { id: clientId, selfUri: `${CLIENTS}/${clientId}` } : undefined;
}

/** The `OAuthClient` model. `secret` only when the caller just created or regenerated it (§1.3). */
export function toOAuthClient(
  client: ClientRecord,
  options: { withSecret?: boolean } = {},
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: client.id,
    name: client.name,
    accessTokenValiditySeconds: client.accessTokenValiditySeconds,
    description: client.description,
    registeredRedirectUri: client.registeredRedirectUri,
    roleIds: [...new Set(client.roleDivisions.map((pair) => pair.roleId))],
    dateCreated: client.dateCreated.toISOString(),
    dateModified: client.dateModified.toISOString(),
    createdBy: clientRef(client.createdByClientId),
    modifiedBy: clientRef(client.modifiedByClientId),
    authorizedGrantType: client.authorizedGrantType,
    scope: client.scope,
    roleDivisions: client.roleDivisions.map((pair) => ({ ...pair })),
    state: client.state,
    dateToDelete: client.dateToDelete?.toISOString(),
    selfUri: `${CLIENTS}/${client.id}`,
  };
  if (options.withSecret) view.secret = client.secret;
  return view;
}

function requireCaller(context: RouteContext): Caller {
  if (!context.caller) throw new GenesysApiError(401, 'bad.credentials', 'Invalid login credentials.');
  return context.caller;
}

function existingClient(world: StandInWorld, context: RouteContext): ClientRecord {
  const client = world.directory.client(pathParam(context, 'clientId'));
  if (!client) throw notFound(`OAuth client ${context.params.clientId} was not found.`);
  return client;
}

export function oauthClientRoutes(world: StandInWorld): RouteDefinition[] {
  const { directory, settings } = world;

  const listClients = route('GET', CLIENTS, ['oauth:client:view'], (context) => {
    const entities = directory
      .clients()
      .sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())
      .map((client) => toOAuthClient(client));
    return json(200, pagedListing(entities, context.query, CLIENTS, settings.oauthClientsPageSize));
  });

  const getClient = route('GET', CLIENT, ['oauth:client:view'], (context) =>
    json(200, toOAuthClient(existingClient(world, context))),
  );

  const createClient = route('POST', CLIENTS, ['oauth:client:add'], (context) => {
    const caller = requireCaller(context);
    const input = parseOAuthClientRequest(context.body, directory.homeDivisionId);
    assertCanGrantRoleDivisions(directory, caller.client, input.roleDivisions);
    const limit = settings.oauthClientLimit;
    // Deleted-but-restorable clients still exist, so they still count against the limit.
    if (limit !== null && directory.clients().length >= limit) {
      throw new GenesysApiError(
        400,
        'limit.exceeded',
        `The organization already has the maximum number of OAuth clients (${limit}).`,
        { limit: { key: OAUTH_CLIENT_LIMIT_KEY, namespace: OAUTH_LIMIT_NAMESPACE, value: limit } },
      );
    }
    const now = context.now;
    const client: ClientRecord = {
      id: randomUUID(),
      ...input,
      state: input.state ?? 'active',
      secret: settings.newSecret(),
      dateCreated: now,
      dateModified: now,
      createdByClientId: caller.client.id,
      modifiedByClientId: caller.client.id,
      deleted: false,
      dateToDelete: null,
      secretUsableFrom: new Date(now.getTime() + settings.newClientActivationDelayMs),
    };
    directory.addClient(client);
    return json(200, toOAuthClient(client, { withSecret: true }));
  });

  const updateClient = route('PUT', CLIENT, ['oauth:client:edit'], (context) => {
    const caller = requireCaller(context);
    const client = existingClient(world, context);
    const input = parseOAuthClientRequest(context.body, directory.homeDivisionId);
    assertCanGrantRoleDivisions(directory, caller.client, input.roleDivisions);
    // A full update: every field of OAuthClientRequest is replaced; an omitted `state` keeps the current one.
    client.name = input.name;
    client.description = input.description;
    client.authorizedGrantType = input.authorizedGrantType;
    client.accessTokenValiditySeconds = input.accessTokenValiditySeconds;
    client.roleDivisions = input.roleDivisions;
    client.scope = input.scope;
    client.registeredRedirectUri = input.registeredRedirectUri;
    if (client.deleted && input.state === 'active') {
      // Restoring a deactivated client within its seven days (§1.3).
      client.deleted = false;
      client.dateToDelete = null;
    }
    client.state = client.deleted ? 'inactive' : (input.state ?? client.state);
    client.dateModified = context.now;
    client.modifiedByClientId = caller.client.id;
    return json(200, toOAuthClient(client));
  });

  const deleteClient = route('DELETE', CLIENT, ['oauth:client:delete'], (context) => {
    const client = existingClient(world, context);
    if (client.deleted) return noContent();
    const age = context.now.getTime() - client.dateCreated.getTime();
    if (age < IRREVERSIBLE_DELETE_MAX_AGE_MS) {
      directory.removeClient(client.id);
    } else {
      client.deleted = true;
      client.state = 'inactive';
      client.dateToDelete = new Date(context.now.getTime() + DEACTIVATED_RETENTION_MS);
      client.dateModified = context.now;
    }
    return noContent();
  });

  const regenerateSecret = route('POST', `${CLIENT}/secret`, ['oauth:client:edit'], (context) => {
    const caller = requireCaller(context);
    const client = existingClient(world, context);
    // §1.3: one secret per client, replaced at once; the old one stops working immediately.
    client.secret = world.settings.newSecret();
    client.dateModified = context.now;
    client.modifiedByClientId = caller.client.id;
    return json(200, toOAuthClient(client, { withSecret: true }));
  });

  const usageResultsUri = (clientId: string, executionId: string) =>
    `${CLIENTS}/${clientId}/usage/query/results/${executionId}`;

  const startUsageQuery = route('POST', `${CLIENT}/usage/query`, ['oauth:client:view'], (context) => {
    const client = existingClient(world, context);
    const spec = parseUsageQuery(client.id, context.body);
    const rows = world.usage.rows(spec, client.name, directory.organization.id, context.now);
    const executionId = world.executions.start(client.id, rows, context.now);
    return json(202, { executionId, resultsUri: usageResultsUri(client.id, executionId) });
  });

  const startUsageSummary = route('GET', `${CLIENT}/usage/summary`, ['oauth:client:view'], (context) => {
    const client = existingClient(world, context);
    const daysText = context.query.get('days') ?? '7';
    const days = Number(daysText);
    if (!Number.isInteger(days) || days < 1)
      throw badRequest(`days must be a positive integer, got '${daysText}'.`);
    // The last `days` days before today: the current day is never in a usage report.
    const { calendar } = world.usage;
    const todayStart = calendar.dayStart(context.now.getTime());
    const rows = world.usage.rows(
      {
        clientId: client.id,
        from: new Date(todayStart - days * calendar.dayLengthMs),
        to: new Date(todayStart),
        granularity: 'Day',
        metrics: [],
        groupBy: [],
      },
      client.name,
      directory.organization.id,
      context.now,
    );
    const executionId = world.executions.start(client.id, rows, context.now);
    return json(202, { executionId, resultsUri: usageResultsUri(client.id, executionId) });
  });

  const usageResult = route(
    'GET',
    `${CLIENT}/usage/query/results/{executionId}`,
    ['oauth:client:view'],
    (context) => {
      const clientId = pathParam(context, 'clientId');
      const result = world.executions.result(clientId, pathParam(context, 'executionId'), context.now);
      if (!result) throw notFound(`Usage query execution ${context.params.executionId} was not found.`);
      return json(200, result);
    },
  );

  return [
    listClients,
    getClient,
    createClient,
    updateClient,
    deleteClient,
    regenerateSecret,
    startUsageQuery,
    startUsageSummary,
    usageResult,
  ];
}
