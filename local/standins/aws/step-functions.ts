import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  type AuthorizationTarget,
  AwsServiceError,
  type AwsServiceHandler,
  decodePageToken,
  encodePageToken,
  epochSeconds,
  type InputReader,
  isJsonObject,
  type JsonObject,
  type Operation,
  OperationTable,
} from './protocol.js';
import type { Clock, ExecutionOutcome, ExecutionRunner, ExecutionStatus } from './types.js';

const MAX_INPUT_BYTES = 256 * 1024;
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([^:]+)$/;
// Step Functions rejects whitespace, brackets, wildcards, these punctuation marks and control characters in names.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what the rule forbids
const INVALID_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

/** Types of Step Functions' HistoryEventType; anything else is a runner bug. */
const HISTORY_EVENT_TYPES = new Set([
  'ActivityFailed',
  'ActivityScheduleFailed',
  'ActivityScheduled',
  'ActivityStarted',
  'ActivitySucceeded',
  'ActivityTimedOut',
  'ChoiceStateEntered',
  'ChoiceStateExited',
  'EvaluationFailed',
  'ExecutionAborted',
  'ExecutionFailed',
  'ExecutionRedriven',
  'ExecutionStarted',
  'ExecutionSucceeded',
  'ExecutionTimedOut',
  'FailStateEntered',
  'LambdaFunctionFailed',
  'LambdaFunctionScheduleFailed',
  'LambdaFunctionScheduled',
  'LambdaFunctionStartFailed',
  'LambdaFunctionStarted',
  'LambdaFunctionSucceeded',
  'LambdaFunctionTimedOut',
  'MapIterationAborted',
  'MapIterationFailed',
  'MapIterationStarted',
  'MapIterationSucceeded',
  'MapRunAborted',
  'MapRunFailed',
  'MapRunRedriven',
  'MapRunStarted',
  'MapRunSucceeded',
  'MapStateAborted',
  'MapStateEntered',
  'MapStateExited',
  'MapStateFailed',
  'MapStateStarted',
  'MapStateSucceeded',
  'ParallelStateAborted',
  'ParallelStateEntered',
  'ParallelStateExited',
  'ParallelStateFailed',
  'ParallelStateStarted',
  'ParallelStateSucceeded',
  'PassStateEntered',
  'PassStateExited',
  'SucceedStateEntered',
  'SucceedStateExited',
  'TaskFailed',
  'TaskScheduled',
  'TaskStartFailed',
  'TaskStarted',
  'TaskStateAborted',
  'TaskStateEntered',
  'TaskStateExited',
  'TaskSubmitFailed',
  'TaskSubmitted',
  'TaskSucceeded',
  'TaskTimedOut',
  'WaitStateAborted',
  'WaitStateEntered',
  'WaitStateExited',
]);

/** The `<type>EventDetails` members HistoryEvent has; other types carry no details. */
const DETAIL_MEMBERS = new Set([
  'activityFailedEventDetails',
  'activityScheduleFailedEventDetails',
  'activityScheduledEventDetails',
  'activityStartedEventDetails',
  'activitySucceededEventDetails',
  'activityTimedOutEventDetails',
  'taskFailedEventDetails',
  'taskScheduledEventDetails',
  'taskStartFailedEventDetails',
  'taskStartedEventDetails',
  'taskSubmitFailedEventDetails',
  'taskSubmittedEventDetails',
  'taskSucceededEventDetails',
  'taskTimedOutEventDetails',
  'executionFailedEventDetails',
  'executionStartedEventDetails',
  'executionSucceededEventDetails',
  'executionAbortedEventDetails',
  'executionTimedOutEventDetails',
  'executionRedrivenEventDetails',
  'mapStateStartedEventDetails',
  'mapIterationStartedEventDetails',
  'mapIterationSucceededEventDetails',
  'mapIterationFailedEventDetails',
  'mapIterationAbortedEventDetails',
  'lambdaFunctionFailedEventDetails',
  'lambdaFunctionScheduleFailedEventDetails',
  'lambdaFunctionScheduledEventDetails',
  'lambdaFunctionStartFailedEventDetails',
  'lambdaFunctionSucceededEventDetails',
  'lambdaFunctionTimedOutEventDetails',
  'mapRunStartedEventDetails',
  'mapRunFailedEventDetails',
  'mapRunRedrivenEventDetails',
  'evaluationFailedEventDetails',
]);

/** Members AWS reports as JSON text rather than as structures. */
const JSON_TEXT_MEMBERS = new Set(['input', 'output', 'parameters']);

interface HistoryEntry {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
  readonly type: string;
  readonly detailsMember: string | null;
  readonly details: JsonObject;
}

interface Execution {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate: Date | null;
  output: string | null;
  error: string | null;
  cause: string | null;
  readonly history: HistoryEntry[];
  readonly controller: AbortController;
  readonly closed: Promise<void>;
  markClosed(): void;
}

export interface StepFunctionsOptions {
  readonly clock: Clock;
}

/**
 * An execution's stop signal. Every task running at once listens on it (a fleet's Map runs dozens
 * of `.sync` children side by side), so Node's 10-listener warning would be noise, not a leak: each
 * task removes its listener when it ends.
 */
function executionController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** The Step Functions execution API over in-process runners (local mode runs the synthesized ASL in one). */
export class StepFunctionsStandIn extends OperationTable implements AwsServiceHandler {
  readonly service = 'states';
  readonly targetPrefix = 'AWSStepFunctions';
  readonly contentType = 'application/x-amz-json-1.0';
  readonly internalErrorType = 'InternalFailure';

  private readonly stateMachines = new Map<
    string,
    {
      name: string;
      region: string;
      accountId: string;
      runner: ExecutionRunner;
      definition: string | null;
      creationDate: Date;
    }
  >();
  /** In start order; listings reverse it for newest first. */
  private readonly executions: Execution[] = [];
  private readonly warnedEventTypes = new Set<string>();
  protected readonly invalidParameterType = 'ValidationException';
  protected readonly operations: Readonly<Record<string, Operation>> = {
    StartExecution: (input) => this.startExecution(input),
    DescribeExecution: (input) => this.describeExecution(input),
    GetExecutionHistory: (input) => this.getExecutionHistory(input),
    StopExecution: (input) => this.stopExecution(input),
    ListExecutions: (input) => this.listExecutions(input),
    ListStateMachines: (input) => this.listStateMachines(input),
    DescribeStateMachine: (input) => this.describeStateMachine(input),
  };

  constructor(private readonly options: StepFunctionsOptions) {
    super();
  }

  /**
   * `states:<Operation>` on the state machine (Start, List, DescribeStateMachine), on `*`
   * (ListStateMachines) or on the execution (the others).
   */
  authorizationTargets(operation: string, input: JsonObject): AuthorizationTarget[] {
    if (operation === 'ListStateMachines') return [{ action: `states:${operation}`, resource: '*' }];
    const onMachine =
      operation === 'StartExecution' ||
      operation === 'ListExecutions' ||
      operation === 'DescribeStateMachine';
    const resource = onMachine ? input.stateMachineArn : input.executionArn;
    return typeof resource === 'string' && resource !== ''
      ? [{ action: `states:${operation}`, resource }]
      : [];
  }

  /** `definition` (the ASL it runs) is what DescribeStateMachine answers; without it that call fails. */
  registerStateMachine(
    stateMachineArn: string,
    runner: ExecutionRunner,
    options: { definition?: unknown } = {},
  ): void {
    const match = STATE_MACHINE_ARN.exec(stateMachineArn);
    if (match === null) throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
    const [, region = '', accountId = '', name = ''] = match;
    const definition = options.definition === undefined ? null : JSON.stringify(options.definition);
    this.stateMachines.set(stateMachineArn, {
      name,
      region,
      accountId,
      runner,
      definition,
      creationDate: this.options.clock.now(),
    });
  }

  async waitForExecution(executionArn: string, timeoutMs = 60_000): Promise<ExecutionOutcome> {
    const execution = this.executions.find((candidate) => candidate.arn === executionArn);
    if (execution === undefined)
      throw new Error(`No execution ${executionArn} in the Step Functions stand-in`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Execution ${executionArn} still ${execution.status} after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([execution.closed, timedOut]);
    } finally {
      clearTimeout(timer);
    }
    return {
      status: execution.status,
      output: execution.output,
      error: execution.error,
      cause: execution.cause,
    };
  }

  /** Aborts every running runner's signal so `close()` does not leave work behind. */
  close(): void {
    for (const execution of this.executions) {
      if (execution.status === 'RUNNING') execution.controller.abort(new Error('AWS stand-in closed'));
    }
  }

  // ---- operations -----------------------------------------------------------------------------

  private startExecution(input: InputReader): JsonObject {
    const stateMachineArn = input.requiredString('stateMachineArn');
    const stateMachine = this.requireStateMachine(stateMachineArn);
    const name = input.string('name') ?? randomUUID();
    if (name.length < 1 || name.length > 80 || INVALID_NAME_CHARACTERS.test(name)) {
      throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
    }
    const inputText = input.string('input') ?? '{}';
    if (Buffer.byteLength(inputText) > MAX_INPUT_BYTES) {
      throw new AwsServiceError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: input exceeds 262144 bytes',
      );
    }
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(inputText);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new AwsServiceError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${reason}'`,
      );
    }

    const arn = `arn:aws:states:${stateMachine.region}:${stateMachine.accountId}:execution:${stateMachine.name}:${name}`;
    const existing = this.executions.find((execution) => execution.arn === arn);
    if (existing !== undefined) {
      // Standard workflows: a repeated start with the same name and input while running is idempotent.
      if (existing.status === 'RUNNING' && existing.input === inputText) {
        return { executionArn: existing.arn, startDate: epochSeconds(existing.startDate) };
      }
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }

    let markClosed = (): void => {};
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    const execution: Execution = {
      arn,
      name,
      stateMachineArn,
      input: inputText,
      startDate: this.options.clock.now(),
      status: 'RUNNING',
      stopDate: null,
      output: null,
      error: null,
      cause: null,
      history: [],
      controller: executionController(),
      closed,
      markClosed,
    };
    this.executions.push(execution);
    this.appendHistory(execution, 'ExecutionStarted', {
      input: inputText,
      inputDetails: { truncated: false },
      roleArn: `arn:aws:iam::${stateMachine.accountId}:role/${stateMachine.name}-role`,
    });
    // Deferred so StartExecution answers before the runner does any work.
    setImmediate(() => this.run(execution, stateMachine.runner, parsedInput));
    return { executionArn: arn, startDate: epochSeconds(execution.startDate) };
  }

  private describeExecution(input: InputReader): JsonObject {
    const execution = this.requireExecution(input.requiredString('executionArn'));
    return {
      executionArn: execution.arn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: epochSeconds(execution.startDate),
      stopDate: execution.stopDate === null ? undefined : epochSeconds(execution.stopDate),
      input: execution.input,
      inputDetails: { included: true },
      output: execution.output ?? undefined,
      outputDetails: execution.output === null ? undefined : { included: true },
      error: execution.error ?? undefined,
      cause: execution.cause ?? undefined,
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
  }

  private getExecutionHistory(input: InputReader): JsonObject {
    const execution = this.requireExecution(input.requiredString('executionArn'));
    const reverseOrder = input.boolean('reverseOrder') ?? false;
    const includeExecutionData = input.boolean('includeExecutionData') ?? true;
    const ordered = reverseOrder ? [...execution.history].reverse() : execution.history;
    const page = this.page(ordered, input, `history:${execution.arn}:${reverseOrder}`);
    return {
      events: page.items.map((entry) => {
        const details = includeExecutionData ? entry.details : withoutExecutionData(entry.details);
        return {
          id: entry.id,
          previousEventId: entry.previousEventId,
          timestamp: epochSeconds(entry.timestamp),
          type: entry.type,
          ...(entry.detailsMember === null ? {} : { [entry.detailsMember]: details }),
        };
      }),
      nextToken: page.nextToken,
    };
  }

  private stopExecution(input: InputReader): JsonObject {
    const execution = this.requireExecution(input.requiredString('executionArn'));
    const error = input.string('error') ?? null;
    const cause = input.string('cause') ?? null;
    if (execution.status === 'RUNNING') {
      this.settle(execution, 'ABORTED', { error, cause });
      this.appendHistory(execution, 'ExecutionAborted', {
        error: error ?? undefined,
        cause: cause ?? undefined,
      });
      execution.controller.abort(new Error(`Execution aborted${error ? `: ${error}` : ''}`));
    }
    return { stopDate: epochSeconds(execution.stopDate ?? this.options.clock.now()) };
  }

  private listExecutions(input: InputReader): JsonObject {
    const stateMachineArn = input.string('stateMachineArn');
    if (stateMachineArn === undefined) {
      throw new AwsServiceError('ValidationException', 'Must provide a StateMachine ARN or MapRun ARN');
    }
    this.requireStateMachine(stateMachineArn);
    const statusFilter = input.string('statusFilter');
    const listed = this.executions
      .filter((execution) => execution.stateMachineArn === stateMachineArn)
      .filter((execution) => statusFilter === undefined || execution.status === statusFilter)
      .reverse();
    const page = this.page(listed, input, `executions:${stateMachineArn}:${statusFilter ?? ''}`);
    return {
      executions: page.items.map((execution) => ({
        executionArn: execution.arn,
        stateMachineArn: execution.stateMachineArn,
        name: execution.name,
        status: execution.status,
        startDate: epochSeconds(execution.startDate),
        stopDate: execution.stopDate === null ? undefined : epochSeconds(execution.stopDate),
      })),
      nextToken: page.nextToken,
    };
  }

  private listStateMachines(input: InputReader): JsonObject {
    const listed = [...this.stateMachines.entries()];
    const page = this.page(listed, input, 'stateMachines');
    return {
      stateMachines: page.items.map(([stateMachineArn, machine]) => ({
        stateMachineArn,
        name: machine.name,
        type: 'STANDARD',
        creationDate: epochSeconds(machine.creationDate),
      })),
      nextToken: page.nextToken,
    };
  }

  private describeStateMachine(input: InputReader): JsonObject {
    const stateMachineArn = input.requiredString('stateMachineArn');
    const machine = this.requireStateMachine(stateMachineArn);
    if (machine.definition === null) {
      throw new Error(`The Step Functions stand-in was given no definition for ${stateMachineArn}`);
    }
    return {
      stateMachineArn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definition,
      roleArn: `arn:aws:iam::${machine.accountId}:role/${machine.name}-role`,
      type: 'STANDARD',
      creationDate: epochSeconds(machine.creationDate),
    };
  }

  // ---- execution lifecycle ----------------------------------------------------------------------

  private async run(execution: Execution, runner: ExecutionRunner, input: unknown): Promise<void> {
    const context = {
      executionArn: execution.arn,
      name: execution.name,
      stateMachineArn: execution.stateMachineArn,
      startDate: execution.startDate,
      signal: execution.controller.signal,
      recordEvent: (event: { type: string; stateName?: string; details?: Record<string, unknown> }): void =>
        this.recordRunnerEvent(execution, event),
    };
    try {
      const result = await runner(input, context);
      if (execution.status !== 'RUNNING') return;
      const output = JSON.stringify(result === undefined ? null : result);
      this.settle(execution, 'SUCCEEDED', { output });
      this.appendHistory(execution, 'ExecutionSucceeded', { output, outputDetails: { truncated: false } });
    } catch (thrown) {
      if (execution.status !== 'RUNNING') return;
      const error = thrown instanceof Error ? thrown.name : 'Error';
      const cause = thrown instanceof Error ? thrown.message : String(thrown);
      this.settle(execution, 'FAILED', { error, cause });
      this.appendHistory(execution, 'ExecutionFailed', { error, cause });
    }
  }

  /**
   * The stand-in owns the Execution* events, so a runner's own copies are dropped rather than doubled.
   * A type Step Functions never emits is dropped with a warning: a history mistake must not fail a rotation.
   */
  private recordRunnerEvent(
    execution: Execution,
    event: { type: string; stateName?: string; details?: Record<string, unknown> },
  ): void {
    if (!HISTORY_EVENT_TYPES.has(event.type)) {
      if (!this.warnedEventTypes.has(event.type)) {
        this.warnedEventTypes.add(event.type);
        process.emitWarning(
          `AWS stand-in: '${event.type}' is not a Step Functions HistoryEventType; event dropped`,
        );
      }
      return;
    }
    if (execution.status !== 'RUNNING' || event.type.startsWith('Execution')) return;
    const details = unwrapDetails(event.details ?? {});
    if (event.stateName !== undefined && /State(Entered|Exited)$/.test(event.type))
      details.name = event.stateName;
    for (const member of JSON_TEXT_MEMBERS) {
      const value = details[member];
      if (value !== undefined && typeof value !== 'string') details[member] = JSON.stringify(value);
    }
    this.appendHistory(execution, event.type, details);
  }

  private appendHistory(execution: Execution, type: string, details: Record<string, unknown>): void {
    const previous = execution.history.at(-1);
    const sanitized: unknown = JSON.parse(JSON.stringify(details));
    execution.history.push({
      id: (previous?.id ?? 0) + 1,
      previousEventId: previous?.id ?? 0,
      timestamp: this.options.clock.now(),
      type,
      detailsMember: detailsMemberFor(type),
      details: isJsonObject(sanitized) ? sanitized : {},
    });
  }

  private settle(
    execution: Execution,
    status: ExecutionStatus,
    result: { output?: string; error?: string | null; cause?: string | null },
  ): void {
    execution.status = status;
    execution.stopDate = this.options.clock.now();
    execution.output = result.output ?? null;
    execution.error = result.error ?? null;
    execution.cause = result.cause ?? null;
    execution.markClosed();
  }

  // ---- lookup and paging ------------------------------------------------------------------------

  private requireStateMachine(stateMachineArn: string) {
    if (!STATE_MACHINE_ARN.test(stateMachineArn)) {
      throw new AwsServiceError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${stateMachineArn}'`,
      );
    }
    const stateMachine = this.stateMachines.get(stateMachineArn);
    if (stateMachine === undefined) {
      throw new AwsServiceError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    }
    return stateMachine;
  }

  private requireExecution(executionArn: string): Execution {
    if (!/^arn:aws[a-z-]*:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$/.test(executionArn)) {
      throw new AwsServiceError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${executionArn}'`,
      );
    }
    const execution = this.executions.find((candidate) => candidate.arn === executionArn);
    if (execution === undefined) {
      throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    }
    return execution;
  }

  private page<T>(
    items: readonly T[],
    input: InputReader,
    scope: string,
  ): { items: T[]; nextToken: string | undefined } {
    const requested = input.number('maxResults') ?? 0;
    if (!Number.isInteger(requested) || requested < 0 || requested > 1000) {
      throw new AwsServiceError(
        'ValidationException',
        "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
      );
    }
    const pageSize = requested === 0 ? 100 : requested;
    const token = input.string('nextToken');
    const offset = token === undefined ? 0 : decodePageToken(token, scope);
    if (offset === null) throw new AwsServiceError('InvalidToken', `Invalid Token: '${token}'`);
    const end = offset + pageSize;
    return {
      items: items.slice(offset, end),
      nextToken: end < items.length ? encodePageToken(scope, end) : undefined,
    };
  }
}

function detailsMemberFor(type: string): string | null {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  const member = `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
  return DETAIL_MEMBERS.has(member) ? member : null;
}

/** Runners may pass the details member itself (`{stateEnteredEventDetails: {...}}`) or its content. */
function unwrapDetails(details: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(details);
  const [onlyKey] = keys;
  const wrapped =
    keys.length === 1 && onlyKey !== undefined && onlyKey.endsWith('EventDetails')
      ? details[onlyKey]
      : undefined;
  return isJsonObject(wrapped) ? { ...wrapped } : { ...details };
}

function withoutExecutionData(details: JsonObject): JsonObject {
  const { input: _input, output: _output, ...rest } = details;
  return rest;
}
