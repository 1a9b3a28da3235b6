/**
 * Rotation executions as the operator reads them: the ones of a secret (by their input's
 * `secretId`), their history, and what that history says (outcome, clients, hold, checks). The
 * history holds ids and facts only, never a secret value (DESIGN.md §7).
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  GetExecutionHistoryCommand,
  type GetExecutionHistoryCommandOutput,
  type HistoryEvent,
  ListExecutionsCommand,
  type ListExecutionsCommandOutput,
} from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { HOLD_STATES, outcomeOf, type RotationOutcome } from '../functions/shared/workflow.js';
import type { OperatorAws } from './aws.js';
import { awsCall } from './errors.js';
import type { ManagedSecret } from './secrets.js';

/** The execution input fields the CLI shows (the input holds no secret: ids, flags and a reason). */
const ExecutionInputView = z.object({
  secretId: z.string().optional(),
  dryRun: z.boolean().optional(),
  mode: z.string().optional(),
  reason: z.string().optional(),
  trigger: z.string().optional(),
  emergencyStrategy: z.string().optional(),
});
export type ExecutionInputView = z.infer<typeof ExecutionInputView>;

export interface ExecutionRecord {
  readonly arn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: Date | null;
  readonly stopDate: Date | null;
  readonly input: ExecutionInputView;
  readonly error: string | null;
  readonly cause: string | null;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toRecord(described: DescribeExecutionCommandOutput): ExecutionRecord {
  const input = ExecutionInputView.safeParse(parseJson(described.input));
  return {
    arn: described.executionArn ?? '',
    name: described.name ?? '',
    status: described.status ?? 'UNKNOWN',
    startDate: described.startDate ?? null,
    stopDate: described.stopDate ?? null,
    input: input.success ? input.data : {},
    error: described.error ?? null,
    cause: described.cause ?? null,
  };
}

export async function describeExecution(aws: OperatorAws, executionArn: string): Promise<ExecutionRecord> {
  const described = await awsCall(`DescribeExecution(${executionArn})`, () =>
    aws.sfn.send(new DescribeExecutionCommand({ executionArn })),
  );
  return toRecord(described);
}

/**
 * The most recent executions of the state machine, newest first, described (the input names the
 * secret). `scan` bounds how many are read: each costs a DescribeExecution.
 */
export async function recentExecutions(aws: OperatorAws, scan: number): Promise<ExecutionRecord[]> {
  const stateMachineArn = await aws.stateMachineArn();
  const listed: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page: ListExecutionsCommandOutput = await awsCall(`ListExecutions(${stateMachineArn})`, () =>
      aws.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn,
          maxResults: Math.min(1000, scan - listed.length),
          ...(nextToken ? { nextToken } : {}),
        }),
      ),
    );
    listed.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken && listed.length < scan);
  const described: ExecutionRecord[] = [];
  for (const item of listed) {
    if (item.executionArn) described.push(await describeExecution(aws, item.executionArn));
  }
  return described;
}

export function isExecutionOf(
  execution: ExecutionRecord,
  secret: Pick<ManagedSecret, 'arn' | 'name'>,
): boolean {
  return execution.input.secretId === secret.arn || execution.input.secretId === secret.name;
}

/** Every event of an execution's history, oldest first. */
export async function executionHistory(aws: OperatorAws, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page: GetExecutionHistoryCommandOutput = await awsCall(`GetExecutionHistory(${executionArn})`, () =>
      aws.sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 1000,
          ...(nextToken ? { nextToken } : {}),
        }),
      ),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
}

/** The facts of the rotation state the CLI reads from state outputs (contract.ts), loosely: any may be absent. */
const StateView = z.object({
  inventory: z
    .object({
      kind: z.string().optional(),
      /** Kind-neutral (both kinds): the credential the rotation replaces. */
      credential: z.object({ legacyId: z.string() }).optional(),
      legacyClient: z.object({ id: z.string(), name: z.string().optional() }).optional(),
      legacyUsage: z.object({ requests: z.number(), days: z.number() }).optional(),
      clientQuota: z.object({ used: z.number(), limit: z.number().nullable() }).optional(),
      org: z.object({ id: z.string(), name: z.string() }).optional(),
      environment: z.string().optional(),
    })
    .optional(),
  validation: z
    .object({
      ok: z.boolean(),
      waitSeconds: z.number().optional(),
      checks: z.array(
        z.object({ check: z.string(), passed: z.boolean(), code: z.string().nullable(), detail: z.string() }),
      ),
      plan: z.record(z.string(), z.unknown()),
    })
    .optional(),
  created: z
    .object({
      credential: z.object({ newId: z.string() }).optional(),
      newClientId: z.string().optional(),
      newClientName: z.string().optional(),
    })
    .optional(),
  synced: z.object({ promotedAt: z.string() }).optional(),
  retired: z.object({ action: z.string() }).optional(),
  emergency: z
    .object({ clientId: z.string(), leakedClientId: z.string(), leakedClient: z.string() })
    .optional(),
  error: z.record(z.string(), z.unknown()).optional(),
});
export type StateView = z.infer<typeof StateView>;

/** The hold's figures (contract.ts `HoldSchema`), as the hold Pass state put them at `$.error`. */
export interface HoldView {
  readonly reason: string;
  readonly legacyRequestsSincePromotion: number;
  readonly daysObserved: number;
  readonly evidenceDaysRequired: number;
  readonly cause: string;
}

export interface ExecutionFacts {
  readonly outcome: RotationOutcome;
  readonly terminalState: string | null;
  /** The last state entered (the current one while running). */
  readonly currentState: string | null;
  /** The secret's `genesys:kind` (null before Fetch succeeded). */
  readonly kind: string | null;
  /** Kind-neutral: the credential replaced and the one made (OAuth client ids, or partner key ids). */
  readonly legacyId: string | null;
  readonly newId: string | null;
  /** Kind `oauth-client` only (null for a partner key): the same ids, under their version 1 names. */
  readonly legacyClientId: string | null;
  readonly newClientId: string | null;
  readonly promotedAt: string | null;
  readonly gracePeriodSeconds: number | null;
  readonly legacyRetired: boolean;
  readonly hold: HoldView | null;
  readonly validation: StateView['validation'] | null;
  readonly inventory: StateView['inventory'] | null;
  readonly emergency: StateView['emergency'] | null;
}

function stateOutput(event: HistoryEvent): StateView | null {
  const parsed = StateView.safeParse(parseJson(event.stateExitedEventDetails?.output));
  return parsed.success ? parsed.data : null;
}

/** What an execution's history says: its outcome and the facts each state recorded. */
export function factsOf(execution: ExecutionRecord, events: readonly HistoryEvent[]): ExecutionFacts {
  let terminalState: string | null = null;
  let currentState: string | null = null;
  let held = false;
  let hold: HoldView | null = null;
  const latest: { [K in keyof StateView]?: StateView[K] } = {};
  for (const event of events) {
    const entered = event.stateEnteredEventDetails?.name;
    if (entered !== undefined) {
      currentState = entered;
      if (event.type === 'FailStateEntered' || event.type === 'SucceedStateEntered') terminalState = entered;
      if ((HOLD_STATES as readonly string[]).includes(entered)) held = true;
    }
    const exited = event.stateExitedEventDetails?.name;
    if (exited === undefined) continue;
    const output = stateOutput(event);
    if (output === null) continue;
    for (const key of ['inventory', 'validation', 'created', 'synced', 'retired', 'emergency'] as const) {
      if (output[key] !== undefined) Object.assign(latest, { [key]: output[key] });
    }
    if ((HOLD_STATES as readonly string[]).includes(exited) && output.error) {
      const error = output.error;
      hold = {
        reason: String(error.reason ?? ''),
        legacyRequestsSincePromotion: Number(error.legacyRequestsSincePromotion ?? 0),
        daysObserved: Number(error.daysObserved ?? 0),
        evidenceDaysRequired: Number(error.evidenceDaysRequired ?? 0),
        cause: String(error.Cause ?? ''),
      };
    }
  }
  const grace = latest.validation?.plan.gracePeriodSeconds;
  return {
    outcome: outcomeOf({
      status: execution.status,
      terminalState,
      held,
      dryRun: execution.input.dryRun === true,
    }),
    terminalState,
    currentState,
    kind: latest.inventory?.kind ?? null,
    legacyId: latest.inventory?.credential?.legacyId ?? latest.inventory?.legacyClient?.id ?? null,
    newId:
      latest.created?.credential?.newId ?? latest.created?.newClientId ?? latest.emergency?.clientId ?? null,
    legacyClientId: latest.inventory?.legacyClient?.id ?? null,
    newClientId: latest.created?.newClientId ?? latest.emergency?.clientId ?? null,
    promotedAt: latest.synced?.promotedAt ?? null,
    gracePeriodSeconds: typeof grace === 'number' ? grace : null,
    legacyRetired: ['deleted', 'already-gone', 'revoked', 'already-revoked', 'left-to-operator'].includes(
      latest.retired?.action ?? '',
    ),
    hold,
    validation: latest.validation ?? null,
    inventory: latest.inventory ?? null,
    emergency: latest.emergency ?? null,
  };
}

/** The execution's outcome, the one line an operator reads first. */
export function describeOutcome(facts: ExecutionFacts, execution: ExecutionRecord): string {
  const detail = facts.hold
    ? `${facts.hold.reason}: ${facts.hold.legacyRequestsSincePromotion} legacy requests since promotion, ` +
      `${facts.hold.daysObserved} of ${facts.hold.evidenceDaysRequired} reported days observed`
    : execution.error
      ? execution.error
      : null;
  return detail ? `${facts.outcome} (${detail})` : facts.outcome;
}
