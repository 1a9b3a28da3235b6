/**
 * Runs the synthesized definition with aws-local-stepfunctions. Lambda tasks call the handler
 * module esbuild bundles for Lambda, in-process, with Lambda's JSON round trip and error shape;
 * `events:putEvents` tasks go through the real EventBridge client.
 */
import '../polyfills.js';
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { StateMachine } from 'aws-local-stepfunctions';
import { LambdaTaskError } from './lambda-runtime.js';
import type { LocalStateMachine, TaskRoute } from './template.js';

/** The package does not export its event type; derive it from `run()`. */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Runs one Lambda invocation of a task: the local Lambda service (bundles) or the handler sources in-process. */
export type LambdaInvoker = (logicalId: string, entry: string, event: unknown) => Promise<unknown>;

export interface HistoryEvent {
  readonly type: string;
  readonly stateName?: string;
  readonly details?: Record<string, unknown>;
}

export interface ExecutionContext {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly startDate: Date;
  readonly signal: AbortSignal;
  recordEvent(event: HistoryEvent): void;
}

export interface LambdaCall {
  readonly stateName: string;
  readonly logicalId: string;
  readonly event: unknown;
  readonly executionName: string;
}

/** Wraps each Lambda task invocation: tests inject faults here ("applied, then the Lambda died"). */
export type LambdaInterceptor = (call: LambdaCall, invoke: () => Promise<unknown>) => Promise<unknown>;

export interface EngineOptions {
  readonly machine: LocalStateMachine;
  readonly invokeLambda: LambdaInvoker;
  readonly eventBridge: EventBridgeClient;
  /** Milliseconds each named Wait state waits instead of its definition (unlisted waits run as defined). */
  readonly waitOverridesMs?: Readonly<Record<string, number>>;
  /**
   * Factor applied uniformly to every retrier's `IntervalSeconds` and `MaxDelaySeconds`: backoff,
   * attempts and jitter stay as synthesized, so the local engine retries as AWS does, only faster.
   * @default 1
   */
  readonly retryTimeScale?: number;
  readonly interceptor?: LambdaInterceptor;
  /**
   * Checks the state machine role may call what a task calls (`lambda:InvokeFunction` on the
   * function, `events:PutEvents` on the bus), as Step Functions does with the role it assumes.
   */
  readonly authorizeTask?: (task: {
    action: string;
    resource: string;
  }) => Promise<{ allowed: true } | { allowed: false; message: string }>;
  /** Sees every engine event, for progress output. */
  readonly onEvent?: (executionName: string, event: EventLog) => void;
  /**
   * Serves `states:startExecution.sync:2` tasks: starts the named execution (through the Step
   * Functions API) and resolves with its DescribeExecution once it has stopped.
   */
  readonly startExecutionSync?: StartExecutionSync;
}

/** What a `.sync:2` task asks for: `Parameters` as the definition resolves them. */
export interface StartExecutionRequest {
  readonly stateMachineArn: string;
  readonly name?: string;
  readonly input: unknown;
}

/** A stopped execution, as DescribeExecution reports it. */
export interface StoppedExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: Date;
  readonly stopDate: Date | null;
  readonly input: string;
  readonly output: string | null;
  readonly error: string | null;
  readonly cause: string | null;
}

/**
 * Starts an execution and waits for it to stop. Throws StartExecution's refusal as the service
 * integration names it (e.g. `StepFunctions.ExecutionAlreadyExistsException`).
 */
export type StartExecutionSync = (
  request: StartExecutionRequest,
  signal: AbortSignal,
) => Promise<StoppedExecution>;

export class ExecutionFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
}

async function invokeLambda(
  options: EngineOptions,
  route: Extract<TaskRoute, { kind: 'lambda' }>,
  stateName: string,
  input: JsonValue,
  executionName: string,
): Promise<JsonValue> {
  const event = toJson(input);
  if (options.authorizeTask) {
    const decision = await options.authorizeTask({
      action: 'lambda:InvokeFunction',
      resource: route.functionArn,
    });
    // Step Functions reports the Lambda service's refusal of its role as Lambda.AWSLambdaException.
    if (!decision.allowed) throw new LambdaTaskError('Lambda.AWSLambdaException', decision.message);
  }
  const invoke = () => options.invokeLambda(route.logicalId, route.entry, event);
  try {
    const result = options.interceptor
      ? await options.interceptor({ stateName, logicalId: route.logicalId, event, executionName }, invoke)
      : await invoke();
    return toJson(result);
  } catch (error) {
    if (error instanceof LambdaTaskError) throw error;
    const name = error instanceof Error && error.name ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new LambdaTaskError(name, message);
  }
}

async function putEvents(
  options: EngineOptions,
  input: JsonValue,
  context: ExecutionContext,
): Promise<JsonValue> {
  const raw = (input as { Entries?: Array<Record<string, unknown>> }).Entries ?? [];
  const entries: PutEventsRequestEntry[] = raw.map((entry) => ({
    Source: String(entry.Source),
    DetailType: String(entry.DetailType),
    Detail: typeof entry.Detail === 'string' ? entry.Detail : JSON.stringify(entry.Detail ?? {}),
    EventBusName: typeof entry.EventBusName === 'string' ? entry.EventBusName : undefined,
    // The optimized integration appends the execution and state machine ARNs (connect-eventbridge docs).
    Resources: [
      ...(Array.isArray(entry.Resources) ? entry.Resources.map(String) : []),
      context.executionArn,
      context.stateMachineArn,
    ],
  }));
  if (options.authorizeTask) {
    for (const bus of new Set(entries.map((entry) => entry.EventBusName ?? 'default'))) {
      const decision = await options.authorizeTask({
        action: 'events:PutEvents',
        resource: busArn(context, bus),
      });
      if (!decision.allowed)
        throw new ExecutionFailure('EventBridge.AccessDeniedException', decision.message);
    }
  }
  const response = await options.eventBridge.send(new PutEventsCommand({ Entries: entries }));
  if ((response.FailedEntryCount ?? 0) > 0) {
    throw new ExecutionFailure('EventBridge.FailedEntry', JSON.stringify(response.Entries ?? []));
  }
  return toJson({ Entries: response.Entries, FailedEntryCount: response.FailedEntryCount ?? 0 });
}

/**
 * `states:startExecution.sync:2`: the task's result is DescribeExecution's answer with `Input` and
 * `Output` as JSON (the ":2" of the resource); a child that did not succeed fails the task with
 * `States.TaskFailed` and that answer, as JSON, for cause (its own `Error` and `Cause` inside).
 */
async function startExecutionSync(
  options: EngineOptions,
  input: JsonValue,
  context: ExecutionContext,
): Promise<JsonValue> {
  const start = options.startExecutionSync;
  if (start === undefined) throw new Error('This engine serves no states:startExecution.sync:2 task');
  const parameters = (input ?? {}) as { StateMachineArn?: unknown; Name?: unknown; Input?: unknown };
  const stateMachineArn = String(parameters.StateMachineArn ?? '');
  if (options.authorizeTask) {
    const decision = await options.authorizeTask({
      action: 'states:StartExecution',
      resource: stateMachineArn,
    });
    if (!decision.allowed)
      throw new ExecutionFailure('StepFunctions.AccessDeniedException', decision.message);
  }
  const stopped = await start(
    {
      stateMachineArn,
      ...(typeof parameters.Name === 'string' ? { name: parameters.Name } : {}),
      input: parameters.Input ?? {},
    },
    context.signal,
  );
  if (options.authorizeTask) {
    // .sync polls the child with DescribeExecution (and would stop it with StopExecution).
    const decision = await options.authorizeTask({
      action: 'states:DescribeExecution',
      resource: stopped.executionArn,
    });
    if (!decision.allowed)
      throw new ExecutionFailure('StepFunctions.AccessDeniedException', decision.message);
  }
  const described = {
    ExecutionArn: stopped.executionArn,
    StateMachineArn: stopped.stateMachineArn,
    Name: stopped.name,
    Status: stopped.status,
    StartDate: stopped.startDate.getTime(),
    ...(stopped.stopDate === null ? {} : { StopDate: stopped.stopDate.getTime() }),
    Input: JSON.parse(stopped.input) as JsonValue,
    InputDetails: { Included: true },
    ...(stopped.output === null
      ? {}
      : { Output: JSON.parse(stopped.output) as JsonValue, OutputDetails: { Included: true } }),
    ...(stopped.error === null ? {} : { Error: stopped.error }),
    ...(stopped.cause === null ? {} : { Cause: stopped.cause }),
  };
  if (stopped.status !== 'SUCCEEDED')
    throw new ExecutionFailure('States.TaskFailed', JSON.stringify(described));
  return toJson(described);
}

/** The ARN of an event bus named (or ARN'd) in a PutEvents entry, in the execution's account. */
function busArn(context: ExecutionContext, bus: string): string {
  if (bus.startsWith('arn:')) return bus;
  const [, , , region, account] = context.stateMachineArn.split(':');
  return `arn:aws:events:${region}:${account}:event-bus/${bus}`;
}

function historyType(event: EventLog): HistoryEvent | null {
  if (!('state' in event)) return null;
  const { name, type, input, output } = event.state;
  switch (event.type) {
    case 'StateEntered':
      return {
        type: `${type}StateEntered`,
        stateName: name,
        details: { stateEnteredEventDetails: { name, input: JSON.stringify(input ?? null) } },
      };
    case 'StateExited':
      return {
        type: `${type}StateExited`,
        stateName: name,
        details: { stateExitedEventDetails: { name, output: JSON.stringify(output ?? null) } },
      };
    case 'StateFailed':
      // Step Functions has TaskFailed, MapStateFailed and ParallelStateFailed; other states cannot fail alone.
      if (type === 'Task') {
        return {
          type: 'TaskFailed',
          stateName: name,
          details: { taskFailedEventDetails: { error: event.Error, cause: String(event.Cause ?? '') } },
        };
      }
      return type === 'Map' || type === 'Parallel' ? { type: `${type}StateFailed`, stateName: name } : null;
    default:
      return null;
  }
}

/** Builds the function the Step Functions stand-in calls to run one execution. */
export function createExecutionRunner(options: EngineOptions) {
  const { machine } = options;
  // Validated as synthesized; the scaled copy may hold fractional intervals, which ASL forbids.
  new StateMachine(machine.definition as never, { validationOptions: { checkArn: false } });
  const stateMachine = new StateMachine(
    scaleRetryTimes(machine.definition, options.retryTimeScale ?? 1) as never,
    { validationOptions: { noValidate: true } },
  );
  return async (input: unknown, context: ExecutionContext): Promise<unknown> => {
    const taskResourceLocalHandlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    for (const [stateName, route] of machine.routes) {
      taskResourceLocalHandlers[stateName] =
        route.kind === 'lambda'
          ? (taskInput) => invokeLambda(options, route, stateName, taskInput, context.name)
          : route.kind === 'startExecutionSync'
            ? (taskInput) => startExecutionSync(options, taskInput, context)
            : (taskInput) => putEvents(options, taskInput, context);
    }
    const execution = stateMachine.run(toJson(input), {
      overrides: {
        taskResourceLocalHandlers,
        waitTimeOverrides: { ...options.waitOverridesMs },
      },
      context: {
        Execution: {
          Id: context.executionArn,
          Name: context.name,
          Input: toJson(input),
          StartTime: context.startDate.toISOString(),
        },
        StateMachine: { Id: context.stateMachineArn, Name: machine.name },
      },
    });
    const abort = () => execution.abort();
    context.signal.addEventListener('abort', abort, { once: true });
    let failure: { error: string; cause: string } | null = null;
    const history = (async () => {
      for await (const event of execution.eventLogs) {
        options.onEvent?.(context.name, event);
        if (event.type === 'ExecutionFailed')
          failure = { error: event.Error, cause: String(event.Cause ?? '') };
        const recorded = historyType(event);
        if (recorded) context.recordEvent(recorded);
      }
    })();
    try {
      const output = await execution.result;
      await history;
      return output;
    } catch (error) {
      await history.catch(() => undefined);
      const failed = failure as { error: string; cause: string } | null;
      if (failed !== null) throw new ExecutionFailure(failed.error, failed.cause);
      throw error;
    } finally {
      context.signal.removeEventListener('abort', abort);
    }
  };
}

/** A copy of the definition whose retriers wait `scale` times as long. */
export function scaleRetryTimes(definition: Record<string, unknown>, scale: number): Record<string, unknown> {
  if (!(scale > 0)) throw new Error(`retryTimeScale must be positive, got ${scale}`);
  const copy = JSON.parse(JSON.stringify(definition)) as Record<string, unknown>;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.Retry)) {
      for (const retrier of record.Retry as Array<Record<string, unknown>>) {
        retrier.IntervalSeconds =
          (typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1) * scale;
        if (typeof retrier.MaxDelaySeconds === 'number') retrier.MaxDelaySeconds *= scale;
      }
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(copy);
  return copy;
}

/**
 * Longest time, in seconds, a task's retriers for `errorName` keep retrying before giving up
 * (jitter off: the sum of every backoff step, capped by MaxDelaySeconds). The harness uses it to
 * keep local retries long enough to cover Genesys catching up after create.
 */
export function retryBudgetSeconds(
  definition: Record<string, unknown>,
  stateName: string,
  errorName: string,
): number {
  const states = definition.States as Record<string, { Retry?: Array<Record<string, unknown>> }> | undefined;
  const retrier = states?.[stateName]?.Retry?.find((candidate) =>
    (candidate.ErrorEquals as string[] | undefined)?.includes(errorName),
  );
  if (!retrier) return 0;
  const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
  const backoff = typeof retrier.BackoffRate === 'number' ? retrier.BackoffRate : 2;
  const attempts = typeof retrier.MaxAttempts === 'number' ? retrier.MaxAttempts : 3;
  const maxDelay =
    typeof retrier.MaxDelaySeconds === 'number' ? retrier.MaxDelaySeconds : Number.POSITIVE_INFINITY;
  let total = 0;
  for (let attempt = 0; attempt < attempts; attempt++)
    total += Math.min(interval * backoff ** attempt, maxDelay);
  return total;
}
