/**
 * `ExecutionsPort` over AWS Step Functions (SDK v3), for one state machine. The client is injected;
 * handlers use `createSfnClient()` (default configuration, so `AWS_ENDPOINT_URL*` apply).
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type GetExecutionHistoryCommandOutput,
  ListExecutionsCommand,
  type ListExecutionsCommandOutput,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { InvalidConfigurationError, InvalidInputError, RotationInProgressError } from '../errors.js';
import type { ExecutionStatus, ExecutionSummary, ExecutionsPort } from '../ports.js';
import { isAwsError, mapAwsError } from './errors.js';

const SERVICE = 'Step Functions';

let sharedClient: SFNClient | undefined;

/** One client per module (per warm container), default configuration. */
export function createSfnClient(): SFNClient {
  sharedClient ??= new SFNClient({});
  return sharedClient;
}

/** Drops the shared client: the next one re-reads its endpoint (local mode starts many environments). */
export function resetSfnClient(): void {
  sharedClient?.destroy();
  sharedClient = undefined;
}

const STATE_MACHINE_ARN = /^arn:([^:]+):states:([^:]+):([^:]+):stateMachine:([^:]+)$/;

/** `arn:aws:states:<region>:<acct>:stateMachine:<sm>` + name -> `arn:aws:states:<region>:<acct>:execution:<sm>:<name>`. */
export function executionArnFor(stateMachineArn: string, name: string): string {
  const match = STATE_MACHINE_ARN.exec(stateMachineArn);
  if (!match) {
    throw new InvalidConfigurationError(`${stateMachineArn} is not a state machine ARN`);
  }
  const [, partition, region, account, stateMachineName] = match;
  return `arn:${partition}:states:${region}:${account}:execution:${stateMachineName}:${name}`;
}

/** JSON with object keys sorted, to compare two inputs by meaning. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const STATUSES: readonly ExecutionStatus[] = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
];

function toSummary(described: DescribeExecutionCommandOutput, fallbackArn: string): ExecutionSummary {
  const status = STATUSES.find((s) => s === described.status) ?? 'FAILED';
  const executionArn = described.executionArn ?? fallbackArn;
  return {
    executionArn,
    name: described.name ?? executionArn.split(':').pop() ?? '',
    status,
    error: described.error ?? null,
    cause: described.cause ?? null,
  };
}

export class StepFunctionsExecutions implements ExecutionsPort {
  readonly stateMachineArn: string;
  readonly #client: SFNClient;

  constructor(client: SFNClient, stateMachineArn: string) {
    if (!STATE_MACHINE_ARN.test(stateMachineArn)) {
      throw new InvalidConfigurationError(`STATE_MACHINE_ARN ${stateMachineArn} is not a state machine ARN`);
    }
    this.#client = client;
    this.stateMachineArn = stateMachineArn;
  }

  /**
   * Starts `name`. A repeat with the same name and input while it runs returns the same execution
   * (AWS does this itself; stand-ins may answer ExecutionAlreadyExists, handled the same way).
   * The same name with another input while running -> `RotationInProgressError`; a name already
   * used by a finished execution -> `InvalidInputError` (names are unique for 90 days).
   */
  async start(name: string, input: unknown): Promise<{ executionArn: string }> {
    const inputJson = JSON.stringify(input);
    try {
      const answer = await this.#client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: inputJson }),
      );
      return { executionArn: answer.executionArn ?? executionArnFor(this.stateMachineArn, name) };
    } catch (error) {
      if (!isAwsError(error, 'ExecutionAlreadyExists')) {
        throw mapAwsError(error, SERVICE, `StartExecution(${name})`);
      }
    }
    const existing = await this.#describe(executionArnFor(this.stateMachineArn, name));
    if (existing === null) {
      throw mapAwsError(
        { name: 'ExecutionAlreadyExists', message: `execution ${name} exists but cannot be described` },
        SERVICE,
        `StartExecution(${name})`,
      );
    }
    const sameInput = canonicalJson(parseJson(existing.input)) === canonicalJson(input);
    const summary = toSummary(existing, executionArnFor(this.stateMachineArn, name));
    if (summary.status === 'RUNNING' && sameInput) return { executionArn: summary.executionArn };
    const details = { executionName: name, executionArn: summary.executionArn, status: summary.status };
    if (summary.status === 'RUNNING') {
      throw new RotationInProgressError(`Execution ${name} is already running with a different input`, {
        details,
      });
    }
    throw new InvalidInputError(
      `An execution named ${name} already exists (${summary.status}); execution names cannot be reused`,
      { details },
    );
  }

  async describeByName(name: string): Promise<ExecutionSummary | null> {
    const executionArn = executionArnFor(this.stateMachineArn, name);
    const described = await this.#describe(executionArn);
    return described === null ? null : toSummary(described, executionArn);
  }

  async completedStates(executionArn: string): Promise<string[]> {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      let page: GetExecutionHistoryCommandOutput;
      try {
        page = await this.history(executionArn, nextToken);
      } catch (error) {
        throw mapAwsError(error, SERVICE, `GetExecutionHistory(${executionArn})`);
      }
      for (const event of page.events ?? []) {
        const name = event.stateExitedEventDetails?.name;
        if (event.type?.endsWith('StateExited') && name !== undefined) names.push(name);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return names;
  }

  async runningFor(secret: { arn: string; name: string }, exceptArn?: string): Promise<ExecutionSummary[]> {
    const running: string[] = [];
    let nextToken: string | undefined;
    do {
      let page: ListExecutionsCommandOutput;
      try {
        page = await this.#client.send(
          new ListExecutionsCommand({
            stateMachineArn: this.stateMachineArn,
            statusFilter: 'RUNNING',
            ...(nextToken ? { nextToken } : {}),
          }),
        );
      } catch (error) {
        throw mapAwsError(error, SERVICE, `ListExecutions(${this.stateMachineArn})`);
      }
      for (const execution of page.executions ?? []) {
        if (execution.executionArn && execution.executionArn !== exceptArn)
          running.push(execution.executionArn);
      }
      nextToken = page.nextToken;
    } while (nextToken);

    const matches: ExecutionSummary[] = [];
    for (const executionArn of running) {
      const described = await this.#describe(executionArn);
      // Finished between the list and the describe, or gone: not running any more.
      if (described === null || described.status !== 'RUNNING') continue;
      const input = parseJson(described.input);
      const secretId =
        typeof input === 'object' && input !== null ? (input as { secretId?: unknown }).secretId : undefined;
      if (secretId === secret.arn || secretId === secret.name)
        matches.push(toSummary(described, executionArn));
    }
    return matches;
  }

  /** One page of an execution's history. */
  private history(
    executionArn: string,
    nextToken: string | undefined,
  ): Promise<GetExecutionHistoryCommandOutput> {
    return this.#client.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
    );
  }

  async #describe(executionArn: string): Promise<DescribeExecutionCommandOutput | null> {
    try {
      return await this.#client.send(new DescribeExecutionCommand({ executionArn }));
    } catch (error) {
      if (isAwsError(error, 'ExecutionDoesNotExist')) return null;
      throw mapAwsError(error, SERVICE, `DescribeExecution(${executionArn})`);
    }
  }
}
