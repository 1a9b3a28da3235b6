/**
 * Secrets Manager native rotation under faults: hook steps delivered twice, state machine tasks
 * delivered twice or "applied, then the Lambda died, then retried", and a verification that fails.
 * Everything runs through the stand-ins and the real SDK clients; the faults are injected by the
 * harness's Lambda interceptor and the Genesys stand-in's fault rules.
 */
import { describe, expect, it } from 'vitest';
import type { LocalEnvironment } from '../../local/harness.js';
import type { RotationRecord } from '../../local/standins/aws/index.js';
import type { GenesysStandIn } from '../../local/standins/genesys/index.js';
import { genesysOf, sleep, startConsumer, waitUntil } from '../helpers/local.js';
import {
  clientsCreated,
  currentClientId,
  HOOK_STEPS,
  latestRotation,
  liveClientIds,
  SECRET_NAME,
  settleExecutions,
  stagesByVersion,
  strandedPending,
  useLocalEnvironments,
  versionWith,
} from '../helpers/native.js';

const { start, running } = useLocalEnvironments();

/** Genesys refuses the next client-credentials grant (Verify's probe): a VerificationFailedError. */
function refuseNextTokenGrant(genesys: GenesysStandIn): void {
  genesys.faults.add({
    route: 'POST /oauth/token',
    nth: 1,
    times: 1,
    status: 400,
    body: {
      error: 'unauthorized_client',
      description: 'client is not authorized',
      error_description: 'client is not authorized',
    },
  });
}

/** The ClientRequestToken of a hook step's event. */
function tokenOf(event: unknown): string {
  if (typeof event === 'object' && event !== null && 'ClientRequestToken' in event) {
    return String(event.ClientRequestToken);
  }
  throw new Error('not a Secrets Manager rotation event');
}

/** Resolves when the hook's first execution for the token, `sm-<token>`, has ended. */
async function firstExecutionEnded(local: LocalEnvironment, token: string): Promise<void> {
  const executionArn = `${local.stateMachineArn.replace(':stateMachine:', ':execution:')}:sm-${token}`;
  await local.aws.stepFunctions.waitForExecution(executionArn, 30_000);
}

/** An error the engine reports as Step Functions does when the Lambda service failed the invocation. */
function lambdaDied(stateName: string): Error {
  const error = new Error(`the ${stateName} Lambda died after doing its work`);
  error.name = 'Lambda.ServiceException';
  return error;
}

/**
 * What a successful native rotation must leave: the token current, the old version previous, no
 * stranded AWSPENDING, one live client (the current one) besides the admin, the legacy client
 * retired, and a consumer that never failed.
 */
async function expectCompletedRotation(
  local: LocalEnvironment,
  genesys: GenesysStandIn,
  rotation: RotationRecord,
  originalVersion: string | undefined,
) {
  const stages = stagesByVersion(local);
  expect(stages[rotation.token]).toEqual(['AWSCURRENT']);
  expect(stages[originalVersion ?? 'missing']).toEqual(['AWSPREVIOUS']);
  expect(strandedPending(local)).toEqual([]);
  const current = await currentClientId(local);
  expect(current).not.toBe(local.demo.legacyClientId);
  expect(liveClientIds(genesys)).toEqual([local.demo.adminClientId, current].sort());
  expect(genesys.clients().find((client) => client.id === local.demo.legacyClientId)?.deleted).toBe(true);
  return current;
}

describe('Secrets Manager native rotation under faults', () => {
  it('makes one client and one execution when every hook step is delivered twice', async () => {
    // Prepare
    const deliveries = new Map<string, number>();
    const { env: local, genesys } = await start({
      interceptor: async (call, invoke) => {
        if (!call.stateName.startsWith('hook:')) return invoke();
        deliveries.set(call.stateName, (deliveries.get(call.stateName) ?? 0) + 1);
        await invoke();
        deliveries.set(call.stateName, (deliveries.get(call.stateName) ?? 0) + 1);
        return invoke();
      },
    });
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');

    // Act
    await local.rotateNatively();
    const rotation = latestRotation(local);
    const executions = await settleExecutions(local, rotation.token);
    const stats = await consumer.stop();

    // Assess
    expect(Object.fromEntries(deliveries)).toEqual(
      Object.fromEntries(HOOK_STEPS.map((step) => [`hook:${step}`, 2])),
    );
    expect(rotation.outcome).toBe('succeeded');
    expect(rotation.attempts).toEqual([
      { token: rotation.token, steps: HOOK_STEPS.map((step) => ({ step, ok: true, error: null })) },
    ]);
    expect(executions.map(({ name, status }) => ({ name, status }))).toEqual([
      { name: `sm-${rotation.token}`, status: 'SUCCEEDED' },
    ]);
    expect(clientsCreated(genesys)).toBe(1);
    await expectCompletedRotation(local, genesys, rotation, originalVersion);
    expect(stats.failedCalls).toBe(0);
  });

  it('makes one client when every state machine task is delivered twice', async () => {
    // Prepare
    const deliveries = new Map<string, number>();
    const { env: local, genesys } = await start({
      interceptor: async (call, invoke) => {
        if (call.stateName.startsWith('hook:')) return invoke();
        deliveries.set(call.stateName, (deliveries.get(call.stateName) ?? 0) + 1);
        await invoke();
        // Only a delivery that succeeded is delivered again (Sync fails until finishSecret promotes).
        deliveries.set(call.stateName, (deliveries.get(call.stateName) ?? 0) + 1);
        return invoke();
      },
    });
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');

    // Act
    await local.rotateNatively();
    const rotation = latestRotation(local);
    const executions = await settleExecutions(local, rotation.token);
    const stats = await consumer.stop();

    // Assess
    for (const state of [
      'Fetch',
      'Validate',
      'Create',
      'Verify',
      'Sync',
      'DeactivateLegacy',
      'DeleteLegacy',
    ]) {
      expect(deliveries.get(state), state).toBeGreaterThanOrEqual(2);
    }
    expect(rotation.outcome).toBe('succeeded');
    expect(rotation.attempts).toHaveLength(1);
    expect(executions.map(({ name, status }) => ({ name, status }))).toEqual([
      { name: `sm-${rotation.token}`, status: 'SUCCEEDED' },
    ]);
    expect(clientsCreated(genesys)).toBe(1);
    await expectCompletedRotation(local, genesys, rotation, originalVersion);
    expect(stats.failedCalls).toBe(0);
  });

  it('makes one client when each write task is applied, then its Lambda dies, then it is retried', async () => {
    // Prepare
    const dying = new Set(['Create', 'Verify', 'Sync', 'DeactivateLegacy', 'DeleteLegacy']);
    const died: string[] = [];
    const { env: local, genesys } = await start({
      interceptor: async (call, invoke) => {
        const result = await invoke();
        if (dying.has(call.stateName) && !died.includes(call.stateName)) {
          died.push(call.stateName);
          throw lambdaDied(call.stateName);
        }
        return result;
      },
    });
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');

    // Act
    await local.rotateNatively();
    const rotation = latestRotation(local);
    const executions = await settleExecutions(local, rotation.token);
    const stats = await consumer.stop();

    // Assess
    expect(died).toEqual(['Create', 'Verify', 'Sync', 'DeactivateLegacy', 'DeleteLegacy']);
    expect(rotation.outcome).toBe('succeeded');
    expect(rotation.attempts).toEqual([
      { token: rotation.token, steps: HOOK_STEPS.map((step) => ({ step, ok: true, error: null })) },
    ]);
    expect(executions.map(({ name, status }) => ({ name, status }))).toEqual([
      { name: `sm-${rotation.token}`, status: 'SUCCEEDED' },
    ]);
    expect(clientsCreated(genesys)).toBe(1);
    await expectCompletedRotation(local, genesys, rotation, originalVersion);
    expect(stats.failedCalls).toBe(0);
  });

  it('fails the rotation cleanly when the new credential fails verification, and the next one succeeds', async () => {
    // Prepare
    let failVerify = true;
    let testSecretStarted = false;
    const { env: local, genesys } = await start({
      interceptor: async (call, invoke) => {
        if (call.stateName === 'hook:testSecret') testSecretStarted = true;
        if (failVerify && call.stateName === 'Verify') {
          failVerify = false;
          // Let the hook's testSecret wait for the Verify milestone, as it does when Verify is slow.
          await waitUntil('the hook to wait in testSecret', () => testSecretStarted);
          await sleep(200);
          refuseNextTokenGrant(genesysOf(running()));
        }
        return invoke();
      },
    });
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');
    const before = stagesByVersion(local);

    // Act
    await local.rotateNatively();
    const failed = latestRotation(local);
    const failedExecutions = await settleExecutions(local, failed.token);
    await sleep(300); // the consumer re-reads AWSCURRENT every 100 ms

    // Assess: AWSCURRENT never moved, the consumer never failed, nothing is left behind.
    expect(versionWith(local, 'AWSCURRENT')).toBe(originalVersion);
    expect(liveClientIds(genesys)).toEqual([local.demo.adminClientId, local.demo.legacyClientId].sort());
    expect(strandedPending(local)).toEqual([]);
    for (const [versionId, stages] of Object.entries(before)) {
      expect(stagesByVersion(local)[versionId]).toEqual(stages);
    }
    expect(await currentClientId(local)).toBe(local.demo.legacyClientId);
    expect(consumer.stats.failedCalls).toBe(0);
    expect(clientsCreated(genesys)).toBe(1);

    // Assess: the rotation failed, every attempt naming the secret, the step and the execution's cause.
    expect(failed.outcome).toBe('failed');
    expect(failed.attempts.length).toBeGreaterThanOrEqual(1);
    for (const attempt of failed.attempts) {
      const failure = attempt.steps.at(-1);
      expect(failure?.ok).toBe(false);
      expect(attempt.steps.slice(0, -1).every((step) => step.ok)).toBe(true);
      expect(failure?.step).not.toBe('finishSecret');
      expect(failure?.error).toContain(`${failure?.step} for secret ${SECRET_NAME}`);
      expect(failure?.error).toMatch(
        new RegExp(`rotation execution sm-${failed.token}(-a\\d)? ended FAILED`),
      );
    }
    expect(failed.attempts[0]?.steps.map((step) => step.step)).toEqual([
      'createSecret',
      'setSecret',
      'testSecret',
    ]);
    expect(failed.attempts[0]?.steps.at(-1)?.error).toContain(
      `RotationStepFailedError: ROLLBACK_TRIGGERED: testSecret for secret ${SECRET_NAME} failed: rotation execution sm-${failed.token} ended FAILED with VerificationFailedError: `,
    );
    expect(failed.attempts[0]?.steps.at(-1)?.error).toContain('may not use the client-credentials grant');
    expect(failedExecutions.length).toBe(failed.attempts.length);
    expect(failedExecutions[0]).toMatchObject({ name: `sm-${failed.token}`, status: 'FAILED' });
    expect(failedExecutions[0]?.error).toBe('VerificationFailedError');
    expect(failedExecutions.every((execution) => execution.status === 'FAILED')).toBe(true);

    // Act: the fault is gone; Secrets Manager's next rotation gets a new token.
    genesys.faults.clear();
    await local.rotateNatively();
    const next = latestRotation(local);
    const nextExecutions = await settleExecutions(local, next.token);
    const stats = await consumer.stop();

    // Assess
    expect(next.token).not.toBe(failed.token);
    expect(next.outcome).toBe('succeeded');
    expect(next.attempts).toEqual([
      { token: next.token, steps: HOOK_STEPS.map((step) => ({ step, ok: true, error: null })) },
    ]);
    expect(nextExecutions.map(({ name, status }) => ({ name, status }))).toEqual([
      { name: `sm-${next.token}`, status: 'SUCCEEDED' },
    ]);
    expect(clientsCreated(genesys)).toBe(2);
    const current = await expectCompletedRotation(local, genesys, next, originalVersion);
    expect(stats.failedCalls).toBe(0);
    expect(stats.clientsUsed).toEqual([local.demo.legacyClientId, current]);
  });
  it("names the execution's cause when a hook step starts after the execution rolled back", async () => {
    // Prepare: Verify fails at once, and testSecret is delivered only after the rollback finished.
    let failVerify = true;
    let holdTestSecret = true;
    const { env: local, genesys } = await start({
      interceptor: async (call, invoke) => {
        if (failVerify && call.stateName === 'Verify') {
          failVerify = false;
          refuseNextTokenGrant(genesysOf(running()));
        }
        if (holdTestSecret && call.stateName === 'hook:testSecret') {
          holdTestSecret = false;
          await firstExecutionEnded(running(), tokenOf(call.event));
        }
        return invoke();
      },
    });
    await startConsumer(local);

    // Act
    await local.rotateNatively();
    const rotation = latestRotation(local);

    // Assess
    expect(rotation.outcome).toBe('failed');
    const failure = rotation.attempts[0]?.steps.at(-1);
    // Whichever step runs after the rollback (createSecret itself when Verify fails fast, else a
    // later one) must name the execution's cause, not a missing label.
    expect(['createSecret', 'setSecret', 'testSecret']).toContain(failure?.step);
    expect(failure?.error).toContain(`${failure?.step} for secret ${SECRET_NAME}`);
    expect(failure?.error).toContain(`sm-${rotation.token}`);
    expect(failure?.error).toContain('VerificationFailedError');
    expect(liveClientIds(genesys)).toEqual([local.demo.adminClientId, local.demo.legacyClientId].sort());
    expect(strandedPending(local)).toEqual([]);
  });
});
