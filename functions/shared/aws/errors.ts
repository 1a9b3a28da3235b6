/**
 * Classifying AWS SDK v3 errors. The SDK has already retried throttling and 5xx with its own
 * standard retry strategy by the time an adapter sees an error; what is left is mapped to the
 * product's typed errors. Only the error's name, message, status and request id are kept: no raw
 * SDK error is attached as `cause` (a request echo could carry a secret value).
 */
import { InsufficientPrivilegeError, RotationError, TransientUpstreamError } from '../errors.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export interface AwsErrorFacts {
  readonly name: string;
  readonly message: string;
  readonly httpStatusCode: number | null;
  readonly requestId: string | null;
  readonly fault: string | null;
  readonly code: string | null;
}

export function awsErrorFacts(error: unknown): AwsErrorFacts {
  if (!isRecord(error)) {
    return {
      name: typeof error,
      message: '',
      httpStatusCode: null,
      requestId: null,
      fault: null,
      code: null,
    };
  }
  const metadata = isRecord(error.$metadata) ? error.$metadata : {};
  const message = typeof error.message === 'string' ? error.message : '';
  return {
    name: typeof error.name === 'string' ? error.name : 'Error',
    message: message.length > 300 ? `${message.slice(0, 300)}...` : message,
    httpStatusCode: typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : null,
    requestId: typeof metadata.requestId === 'string' ? metadata.requestId : null,
    fault: typeof error.$fault === 'string' ? error.$fault : null,
    code: typeof error.code === 'string' ? error.code : null,
  };
}

/** Whether `error` is the AWS service error named `name` (works with mocks and real SDK errors). */
export function isAwsError(error: unknown, name: string): boolean {
  return isRecord(error) && error.name === name;
}

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
  'KmsThrottlingException',
]);
const SERVER_NAMES = new Set([
  'InternalServiceError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
]);
const ACCESS_NAMES = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'KmsAccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'DecryptionFailure',
  'EncryptionFailure',
]);

export function isTransientAwsError(error: unknown): boolean {
  const facts = awsErrorFacts(error);
  if (THROTTLING_NAMES.has(facts.name) || SERVER_NAMES.has(facts.name)) return true;
  if (facts.code !== null && NETWORK_CODES.has(facts.code)) return true;
  if (facts.httpStatusCode === 429 || (facts.httpStatusCode !== null && facts.httpStatusCode >= 500))
    return true;
  return facts.fault === 'server';
}

/** An AWS failure that is neither transient nor a known condition of the adapter. */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';
  readonly awsErrorName: string;
  readonly httpStatusCode: number | null;
  readonly requestId: string | null;

  constructor(message: string, facts: AwsErrorFacts) {
    super(message);
    this.awsErrorName = facts.name;
    this.httpStatusCode = facts.httpStatusCode;
    this.requestId = facts.requestId;
  }
}

/** Maps what is left after the adapter handled the conditions it expects. */
export function mapAwsError(error: unknown, service: string, operation: string): Error {
  if (error instanceof RotationError) return error;
  const facts = awsErrorFacts(error);
  const summary = `${service} ${operation} failed: ${facts.name}${facts.message ? `: ${facts.message}` : ''}`;
  const details = {
    service,
    operation,
    awsError: facts.name,
    status: facts.httpStatusCode,
    requestId: facts.requestId,
  };
  if (isTransientAwsError(error)) return new TransientUpstreamError(summary, { details });
  if (ACCESS_NAMES.has(facts.name)) return new InsufficientPrivilegeError(summary, { details });
  return new AwsServiceError(summary, facts);
}
