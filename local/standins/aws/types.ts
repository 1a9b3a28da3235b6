/** Public shapes of the AWS stand-in; `index.ts` re-exports them. */
import type { IamAuthority } from './iam.js';
import type { SqsMessage } from './sqs.js';

export type AwsServiceName = 'secretsmanager' | 'events' | 'states' | 'sqs' | 'lambda';

export interface Clock {
  now(): Date;
}

export interface AwsStandInOptions {
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Default 'eu-west-1'. */
  region?: string;
  /** Default '123456789012'. */
  accountId?: string;
  /** Source of every timestamp the stand-in reports (dates, history, LastRotatedDate...). */
  clock?: Clock;
  /** How many times a failed rotation is attempted in total (first try included). Default 2. */
  rotationAttempts?: number;
  /**
   * The 6-character suffix Secrets Manager appends to a new secret's ARN (random in AWS). Local
   * mode derives it from the name, so the template it synthesizes before the secrets exist can
   * name their complete ARNs in IAM policies. @default random
   */
  secretArnSuffix?: (name: string) => string;
  /**
   * The ClientRequestToken of a retried rotation. AWS "retries the entire rotation process" after a
   * failed step (aws-rotation-and-local-tooling.md §1.5) but does not say with which token: 'same'
   * re-stages AWSPENDING on the first token; 'new' stages a fresh value-less AWSPENDING version
   * (the label leaves the earlier attempt's version). Default 'same'.
   */
  rotationRetryToken?: RotationRetryToken;
  /** Checks every request's signer against IAM (see `iam.ts`); also settable later with `setIamAuthority`. Default none. */
  iam?: IamAuthority;
}

export type RotationRetryToken = 'same' | 'new';

export interface AwsRequestRecord {
  readonly service: AwsServiceName;
  readonly operation: string;
  /** HTTP status answered; 0 when the connection was dropped by a fault. */
  readonly status: number;
  /** `__type` of the error answered, `'ConnectionDropped'` for a dropped connection, else null. */
  readonly errorType: string | null;
  readonly at: Date;
}

/**
 * One injected fault. `operation` is `'PutSecretValue'` (any service) or `'<service>.<Op>'` where
 * service is `secretsmanager`, `events`/`AWSEvents` or `states`/`AWSStepFunctions`.
 *
 * Which calls it hits, counting the calls of that operation made since the rule was added:
 * with `nth`, calls nth .. nth+times-1 (times defaults to 1); without `nth`, the first `times`
 * calls, or every call when `times` is absent too.
 *
 * What it does: wait `latencyMs` first; then `drop` the connection, or answer `status`/`errorType`
 * (either alone is enough: status 5xx defaults to the service's internal error, status 429 to
 * ThrottlingException, errorType alone to 400, or 500 for internal-error types). A rule with only
 * `latencyMs` delays the real answer. `afterApply` performs the operation first, then fails.
 */
export interface AwsFaultRule {
  operation: string;
  nth?: number;
  times?: number;
  status?: number;
  errorType?: string;
  message?: string;
  latencyMs?: number;
  drop?: boolean;
  afterApply?: boolean;
}

export interface SecretVersionSnapshot {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly hasValue: boolean;
  readonly createdDate: Date;
}

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

export interface RotationEvent {
  Step: string;
  SecretId: string;
  ClientRequestToken: string;
  RotationToken: string;
}

export type RotationFunction = (event: RotationEvent) => Promise<void>;

export interface RotationStepRecord {
  readonly step: RotationStep;
  readonly ok: boolean;
  /** `'<error name>: <message>'` when the step threw. */
  readonly error: string | null;
}

export interface RotationAttemptRecord {
  /** The ClientRequestToken of this attempt. */
  readonly token: string;
  readonly steps: readonly RotationStepRecord[];
}

export type RotationOutcome = 'running' | 'succeeded' | 'failed';

export interface RotationRecord {
  readonly secretArn: string;
  /** The token of the latest attempt (the first one's unless rotationRetryToken is 'new'). */
  readonly token: string;
  readonly rotateImmediately: boolean;
  readonly attempts: readonly RotationAttemptRecord[];
  readonly outcome: RotationOutcome;
}

export interface RecordedEvent {
  readonly eventId: string;
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  /** The entry's Detail, parsed. */
  readonly detail: unknown;
  readonly resources: readonly string[];
  readonly time: Date;
}

/** An event as EventBridge hands it to a rule's target (a Lambda's `event`, an SQS message body). */
export interface EventBridgeTargetEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO-8601 to the second, as EventBridge writes it. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

export interface ExecutionContext {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  startDate: Date;
  /** Aborted by StopExecution (and when the stand-in closes). */
  signal: AbortSignal;
  /**
   * Appends a history event; the stand-in assigns ids/timestamps. Types follow Step Functions'
   * HistoryEventType (e.g. 'TaskStateEntered', 'TaskStateExited', 'ChoiceStateEntered',
   * 'WaitStateEntered', 'TaskFailed'...). `details` is the content of the event's details member
   * (e.g. `{input}` for `stateEnteredEventDetails`), or that member itself
   * (`{stateEnteredEventDetails: {...}}`). `stateName` fills the `name` of state entered/exited
   * details; `input`/`output`/`parameters` values that are not strings are JSON-encoded, as AWS
   * reports them as JSON text. Execution* events are the stand-in's own and are ignored here; a type
   * that is not a HistoryEventType is dropped with a process warning.
   */
  recordEvent(event: { type: string; stateName?: string; details?: Record<string, unknown> }): void;
}

/** Resolve = SUCCEEDED with the value as output; reject with an Error whose `name` is the error and `message` the cause = FAILED. */
export type ExecutionRunner = (input: unknown, context: ExecutionContext) => Promise<unknown>;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface ExecutionOutcome {
  status: string;
  output: string | null;
  error: string | null;
  cause: string | null;
}

export interface AwsStandIn {
  readonly url: string;
  readonly region: string;
  readonly accountId: string;
  close(): Promise<void>;
  /**
   * Installs (or, with null, removes) the IAM authority every later request is checked against:
   * the access key of its SigV4 `Authorization` header names the caller.
   */
  setIamAuthority(authority: IamAuthority | null): void;
  /** Every request, in order of answer. */
  readonly requestLog: readonly AwsRequestRecord[];
  readonly faults: { add(rule: AwsFaultRule): void; clear(): void };
  readonly secretsManager: {
    /** Registers the in-process function Secrets Manager calls for a rotation Lambda ARN. */
    registerRotationFunction(lambdaArn: string, invoke: RotationFunction): void;
    /** Versions as stored, deprecated ones included, oldest first. */
    versions(secretId: string): SecretVersionSnapshot[];
    /** One record per RotateSecret call, oldest first. */
    rotations(): readonly RotationRecord[];
    /** Resolves when no rotation of that secret is running (returns its latest record). */
    waitForRotation(secretId: string, timeoutMs?: number): Promise<RotationRecord>;
  };
  readonly eventBridge: {
    readonly events: readonly RecordedEvent[];
    /** A rule targeting `listener`: each event put is delivered as a target receives it; returns unsubscribe. */
    subscribe(listener: (event: EventBridgeTargetEvent) => void): () => void;
  };
  /** SQS (the webhooks' dead-letter queue): messages on a queue, in flight ones included, oldest first. */
  readonly sqs: { messages(queueName: string): readonly SqsMessage[]; urlOf(queueName: string): string };
  /** Lambda's Invoke API for registered functions (see lambda.ts). */
  readonly lambda: {
    /** `invoke` rejects with an error whose `name` is the function's errorType. */
    registerFunction(functionArn: string, invoke: (event: unknown) => Promise<unknown>): void;
  };
  readonly stepFunctions: {
    /** `definition`: the ASL DescribeStateMachine answers with. */
    registerStateMachine(
      stateMachineArn: string,
      runner: ExecutionRunner,
      options?: { readonly definition?: unknown },
    ): void;
    /** Resolves with the execution's final description once it is no longer RUNNING. */
    waitForExecution(executionArn: string, timeoutMs?: number): Promise<ExecutionOutcome>;
  };
}
