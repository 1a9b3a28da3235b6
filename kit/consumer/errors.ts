/**
 * The kit's errors. Each `name` is a literal (bundles are minified, and a Lambda reports `errorType`
 * from `name`). Messages and `details` carry ids, statuses and field names only: never a secret value,
 * an access token, or the text of a secret that failed to parse.
 */

export interface ConsumerKitErrorOptions {
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
  /** Only errors known to hold no secret (AWS SDK errors); never an HTTP client error with request headers. */
  readonly cause?: unknown;
}

export abstract class ConsumerKitError extends Error {
  abstract override readonly name: string;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;

  constructor(message: string, options: ConsumerKitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details ?? {};
  }
}

/** Secrets Manager did not answer AWSCURRENT (not found, access denied, throttled, unreachable). */
export class SecretReadFailedError extends ConsumerKitError {
  static readonly errorName = 'SecretReadFailedError';
  override readonly name = SecretReadFailedError.errorName;
}

/** AWSCURRENT is not `{"clientId", "clientSecret", "environment"}`; the message names fields, not values. */
export class CredentialMalformedError extends ConsumerKitError {
  static readonly errorName = 'CredentialMalformedError';
  override readonly name = CredentialMalformedError.errorName;
}

/**
 * Genesys refused the credential (`invalid_client`/`unauthorized_client` at the token endpoint, or 401),
 * also after AWSCURRENT was re-read: the secret names a client that cannot log in.
 */
export class CredentialRejectedError extends ConsumerKitError {
  static readonly errorName = 'CredentialRejectedError';
  override readonly name = CredentialRejectedError.errorName;
}

/** The token endpoint failed for another reason (429, 5xx, network): worth retrying later. */
export class TokenRequestFailedError extends ConsumerKitError {
  static readonly errorName = 'TokenRequestFailedError';
  override readonly name = TokenRequestFailedError.errorName;
}
