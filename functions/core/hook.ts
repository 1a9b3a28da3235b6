import type { SecretsManagerRotationEvent } from '../shared/contract.js';
import {
  HookWaitTimeoutError,
  InvalidInputError,
  RotationError,
  RotationStepFailedError,
} from '../shared/errors.js';
import type {
  Clock,
  CredentialProbePort,
  ExecutionSummary,
  ExecutionsPort,
  SecretDescription,
  SecretStorePort,
} from '../shared/ports.js';
import { STATE } from '../shared/workflow.js';
import { parseOAuthSecretValue } from './secret-value.js';
import { AWSCURRENT, AWSPENDING, stagesOf, versionWithStage } from './stages.js';

export interface HookDependencies {
  readonly secrets: SecretStorePort;
  readonly executions: ExecutionsPort;
  readonly probe: CredentialProbePort;
  readonly clock: Clock;
  /** Longest a step waits for its milestone; must stay under the Lambda timeout. */
  readonly maxWaitMs: number;
  readonly pollMs: number;
}

export type HookAction =
  | 'already-current'
  | 'pending-ready'
  | 'milestone-reached'
  | 'promoted'
  | 'configuration-tested';

export interface HookOutcome {
  readonly step: SecretsManagerRotationEvent['Step'];
  readonly action: HookAction;
  readonly executionName: string | null;
}

/**
 * States that mark the hook's milestones. They are the states right after Create and Verify on the
 * success path: a Task whose error is caught also *exits* (into its Catch), so the exit of Create or
 * Verify itself proves nothing; only their success leads into these. With integrations that follow,
 * EmitVerified comes after FlipDependents: finishSecret promotes only once they hold the new client.
 */
export const MILESTONE_STATES = { created: STATE.EmitCreated, verified: STATE.EmitVerified } as const;

/** Secrets Manager retries a failed rotation with the same token; each retry gets a fresh execution. */
const MAX_EXECUTION_ATTEMPTS = 5;

export function executionNameFor(token: string, attempt: number): string {
  const safe = token.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
  return attempt === 1 ? `sm-${safe}` : `sm-${safe}-a${attempt}`;
}

async function latestExecution(
  executions: ExecutionsPort,
  token: string,
): Promise<{ attempt: number; execution: ExecutionSummary } | null> {
  let latest: { attempt: number; execution: ExecutionSummary } | null = null;
  for (let attempt = 1; attempt <= MAX_EXECUTION_ATTEMPTS; attempt += 1) {
    const execution = await executions.describeByName(executionNameFor(token, attempt));
    if (execution === null) break;
    latest = { attempt, execution };
  }
  return latest;
}

function causeOf(execution: ExecutionSummary): string {
  const raw = execution.cause ?? '';
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      return String(parsed.errorMessage);
    }
  } catch {
    // Not JSON: the cause is already a message.
  }
  return raw;
}

function failure(event: SecretsManagerRotationEvent, secret: SecretDescription, execution: ExecutionSummary) {
  return new RotationStepFailedError(
    `${event.Step} for secret ${secret.name} failed: rotation execution ${execution.name} ended ${execution.status}` +
      `${execution.error ? ` with ${execution.error}` : ''}${execution.cause ? `: ${causeOf(execution)}` : ''}`,
    { details: { secretArn: secret.arn, step: event.Step, execution: execution.name } },
  );
}

/**
 * Waits for `reached()` while the execution runs. Throws the execution's own error if it ends
 * without reaching it, and `HookWaitTimeoutError` when the budget runs out (Secrets Manager retries).
 */
async function waitFor(
  deps: HookDependencies,
  event: SecretsManagerRotationEvent,
  secret: SecretDescription,
  executionName: string,
  reached: (execution: ExecutionSummary) => Promise<boolean>,
  milestone: string,
): Promise<void> {
  const deadline = deps.clock.now().getTime() + deps.maxWaitMs;
  for (;;) {
    const execution = await deps.executions.describeByName(executionName);
    if (execution === null) {
      throw new RotationStepFailedError(
        `${event.Step} for secret ${secret.name}: execution ${executionName} vanished`,
      );
    }
    // A failed execution has rolled back (or tried to): a milestone it passed earlier no longer counts.
    if (execution.status !== 'RUNNING' && execution.status !== 'SUCCEEDED') {
      throw failure(event, secret, execution);
    }
    if (await reached(execution)) return;
    if (execution.status !== 'RUNNING') throw failure(event, secret, execution);
    if (deps.clock.now().getTime() >= deadline) {
      throw new HookWaitTimeoutError(
        `${event.Step} for secret ${secret.name} waited ${Math.round(deps.maxWaitMs / 1000)}s for ${milestone} of execution ${executionName}`,
        { details: { secretArn: secret.arn, step: event.Step, execution: executionName } },
      );
    }
    await deps.clock.sleep(deps.pollMs);
  }
}

function stateReached(deps: HookDependencies, stateName: string) {
  return async (execution: ExecutionSummary) =>
    execution.status === 'SUCCEEDED' ||
    (await deps.executions.completedStates(execution.executionArn)).includes(stateName);
}

async function requireExecution(
  deps: HookDependencies,
  event: SecretsManagerRotationEvent,
  secret: SecretDescription,
) {
  const latest = await latestExecution(deps.executions, event.ClientRequestToken);
  if (latest === null) {
    throw new RotationStepFailedError(
      `${event.Step} for secret ${secret.name}: no rotation execution exists for token ${event.ClientRequestToken}; createSecret has not run`,
    );
  }
  return latest.execution;
}

async function createSecret(
  deps: HookDependencies,
  event: SecretsManagerRotationEvent,
  secret: SecretDescription,
) {
  const token = event.ClientRequestToken;
  const pendingReady = async () =>
    (await deps.secrets.getValue(secret.arn, { versionId: token, stage: AWSPENDING })) !== null;
  const latest = await latestExecution(deps.executions, token);
  if (latest?.execution.status === 'RUNNING' || latest?.execution.status === 'SUCCEEDED') {
    await waitFor(deps, event, secret, latest.execution.name, pendingReady, 'the pending version');
    return { step: event.Step, action: 'pending-ready' as const, executionName: latest.execution.name };
  }
  // A value left behind by a failed attempt was never promoted and may name a rolled-back client:
  // only a fresh attempt (which reuses and re-verifies it) may carry the rotation on.
  if (latest === null && (await pendingReady()))
    return { step: event.Step, action: 'pending-ready' as const, executionName: null };
  const attempt = (latest?.attempt ?? 0) + 1;
  if (attempt > MAX_EXECUTION_ATTEMPTS) {
    throw new RotationStepFailedError(
      `createSecret for secret ${secret.name}: ${MAX_EXECUTION_ATTEMPTS} rotation executions for token ${token} failed; giving up`,
    );
  }
  await earlierTokensEnded(deps, event, secret);
  const name = executionNameFor(token, attempt);
  await deps.executions.start(name, {
    secretId: secret.arn,
    trigger: 'secretsmanager',
    token,
    reason: 'Secrets Manager rotation',
  });
  await waitFor(deps, event, secret, name, pendingReady, 'the pending version');
  return { step: event.Step, action: 'pending-ready' as const, executionName: name };
}

/**
 * A retry with a new token can arrive while the earlier token's execution still runs (its hook step
 * timed out): Fetch would refuse the new one (ROTATION_IN_PROGRESS). Wait, within the step's
 * budget, for the hook's other executions of this secret to end (they clean up after themselves).
 * A manual execution is not waited for: it refuses as documented.
 */
async function earlierTokensEnded(
  deps: HookDependencies,
  event: SecretsManagerRotationEvent,
  secret: SecretDescription,
): Promise<void> {
  const own = executionNameFor(event.ClientRequestToken, 1);
  const deadline = deps.clock.now().getTime() + deps.maxWaitMs;
  for (;;) {
    const others = (await deps.executions.runningFor({ arn: secret.arn, name: secret.name })).filter(
      (execution) => execution.name.startsWith('sm-') && !execution.name.startsWith(own),
    );
    if (others.length === 0) return;
    if (deps.clock.now().getTime() >= deadline) {
      throw new HookWaitTimeoutError(
        `createSecret for secret ${secret.name} waited ${Math.round(deps.maxWaitMs / 1000)}s for execution ${others[0]?.name} of an earlier token to end`,
        { details: { secretArn: secret.arn, step: event.Step } },
      );
    }
    await deps.clock.sleep(deps.pollMs);
  }
}

/** Reads the pending value and probes it: Genesys must accept it now, not only when Verify ran. */
async function probePending(deps: HookDependencies, secret: SecretDescription, token: string): Promise<void> {
  const pending = parseOAuthSecretValue(
    await deps.secrets.getValue(secret.arn, { versionId: token, stage: AWSPENDING }),
    `The pending value of secret ${secret.name}`,
  );
  await deps.probe.probe(pending);
}

/**
 * finishSecret: promote only a credential that is still pending, whose execution has not failed
 * and that Genesys accepts. A rollback running concurrently removes AWSPENDING before it deletes
 * the client, so the checks close the race except for milliseconds; the probe after promotion
 * closes those: if the client vanished, AWSCURRENT goes back to the version it left.
 */
async function finishSecret(
  deps: HookDependencies,
  event: SecretsManagerRotationEvent,
  secret: SecretDescription,
): Promise<HookOutcome> {
  const token = event.ClientRequestToken;
  const execution = await requireExecution(deps, event, secret);
  await waitFor(deps, event, secret, execution.name, stateReached(deps, MILESTONE_STATES.verified), 'Verify');
  const fresh = await deps.secrets.describe(secret.arn);
  if (stagesOf(fresh, token).includes(AWSCURRENT)) {
    return { step: event.Step, action: 'already-current', executionName: execution.name };
  }
  const current = versionWithStage(fresh, AWSCURRENT);
  if (current === null) {
    throw new RotationStepFailedError(
      `finishSecret for secret ${secret.name}: no AWSCURRENT version to replace`,
    );
  }
  const latest = await deps.executions.describeByName(execution.name);
  if (latest !== null && latest.status !== 'RUNNING' && latest.status !== 'SUCCEEDED') {
    throw failure(event, secret, latest);
  }
  if (!stagesOf(fresh, token).includes(AWSPENDING)) {
    throw new RotationStepFailedError(
      `finishSecret for secret ${secret.name}: version ${token} is no longer AWSPENDING; execution ${execution.name} rolled it back`,
    );
  }
  await probePending(deps, secret, token);
  await deps.secrets.promote(secret.arn, token, current);
  try {
    const promoted = parseOAuthSecretValue(
      await deps.secrets.getValue(secret.arn, { versionId: token }),
      `The new AWSCURRENT value of secret ${secret.name}`,
    );
    await deps.probe.probe(promoted);
  } catch (error) {
    if (error instanceof RotationError && !error.retryable) {
      await deps.secrets.promote(secret.arn, current, token);
      throw new RotationStepFailedError(
        `finishSecret for secret ${secret.name}: the promoted credential stopped working (${error.name}); AWSCURRENT restored to version ${current}`,
      );
    }
    // A transient failure says nothing about the credential: it was verified a moment ago.
  }
  return { step: event.Step, action: 'promoted', executionName: execution.name };
}

/** A lone testSecret (RotateImmediately=false) tests the configuration: the current credential works. */
async function testConfiguration(deps: HookDependencies, secret: SecretDescription): Promise<void> {
  const current = parseOAuthSecretValue(
    await deps.secrets.getValue(secret.arn, { stage: AWSCURRENT }),
    `The AWSCURRENT value of secret ${secret.name}`,
  );
  await deps.probe.probe(current);
}

/**
 * The Secrets Manager rotation function, as a guarded dispatcher like the AWS templates: rotation
 * enabled, token staged, already-current is a no-op. createSecret starts (once) the state machine
 * execution for the token; later steps wait for its milestones; finishSecret promotes.
 */
export async function handleRotationEvent(
  deps: HookDependencies,
  event: SecretsManagerRotationEvent,
): Promise<HookOutcome> {
  const secret = await deps.secrets.describe(event.SecretId);
  const token = event.ClientRequestToken;
  if (!secret.rotationEnabled) {
    throw new InvalidInputError(`Secret ${secret.name} is not enabled for rotation`);
  }
  const stages = stagesOf(secret, token);
  if (stages.includes(AWSCURRENT)) {
    return { step: event.Step, action: 'already-current', executionName: null };
  }
  if (!stages.includes(AWSPENDING) && event.Step !== 'createSecret') {
    // The execution's compensation removes AWSPENDING: report its failure, not a missing label.
    const latest = await latestExecution(deps.executions, token);
    if (latest !== null && latest.execution.status === 'RUNNING') {
      // The compensation removes AWSPENDING a few states before the execution ends: wait for the
      // end (a fact), then report the execution's cause; waitFor throws it.
      await waitFor(deps, event, secret, latest.execution.name, async () => false, 'the end of its rollback');
    }
    if (latest !== null && latest.execution.status !== 'RUNNING' && latest.execution.status !== 'SUCCEEDED') {
      throw failure(event, secret, latest.execution);
    }
  }
  if (stages.length === 0) {
    throw new InvalidInputError(`Secret version ${token} has no stage for rotation of secret ${secret.name}`);
  }
  if (!stages.includes(AWSPENDING)) {
    throw new InvalidInputError(
      `Secret version ${token} not set as AWSPENDING for rotation of secret ${secret.name}`,
    );
  }

  switch (event.Step) {
    case 'createSecret':
      return createSecret(deps, event, secret);
    case 'setSecret': {
      // The new client exists once Create has run: there is nothing to set in Genesys afterwards.
      const execution = await requireExecution(deps, event, secret);
      await waitFor(
        deps,
        event,
        secret,
        execution.name,
        stateReached(deps, MILESTONE_STATES.created),
        'Create',
      );
      return { step: event.Step, action: 'milestone-reached', executionName: execution.name };
    }
    case 'testSecret': {
      const latest = await latestExecution(deps.executions, token);
      if (latest === null) {
        await testConfiguration(deps, secret);
        return { step: event.Step, action: 'configuration-tested', executionName: null };
      }
      const name = latest.execution.name;
      await waitFor(deps, event, secret, name, stateReached(deps, MILESTONE_STATES.verified), 'Verify');
      await probePending(deps, secret, token);
      return { step: event.Step, action: 'milestone-reached', executionName: name };
    }
    case 'finishSecret':
      return finishSecret(deps, event, secret);
  }
}
