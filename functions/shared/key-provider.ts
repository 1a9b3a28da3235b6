/**
 * The key provider port (docs/KEY-PROVIDERS.md) and its errors. `issue` is the only call whose answer
 * holds a key: callers hand it straight to Secrets Manager (see `core/partner-key/issue.ts`).
 */
import { RotationError } from './errors.js';
import type {
  IssueKeyRequest,
  IssueKeyResponse,
  KeyUsageRequest,
  KeyUsageResponse,
  RevokeKeyRequest,
  RevokeKeyResponse,
  RevokeTokenKeysRequest,
  RevokeTokenKeysResponse,
  TestKeyRequest,
  TestKeyResponse,
} from './key-provider-contract.js';

export interface KeyProviderPort {
  issue(request: Omit<IssueKeyRequest, 'operation'>): Promise<IssueKeyResponse>;
  test(request: Omit<TestKeyRequest, 'operation'>): Promise<TestKeyResponse>;
  revoke(request: Omit<RevokeKeyRequest, 'operation'>): Promise<RevokeKeyResponse>;
  /**
   * Revokes every key issued for a rotation token (a rolled-back Create's key that was never stored);
   * `null` when the provider does not implement `revokeTokenKeys`.
   */
  revokeTokenKeys(
    request: Omit<RevokeTokenKeysRequest, 'operation'>,
  ): Promise<RevokeTokenKeysResponse | null>;
  /** The partner's counters for one key; `null` when the provider does not implement `usage`. */
  usage(request: Omit<KeyUsageRequest, 'operation'>): Promise<KeyUsageResponse | null>;
}

/**
 * The provider failed (its function threw, or answered outside the contract). The message names
 * the operation, the provider and the error type, never a value from the request or answer.
 */
export class KeyProviderFailedError extends RotationError {
  static readonly errorName = 'KeyProviderFailedError';
  override readonly name = KeyProviderFailedError.errorName;
  readonly code = 'KEY_PROVIDER_FAILED';
}

/** The provider's function could not be reached for now (throttled, 5xx); retried by the state machine. */
export class KeyProviderUnavailableError extends RotationError {
  static readonly errorName = 'KeyProviderUnavailableError';
  override readonly name = KeyProviderUnavailableError.errorName;
  readonly code = 'TRANSIENT_UPSTREAM';
  override readonly retryable = true;
}
