/**
 * Whether an error means "Genesys does not accept this credential or its token", read from every
 * shape the Genesys SDK rejects with: an API call's parsed ErrorBody (`{status, code}`), an extended
 * response (`{status, body}`), the token endpoint's raw axios error (`response.status`,
 * `response.data.error`), or an HTTP client's own error (`status`, `errorCode`).
 */
import { CredentialRejectedError } from './errors.js';

/** Token-endpoint refusals that mean a bad credential (genesys-cloud-api.md §2.2: do not rely on 401 there). */
const CREDENTIAL_ERROR_CODES = new Set(['invalid_client', 'unauthorized_client']);

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function statusOf(error: unknown): number | null {
  const status = field(error, 'status') ?? field(field(error, 'response'), 'status');
  return typeof status === 'number' ? status : null;
}

function oauthErrorCodeOf(error: unknown): string | null {
  const candidates = [
    field(error, 'errorCode'),
    field(error, 'error'),
    field(field(error, 'body'), 'error'),
    field(field(field(error, 'response'), 'data'), 'error'),
  ];
  const code = candidates.find((candidate) => typeof candidate === 'string');
  return typeof code === 'string' ? code : null;
}

/** 401 from any call, or `invalid_client`/`unauthorized_client` from the token endpoint. */
export function isCredentialRejected(error: unknown): boolean {
  if (error instanceof CredentialRejectedError) return true;
  if (statusOf(error) === 401) return true;
  const code = oauthErrorCodeOf(error);
  return code !== null && CREDENTIAL_ERROR_CODES.has(code);
}

/** The HTTP status and OAuth error code of a failed token request, for messages (never the request). */
export function describeHttpFailure(error: unknown): { status: number | null; code: string | null } {
  return { status: statusOf(error), code: oauthErrorCodeOf(error) };
}
