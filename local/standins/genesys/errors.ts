import { randomUUID } from 'node:crypto';

/** Genesys' ErrorBody (genesys-cloud-api.md §3): every /api/v2 error answers with this shape. */
export interface ErrorBody {
  message: string;
  code: string;
  status: number;
  contextId: string;
  details: unknown[];
  errors: unknown[];
  messageWithParams?: string;
  messageParams?: Record<string, string>;
  entityId?: string;
  entityName?: string;
  limit?: { key: string; namespace: string; value: number };
}

export type ErrorBodyExtras = Omit<Partial<ErrorBody>, 'message' | 'code' | 'status'>;

export function errorBody(
  status: number,
  code: string,
  message: string,
  extras: ErrorBodyExtras = {},
): ErrorBody {
  return { message, code, status, contextId: randomUUID(), details: [], errors: [], ...extras };
}

/** Thrown by route handlers; the server turns it into an ErrorBody response. */
export class GenesysApiError extends Error {
  override readonly name = 'GenesysApiError';
  readonly body: ErrorBody;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    code: string,
    message: string,
    extras: ErrorBodyExtras = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.body = errorBody(status, code, message, extras);
    this.headers = headers;
  }
}

export function badRequest(message: string, extras: ErrorBodyExtras = {}): GenesysApiError {
  return new GenesysApiError(400, 'bad.request', message, extras);
}

export function notFound(message = 'The requested resource was not found.'): GenesysApiError {
  return new GenesysApiError(404, 'not.found', message);
}

/** Default body for a fault rule that names a status but no body. */
export function defaultErrorBodyForStatus(status: number): ErrorBody {
  const byStatus: Record<number, [string, string]> = {
    400: ['bad.request', 'The request could not be understood by the server due to malformed syntax.'],
    401: ['bad.credentials', 'Invalid login credentials.'],
    403: ['not.authorized', 'You are not authorized to perform the requested action.'],
    404: ['not.found', 'The requested resource was not found.'],
    409: ['conflict', 'The request conflicts with the current state of the resource.'],
    429: [
      'too.many.requests.retry.after',
      'Rate limit exceeded the maximum. Retry the request in [1] seconds',
    ],
    500: ['internal.server.error', 'The server encountered an unexpected condition.'],
    502: ['bad.gateway', 'The server received an invalid response from an upstream server.'],
    503: [
      'service.unavailable',
      'Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance).',
    ],
    504: ['gateway.timeout', 'The request timed out.'],
  };
  const [code, message] = byStatus[status] ?? ['error', `Injected fault (HTTP ${status}).`];
  return errorBody(status, code, message);
}
