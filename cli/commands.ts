/**
 * The commands. Each resolves the managed secret first (so an unknown or unmanaged secret is named
 * before anything starts), talks to AWS only through `OperatorAws`, and returns its exit code.
 */
import { randomBytes } from 'node:crypto';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { RotationOutcome } from '../functions/shared/workflow.js';
import type { OperatorAws } from './aws.js';
import { awsCall, ConfirmationRequiredError, EXIT, type ExitCode, UsageError } from './errors.js';
import {
  describeOutcome,
  type ExecutionFacts,
  type ExecutionRecord,
  executionHistory,
  factsOf,
  isExecutionOf,
  recentExecutions,
} from './executions.js';
import { followExecution, type StateLine } from './follow.js';
import type { Reporter } from './output.js';
import { table } from './output.js';
import { blastRadiusOf, plannedCalls } from './plan.js';
import {
  currentVersionCreated,
  listManagedSecrets,
  type ManagedSecret,
  resolveManagedSecret,
} from './secrets.js';

export interface CommandContext {
  readonly aws: OperatorAws;
  readonly report: Reporter;
  readonly pollMs: number;
  readonly now: () => Date;
}

/** Step Functions execution names: 1-80 characters, none of whitespace, brackets, wildcards or `"#%\^|~`$&,;:/`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what the rule forbids
const INVALID_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

/**
 * `cli-<verb>-<secret>-<UTC time>-<random>`: readable in the console and in `history`, unique, and
 * distinct from the hook's `sm-<token>` names. `--name` chooses it instead: a retried start with
 * the same name and input returns the same execution rather than starting a second one.
 */
export function executionNameFor(verb: string, secret: ManagedSecret, now: Date, chosen?: string): string {
  if (chosen !== undefined) {
    if (chosen.length < 1 || chosen.length > 80 || INVALID_NAME_CHARACTERS.test(chosen)) {
      throw new UsageError(
        `--name ${JSON.stringify(chosen)} is not a valid execution name: 1-80 characters, no spaces, brackets, wildcards or any of "#%\\^|~\`$&,;:/`,
      );
    }
    return chosen;
  }
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const slug = secret.name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(-40);
  return `cli-${verb}-${slug}-${stamp}-${randomBytes(2).toString('hex')}`;
}

interface StartRequest {
  readonly mode: 'standard' | 'emergency';
  readonly dryRun: boolean;
  readonly reason: string;
  readonly emergencyStrategy?: 'replace' | 'regenerate';
}

async function start(
  ctx: CommandContext,
  secret: ManagedSecret,
  name: string,
  request: StartRequest,
): Promise<{ executionArn: string; name: string }> {
  const stateMachineArn = await ctx.aws.stateMachineArn();
  const input = {
    secretId: secret.arn,
    dryRun: request.dryRun,
    reason: request.reason,
    mode: request.mode,
    trigger: 'cli',
    ...(request.emergencyStrategy ? { emergencyStrategy: request.emergencyStrategy } : {}),
  };
  const started = await awsCall(`StartExecution(${name})`, () =>
    ctx.aws.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) })),
  );
  return { executionArn: started.executionArn ?? '', name };
}

/** Follows an execution with listr2 progress, one line per state. */
async function follow(
  ctx: CommandContext,
  started: { executionArn: string; name: string },
): Promise<{
  execution: ExecutionRecord;
  events: HistoryEvent[];
  lines: StateLine[];
  facts: ExecutionFacts;
}> {
  const lines: StateLine[] = [];
  return ctx.report.progress(`Execution ${started.name}`, async (line, retitle) => {
    const followed = await followExecution(ctx.aws, started.executionArn, {
      pollMs: ctx.pollMs,
      onLine: (stateLine) => {
        lines.push(stateLine);
        line(stateLine.text);
      },
    });
    const facts = factsOf(followed.execution, followed.events);
    retitle(`Execution ${started.name}: ${describeOutcome(facts, followed.execution)}`);
    return { ...followed, lines, facts };
  });
}

/** Exit code of a finished execution's outcome. */
export function exitCodeOf(outcome: RotationOutcome): ExitCode {
  switch (outcome) {
    case 'succeeded':
    case 'dry-run':
    case 'running':
      return EXIT.ok;
    case 'held':
      return EXIT.held;
    case 'refused':
      return EXIT.refused;
    default:
      return EXIT.failed;
  }
}

function secretRef(secret: ManagedSecret) {
  return { name: secret.name, arn: secret.arn };
}

function stateLinesJson(lines: readonly StateLine[]) {
  return lines.map(({ text: _text, ...line }) => line);
}

// ---- plan ---------------------------------------------------------------------------------------

export async function planCommand(
  ctx: CommandContext,
  secretId: string,
  options: { reason?: string; name?: string },
): Promise<ExitCode> {
  const secret = await resolveManagedSecret(ctx.aws, secretId);
  const name = executionNameFor('plan', secret, ctx.now(), options.name);
  const started = await start(ctx, secret, name, {
    mode: 'standard',
    dryRun: true,
    reason: options.reason ?? 'plan (operator CLI)',
  });
  const { execution, facts, lines } = await follow(ctx, started);
  const checks = facts.validation?.checks ?? [];
  const failed = checks.filter((check) => !check.passed);
  const ok = facts.outcome === 'dry-run' && facts.validation?.ok === true;
  const blastRadius = facts.validation ? blastRadiusOf(facts) : null;
  const calls = facts.validation ? plannedCalls(facts) : [];
  const code: ExitCode = ok
    ? EXIT.ok
    : facts.outcome === 'dry-run'
      ? EXIT.refused
      : exitCodeOf(facts.outcome);
  const human: string[] = ['', `Plan for ${secret.name} (${facts.outcome})`];
  if (checks.length > 0) {
    human.push('Checks:');
    for (const check of checks) {
      human.push(
        `  ${check.passed ? 'pass' : 'FAIL'}  ${check.check.padEnd(19)} ${check.code ? `${check.code}: ` : ''}${check.detail}`,
      );
    }
  }
  if (blastRadius) {
    human.push('Blast radius:');
    human.push(
      `  legacy client   ${blastRadius.legacyClientId ?? '?'}${blastRadius.legacyClientName ? ` (${blastRadius.legacyClientName})` : ''}: ` +
        `${blastRadius.legacyRequests ?? '?'} requests over the last ${blastRadius.usageDays ?? '?'} days, ${blastRadius.roleDivisions ?? '?'} role-divisions`,
    );
    if (blastRadius.org) human.push(`  org             ${blastRadius.org}`);
    if (blastRadius.clientQuota) {
      human.push(
        `  OAuth clients   ${blastRadius.clientQuota.used} of ${blastRadius.clientQuota.limit ?? 'unknown'} (one more during the rotation)`,
      );
    }
    if (blastRadius.legacyDeleteNote) human.push(`  retirement      ${blastRadius.legacyDeleteNote}`);
    const dependents = blastRadius.dependents;
    if (dependents === null) {
      human.push(
        '  dependents      unknown: the secret has no genesys:credential-ids tag naming its Genesys credentials',
      );
    } else {
      const level = (label: string, entry: { count: number; ids: readonly string[]; truncated: boolean }) =>
        `${entry.count} ${label}${entry.ids.length > 0 ? ` (${entry.ids.join(', ')}${entry.truncated ? ', ...' : ''})` : ''}`;
      human.push(
        `  dependents      of credential(s) ${dependents.credentialIds.join(', ')}: ${level('integrations', dependents.integrations)}, ` +
          `${level('Data Actions', dependents.actions)}, ${level('flows', dependents.flows)}${dependents.complete ? '' : ' (lower bounds)'}`,
      );
    }
  }
  if (calls.length > 0) {
    human.push('Calls a rotation would make:');
    calls.forEach((call, index) => {
      human.push(`  ${String(index + 1).padStart(2)}. ${call.service}: ${call.call}`);
      human.push(`      ${call.why}`);
    });
  }
  if (!facts.validation && execution.error)
    human.push(`Refused: ${execution.error}: ${execution.cause ?? ''}`);
  human.push(
    ok
      ? 'Result: ready, every check passed (nothing was changed)'
      : failed.length > 0
        ? `Result: refused, ${failed.length} check${failed.length > 1 ? 's' : ''} failed (nothing was changed)`
        : `Result: ${describeOutcome(facts, execution)}`,
  );
  ctx.report.result(
    {
      command: 'plan',
      secret: secretRef(secret),
      execution: { name: execution.name, arn: execution.arn, status: execution.status },
      outcome: facts.outcome,
      ok,
      checks,
      plan: facts.validation?.plan ?? null,
      blastRadius,
      calls,
      states: stateLinesJson(lines),
      error: execution.error,
      cause: execution.cause,
    },
    human,
  );
  return code;
}

// ---- rotate and emergency -------------------------------------------------------------------------

function rotationResult(
  command: string,
  secret: ManagedSecret,
  execution: ExecutionRecord,
  facts: ExecutionFacts,
  lines: readonly StateLine[],
) {
  const document = {
    command,
    secret: secretRef(secret),
    execution: {
      name: execution.name,
      arn: execution.arn,
      status: execution.status,
      startDate: execution.startDate?.toISOString() ?? null,
      stopDate: execution.stopDate?.toISOString() ?? null,
    },
    outcome: facts.outcome,
    credential: { kind: facts.kind, legacyId: facts.legacyId, newId: facts.newId },
    newClientId: facts.newClientId,
    legacyClientId: facts.legacyClientId,
    legacyRetired: facts.legacyRetired,
    hold: facts.hold,
    emergency: facts.emergency,
    states: stateLinesJson(lines),
    error: execution.error,
    cause: execution.cause,
  };
  const human = [
    '',
    `Outcome:        ${describeOutcome(facts, execution)}`,
    `Execution:      ${execution.name}`,
    ...(facts.kind === 'integration-credential'
      ? [
          `New key:        ${facts.newId ?? '-'}`,
          `Old key:        ${facts.legacyId ?? '-'}${facts.legacyRetired ? ' (retired)' : ''}`,
        ]
      : [
          `New client:     ${facts.newClientId ?? '-'}`,
          `Legacy client:  ${facts.legacyClientId ?? '-'}${facts.legacyRetired ? ' (retired)' : facts.emergency ? ` (${facts.emergency.leakedClient})` : ''}`,
        ]),
  ];
  if (execution.cause && facts.outcome !== 'succeeded') human.push(`Cause:          ${execution.cause}`);
  return { document, human };
}

export async function rotateCommand(
  ctx: CommandContext,
  secretId: string,
  options: { follow?: boolean; reason?: string; name?: string },
): Promise<ExitCode> {
  const secret = await resolveManagedSecret(ctx.aws, secretId);
  const name = executionNameFor('rotate', secret, ctx.now(), options.name);
  const started = await start(ctx, secret, name, {
    mode: 'standard',
    dryRun: false,
    reason: options.reason ?? 'rotation (operator CLI)',
  });
  if (!options.follow) {
    ctx.report.result(
      {
        command: 'rotate',
        secret: secretRef(secret),
        execution: { name, arn: started.executionArn },
        outcome: 'running',
      },
      [
        `Started ${name}`,
        `  ${started.executionArn}`,
        // The same name and input while it runs is the same execution (StartExecution is idempotent).
        `Follow it: genesys-rotator rotate ${secret.name} --follow --name ${name}${options.reason ? ` --reason ${JSON.stringify(options.reason)}` : ''}`,
      ],
    );
    return EXIT.ok;
  }
  const { execution, facts, lines } = await follow(ctx, started);
  const { document, human } = rotationResult('rotate', secret, execution, facts, lines);
  ctx.report.result(document, human);
  return exitCodeOf(facts.outcome);
}

export async function emergencyCommand(
  ctx: CommandContext,
  secretId: string,
  options: { confirm?: string; strategy?: string; reason?: string; name?: string; follow?: boolean },
): Promise<ExitCode> {
  const strategy = options.strategy ?? 'replace';
  if (strategy !== 'replace' && strategy !== 'regenerate') {
    throw new UsageError(`--strategy must be "replace" or "regenerate", got ${JSON.stringify(strategy)}`);
  }
  // Refused before any AWS call: an emergency breaks every consumer still holding the old credential.
  if (options.confirm === undefined) {
    throw new ConfirmationRequiredError(
      `emergency rotation of ${secretId} refused: it disables the current client at once and breaks every consumer ` +
        "that has not re-read AWSCURRENT. Repeat the secret's name with --confirm <name> to proceed",
    );
  }
  const secret = await resolveManagedSecret(ctx.aws, secretId);
  if (options.confirm !== secret.name && options.confirm !== secret.arn) {
    throw new ConfirmationRequiredError(
      `emergency rotation refused: --confirm ${JSON.stringify(options.confirm)} does not name the secret ${secret.name}`,
    );
  }
  const name = executionNameFor('emergency', secret, ctx.now(), options.name);
  const started = await start(ctx, secret, name, {
    mode: 'emergency',
    dryRun: false,
    reason: options.reason ?? 'emergency rotation (operator CLI)',
    emergencyStrategy: strategy,
  });
  if (options.follow === false) {
    ctx.report.result(
      {
        command: 'emergency',
        secret: secretRef(secret),
        execution: { name, arn: started.executionArn },
        outcome: 'running',
      },
      [`Started emergency rotation ${name}`, `  ${started.executionArn}`],
    );
    return EXIT.ok;
  }
  const { execution, facts, lines } = await follow(ctx, started);
  const { document, human } = rotationResult('emergency', secret, execution, facts, lines);
  ctx.report.result(document, human);
  return exitCodeOf(facts.outcome);
}

// ---- status and history ---------------------------------------------------------------------------

function daysBetween(from: Date, to: Date): number {
  return Math.round(((to.getTime() - from.getTime()) / 86_400_000) * 10) / 10;
}

function executionJson(execution: ExecutionRecord, facts: ExecutionFacts) {
  return {
    name: execution.name,
    arn: execution.arn,
    status: execution.status,
    outcome: facts.outcome,
    startDate: execution.startDate?.toISOString() ?? null,
    stopDate: execution.stopDate?.toISOString() ?? null,
    trigger: execution.input.trigger ?? null,
    mode: execution.input.dryRun ? 'dry-run' : (execution.input.mode ?? 'standard'),
    reason: execution.input.reason ?? null,
    currentState: facts.outcome === 'running' ? facts.currentState : null,
    credential: { kind: facts.kind, legacyId: facts.legacyId, newId: facts.newId },
    newClientId: facts.newClientId,
    legacyClientId: facts.legacyClientId,
    legacyRetired: facts.legacyRetired,
    hold: facts.hold,
    error: execution.error,
    cause: execution.cause,
  };
}

/** The legacy client still active after promotion: in its grace period (running) or kept by a hold. */
function legacyInGrace(facts: ExecutionFacts) {
  if (facts.legacyClientId === null || facts.promotedAt === null || facts.legacyRetired) return null;
  if (facts.emergency) return null;
  if (facts.outcome === 'running') {
    const graceEndsAt =
      facts.gracePeriodSeconds === null
        ? null
        : new Date(Date.parse(facts.promotedAt) + facts.gracePeriodSeconds * 1000).toISOString();
    return { clientId: facts.legacyClientId, state: 'in-grace', promotedAt: facts.promotedAt, graceEndsAt };
  }
  if (facts.outcome === 'held' || facts.outcome === 'needs-attention') {
    return {
      clientId: facts.legacyClientId,
      state: facts.outcome,
      promotedAt: facts.promotedAt,
      graceEndsAt: null,
    };
  }
  return null;
}

export async function statusCommand(ctx: CommandContext, options: { executions: number }): Promise<ExitCode> {
  const stateMachineArn = await ctx.aws.stateMachineArn();
  const secrets = await listManagedSecrets(ctx.aws);
  const executions = await recentExecutions(ctx.aws, options.executions);
  const now = ctx.now();
  const rows = [];
  for (const secret of secrets) {
    const own = executions.filter((execution) => isExecutionOf(execution, secret));
    const latest = own[0] ?? null;
    const latestFacts = latest ? factsOf(latest, await executionHistory(ctx.aws, latest.arn)) : null;
    const finished = own.find((execution) => execution.status !== 'RUNNING') ?? null;
    const finishedFacts =
      finished === null
        ? null
        : finished === latest
          ? latestFacts
          : factsOf(finished, await executionHistory(ctx.aws, finished.arn));
    const created = await currentVersionCreated(ctx.aws, secret);
    rows.push({
      name: secret.name,
      arn: secret.arn,
      kind: secret.kind,
      environment: secret.environment,
      stage: secret.stage,
      currentVersionCreated: created?.toISOString() ?? null,
      ageDays: created ? daysBetween(created, now) : null,
      rotationEnabled: secret.rotationEnabled,
      schedule: secret.rotationSchedule,
      nextRotation: secret.nextRotationDate?.toISOString() ?? null,
      pendingVersionId: secret.pendingVersionId,
      running:
        latest !== null && latestFacts !== null && latestFacts.outcome === 'running'
          ? { execution: latest.name, state: latestFacts.currentState }
          : null,
      lastOutcome: finished && finishedFacts ? executionJson(finished, finishedFacts) : null,
      legacyInGrace: latestFacts ? legacyInGrace(latestFacts) : null,
    });
  }
  const human = table(
    ['SECRET', 'KIND', 'AGE', 'LAST OUTCOME', 'NEXT ROTATION', 'PENDING', 'LEGACY IN GRACE'],
    rows.map((row) => [
      row.name,
      row.kind,
      row.ageDays === null ? '-' : `${row.ageDays} d`,
      row.running
        ? `running (${row.running.state ?? '?'})`
        : row.lastOutcome
          ? `${row.lastOutcome.outcome} ${row.lastOutcome.stopDate?.slice(0, 16) ?? ''}`.trim()
          : 'never rotated',
      row.nextRotation?.slice(0, 16) ?? (row.rotationEnabled ? '-' : 'rotation off'),
      row.pendingVersionId ?? '-',
      row.legacyInGrace
        ? `${row.legacyInGrace.clientId} (${row.legacyInGrace.state}${row.legacyInGrace.graceEndsAt ? ` until ${row.legacyInGrace.graceEndsAt.slice(0, 16)}` : ''})`
        : '-',
    ]),
  );
  if (rows.length === 0) human.push('(no secret carries the genesys:kind tag in this account and region)');
  ctx.report.result({ command: 'status', stateMachineArn, secrets: rows }, human);
  return EXIT.ok;
}

export async function historyCommand(
  ctx: CommandContext,
  secretId: string,
  options: { limit: number; executions: number },
): Promise<ExitCode> {
  const secret = await resolveManagedSecret(ctx.aws, secretId);
  const own = (await recentExecutions(ctx.aws, options.executions))
    .filter((execution) => isExecutionOf(execution, secret))
    .slice(0, options.limit);
  const entries = [];
  for (const execution of own) {
    entries.push(
      executionJson(execution, factsOf(execution, await executionHistory(ctx.aws, execution.arn))),
    );
  }
  const human = [
    `History of ${secret.name} (newest first; the ${options.executions} most recent executions searched)`,
    ...table(
      ['STARTED', 'EXECUTION', 'TRIGGER', 'MODE', 'OUTCOME', 'NEW CLIENT'],
      entries.map((entry) => [
        entry.startDate?.slice(0, 19) ?? '-',
        entry.name,
        entry.trigger ?? '-',
        entry.mode,
        entry.currentState
          ? `running (${entry.currentState})`
          : entry.error
            ? `${entry.outcome} (${entry.error})`
            : entry.outcome,
        entry.newClientId ?? '-',
      ]),
    ),
  ];
  if (entries.length === 0) human.push('(no execution of this secret)');
  ctx.report.result({ command: 'history', secret: secretRef(secret), executions: entries }, human);
  return EXIT.ok;
}
