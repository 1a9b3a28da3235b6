/**
 * End to end: every validation refusal of the synthesized state machine names its reason with a
 * typed error, reports a `Rotation Refused` event, and changes nothing in Genesys or Secrets
 * Manager. A closed maintenance window is not a refusal: the execution waits.
 */
import { RotateSecretCommand, TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { TAG_ORG_ID, TAG_STAGE } from '../../functions/shared/contract.js';
import type { RotationPolicyInput } from '../../functions/shared/policy.js';
import { DETAIL_TYPE, EVENT_SCHEMA_VERSION, STATE } from '../../infra/constructs/rotation-state-machine.js';
import { DEMO_ENVIRONMENT, type LocalEnvironment } from '../../local/harness.js';
import type { GenesysStandInOptions } from '../../local/standins/genesys/index.js';
import {
  caughtError,
  enteredStates,
  eventsOf,
  executionHistory,
  genesysOf,
  messageOfCause,
  mutatingGenesysCalls,
  onlyEvent,
  readCredential,
  sleep,
  snapshotWorld,
  startConsumer,
  useFastEnvironments,
  type WorldSnapshot,
} from '../helpers/local.js';

const { start } = useFastEnvironments();

interface Scenario {
  readonly policy?: RotationPolicyInput;
  readonly genesys?: GenesysStandInOptions;
  /** Start the consumer first so the legacy client has recorded use (default true). */
  readonly consumer?: boolean;
}

/** The further managed secrets the refusals create, onboarded as a deployment would. */
const REFUSAL_SECRET_NAMES = [
  'genesys/demo/never-used',
  'genesys/demo/mistagged',
  'genesys/demo/admin-copy',
  'genesys/demo/web-login',
];

async function prepare(scenario: Scenario = {}): Promise<LocalEnvironment> {
  const env = await start({
    extraManagedSecretNames: REFUSAL_SECRET_NAMES,
    ...(scenario.policy ? { policy: scenario.policy } : {}),
    ...(scenario.genesys ? { genesys: scenario.genesys } : {}),
  });
  if (scenario.consumer !== false) await startConsumer(env);
  return env;
}

/** A managed secret holding a credential of the demo org, tagged as GenesysRotatedSecret tags it unless told. */
async function secretFor(
  environment: LocalEnvironment,
  name: string,
  credential: { clientId: string; clientSecret: string },
  tags: Record<string, string> = environment.defaultTags(),
): Promise<string> {
  return environment.createManagedSecret({
    name,
    value: JSON.stringify({
      clientId: credential.clientId,
      clientSecret: credential.clientSecret,
      environment: DEMO_ENVIRONMENT,
    }),
    tags,
  });
}

interface Refusal {
  readonly executionArn: string;
  readonly status: string;
  readonly error: string | null;
  readonly message: string;
  readonly before: WorldSnapshot;
}

/** Starts an execution for `input` and waits for its end, snapshotting the world (and `secretArns`) first. */
async function attempt(
  environment: LocalEnvironment,
  input: Record<string, unknown>,
  secretArns: readonly string[] = [],
): Promise<Refusal> {
  const arns = [environment.managedSecretArn, environment.adminSecretArn, ...secretArns];
  const before = snapshotWorld(environment, arns);
  const logStart = genesysOf(environment).requestLog.length;
  const executionArn = await environment.startExecution(input);
  const result = await environment.waitForExecution(executionArn);
  // Changing nothing includes not calling anything that could change something.
  expect(mutatingGenesysCalls(environment, logStart)).toEqual([]);
  expect(snapshotWorld(environment, arns)).toEqual(before);
  return {
    executionArn,
    status: result.status,
    error: result.error,
    message: messageOfCause(result.cause),
    before,
  };
}

/** The refusal's execution failed with `errorName`, its cause and its event name the reason, nothing ran. */
async function expectRefused(
  environment: LocalEnvironment,
  refusal: Refusal,
  errorName: string,
  reason: RegExp,
  secretId: string,
): Promise<void> {
  expect(refusal.status).toBe('FAILED');
  expect(refusal.error).toBe(errorName);
  expect(refusal.message).toMatch(reason);

  const events = eventsOf(environment, refusal.executionArn);
  expect(events.map((event) => event.detailType)).toEqual([DETAIL_TYPE.refused]);
  const refused = onlyEvent(events, DETAIL_TYPE.refused).detail;
  expect(refused.schemaVersion).toBe(EVENT_SCHEMA_VERSION);
  expect(refused.secretId).toBe(secretId);
  const error = caughtError(refused);
  expect(error.name).toBe(errorName);
  expect(error.message).toMatch(reason);

  const states = enteredStates(await executionHistory(environment, refusal.executionArn));
  expect(states).toContain(STATE.RotationRefused);
  expect(states).not.toContain(STATE.EmitStarted);
  expect(states).not.toContain(STATE.Create);
}

describe('refusals, end to end', () => {
  it('refuses when the org has no room for one more OAuth client (QUOTA_EXCEEDED)', async () => {
    // Prepare: admin and legacy clients already fill a limit of two (the policy's figure decides).
    const local = await prepare({ genesys: { oauthClientLimit: 2 }, policy: { maxOAuthClients: 2 } });

    // Act
    const refusal = await attempt(local, { secretId: local.managedSecretArn });

    // Assess
    await expectRefused(local, refusal, 'QuotaExceededError', /\(quota\).*2 of 2/, local.managedSecretArn);
  });

  it('refuses when the legacy client holds a role outside the allow-list (SCOPE_VIOLATION)', async () => {
    // Prepare
    const local = await prepare({ policy: { allowedRoleIds: ['some-other-role'] } });

    // Act
    const refusal = await attempt(local, { secretId: local.managedSecretArn });

    // Assess
    await expectRefused(
      local,
      refusal,
      'ScopeViolationError',
      new RegExp(`\\(scope\\).*${local.demo.serviceRoleId}`),
      local.managedSecretArn,
    );
  });

  it('refuses a secret whose rotation interval is over 365 days (EXPIRATION_VIOLATION)', async () => {
    // Prepare: a rotation schedule of 400 days, set by a RotateSecret that only tests the function
    // (RotateImmediately=false: a lone testSecret, which starts no rotation).
    const local = await prepare();
    await local.clients.secretsManager.send(
      new RotateSecretCommand({
        SecretId: local.managedSecretArn,
        RotationLambdaARN: local.rotatorFunctionArn,
        RotationRules: { AutomaticallyAfterDays: 400 },
        RotateImmediately: false,
      }),
    );
    await local.aws.secretsManager.waitForRotation(local.managedSecretArn, 5_000);

    // Act
    const refusal = await attempt(local, { secretId: local.managedSecretArn });

    // Assess
    await expectRefused(
      local,
      refusal,
      'ExpirationViolationError',
      /\(interval\).*400 days/,
      local.managedSecretArn,
    );
  });

  it('refuses a legacy client with no recorded use (DEPENDENCY_CHECK_FAILED)', async () => {
    // Prepare: a client nobody ever called with, in a secret of its own.
    const local = await prepare({ consumer: false });
    const genesys = genesysOf(local);
    const unused = genesys.seed.client({
      name: 'never-used-service',
      roleDivisions: [{ roleId: local.demo.serviceRoleId, divisionId: local.demo.serviceDivisionId }],
      dateCreated: new Date(Date.now() - 60 * 86_400_000),
      accessTokenValiditySeconds: 3_600,
    });
    const secretArn = await secretFor(local, 'genesys/demo/never-used', unused);

    // Act
    const refusal = await attempt(local, { secretId: secretArn }, [secretArn]);

    // Assess
    await expectRefused(
      local,
      refusal,
      'DependencyCheckFailedError',
      new RegExp(`\\(usage\\): 0 request\\(s\\) by client ${unused.clientId}`),
      secretArn,
    );
  });

  it.each([
    { tag: TAG_ORG_ID, value: '00000000-0000-4000-8000-000000000000' },
    { tag: TAG_STAGE, value: 'dev' },
  ])(
    'refuses a secret whose $tag tag does not match the org or stage (ENVIRONMENT_MISMATCH)',
    async ({ tag, value }) => {
      // Prepare: the legacy credential, in a secret tagged for another org or stage.
      const local = await prepare();
      const legacy = await readCredential(local, { stage: 'AWSCURRENT' });
      const secretArn = await secretFor(local, 'genesys/demo/mistagged', legacy, {
        ...local.defaultTags(),
        [tag]: value,
      });

      // Act
      const refusal = await attempt(local, { secretId: secretArn }, [secretArn]);

      // Assess
      await expectRefused(
        local,
        refusal,
        'EnvironmentMismatchError',
        new RegExp(`\\(environment\\).*tag ${tag} is ${value}`),
        secretArn,
      );
    },
  );

  it.each([
    { label: 'as deployed, untagged', tagged: false },
    { label: 'tagged as a managed secret by mistake', tagged: true },
  ])(
    "refuses the rotator's own admin credential secret, $label (SELF_ROTATION_REFUSED)",
    async ({ tagged }) => {
      // Prepare
      const local = await prepare();
      if (tagged) {
        await local.clients.secretsManager.send(
          new TagResourceCommand({
            SecretId: local.adminSecretArn,
            Tags: Object.entries(local.defaultTags()).map(([Key, Value]) => ({ Key, Value })),
          }),
        );
      }

      // Act
      const refusal = await attempt(local, { secretId: local.adminSecretArn });

      // Assess
      await expectRefused(
        local,
        refusal,
        'SelfRotationRefusedError',
        /genesys\/rotator\/admin.*own admin credential/,
        local.adminSecretArn,
      );
      expect(refusal.message).not.toMatch(/tag it/);
    },
  );

  it("refuses another secret that holds the rotator's admin client (SELF_ROTATION_REFUSED)", async () => {
    // Prepare: a copy of the admin credential in a properly tagged managed secret.
    const local = await prepare();
    const admin = await readCredential(local, { secretId: local.adminSecretArn });
    const secretArn = await secretFor(local, 'genesys/demo/admin-copy', admin);

    // Act
    const refusal = await attempt(local, { secretId: secretArn }, [secretArn]);

    // Assess
    await expectRefused(
      local,
      refusal,
      'SelfRotationRefusedError',
      new RegExp(`\\(self-rotation\\).*client ${local.demo.adminClientId}`),
      secretArn,
    );
  });

  it('refuses a legacy client that is not a client-credentials client', async () => {
    // Prepare
    const local = await prepare();
    const genesys = genesysOf(local);
    const codeClient = genesys.seed.client({
      name: 'web-login',
      roleDivisions: [{ roleId: local.demo.serviceRoleId, divisionId: local.demo.serviceDivisionId }],
      authorizedGrantType: 'CODE',
      dateCreated: new Date(Date.now() - 60 * 86_400_000),
      accessTokenValiditySeconds: 3_600,
    });
    const secretArn = await secretFor(local, 'genesys/demo/web-login', codeClient);

    // Act
    const refusal = await attempt(local, { secretId: secretArn }, [secretArn]);

    // Assess
    await expectRefused(
      local,
      refusal,
      'UnsupportedKindError',
      new RegExp(`\\(grant-type\\).*client ${codeClient.clientId} uses grant CODE`),
      secretArn,
    );
  });

  it('refuses a secret that does not exist (TARGET_NOT_FOUND)', async () => {
    // Prepare
    const local = await prepare({ consumer: false });
    const missing = `arn:aws:secretsmanager:${local.aws.region}:${local.aws.accountId}:secret:genesys/nope-AbCdEf`;

    // Act
    const refusal = await attempt(local, { secretId: missing });

    // Assess
    await expectRefused(local, refusal, 'TargetNotFoundError', /genesys\/nope/, missing);
  });

  it('refuses a secret the stack never onboarded, as AWS denies it to the functions (IAM: AccessDenied whether or not it exists)', async () => {
    // Prepare: a well-formed, well-tagged secret that no GenesysRotatedSecret grants the functions
    const local = await prepare({ consumer: false });
    const legacy = await readCredential(local, { stage: 'AWSCURRENT' });
    const secretArn = await secretFor(local, 'genesys/demo/not-onboarded', legacy);

    // Act
    const refusal = await attempt(local, { secretId: secretArn });

    // Assess
    await expectRefused(local, refusal, 'TargetNotFoundError', /not managed by this rotator/, secretArn);
    expect(refusal.message).toContain('GenesysRotatedSecret');
    expect(
      local.aws.requestLog.some(
        (request) => request.operation === 'DescribeSecret' && request.status === 400,
      ),
    ).toBe(true);
  });

  it('refuses execution input of the wrong shape, naming the bad field (INVALID_INPUT)', async () => {
    // Prepare
    const local = await prepare({ consumer: false });

    // Act
    const refusal = await attempt(local, { secretId: local.managedSecretArn, dryrun: true });

    // Assess
    await expectRefused(
      local,
      refusal,
      'InvalidInputError',
      /unexpected field\(s\) dryrun/,
      local.managedSecretArn,
    );
  });

  it('waits for a closed maintenance window instead of failing, creating nothing meanwhile', async () => {
    // Prepare: one window, every day, opening two hours from now (UTC) for an hour.
    const hour = new Date().getUTCHours();
    const at = (offset: number) => `${String((hour + offset) % 24).padStart(2, '0')}:00`;
    const local = await prepare({
      policy: {
        maintenanceWindows: [
          { days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], start: at(2), end: at(3) },
        ],
      },
    });
    const before = snapshotWorld(local);
    const logStart = genesysOf(local).requestLog.length;

    // Act
    const executionArn = await local.startExecution({ secretId: local.managedSecretArn });
    // Waits for the fact (the execution has looped through the wait twice), not for a time.
    let states: string[] = [];
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(50)) {
      states = enteredStates(await executionHistory(local, executionArn));
      if (states.filter((state) => state === STATE.WaitForMaintenanceWindow).length > 1) break;
    }
    const running = await local.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    await local.clients.sfn.send(new StopExecutionCommand({ executionArn, cause: 'test over' }));
    const stopped = await local.waitForExecution(executionArn);

    // Assess
    expect(running.status).toBe('RUNNING');
    expect(states.filter((state) => state === STATE.WaitForMaintenanceWindow).length).toBeGreaterThan(1);
    expect(states).not.toContain(STATE.EmitStarted);
    expect(states).not.toContain(STATE.Create);
    expect(stopped.status).toBe('ABORTED');
    expect(mutatingGenesysCalls(local, logStart)).toEqual([]);
    expect(snapshotWorld(local)).toEqual(before);
    expect(eventsOf(local, executionArn)).toEqual([]);
  });
});
