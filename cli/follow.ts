/**
 * Live progress of one execution from GetExecutionHistory: one line per state as it ends, failures
 * as they happen, and each Wait with the time it ends (from the definition's Seconds/SecondsPath/
 * Timestamp/TimestampPath and the state's input). Polls only the new events (newest first, down
 * to the last one seen), so a long adoption gate costs one small call per poll.
 */
import {
  GetExecutionHistoryCommand,
  type GetExecutionHistoryCommandOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import type { OperatorAws, StateMachineDefinition } from './aws.js';
import { awsCall } from './errors.js';
import { describeExecution, type ExecutionRecord } from './executions.js';

const EXECUTION_ENDS = new Set([
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimedOut',
]);
const FAILURE_EVENTS = new Set([
  'TaskFailed',
  'TaskTimedOut',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
]);

export interface StateLine {
  readonly state: string;
  readonly type: string;
  readonly event: 'exited' | 'failed' | 'waiting';
  readonly at: string;
  readonly durationMs?: number;
  readonly error?: string;
  /** For a Wait: when it ends, as its definition and input say. */
  readonly waitUntil?: string;
  readonly text: string;
}

export interface FollowOptions {
  readonly pollMs: number;
  readonly onLine: (line: StateLine) => void;
}

/** Follows the execution to its end; resolves with its description and whole history. */
export async function followExecution(
  aws: OperatorAws,
  executionArn: string,
  options: FollowOptions,
): Promise<{ execution: ExecutionRecord; events: HistoryEvent[] }> {
  const definition = await aws.definition();
  const events: HistoryEvent[] = [];
  const tracker = new LineTracker(definition, options.onLine);
  let lastId = 0;
  let ended = false;
  while (!ended) {
    const fresh = await eventsAfter(aws, executionArn, lastId);
    for (const event of fresh) {
      events.push(event);
      lastId = Math.max(lastId, event.id ?? 0);
      tracker.add(event);
      if (event.type && EXECUTION_ENDS.has(event.type)) ended = true;
    }
    if (!ended) await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
  return { execution: await describeExecution(aws, executionArn), events };
}

/** The state lines of a history (oldest first), as `followExecution` reports them live. */
export function stateLinesOf(
  definition: StateMachineDefinition,
  events: readonly HistoryEvent[],
): StateLine[] {
  const lines: StateLine[] = [];
  const tracker = new LineTracker(definition, (line) => lines.push(line));
  for (const event of events) tracker.add(event);
  return lines;
}

/** Events with an id above `lastId`, oldest first. */
async function eventsAfter(aws: OperatorAws, executionArn: string, lastId: number): Promise<HistoryEvent[]> {
  const fresh: HistoryEvent[] = [];
  let nextToken: string | undefined;
  let reachedSeen = false;
  do {
    const page: GetExecutionHistoryCommandOutput = await awsCall(`GetExecutionHistory(${executionArn})`, () =>
      aws.sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          reverseOrder: true,
          maxResults: 100,
          ...(nextToken ? { nextToken } : {}),
        }),
      ),
    );
    for (const event of page.events ?? []) {
      if ((event.id ?? 0) <= lastId) {
        reachedSeen = true;
        break;
      }
      fresh.push(event);
    }
    nextToken = page.nextToken;
  } while (nextToken && !reachedSeen);
  return fresh.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
}

function stateTypeOf(eventType: string): string {
  return eventType.replace(/State(Entered|Exited)$/, '');
}

function format(state: string, type: string, text: string): string {
  return `${state.padEnd(28)} ${type.padEnd(8)} ${text}`;
}

/** Turns history events into state lines: entry times, failures since entry, each Wait's end. */
class LineTracker {
  readonly #entered = new Map<string, { at: Date; failures: number }>();
  #currentTask: string | null = null;

  constructor(
    private readonly definition: StateMachineDefinition,
    private readonly onLine: (line: StateLine) => void,
  ) {}

  add(event: HistoryEvent): void {
    const type = event.type ?? '';
    const at = event.timestamp ?? new Date();
    const entered = event.stateEnteredEventDetails;
    if (entered?.name !== undefined && type.endsWith('StateEntered')) {
      this.#entered.set(entered.name, { at, failures: 0 });
      const stateType = stateTypeOf(type);
      if (stateType === 'Task') this.#currentTask = entered.name;
      if (stateType === 'Wait') {
        const until = this.waitEnd(entered.name, entered.input, at);
        const text = until
          ? `waiting until ${until.toISOString()} (${Math.max(0, Math.round((until.getTime() - at.getTime()) / 1000))} s)`
          : 'waiting';
        this.onLine({
          state: entered.name,
          type: stateType,
          event: 'waiting',
          at: at.toISOString(),
          ...(until ? { waitUntil: until.toISOString() } : {}),
          text: format(entered.name, stateType, text),
        });
      }
      return;
    }
    if (FAILURE_EVENTS.has(type) && this.#currentTask !== null) {
      const state = this.#currentTask;
      const error =
        event.taskFailedEventDetails?.error ?? event.lambdaFunctionFailedEventDetails?.error ?? type;
      const open = this.#entered.get(state);
      if (open) open.failures += 1;
      this.onLine({
        state,
        type: 'Task',
        event: 'failed',
        at: at.toISOString(),
        error,
        text: format(state, 'Task', `error ${error}`),
      });
      return;
    }
    const exited = event.stateExitedEventDetails;
    if (exited?.name !== undefined && type.endsWith('StateExited')) {
      const stateType = stateTypeOf(type);
      const open = this.#entered.get(exited.name);
      const durationMs = open ? at.getTime() - open.at.getTime() : 0;
      const status =
        open && open.failures > 0
          ? `exited after ${open.failures} error${open.failures > 1 ? 's' : ''}`
          : 'ok  ';
      this.onLine({
        state: exited.name,
        type: stateType,
        event: 'exited',
        at: at.toISOString(),
        durationMs,
        text: format(exited.name, stateType, `${status} ${durationMs} ms`),
      });
    }
  }

  /** When a Wait state entered at `at` with `inputText` ends, per its definition; null if unknown. */
  private waitEnd(state: string, inputText: string | undefined, at: Date): Date | null {
    const spec = this.definition.States[state];
    if (spec === undefined) return null;
    const input = inputText === undefined ? undefined : safeJson(inputText);
    const seconds = typeof spec.Seconds === 'number' ? spec.Seconds : readPath(input, spec.SecondsPath);
    if (typeof seconds === 'number') return new Date(at.getTime() + seconds * 1000);
    const timestamp =
      typeof spec.Timestamp === 'string' ? spec.Timestamp : readPath(input, spec.TimestampPath);
    if (typeof timestamp === 'string' && !Number.isNaN(Date.parse(timestamp))) return new Date(timestamp);
    return null;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A reference path (`$.a.b`), the only kind a Wait's SecondsPath/TimestampPath may hold. */
function readPath(input: unknown, path: unknown): unknown {
  if (typeof path !== 'string' || !path.startsWith('$')) return undefined;
  let value: unknown = input;
  for (const key of path.slice(1).split('.').filter(Boolean)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
