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
import { genesysOf, startConsumer } from '../helpers/local.js';
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

  it('survives a Secrets Manager retry with the same token: the retry reuses the kept pending version and its client (aws-rotation-and-local-tooling.md §1.2 "you can refer to that secret value in subsequent calls", §1.5)', async () => {
    // Prepare: Verify fails once, so the first attempt's execution rolls back and the hook step fails.
    let failVerify = true;
    const { env: local, genesys } = await start({
      interceptor: async (call, invoke) => {
        if (failVerify && call.stateName === 'Verify') {
          failVerify = false;
          refuseNextTokenGrant(genesysOf(running()));
        }
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

    // Assess: one token, two attempts; the second reused the first attempt's client and value.
    expect(rotation.outcome).toBe('succeeded');
    expect(rotation.attempts.map((attempt) => attempt.token)).toEqual([rotation.token, rotation.token]);
    expect(rotation.attempts[0]?.steps.at(-1)?.ok).toBe(false);
    expect(rotation.attempts[1]?.steps.map((step) => step.ok)).toEqual([true, true, true, true]);
    expect(executions.map(({ name, status }) => ({ name, status }))).toEqual([
      { name: `sm-${rotation.token}`, status: 'FAILED' },
      { name: `sm-${rotation.token}-a2`, status: 'SUCCEEDED' },
    ]);
    expect(executions[0]?.error).toBe('VerificationFailedError');
    expect(clientsCreated(genesys)).toBe(1);
    await expectCompletedRotation(local, genesys, rotation, originalVersion);
    expect(stats.failedCalls).toBe(0);
  });

  it("survives a Secrets Manager retry with a new token: the earlier attempt's kept client is deleted, not orphaned (aws-rotation-and-local-tooling.md §1.5: the retry's token is unconfirmed)", async () => {
    // Prepare
    let failVerify = true;
    const { env: local, genesys } = await start({
      aws: { rotationRetryToken: 'new' },
      interceptor: async (call, invoke) => {
        if (failVerify && call.stateName === 'Verify') {
          failVerify = false;
          refuseNextTokenGrant(genesysOf(running()));
        }
        return invoke();
      },
    });
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');

    // Act
    await local.rotateNatively();
    const rotation = latestRotation(local);
    const [first, second] = rotation.attempts.map((attempt) => attempt.token);
    const executions = [
      ...(await settleExecutions(local, first ?? '')),
      ...(await settleExecutions(local, second ?? '')),
    ];
    const stats = await consumer.stop();

    // Assess: two tokens, two clients made, one left (the current one); the first version unlabeled.
    expect(rotation.outcome).toBe('succeeded');
    expect(first).not.toBe(second);
    expect(rotation.token).toBe(second);
    expect(executions.map(({ name, status }) => ({ name, status }))).toEqual([
      { name: `sm-${first}`, status: 'FAILED' },
      { name: `sm-${second}`, status: 'SUCCEEDED' },
    ]);
    expect(clientsCreated(genesys)).toBe(2);
    expect(stagesByVersion(local)[first ?? '']).toEqual([]);
    await expectCompletedRotation(local, genesys, rotation, originalVersion);
    expect(stats.failedCalls).toBe(0);
  });

  it('keeps the pending version and its client for the next window when every attempt fails (aws-rotation-and-local-tooling.md §1.4 "A previous rotation isn\'t complete. That rotation will be reattempted.")', async () => {
    // Prepare: Verify always fails.
    const { env: local, genesys } = await start({
      interceptor: async (call, invoke) => {
        if (call.stateName === 'Verify') refuseNextTokenGrant(genesysOf(running()));
        return invoke();
      },
    });
    const consumer = await startConsumer(local);
    const originalVersion = versionWith(local, 'AWSCURRENT');

    // Act
    await local.rotateNatively();
    const rotation = latestRotation(local);
    await settleExecutions(local, rotation.token);
    const stats = await consumer.stop();

    // Assess: AWSCURRENT never moved; AWSPENDING stays on the token with the one client it names.
    expect(rotation.outcome).toBe('failed');
    expect(versionWith(local, 'AWSCURRENT')).toBe(originalVersion);
    expect(strandedPending(local)).toEqual([rotation.token]);
    expect(clientsCreated(genesys)).toBe(1);
    const kept = liveClientIds(genesys).filter(
      (id) => id !== local.demo.adminClientId && id !== local.demo.legacyClientId,
    );
    expect(kept).toHaveLength(1);
    expect(stats.failedCalls).toBe(0);
    expect(await currentClientId(local)).toBe(local.demo.legacyClientId);
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

    // Assess: the first attempt failed naming the cause; the retry (same token) then succeeded.
    const failure = rotation.attempts[0]?.steps.at(-1);
    // Whichever step runs after the rollback (createSecret itself when Verify fails fast, else a
    // later one) must name the execution's cause, not a missing label.
    expect(['createSecret', 'setSecret', 'testSecret']).toContain(failure?.step);
    expect(failure?.error).toContain(`${failure?.step} for secret ${SECRET_NAME}`);
    expect(failure?.error).toContain(`sm-${rotation.token}`);
    expect(failure?.error).toContain('VerificationFailedError');
    expect(rotation.outcome).toBe('succeeded');
    expect(clientsCreated(genesys)).toBe(1);
    expect(strandedPending(local)).toEqual([]);
  });
});
