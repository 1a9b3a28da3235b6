/**
 * Configuration errors: a bad policy fails `cdk synth` (CDK props and `-c policy=...` context) and
 * fails a function's first invocation (ROTATOR_POLICY and the other variables read at cold start),
 * always with InvalidConfigurationError naming the setting. The schema itself is property-tested in
 * test/unit/schemas/policy.test.ts; this file covers the two places it is enforced.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler as fetchHandler } from '../../functions/fetch/handler.js';
import { assertIsError, InvalidConfigurationError } from '../../functions/shared/errors.js';
import type { RotationPolicyInput } from '../../functions/shared/policy.js';
import { getAdminSecretId, hookTiming, resetRuntime } from '../../functions/shared/runtime.js';
import { handler as validateHandler } from '../../functions/validate/handler.js';
import { buildApp } from '../../infra/app.js';
import { localLambdaContext } from '../../local/engine/lambda-context.js';
import { buildState } from '../helpers/builders.js';

/** Policies as a user may write them, typos included (the props type would refuse some at compile time). */
type RawPolicy = Record<string, unknown>;

const BAD_POLICIES: ReadonlyArray<readonly [string, RawPolicy, readonly string[]]> = [
  ['a negative grace period', { gracePeriodSeconds: -1 }, ['gracePeriodSeconds', '>=0']],
  ['an unknown field', { gracePeriodSecs: 3600 }, ['gracePeriodSecs']],
  [
    'a maintenance window opening at 25:00',
    { maintenanceWindows: [{ days: ['TUE'], start: '25:00', end: '02:00' }] },
    ['maintenanceWindows.0.start'],
  ],
  [
    'a maintenance window on an unknown day',
    { maintenanceWindows: [{ days: ['TUESDAY'], start: '01:00', end: '02:00' }] },
    ['maintenanceWindows.0.days.0'],
  ],
  [
    'a maintenance window with an unknown field',
    { maintenanceWindows: [{ days: ['TUE'], start: '01:00', end: '02:00', timezone: 'Europe/Dublin' }] },
    ['maintenanceWindows.0', 'timezone'],
  ],
  ['an empty role allow-list', { allowedRoleIds: [] }, ['allowedRoleIds']],
  ['a string where a number belongs', { maxOAuthClients: '50' }, ['maxOAuthClients', 'expected number']],
];

function configurationError(act: () => unknown): InvalidConfigurationError {
  try {
    act();
  } catch (error) {
    if (error instanceof InvalidConfigurationError) return error;
    throw error;
  }
  throw new Error('Expected an InvalidConfigurationError');
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assertIsError(error);
    return error;
  }
  throw new Error('Expected the call to throw');
}

function expectNamesEach(error: InvalidConfigurationError, names: readonly string[]): void {
  expect(error.name).toBe('InvalidConfigurationError');
  expect(error.code).toBe('INVALID_CONFIGURATION');
  expect(error.message).toContain('Invalid rotation policy');
  for (const name of names) expect(error.message).toContain(name);
}

/** Sets environment variables for one test and restores them afterwards. */
function useEnvironment(): (variables: Record<string, string | undefined>) => void {
  const saved = new Map<string, string | undefined>();
  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    saved.clear();
    resetRuntime();
  });
  return (variables) => {
    for (const [name, value] of Object.entries(variables)) {
      if (!saved.has(name)) saved.set(name, process.env[name]);
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

describe('Synth with an invalid policy', () => {
  const setEnvironment = useEnvironment();

  it.each(BAD_POLICIES)('fails on %s with InvalidConfigurationError naming the field', (_, policy, names) => {
    // Prepare
    const props = { bundling: false, nag: false, policy: policy as RotationPolicyInput };

    // Act
    const error = configurationError(() => buildApp(props));

    // Assess
    expectNamesEach(error, names);
  });

  it.each(BAD_POLICIES)(
    'fails on %s given as `-c policy=...` context with InvalidConfigurationError naming the field',
    (_, policy, names) => {
      // Prepare: what the CDK CLI hands the app for `cdk synth -c policy='...'`
      setEnvironment({ CDK_CONTEXT_JSON: JSON.stringify({ policy: JSON.stringify(policy) }) });

      // Act
      const error = configurationError(() => buildApp({ bundling: false, nag: false }));

      // Assess
      expectNamesEach(error, names);
    },
  );

  it('fails on a `-c policy=...` context that is not JSON, saying so', () => {
    // Prepare
    setEnvironment({ CDK_CONTEXT_JSON: JSON.stringify({ policy: '{"gracePeriodSeconds": 60' }) });

    // Act
    const error = configurationError(() => buildApp({ bundling: false, nag: false }));

    // Assess
    expectNamesEach(error, ['context "policy"', 'not valid JSON']);
  });

  it('names every bad field of a policy at once', () => {
    // Prepare
    const policy: RawPolicy = { gracePeriodSeconds: -1, usageLookbackDays: 0, stage: '' };

    // Act
    const error = configurationError(() =>
      buildApp({ bundling: false, nag: false, policy: policy as RotationPolicyInput }),
    );

    // Assess
    expectNamesEach(error, ['gracePeriodSeconds', 'usageLookbackDays', 'stage']);
  });
});

describe('A function cold start with an invalid configuration', () => {
  const setEnvironment = useEnvironment();
  const context = () => localLambdaContext('config-errors-test', 60_000);

  beforeEach(() => {
    resetRuntime(); // a cold start: no policy cached from an earlier invocation
  });

  it.each([
    ['not JSON', '{"gracePeriodSeconds": 60', ['ROTATOR_POLICY', 'not valid JSON']],
    ['a negative grace period', JSON.stringify({ gracePeriodSeconds: -1 }), ['gracePeriodSeconds']],
    ['an unknown field', JSON.stringify({ graceSeconds: 60 }), ['graceSeconds']],
    [
      'a maintenance window closing at 24:30',
      JSON.stringify({ maintenanceWindows: [{ days: ['SAT'], start: '22:00', end: '24:30' }] }),
      ['maintenanceWindows.0.end'],
    ],
    ['a JSON array', '[]', ['expected object']],
  ] as const)('Validate fails when ROTATOR_POLICY is %s, naming the problem', async (_, raw, names) => {
    // Prepare
    setEnvironment({ ROTATOR_POLICY: raw });
    const event = { state: buildState() };

    // Act
    const error = await rejectionOf(validateHandler(event, context()));

    // Assess
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    expectNamesEach(error as InvalidConfigurationError, names);
  });

  it('Validate fails on a bad ROTATOR_POLICY even in a dry run (a bad setting is not a refusal)', async () => {
    // Prepare
    setEnvironment({ ROTATOR_POLICY: JSON.stringify({ adoptionPollSeconds: 0 }) });
    const event = { state: buildState({ dryRun: true }) };

    // Act
    const error = await rejectionOf(validateHandler(event, context()));

    // Assess
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    expect(error.message).toContain('adoptionPollSeconds');
  });

  it('Validate succeeds on the same event once ROTATOR_POLICY is fixed and the container is new', async () => {
    // Prepare
    setEnvironment({ ROTATOR_POLICY: '{not json' });
    const event = { state: buildState() };
    await rejectionOf(validateHandler(event, context()));
    setEnvironment({ ROTATOR_POLICY: JSON.stringify({ stage: 'prod' }) });
    resetRuntime();

    // Act
    const validation = await validateHandler(event, context());

    // Assess
    expect(validation).toMatchObject({ ok: true });
  });

  it('Fetch fails when ADMIN_SECRET_ID is not set, naming the variable', async () => {
    // Prepare
    setEnvironment({ ADMIN_SECRET_ID: undefined });
    const event = { input: { secretId: 'genesys/prod/contact-centre-api' }, executionId: 'exec-1' };

    // Act
    const error = await rejectionOf(fetchHandler(event, context()));

    // Assess
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    expect(error.message).toContain('ADMIN_SECRET_ID');
    expect(() => getAdminSecretId()).toThrow(InvalidConfigurationError);
  });

  it.each([
    ['HOOK_MAX_WAIT_SECONDS', 'forever'],
    ['HOOK_POLL_MILLIS', '-5'],
    ['HOOK_POLL_MILLIS', '2.5'],
  ])('the rotation hook refuses %s=%s, naming the variable', (name, value) => {
    // Prepare
    setEnvironment({ [name]: value });

    // Act
    const error = configurationError(() => hookTiming());

    // Assess
    expect(error.code).toBe('INVALID_CONFIGURATION');
    expect(error.message).toContain(name);
    expect(error.message).toContain('non-negative integer');
  });
});
