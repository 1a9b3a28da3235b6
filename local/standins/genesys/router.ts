import type { IncomingHttpHeaders } from 'node:http';
import type { Caller } from './auth.js';
import { badRequest } from './errors.js';

export interface RouteContext {
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
  rawBody: string;
  headers: IncomingHttpHeaders;
  /** The authenticated caller of an /api/v2 route; null on the token endpoint. */
  caller: Caller | null;
  now: Date;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteAccess =
  /** `POST /oauth/token`: Basic auth, not rate limited per token. */
  | 'token-endpoint'
  /** Needs a valid bearer token; `permissions` (any of) decide the rest. */
  | 'bearer';

export interface RouteDefinition {
  method: string;
  /** e.g. '/api/v2/oauth/clients/{clientId}' */
  template: string;
  access: RouteAccess;
  /** Any one of these grants access; empty: a valid token is enough. */
  permissions: readonly string[];
  handle(context: RouteContext): RouteResult | Promise<RouteResult>;
}

export function route(
  method: string,
  template: string,
  permissions: readonly string[],
  handle: RouteDefinition['handle'],
  access: RouteAccess = 'bearer',
): RouteDefinition {
  return { method, template, access, permissions, handle };
}

export function routeKey(definition: Pick<RouteDefinition, 'method' | 'template'>): string {
  return `${definition.method} ${definition.template}`;
}

export interface RouteMatch {
  definition: RouteDefinition;
  params: Record<string, string>;
}

interface CompiledRoute {
  definition: RouteDefinition;
  segments: string[];
  literalCount: number;
}

/** Matches by segments; a literal segment beats a parameter (`credentials/types` before `credentials/{id}`). */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(definitions: readonly RouteDefinition[]) {
    this.routes = definitions.map((definition) => {
      const segments = definition.template.split('/').filter(Boolean);
      return {
        definition,
        segments,
        literalCount: segments.filter((segment) => !isParameter(segment)).length,
      };
    });
  }

  match(method: string, pathname: string): RouteMatch | undefined {
    const pathSegments = pathname.split('/').filter(Boolean);
    let best: { compiled: CompiledRoute; params: Record<string, string> } | undefined;
    for (const compiled of this.routes) {
      if (compiled.definition.method !== method || compiled.segments.length !== pathSegments.length) continue;
      const params = matchSegments(compiled.segments, pathSegments);
      if (!params) continue;
      if (!best || compiled.literalCount > best.compiled.literalCount) best = { compiled, params };
    }
    return best && { definition: best.compiled.definition, params: best.params };
  }

  /** Whether any route serves this path with another method (405 rather than 404). */
  hasPath(pathname: string): boolean {
    const pathSegments = pathname.split('/').filter(Boolean);
    return this.routes.some(
      (compiled) =>
        compiled.segments.length === pathSegments.length &&
        matchSegments(compiled.segments, pathSegments) !== undefined,
    );
  }
}

function isParameter(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}

function matchSegments(
  template: readonly string[],
  path: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let index = 0; index < template.length; index++) {
    const expected = template[index] ?? '';
    const actual = path[index] ?? '';
    if (isParameter(expected)) {
      params[expected.slice(1, -1)] = safeDecode(actual);
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function pathParam(context: RouteContext, name: string): string {
  const value = context.params[name];
  if (value === undefined || value === '') throw badRequest(`Missing path parameter ${name}.`);
  return value;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): RouteResult {
  return headers ? { status, body, headers } : { status, body };
}

export function noContent(): RouteResult {
  return { status: 204 };
}

export function pagedListing<T>(
  entities: T[],
  query: URLSearchParams,
  selfUri: string,
  /** The page size when the caller sends none; null: the whole list is one page. */
  defaultPageSize: number | null = null,
): Record<string, unknown> {
  const requestedSize = Number(query.get('pageSize'));
  const requestedNumber = Number(query.get('pageNumber'));
  const paged = query.has('pageSize') || query.has('pageNumber');
  // v262's getOauthClients sends no paging parameters (§1.1): without them the default page size applies.
  const unpagedSize = defaultPageSize ?? Math.max(entities.length, 1);
  const pageSize = query.has('pageSize') && requestedSize > 0 ? Math.floor(requestedSize) : unpagedSize;
  const pageNumber = paged && requestedNumber > 0 ? Math.floor(requestedNumber) : 1;
  const pageCount = Math.max(1, Math.ceil(entities.length / pageSize));
  const start = (pageNumber - 1) * pageSize;
  const page = (uriPageNumber: number) => `${selfUri}?pageSize=${pageSize}&pageNumber=${uriPageNumber}`;
  return {
    entities: entities.slice(start, start + pageSize),
    pageSize,
    pageNumber,
    total: entities.length,
    pageCount,
    firstUri: page(1),
    lastUri: page(pageCount),
    selfUri: page(pageNumber),
    nextUri: pageNumber < pageCount ? page(pageNumber + 1) : undefined,
    previousUri: pageNumber > 1 ? page(pageNumber - 1) : undefined,
  };
}
