/** Shared pieces of the AWS JSON protocols (awsJson1_0 / awsJson1_1) the services speak. */

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue | undefined };
export type JsonObject = { [key: string]: JsonValue | undefined };

/** An error answered as `{"__type": code, "message": message}`; the SDK maps `code` to its typed exception. */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** One IAM check a request needs: the action on one resource, with what the service knows of it. */
export interface AuthorizationTarget {
  readonly action: string;
  /** The ARN IAM evaluates, or `*`. */
  readonly resource: string;
  /** Request context keys, e.g. `aws:ResourceTag/<key>`. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /**
   * Checked as this AWS service acting for the account (a resource-policy check, e.g. Secrets
   * Manager invoking a rotation function), not as the caller; `deniedMessage` is the service's answer.
   */
  readonly asService?: { readonly principal: string; readonly deniedMessage: string };
}

/** What a service does with one operation: its answer body, or a thrown AwsServiceError. */
export interface AwsServiceHandler {
  readonly service: 'secretsmanager' | 'events' | 'states' | 'sqs';
  /** The X-Amz-Target prefix, e.g. `secretsmanager` in `secretsmanager.GetSecretValue`. */
  readonly targetPrefix: string;
  readonly contentType: string;
  /** `__type` for server-side failures (faults with a 5xx status and no type). */
  readonly internalErrorType: string;
  has(operation: string): boolean;
  handle(operation: string, input: JsonObject): Promise<JsonObject> | JsonObject;
  /**
   * The IAM checks of an operation, before it runs (a denied caller learns nothing of the resource,
   * not even that it is missing). Empty when the input lacks the members that name the resource:
   * the operation's own validation answers that.
   */
  authorizationTargets(operation: string, input: JsonObject): readonly AuthorizationTarget[];
}

/** AWS JSON protocols carry timestamps as epoch seconds. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads typed members from a request body. Each service passes the `__type` it answers for bad
 * input (Secrets Manager: InvalidParameterException; EventBridge and Step Functions: ValidationException).
 */
export class InputReader {
  constructor(
    private readonly input: JsonObject,
    private readonly invalidType: string,
  ) {}

  string(member: string): string | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw this.invalid(member, 'must be a string');
    return value;
  }

  requiredString(member: string): string {
    const value = this.string(member);
    if (value === undefined || value === '') throw this.invalid(member, 'must not be null or empty');
    return value;
  }

  number(member: string): number | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.invalid(member, 'must be a number');
    return value;
  }

  boolean(member: string): boolean | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw this.invalid(member, 'must be a boolean');
    return value;
  }

  stringList(member: string): string[] | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw this.invalid(member, 'must be a list of strings');
    }
    return value as string[];
  }

  objectList(member: string): JsonObject[] | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || !value.every(isJsonObject))
      throw this.invalid(member, 'must be a list of structures');
    return value as JsonObject[];
  }

  object(member: string): JsonObject | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) return undefined;
    if (!isJsonObject(value)) throw this.invalid(member, 'must be a structure');
    return value;
  }

  private invalid(member: string, constraint: string): AwsServiceError {
    return new AwsServiceError(
      this.invalidType,
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member ${constraint}`,
    );
  }
}

/** Opaque page tokens: base64 of `{scope, offset}` so a token only works for the listing that made it. */
export function encodePageToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ scope, offset }), 'utf8').toString('base64');
}

export function decodePageToken(token: string, scope: string): number | null {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (isJsonObject(decoded) && decoded.scope === scope && typeof decoded.offset === 'number') {
      return decoded.offset;
    }
  } catch {
    // falls through: any undecodable token is invalid
  }
  return null;
}

export type Operation = (input: InputReader) => JsonObject;

/** A service as a table of operations: dispatch, unknown operations and input reading in one place. */
export abstract class OperationTable {
  protected abstract readonly operations: Readonly<Record<string, Operation>>;
  /** `__type` this service answers for a missing or malformed parameter. */
  protected abstract readonly invalidParameterType: string;

  has(operation: string): boolean {
    return Object.hasOwn(this.operations, operation);
  }

  handle(operation: string, input: JsonObject): JsonObject {
    const run = this.operations[operation];
    if (run === undefined)
      throw new AwsServiceError('UnknownOperationException', `Unknown operation ${operation}`);
    return run(new InputReader(input, this.invalidParameterType));
  }
}
