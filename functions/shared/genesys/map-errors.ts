/**
 * Turning whatever the SDK rejected with into the product's typed errors. Messages carry ids,
 * statuses and Genesys' own error code/description only; every text is passed through `redact`
 * with the secrets in play, and no raw error is ever attached as `cause`.
 */
import {
  InsufficientPrivilegeError,
  InvalidInputError,
  RotationError,
  TargetNotFoundError,
  TransientUpstreamError,
} from '../errors.js';
import { type GenesysHttpError, isGenesysHttpError } from './http.js';

const REDACTED = '[REDACTED]';

/** Replaces each secret (and the Basic credential built from it) in `text`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** The Basic credential string a login sends: redacted as well, in case anything echoes it. */
export function basicCredential(clientId: string, clientSecret: string): string {
  return Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
}

/** A safe one-line description of something unknown that was thrown. */
export function describeUnknown(error: unknown, secrets: readonly string[]): string {
  let text: string;
  if (typeof error === 'string') text = error;
  else if (error instanceof Error) text = `${error.name}: ${error.message}`;
  else text = `non-error value of type ${typeof error}`;
  if (text.length > 300) text = `${text.slice(0, 300)}...`;
  return redact(text, secrets);
}

export function httpDetails(error: GenesysHttpError, operation: string) {
  return {
    operation,
    status: error.status,
    genesysCode: error.errorCode,
    attempts: error.attempts,
    path: error.path,
  };
}

export interface MapContext {
  /** Human name of what was attempted, e.g. `get OAuth client 1234`. */
  readonly operation: string;
  /** The admin client id, named in privilege errors. */
  readonly actorClientId: string;
  readonly secrets: readonly string[];
}

/** Maps an API (not login) failure. */
export function mapApiError(error: unknown, context: MapContext): Error {
  if (error instanceof RotationError) return error;
  const { operation, secrets } = context;
  if (!isGenesysHttpError(error)) {
    return new Error(`Genesys ${operation} failed unexpectedly: ${describeUnknown(error, secrets)}`);
  }
  const detail = redact(error.message, secrets);
  const details = httpDetails(error, operation);
  if (error.transient) {
    return new TransientUpstreamError(`Genesys ${operation} failed transiently: ${detail}`, { details });
  }
  switch (error.status) {
    case 401:
      // Only reached after a fresh login and one retry: the token Genesys just issued was refused.
      return new TransientUpstreamError(
        `Genesys refused a freshly issued token of client ${context.actorClientId} for ${operation}: ${detail}`,
        { details },
      );
    case 403:
      return new InsufficientPrivilegeError(
        `The rotator's admin client ${context.actorClientId} is not permitted to ${operation}: ${detail}`,
        { details },
      );
    case 404:
      return new TargetNotFoundError(`Genesys could not ${operation}: not found (${detail})`, { details });
    default:
      return new InvalidInputError(`Genesys refused to ${operation}: ${detail}`, { details });
  }
}
