/**
 * The error vocabulary. Each class's `name` is the contract with the state machine's Retry/Catch
 * (`ErrorEquals`) and with the Secrets Manager hook; each `code` is the stable, documented reason
 * a user sees in events and CLI output. Messages name what is wrong and never carry a secret value.
 */

export type RotationErrorCode =
  | 'TARGET_NOT_FOUND'
  | 'QUOTA_EXCEEDED'
  | 'SCOPE_VIOLATION'
  | 'EXPIRATION_VIOLATION'
  | 'DEPENDENCY_CHECK_FAILED'
  | 'FORMAT_VERIFICATION_FAILED'
  | 'ROLLBACK_TRIGGERED'
  | 'ENVIRONMENT_MISMATCH'
  | 'SELF_ROTATION_REFUSED'
  | 'ROTATION_IN_PROGRESS'
  | 'INVALID_INPUT'
  | 'INVALID_CONFIGURATION'
  | 'UNSUPPORTED_KIND'
  | 'INSUFFICIENT_PRIVILEGE'
  | 'VERIFICATION_FAILED'
  | 'PROMOTION_PENDING'
  | 'PROMOTION_CONFLICT'
  | 'TRANSIENT_UPSTREAM'
  | 'NEEDS_ATTENTION'
  | 'CLIENT_LISTING_INCOMPLETE'
  | 'HARD_CODED_SECRET'
  | 'KEY_PROVIDER_FAILED'
  | 'DEPENDENT_HEALTH_FAILED';

export interface RotationErrorOptions extends ErrorOptions {
  /** Facts for events and logs (ids, counts, names). Never a secret value. */
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

/** Base class: every error the product throws on purpose. */
export abstract class RotationError extends Error {
  /**
   * A literal per class, never `constructor.name`: bundles are minified, and Lambda reports
   * `errorType` from `name`, which is what `ErrorEquals` matches.
   */
  abstract override readonly name: string;
  abstract readonly code: RotationErrorCode;
  /** Whether the state machine may retry the task that threw it. */
  readonly retryable: boolean = false;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;

  constructor(message: string, options: RotationErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details ?? {};
  }
}

/** The secret, the legacy client or the org the secret points at does not exist. */
export class TargetNotFoundError extends RotationError {
  static readonly errorName = 'TargetNotFoundError';
  override readonly name = TargetNotFoundError.errorName;
  readonly code = 'TARGET_NOT_FOUND';
}
/** The org has no room for one more OAuth client. */
export class QuotaExceededError extends RotationError {
  static readonly errorName = 'QuotaExceededError';
  override readonly name = QuotaExceededError.errorName;
  readonly code = 'QUOTA_EXCEEDED';
}
/** The new client would hold roles outside the allow-list or beyond the legacy client's. */
export class ScopeViolationError extends RotationError {
  static readonly errorName = 'ScopeViolationError';
  override readonly name = ScopeViolationError.errorName;
  readonly code = 'SCOPE_VIOLATION';
}
/** The rotation interval is outside 1-365 days, or the token validity is out of range. */
export class ExpirationViolationError extends RotationError {
  static readonly errorName = 'ExpirationViolationError';
  override readonly name = ExpirationViolationError.errorName;
  readonly code = 'EXPIRATION_VIOLATION';
}
/** The legacy client has no recorded use and policy does not allow rotating unused clients. */
export class DependencyCheckFailedError extends RotationError {
  static readonly errorName = 'DependencyCheckFailedError';
  override readonly name = DependencyCheckFailedError.errorName;
  readonly code = 'DEPENDENCY_CHECK_FAILED';
}
/** A secret value or a Genesys response does not have the documented shape. */
export class FormatVerificationFailedError extends RotationError {
  static readonly errorName = 'FormatVerificationFailedError';
  override readonly name = FormatVerificationFailedError.errorName;
  readonly code = 'FORMAT_VERIFICATION_FAILED';
}
/** Raised by the rollback path itself when it must stop the rotation on purpose. */
export class RollbackTriggeredError extends RotationError {
  static readonly errorName = 'RollbackTriggeredError';
  override readonly name = RollbackTriggeredError.errorName;
  readonly code = 'ROLLBACK_TRIGGERED';
}
/** The secret's environment tag does not match the Genesys org it points at. */
export class EnvironmentMismatchError extends RotationError {
  static readonly errorName = 'EnvironmentMismatchError';
  override readonly name = EnvironmentMismatchError.errorName;
  readonly code = 'ENVIRONMENT_MISMATCH';
}
/** The target is the rotator's own admin credential. */
export class SelfRotationRefusedError extends RotationError {
  static readonly errorName = 'SelfRotationRefusedError';
  override readonly name = SelfRotationRefusedError.errorName;
  readonly code = 'SELF_ROTATION_REFUSED';
}
/** Another rotation of the same secret is under way (pending version or a running execution). */
export class RotationInProgressError extends RotationError {
  static readonly errorName = 'RotationInProgressError';
  override readonly name = RotationInProgressError.errorName;
  readonly code = 'ROTATION_IN_PROGRESS';
}
/** Execution input, secret value or event of the wrong shape or size. */
export class InvalidInputError extends RotationError {
  static readonly errorName = 'InvalidInputError';
  override readonly name = InvalidInputError.errorName;
  readonly code = 'INVALID_INPUT';
}
/** The policy configuration (CDK props or Lambda environment) is invalid. */
export class InvalidConfigurationError extends RotationError {
  static readonly errorName = 'InvalidConfigurationError';
  override readonly name = InvalidConfigurationError.errorName;
  readonly code = 'INVALID_CONFIGURATION';
}
/** The secret is tagged with a credential kind this release does not rotate. */
export class UnsupportedKindError extends RotationError {
  static readonly errorName = 'UnsupportedKindError';
  override readonly name = UnsupportedKindError.errorName;
  readonly code = 'UNSUPPORTED_KIND';
}
/** The rotator's admin credential lacks a role or permission it must hold or grant. */
export class InsufficientPrivilegeError extends RotationError {
  static readonly errorName = 'InsufficientPrivilegeError';
  override readonly name = InsufficientPrivilegeError.errorName;
  readonly code = 'INSUFFICIENT_PRIVILEGE';
}
/** The pending credential was refused or does not name the new client. */
export class VerificationFailedError extends RotationError {
  static readonly errorName = 'VerificationFailedError';
  override readonly name = VerificationFailedError.errorName;
  readonly code = 'VERIFICATION_FAILED';
}
/** A new client is not yet accepted by Genesys (eventual consistency); retried by the state machine. */
export class CredentialNotYetActiveError extends RotationError {
  static readonly errorName = 'CredentialNotYetActiveError';
  override readonly name = CredentialNotYetActiveError.errorName;
  readonly code = 'VERIFICATION_FAILED';
  override readonly retryable = true;
}
/** Native rotation: finishSecret has not yet moved AWSCURRENT; retried by the state machine. */
export class PromotionPendingError extends RotationError {
  static readonly errorName = 'PromotionPendingError';
  override readonly name = PromotionPendingError.errorName;
  readonly code = 'PROMOTION_PENDING';
  override readonly retryable = true;
}
/** AWSCURRENT moved to a version this execution does not own. */
export class PromotionConflictError extends RotationError {
  static readonly errorName = 'PromotionConflictError';
  override readonly name = PromotionConflictError.errorName;
  readonly code = 'PROMOTION_CONFLICT';
}
/** Genesys or AWS answered 429/5xx or timed out after the adapter's own retries. */
export class TransientUpstreamError extends RotationError {
  static readonly errorName = 'TransientUpstreamError';
  override readonly name = TransientUpstreamError.errorName;
  readonly code = 'TRANSIENT_UPSTREAM';
  override readonly retryable = true;
}
/** A rotation hook step waited its whole budget for the execution's milestone; Secrets Manager retries. */
export class HookWaitTimeoutError extends RotationError {
  static readonly errorName = 'HookWaitTimeoutError';
  override readonly name = HookWaitTimeoutError.errorName;
  readonly code = 'TRANSIENT_UPSTREAM';
  override readonly retryable = true;
}
/** The rotation execution behind a Secrets Manager hook step failed; names the step and the cause. */
export class RotationStepFailedError extends RotationError {
  static readonly errorName = 'RotationStepFailedError';
  override readonly name = RotationStepFailedError.errorName;
  readonly code = 'ROLLBACK_TRIGGERED';
}
/** Genesys listed the org's OAuth clients over several pages; the rotator cannot read the others. */
export class ClientListingIncompleteError extends RotationError {
  static readonly errorName = 'ClientListingIncompleteError';
  override readonly name = ClientListingIncompleteError.errorName;
  readonly code = 'CLIENT_LISTING_INCOMPLETE';
}
/** Something after promotion failed; a human must look. Never rolls the secret back. */
export class NeedsAttentionError extends RotationError {
  static readonly errorName = 'NeedsAttentionError';
  override readonly name = NeedsAttentionError.errorName;
  readonly code = 'NEEDS_ATTENTION';
}

/** The fleet machine's Fail error: more of the selected secrets failed than the fleet tolerates. */
export class FleetFailureToleranceExceededError extends RotationError {
  static readonly errorName = 'FleetFailureToleranceExceededError';
  override readonly name = FleetFailureToleranceExceededError.errorName;
  readonly code = 'NEEDS_ATTENTION';
}

/** Names the state machine retries with backoff. */
export const RETRYABLE_ERROR_NAMES = [TransientUpstreamError.errorName] as const;

/** Narrows an unknown thrown value; any value can be thrown in JavaScript. */
export function assertIsError(error: unknown): asserts error is Error {
  if (!(error instanceof Error)) {
    throw new Error(`Expected an Error, got ${typeof error}`);
  }
}

/**
 * A dependent of the rotated credential (an integration following its OAuth client) failed its
 * Data Action test after the flip; the dependents were flipped back to the legacy credential.
 */
export class DependentHealthCheckFailedError extends RotationError {
  static readonly errorName = 'DependentHealthCheckFailedError';
  override readonly name = DependentHealthCheckFailedError.errorName;
  readonly code = 'DEPENDENT_HEALTH_FAILED';
}
