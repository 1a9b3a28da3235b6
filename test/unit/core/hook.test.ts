import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  executionNameFor,
  type HookDependencies,
  handleRotationEvent,
} from '../../../functions/core/hook.js';
import type { SecretsManagerRotationEvent } from '../../../functions/shared/contract.js';
import {
  CredentialNotYetActiveError,
  HookWaitTimeoutError,
  InvalidInputError,
  RotationStepFailedError,
  VerificationFailedError,
} from '../../../functions/shared/errors.js';
import {
  CURRENT_VERSION_ID,
  LEGACY_CLIENT_ID,
  OTHER_TOKEN,
  SECRET_ARN,
  secretValue,
  TOKEN,
  type World,
  world,
} from '../../helpers/builders.js';
import type { FakeExecution } from '../../helpers/fakes.js';

const FIRST = `sm-${TOKEN}`;
const SECOND = `sm-${TOKEN}-a2`;

function setup(budget = { maxWaitMs: 60_000, pollMs: 1_000 }) {
  const w = world({ trigger: 'secretsmanager' });
  const deps: HookDependencies = {
    secrets: w.secrets,
    executions: w.executions,
    probe: w.probe,
    clock: w.clock,
    ...budget,
  };
  return { w, deps };
}

function event(Step: SecretsManagerRotationEvent['Step'], token = TOKEN): SecretsManagerRotationEvent {
  return { Step, SecretId: SECRET_ARN, ClientRequestToken: token };
}

/** What the state machine does up to Create: a client for the token, its credential as AWSPENDING. */
async function playCreate(w: World, execution: FakeExecution): Promise<void> {
  const made = await w.genesys.createClient({
    name: `Billing service [rotated ${TOKEN}]`,
    description: `rotation token ${TOKEN}`,
    roleDivisions: [],
    accessTokenValiditySeconds: 86_400,
  });
  await w.secrets.putPending(SECRET_ARN, TOKEN, secretValue(made.client.id, made.secret));
  w.executions.complete(execution.name, 'Fetch', 'Validate', 'EmitStarted', 'Create', 'EmitCreated');
}

/** Runs `action` on the `n`th sleep of whoever is waiting (the world moves on while the hook polls). */
function onNthSleep(w: World, n: number, action: () => void | Promise<void>): void {
  let sleeps = 0;
  w.clock.onSleep(async () => {
    sleeps += 1;
    if (sleeps === n) await action();
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected a rejection with an Error');
  return outcome;
}

describe('handleRotationEvent guards', () => {
  it('refuses a secret whose rotation is disabled', async () => {
    // Prepare
    const { w, deps } = setup();
    w.secrets.secret(SECRET_ARN).rotationEnabled = false;

    // Act
    const act = handleRotationEvent(deps, event('createSecret'));

    // Assess
    await expect(act).rejects.toThrow(InvalidInputError);
    await expect(act).rejects.toThrow('not enabled for rotation');
    expect(w.executions.started).toEqual([]);
  });

  it('refuses a token that has no version of the secret', async () => {
    // Prepare
    const { w, deps } = setup();

    // Act
    const act = handleRotationEvent(deps, event('createSecret', OTHER_TOKEN));

    // Assess
    await expect(act).rejects.toThrow(InvalidInputError);
    await expect(act).rejects.toThrow(OTHER_TOKEN);
    expect(w.executions.started).toEqual([]);
  });

  it('does nothing for a token that is already AWSCURRENT', async () => {
    // Prepare
    const { w, deps } = setup();
    await w.secrets.putPending(SECRET_ARN, TOKEN, secretValue('c', 's'));
    await w.secrets.promote(SECRET_ARN, TOKEN, CURRENT_VERSION_ID);

    // Act
    const outcomes = [];
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      outcomes.push(await handleRotationEvent(deps, event(step)));
    }

    // Assess
    expect(outcomes.map((outcome) => outcome.action)).toEqual([
      'already-current',
      'already-current',
      'already-current',
      'already-current',
    ]);
    expect(w.executions.started).toEqual([]);
    expect(w.secrets.callsOf('promote')).toHaveLength(1);
  });

  it('refuses a token whose version is not AWSPENDING', async () => {
    // Prepare
    const { w, deps } = setup();
    w.secrets.putVersion(SECRET_ARN, OTHER_TOKEN, secretValue('c', 's'), ['AWSPREVIOUS']);

    // Act
    const act = handleRotationEvent(deps, event('createSecret', OTHER_TOKEN));

    // Assess
    await expect(act).rejects.toThrow(InvalidInputError);
    await expect(act).rejects.toThrow('not set as AWSPENDING');
  });
});

describe('handleRotationEvent createSecret', () => {
  it('starts one execution for the token and returns once the pending version holds a value', async () => {
    // Prepare
    const { w, deps } = setup();
    w.executions.onStart = (execution) => onNthSleep(w, 3, () => playCreate(w, execution));

    // Act
    const outcome = await handleRotationEvent(deps, event('createSecret'));

    // Assess
    expect(outcome).toEqual({ step: 'createSecret', action: 'pending-ready', executionName: FIRST });
    expect(w.executions.started).toEqual([
      {
        name: FIRST,
        input: {
          secretId: SECRET_ARN,
          trigger: 'secretsmanager',
          token: TOKEN,
          reason: 'Secrets Manager rotation',
        },
      },
    ]);
    expect(w.clock.slept).toHaveLength(3);
    expect(await w.secrets.getValue(SECRET_ARN, { versionId: TOKEN, stage: 'AWSPENDING' })).not.toBeNull();
  });

  it("waits for an earlier token's execution to end before starting a retry's execution under a new token (aws-rotation-and-local-tooling.md §1.5: the retry's token is unconfirmed)", async () => {
    // Prepare: the earlier attempt's execution still runs when the retry (a new token) arrives.
    const { w, deps } = setup();
    const earlier = `sm-${OTHER_TOKEN}`;
    w.executions.seed(earlier, { secretId: SECRET_ARN, trigger: 'secretsmanager', token: OTHER_TOKEN });
    onNthSleep(w, 2, () => w.executions.fail(earlier, 'RotationStepFailedError', null));
    w.executions.onStart = (execution) => playCreate(w, execution);

    // Act
    const outcome = await handleRotationEvent(deps, event('createSecret'));

    // Assess: nothing started until the earlier execution ended.
    expect(outcome).toEqual({ step: 'createSecret', action: 'pending-ready', executionName: FIRST });
    expect(w.executions.started.map((started) => started.name)).toEqual([FIRST]);
    expect(w.clock.slept).toHaveLength(2);
  });

  it('starts exactly one execution however often, and however concurrently, it is delivered', async () => {
    // Prepare
    const deliveries = fc.integer({ min: 1, max: 6 });
    const pendingAfterSleeps = fc.integer({ min: 1, max: 10 });

    // Act + Assess
    await fc.assert(
      fc.asyncProperty(
        deliveries,
        pendingAfterSleeps,
        fc.integer({ min: 0, max: 3 }),
        async (concurrent, after, repeats) => {
          const { w, deps } = setup();
          w.executions.onStart = (execution) => onNthSleep(w, after, () => playCreate(w, execution));
          const outcomes = await Promise.all(
            Array.from({ length: concurrent }, () => handleRotationEvent(deps, event('createSecret'))),
          );
          for (let repeat = 0; repeat < repeats; repeat += 1)
            outcomes.push(await handleRotationEvent(deps, event('createSecret')));
          expect(w.executions.started.map((start) => start.name)).toEqual([FIRST]);
          expect(outcomes.every((outcome) => outcome.action === 'pending-ready')).toBe(true);
          expect(w.genesys.callsOf('createClient')).toHaveLength(1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("throws an error naming the step and the execution's cause when the execution fails", async () => {
    // Prepare
    const { w, deps } = setup();
    const cause = JSON.stringify({
      errorType: 'QuotaExceededError',
      errorMessage:
        'Rotation of contact-centre/genesys-client refused (quota): 100 of 100 OAuth clients in use',
    });
    w.executions.onStart = (execution) =>
      onNthSleep(w, 2, () => w.executions.fail(execution.name, 'QuotaExceededError', cause));

    // Act
    const error = await rejection(handleRotationEvent(deps, event('createSecret')));

    // Assess
    expect(error).toBeInstanceOf(RotationStepFailedError);
    expect(error.message).toContain('createSecret');
    expect(error.message).toContain(FIRST);
    expect(error.message).toContain('FAILED with QuotaExceededError');
    expect(error.message).toContain('100 of 100 OAuth clients in use');
    expect(error.message).not.toContain('errorType');
  });

  it('starts a fresh attempt after a failed one', async () => {
    // Prepare
    const { w, deps } = setup();
    w.executions.seed(FIRST, { secretId: SECRET_ARN }, 'FAILED');
    w.executions.onStart = (execution) => playCreate(w, execution);

    // Act
    const outcome = await handleRotationEvent(deps, event('createSecret'));

    // Assess
    expect(outcome).toEqual({ step: 'createSecret', action: 'pending-ready', executionName: SECOND });
    expect(w.executions.started.map((start) => start.name)).toEqual([SECOND]);
    expect(executionNameFor(TOKEN, 2)).toBe(SECOND);
  });

  it('starts a fresh attempt after a failed one even when that attempt left its pending value behind', async () => {
    // Prepare: attempt 1 stored a credential, then failed after Verify without discarding it
    const { w, deps } = setup();
    const failed = w.executions.seed(FIRST, { secretId: SECRET_ARN }, 'FAILED');
    await playCreate(w, failed);
    w.executions.complete(FIRST, 'Verify', 'EmitVerified');
    w.executions.onStart = (execution) => w.executions.complete(execution.name, 'Create');

    // Act
    const outcome = await handleRotationEvent(deps, event('createSecret'));

    // Assess
    expect(w.executions.started.map((start) => start.name)).toEqual([SECOND]);
    expect(outcome.executionName).toBe(SECOND);
  });

  it('gives up after five failed attempts for one token', async () => {
    // Prepare
    const { w, deps } = setup();
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      w.executions.seed(executionNameFor(TOKEN, attempt), { secretId: SECRET_ARN }, 'FAILED');
    }

    // Act
    const act = handleRotationEvent(deps, event('createSecret'));

    // Assess
    await expect(act).rejects.toThrow(RotationStepFailedError);
    await expect(act).rejects.toThrow('giving up');
    expect(w.executions.started).toEqual([]);
  });
});

describe('handleRotationEvent setSecret and testSecret', () => {
  it('setSecret waits for the execution to leave Create', async () => {
    // Prepare
    const { w, deps } = setup();
    const execution = w.executions.seed(FIRST, { secretId: SECRET_ARN });
    onNthSleep(w, 4, () => w.executions.complete(execution.name, 'Create', 'EmitCreated'));

    // Act
    const outcome = await handleRotationEvent(deps, event('setSecret'));

    // Assess
    expect(outcome).toEqual({ step: 'setSecret', action: 'milestone-reached', executionName: FIRST });
    expect(w.clock.slept).toHaveLength(4);
  });

  it('setSecret fails when createSecret never started an execution', async () => {
    // Prepare
    const { deps } = setup();

    // Act
    const act = handleRotationEvent(deps, event('setSecret'));

    // Assess
    await expect(act).rejects.toThrow(RotationStepFailedError);
    await expect(act).rejects.toThrow('createSecret has not run');
  });

  it('a lone testSecret tests the current credential and starts nothing', async () => {
    // Prepare
    const { w, deps } = setup();

    // Act
    const outcome = await handleRotationEvent(deps, event('testSecret'));

    // Assess
    expect(outcome).toEqual({ step: 'testSecret', action: 'configuration-tested', executionName: null });
    expect(w.probe.probed).toEqual([{ clientId: LEGACY_CLIENT_ID, environment: 'mypurecloud.ie' }]);
    expect(w.executions.started).toEqual([]);
  });

  it('a lone testSecret reports a current credential Genesys refuses', async () => {
    // Prepare
    const { w, deps } = setup();
    await w.genesys.regenerateSecret(LEGACY_CLIENT_ID);

    // Act
    const act = handleRotationEvent(deps, event('testSecret'));

    // Assess
    await expect(act).rejects.toThrow(CredentialNotYetActiveError);
    expect(w.executions.started).toEqual([]);
  });

  it('testSecret during a rotation waits for Verify', async () => {
    // Prepare
    const { w, deps } = setup();
    const execution = w.executions.seed(FIRST, { secretId: SECRET_ARN });
    await playCreate(w, execution);
    onNthSleep(w, 5, () => w.executions.complete(execution.name, 'Verify', 'EmitVerified'));

    // Act
    const outcome = await handleRotationEvent(deps, event('testSecret'));

    // Assess
    expect(outcome).toEqual({ step: 'testSecret', action: 'milestone-reached', executionName: FIRST });
    expect(w.clock.slept).toHaveLength(5);
    // testSecret really tests the pending credential, not only the execution's word for it.
    expect(w.probe.probed).toHaveLength(1);
    expect(w.probe.probed[0]?.clientId).not.toBe(LEGACY_CLIENT_ID);
  });

  it('testSecret fails with the cause when the execution fails in Verify', async () => {
    // Prepare
    const { w, deps } = setup();
    const execution = w.executions.seed(FIRST, { secretId: SECRET_ARN });
    await playCreate(w, execution);
    onNthSleep(w, 2, () =>
      w.executions.fail(FIRST, 'VerificationFailedError', 'Client new-client-1 is in org x, not org-1'),
    );

    // Act
    const error = await rejection(handleRotationEvent(deps, event('testSecret')));

    // Assess
    expect(error).toBeInstanceOf(RotationStepFailedError);
    expect(error.message).toContain('testSecret');
    expect(error.message).toContain('Client new-client-1 is in org x, not org-1');
  });
});

describe('handleRotationEvent finishSecret', () => {
  it('waits for Verify, then moves AWSCURRENT to the token', async () => {
    // Prepare
    const { w, deps } = setup();
    const execution = w.executions.seed(FIRST, { secretId: SECRET_ARN });
    await playCreate(w, execution);
    const currentWhileWaiting: string[] = [];
    w.clock.onSleep(() => {
      currentWhileWaiting.push(w.secrets.versionWith(SECRET_ARN, 'AWSCURRENT')?.versionId ?? 'none');
    });
    onNthSleep(w, 3, () => w.executions.complete(FIRST, 'Verify', 'EmitVerified'));

    // Act
    const outcome = await handleRotationEvent(deps, event('finishSecret'));

    // Assess
    expect(outcome).toEqual({ step: 'finishSecret', action: 'promoted', executionName: FIRST });
    expect(currentWhileWaiting).toEqual([CURRENT_VERSION_ID, CURRENT_VERSION_ID, CURRENT_VERSION_ID]);
    expect(w.secrets.stagesOf(SECRET_ARN, TOKEN)).toContain('AWSCURRENT');
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toEqual(['AWSPREVIOUS']);
  });

  it('does not promote when the execution fails before Verify', async () => {
    // Prepare
    const { w, deps } = setup();
    const execution = w.executions.seed(FIRST, { secretId: SECRET_ARN });
    await playCreate(w, execution);
    onNthSleep(w, 1, () => w.executions.fail(FIRST, 'VerificationFailedError', null));

    // Act
    const act = handleRotationEvent(deps, event('finishSecret'));

    // Assess
    await expect(act).rejects.toThrow(RotationStepFailedError);
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toEqual(['AWSCURRENT']);
    expect(w.secrets.callsOf('promote')).toEqual([]);
  });

  it('does not promote a credential whose execution failed after Verify', async () => {
    // Prepare: Verify passed, then the execution failed and rolled back (its client is gone)
    const { w, deps } = setup();
    const execution = w.executions.seed(FIRST, { secretId: SECRET_ARN });
    await playCreate(w, execution);
    w.executions.complete(FIRST, 'Verify', 'EmitVerified');
    w.executions.fail(FIRST, 'PromotionConflictError', 'AWSCURRENT moved');
    for (const client of [...w.genesys.clients.keys()])
      if (client !== LEGACY_CLIENT_ID) await w.genesys.deleteClient(client);

    // Act
    const act = handleRotationEvent(deps, event('finishSecret'));

    // Assess
    await expect(act).rejects.toThrow(RotationStepFailedError);
    await expect(act).rejects.toThrow('AWSCURRENT moved');
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toEqual(['AWSCURRENT']);
    expect(w.secrets.callsOf('promote')).toEqual([]);
  });

  it("names the execution's cause when the rollback removed AWSPENDING but the execution is still ending", async () => {
    // Prepare: the compensation discarded the pending version; EmitRolledBack has not run yet
    const { w, deps } = setup({ maxWaitMs: 60_000, pollMs: 1_000 });
    const execution = w.executions.seed(FIRST, { secretId: SECRET_ARN });
    await playCreate(w, execution);
    w.executions.complete(FIRST, 'Verify', 'DiscardPending');
    await w.secrets.removeStage(SECRET_ARN, 'AWSPENDING', TOKEN);
    onNthSleep(w, 2, () =>
      w.executions.fail(FIRST, 'VerificationFailedError', 'VERIFICATION_FAILED: refused'),
    );

    // Act
    const error = await rejection(handleRotationEvent(deps, event('testSecret')));

    // Assess: the step waited for the execution's end and reports its cause, not a missing label
    expect(error).toBeInstanceOf(RotationStepFailedError);
    expect(error.message).toContain('VerificationFailedError');
    expect(error.message).toContain(FIRST);
  });

  it('does not count a Verify whose error was caught as the Verify milestone', async () => {
    // Prepare: Verify exited into its Catch (no EmitVerified), the compensation is under way
    const { w, deps } = setup({ maxWaitMs: 5_000, pollMs: 1_000 });
    const execution = w.executions.seed(FIRST, { secretId: SECRET_ARN });
    await playCreate(w, execution);
    w.executions.complete(FIRST, 'Verify', 'DiscardPending');

    // Act
    const error = await rejection(handleRotationEvent(deps, event('finishSecret')));

    // Assess
    expect(error).toBeInstanceOf(HookWaitTimeoutError);
    expect(w.secrets.callsOf('promote')).toEqual([]);
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toEqual(['AWSCURRENT']);
  });

  it('puts AWSCURRENT back when the promoted client stops working right after promotion', async () => {
    // Prepare: the credential passes the probe before promotion, and is refused right after
    const { w, deps } = setup();
    const execution = w.executions.seed(FIRST, { secretId: SECRET_ARN });
    await playCreate(w, execution);
    w.executions.complete(FIRST, 'Verify', 'EmitVerified');
    let probes = 0;
    const flakyDeps = {
      ...deps,
      probe: {
        probe: async (credential: { clientId: string; clientSecret: string; environment: string }) => {
          probes += 1;
          if (probes > 1) throw new VerificationFailedError(`client ${credential.clientId} was deleted`);
          return w.probe.probe(credential);
        },
      },
    };

    // Act
    const error = await rejection(handleRotationEvent(flakyDeps, event('finishSecret')));

    // Assess
    expect(error).toBeInstanceOf(RotationStepFailedError);
    expect(error.message).toContain('restored');
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toContain('AWSCURRENT');
    expect(w.secrets.stagesOf(SECRET_ARN, TOKEN)).not.toContain('AWSCURRENT');
  });

  it('throws HookWaitTimeoutError, which Secrets Manager retries, when the budget runs out', async () => {
    // Prepare
    const { w, deps } = setup({ maxWaitMs: 10_000, pollMs: 1_000 });
    const execution = w.executions.seed(FIRST, { secretId: SECRET_ARN });
    await playCreate(w, execution);

    // Act
    const error = await rejection(handleRotationEvent(deps, event('finishSecret')));

    // Assess
    expect(error).toBeInstanceOf(HookWaitTimeoutError);
    expect(error.name).toBe('HookWaitTimeoutError');
    expect(error.message).toContain('Verify');
    expect(error.message).toContain(FIRST);
    const waited = w.clock.slept.reduce((sum, ms) => sum + ms, 0);
    expect(waited).toBeGreaterThanOrEqual(10_000);
    expect(waited).toBeLessThanOrEqual(11_000);
    expect(w.secrets.callsOf('promote')).toEqual([]);
  });
});

describe('handleRotationEvent retried by Secrets Manager after a failed attempt', () => {
  it('never promotes the credential a failed attempt left behind without a fresh attempt verifying it', async () => {
    // Prepare: attempt 1 created a client, passed Verify, failed later; rollback deleted the client
    // but could not discard the pending version
    const { w, deps } = setup();
    const failed = w.executions.seed(FIRST, { secretId: SECRET_ARN }, 'RUNNING');
    await playCreate(w, failed);
    w.executions.complete(FIRST, 'Verify', 'EmitVerified', 'DiscardPending', 'Rollback');
    w.executions.fail(FIRST, 'NeedsAttentionError', 'DiscardPending failed');
    for (const client of [...w.genesys.clients.keys()])
      if (client !== LEGACY_CLIENT_ID) await w.genesys.deleteClient(client);
    // attempt 2 reuses the stored credential, and Verify finds the client gone
    w.executions.onStart = (execution) => {
      w.executions.complete(execution.name, 'Fetch', 'Validate', 'Create');
      w.executions.fail(execution.name, 'VerificationFailedError', 'invalid_client');
    };

    // Act
    const steps: string[] = [];
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      const outcome = await handleRotationEvent(deps, event(step)).then(
        (done) => `${step}:${done.action}`,
        (error: unknown) => `${step}:${error instanceof Error ? error.name : 'unknown'}`,
      );
      steps.push(outcome);
      if (outcome.endsWith('Error')) break;
    }

    // Assess
    expect(w.executions.started.map((start) => start.name)).toEqual([SECOND]);
    expect(steps.at(-1)).toMatch(/Error$/);
    expect(w.secrets.callsOf('promote')).toEqual([]);
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toEqual(['AWSCURRENT']);
  });
});
