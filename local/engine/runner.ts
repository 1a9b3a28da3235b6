/**
 * Runs the synthesized definition with aws-local-stepfunctions. Lambda tasks call the handler
 * module esbuild bundles for Lambda, in-process, with Lambda's JSON round trip and error shape;
 * `events:putEvents` tasks go through the real EventBridge client.
 */
import '../polyfills.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { StateMachine } from 'aws-local-stepfunctions';
import { localLambdaContext } from './lambda-context.js';
import type { LocalStateMachine, TaskRoute } from './template.js';

/** The package does not export its event type; derive it from `run()`. */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

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
  readonly repoRoot: string;
  readonly eventBridge: EventBridgeClient;
  /** Milliseconds each named Wait state waits instead of its definition (unlisted waits run as defined). */
  readonly waitOverridesMs?: Readonly<Record<string, number>>;
  /** Milliseconds between retries of every retrier (Retry intervals are minutes-scale in AWS). */
  readonly retryIntervalMs?: number;
  readonly lambdaTimeoutMs?: number;
  readonly interceptor?: LambdaInterceptor;
  /** Sees every engine event, for progress output. */
  readonly onEvent?: (executionName: string, event: EventLog) => void;
}

/** An error as Step Functions reports a failed Lambda task: `Error` is the errorType, `Cause` is JSON. */
export class LambdaTaskError extends Error {
  constructor(errorType: string, errorMessage: string) {
    super(JSON.stringify({ errorType, errorMessage }));
    this.name = errorType;
  }
}

export class ExecutionFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

const handlerCache = new Map<string, Promise<LambdaHandler>>();

async function loadHandler(repoRoot: string, entry: string): Promise<LambdaHandler> {
  const path = join(repoRoot, entry);
  let loading = handlerCache.get(path);
  if (loading === undefined) {
    loading = import(pathToFileURL(path).href).then((module: { handler?: unknown }) => {
      if (typeof module.handler !== 'function') throw new Error(`${entry} exports no handler function`);
      return module.handler as LambdaHandler;
    });
    handlerCache.set(path, loading);
  }
  return loading;
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
  const handler = await loadHandler(options.repoRoot, route.entry);
  const event = toJson(input);
  const invoke = () =>
    handler(event, localLambdaContext(route.logicalId, options.lambdaTimeoutMs ?? 900_000));
  try {
    const result = options.interceptor
      ? await options.interceptor({ stateName, logicalId: route.logicalId, event, executionName }, invoke)
      : await invoke();
    return toJson(result);
  } catch (error) {
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
  const response = await options.eventBridge.send(new PutEventsCommand({ Entries: entries }));
  if ((response.FailedEntryCount ?? 0) > 0) {
    throw new ExecutionFailure('EventBridge.FailedEntry', JSON.stringify(response.Entries ?? []));
  }
  return toJson({ Entries: response.Entries, FailedEntryCount: response.FailedEntryCount ?? 0 });
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
  const stateMachine = new StateMachine(machine.definition as never, {
    validationOptions: { checkArn: false },
  });
  return async (input: unknown, context: ExecutionContext): Promise<unknown> => {
    const taskResourceLocalHandlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    for (const [stateName, route] of machine.routes) {
      taskResourceLocalHandlers[stateName] =
        route.kind === 'lambda'
          ? (taskInput) => invokeLambda(options, route, stateName, taskInput, context.name)
          : (taskInput) => putEvents(options, taskInput, context);
    }
    const retryIntervalOverrides: Record<string, number> = {};
    if (options.retryIntervalMs !== undefined) {
      for (const stateName of machine.retryStates)
        retryIntervalOverrides[stateName] = options.retryIntervalMs;
    }
    const execution = stateMachine.run(toJson(input), {
      overrides: {
        taskResourceLocalHandlers,
        waitTimeOverrides: { ...options.waitOverridesMs },
        retryIntervalOverrides,
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
