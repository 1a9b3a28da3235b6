/**
 * The fault matrix, reduced, in-process: every call site the discovery rotations found gets a
 * fault, and no invariant of DESIGN.md §7 may break. Plus proofs that the checks can fail: a leaked
 * canary is found (in a fake log line, and in a live run's log output), an orphan client is
 * flagged (in a hand-made end state, and in a live run), and so are the dependents' breaches (in
 * hand-made end states, and a failed Data Action call of a live run's flow).
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { CanaryVault, findLeaks } from '../../local/faults/canary.js';
import { checkInvariants, type DependentsEndState, type EndState } from '../../local/faults/invariants.js';

// The functions' logger reads its level once, when its module loads: DEBUG before any import of it.
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
const { logger } = await import('../../functions/shared/logger.js');
const { runMatrix } = await import('../../local/faults/run.js');
const { runScenario } = await import('../../local/faults/scenario.js');

const ADMIN = 'admin-client';
const LEGACY = 'legacy-client';
const NEW = 'new-client';

function client(
  id: string,
  overrides: Partial<EndState['clients'][number]> = {},
): EndState['clients'][number] {
  return {
    id,
    name: id,
    state: 'active',
    roleDivisions: [],
    authorizedGrantType: 'CLIENT-CREDENTIALS',
    accessTokenValiditySeconds: 3600,
    dateCreated: new Date(0).toISOString(),
    deleted: false,
    dateToDelete: null,
    createdByClientId: null,
    ...overrides,
  };
}

/** A clean successful rotation's end state: the checker must accept it. */
function succeededState(overrides: Partial<EndState> = {}): EndState {
  const executionArn = 'arn:aws:states:eu-west-1:123456789012:execution:sm:one';
  return {
    adminClientId: ADMIN,
    legacyClientId: LEGACY,
    initialCurrentVersionId: 'v1',
    clients: [
      client(ADMIN),
      client(LEGACY, { state: 'inactive', deleted: true }),
      client(NEW, { createdByClientId: ADMIN }),
    ],
    current: { versionId: 'v2', clientId: NEW, accepted: true, problem: null },
    pendingClientId: null,
    versions: [
      { versionId: 'v1', stages: ['AWSPREVIOUS'], hasValue: true },
      { versionId: 'v2', stages: ['AWSCURRENT'], hasValue: true },
    ],
    failedNativeTokens: [],
    lambdaInvocations: 9,
    expectedFailure: null,
    executions: [
      {
        arn: executionArn,
        status: 'SUCCEEDED',
        error: null,
        terminalState: 'RotationSucceeded',
        rotationWindow: { start: 1, end: 2 },
      },
    ],
    events: [{ detailType: 'Rotation Succeeded', resources: [executionArn] }],
    consumer: { calls: 40, failedCalls: 0, failures: [] },
    rotationOpen: false,
    leaks: [],
    capturedLogLines: 12,
    harnessProblem: null,
    ...overrides,
  };
}

const INTEGRATION = 'integration-1';
const LEGACY_OBJECT = 'credential-legacy';
const NEW_OBJECT = 'credential-new';
const FLOW_RUNNER = 'flow-runner';

function credential(
  id: string,
  clientId: string,
  overrides: Partial<DependentsEndState['credentials'][number]> = {},
): DependentsEndState['credentials'][number] {
  return {
    id,
    name: id,
    type: 'pureCloudOAuthClient',
    createdByClientId: null,
    clientId,
    authenticates: true,
    ...overrides,
  };
}

/** A successful rotation that an integration followed: the checker must accept it. */
function followedState(dependents: Partial<DependentsEndState> = {}): EndState {
  const state = succeededState();
  return {
    ...state,
    clients: [...state.clients, client(FLOW_RUNNER)],
    dependents: {
      integrationId: INTEGRATION,
      legacyCredentialId: LEGACY_OBJECT,
      flowRunnerClientId: FLOW_RUNNER,
      credentials: [credential(NEW_OBJECT, NEW, { createdByClientId: ADMIN })],
      integrations: [
        { id: INTEGRATION, name: 'Data Actions', credentials: { pureCloudOAuthClient: NEW_OBJECT } },
      ],
      flow: { calls: 30, failedCalls: 0, failures: [] },
      sentCredentials: [
        { route: 'POST /api/v2/integrations/credentials', clientId: NEW, secretIsCanary: true },
      ],
      ...dependents,
    },
  };
}

/** The same rotation rolled back: the integration back on its legacy object, the new one deleted. */
function rolledBackFollowedState(dependents: Partial<DependentsEndState> = {}): EndState {
  const arn = 'arn:aws:states:eu-west-1:123456789012:execution:sm:rb';
  const state = followedState();
  return {
    ...state,
    clients: [client(ADMIN), client(LEGACY), client(FLOW_RUNNER)],
    current: { versionId: 'v1', clientId: LEGACY, accepted: true, problem: null },
    versions: [{ versionId: 'v1', stages: ['AWSCURRENT'], hasValue: true }],
    executions: [
      {
        arn,
        status: 'FAILED',
        error: 'DependentHealthCheckFailedError',
        terminalState: 'RotationRolledBack',
        rotationWindow: { start: 1, end: 2 },
      },
    ],
    events: [{ detailType: 'Rotation Rolled Back', resources: [arn] }],
    dependents: {
      ...(state.dependents as DependentsEndState),
      credentials: [credential(LEGACY_OBJECT, LEGACY)],
      integrations: [
        { id: INTEGRATION, name: 'Data Actions', credentials: { pureCloudOAuthClient: LEGACY_OBJECT } },
      ],
      ...dependents,
    },
  };
}

describe('the invariant checks of dependents that follow can fail', () => {
  it('accepts a followed success and a clean rollback', () => {
    expect(checkInvariants(followedState())).toEqual({ outcome: 'succeeded', violations: [] });
    expect(checkInvariants(rolledBackFollowedState())).toEqual({ outcome: 'rolled-back', violations: [] });
  });

  it('flags a failed Data Action call of the flow', () => {
    const { violations } = checkInvariants(
      followedState({ flow: { calls: 30, failedCalls: 1, failures: ['call 7: 400 invalid_client'] } }),
    );
    expect(violations).toEqual(['flow: 1 failed Data Action call(s): call 7: 400 invalid_client']);
  });

  it('flags an orphan credential object the rotator made, and the legacy object left after success', () => {
    const { violations } = checkInvariants(
      followedState({
        credentials: [
          credential(NEW_OBJECT, NEW, { createdByClientId: ADMIN }),
          credential('duplicate', NEW, { createdByClientId: ADMIN }),
          credential(LEGACY_OBJECT, LEGACY),
        ],
      }),
    );
    expect(violations).toEqual([
      'dependents: orphan credential object duplicate (duplicate) the rotator made, referenced by no integration',
      `dependents: succeeded but the legacy credential object ${LEGACY_OBJECT} is still there`,
    ]);
  });

  it('flags an integration left on a credential that is gone, or whose client Genesys refuses, or the wrong client', () => {
    const gone = checkInvariants(followedState({ credentials: [] })).violations;
    expect(gone).toEqual([
      `dependents: integration ${INTEGRATION} references credential ${NEW_OBJECT}, which does not exist`,
    ]);
    const refused = checkInvariants(
      followedState({
        credentials: [credential(NEW_OBJECT, NEW, { createdByClientId: ADMIN, authenticates: false })],
      }),
    ).violations;
    expect(refused).toEqual([
      `dependents: integration ${INTEGRATION} references credential ${NEW_OBJECT}, whose client ${NEW} Genesys refuses`,
    ]);
    const leaked = checkInvariants(
      followedState({ credentials: [credential(NEW_OBJECT, LEGACY, { createdByClientId: ADMIN })] }),
    ).violations;
    expect(leaked).toEqual([
      `dependents: outcome succeeded but integration ${INTEGRATION} holds client ${LEGACY}, not ${NEW}`,
    ]);
  });

  it('flags a rollback that left an object it made, or the integration off its legacy object', () => {
    const { violations } = checkInvariants(
      rolledBackFollowedState({
        credentials: [
          credential(LEGACY_OBJECT, LEGACY),
          credential(NEW_OBJECT, NEW, { createdByClientId: ADMIN, authenticates: false }),
        ],
        integrations: [
          { id: INTEGRATION, name: 'Data Actions', credentials: { pureCloudOAuthClient: NEW_OBJECT } },
        ],
      }),
    );
    expect(violations).toEqual([
      `dependents: outcome rolled-back but credential object ${NEW_OBJECT} (${NEW_OBJECT}) the rotator made is still there`,
      `dependents: integration ${INTEGRATION} references credential ${NEW_OBJECT}, whose client ${NEW} Genesys refuses`,
      `dependents: outcome rolled-back but integration ${INTEGRATION} holds client ${NEW}, not ${LEGACY}`,
      `dependents: outcome rolled-back but integration ${INTEGRATION} is not back on credential ${LEGACY_OBJECT}`,
    ]);
  });

  it('flags a credential payload whose secret the canary search does not cover, or that names the admin client', () => {
    const { violations } = checkInvariants(
      followedState({
        sentCredentials: [
          { route: 'POST /api/v2/integrations/credentials', clientId: NEW, secretIsCanary: false },
          { route: 'POST /api/v2/integrations/credentials', clientId: ADMIN, secretIsCanary: true },
        ],
      }),
    );
    expect(violations).toEqual([
      'leak search: a credential payload the rotator sent (POST /api/v2/integrations/credentials) holds a secret the canary vault did not issue',
      `dependents: a credential payload the rotator sent (POST /api/v2/integrations/credentials) names client ${ADMIN}, not one it created`,
    ]);
  });
});

describe('the invariant checks can fail', () => {
  it('accepts a clean success', () => {
    expect(checkInvariants(succeededState())).toEqual({ outcome: 'succeeded', violations: [] });
  });

  it('flags an orphan client the rotator created', () => {
    const state = succeededState();
    const orphan = client('second-new-client', { createdByClientId: ADMIN });
    const { violations } = checkInvariants({ ...state, clients: [...state.clients, orphan] });
    expect(violations).toEqual([expect.stringContaining('orphan client second-new-client')]);
  });

  it('flags a consumer failure, a refused AWSCURRENT and a silent NeedsAttention', () => {
    const executionArn = 'arn:aws:states:eu-west-1:123456789012:execution:sm:two';
    const { outcome, violations } = checkInvariants(
      succeededState({
        consumer: { calls: 40, failedCalls: 1, failures: ['call 7 with client legacy-client: 401'] },
        current: { versionId: 'v2', clientId: NEW, accepted: false, problem: 'invalid_client' },

        executions: [
          {
            arn: executionArn,
            status: 'FAILED',
            error: 'X',
            terminalState: 'NeedsAttention',
            rotationWindow: null,
          },
        ],
        events: [],
      }),
    );
    expect(outcome).toBe('needs-attention');
    expect(violations.join('\n')).toMatch(/consumer: 1 failed call/);
    expect(violations.join('\n')).toMatch(/Genesys refuses AWSCURRENT/);
    expect(violations.join('\n')).toMatch(/without a 'Rotation Needs Attention' event/);
  });

  it('flags an AWSPENDING left with a value on a version that is not current', () => {
    const state = succeededState();
    const { violations } = checkInvariants({
      ...state,
      versions: [...state.versions, { versionId: 'v3', stages: ['AWSPENDING'], hasValue: true }],
    });
    expect(violations).toEqual(['secret: AWSPENDING left on version v3']);
  });

  it('accepts the pending value and client a failed native rotation keeps for its reattempt, only while that client is active (aws-rotation-and-local-tooling.md §1.4)', () => {
    const state = succeededState();
    const kept = {
      ...state,
      clients: [...state.clients, client('kept-client', { createdByClientId: ADMIN })],
      pendingClientId: 'kept-client',
      versions: [...state.versions, { versionId: 'v3', stages: ['AWSPENDING'], hasValue: true }],
      failedNativeTokens: ['v3'],
    };
    expect(checkInvariants(kept).violations).toEqual([]);
    const gone = {
      ...kept,
      clients: [...state.clients, client('kept-client', { createdByClientId: ADMIN, deleted: true })],
    };
    expect(checkInvariants(gone).violations).toEqual([
      'clients: AWSPENDING kept for a reattempt names client kept-client, which is not active',
    ]);
  });

  it('flags an execution that failed outside the clean endings, and overlapping rotations', () => {
    const arn = (name: string) => `arn:aws:states:eu-west-1:123456789012:execution:sm:${name}`;
    const { violations } = checkInvariants(
      succeededState({
        executions: [
          {
            arn: arn('a'),
            status: 'SUCCEEDED',
            error: null,
            terminalState: 'RotationSucceeded',
            rotationWindow: { start: 0, end: 10 },
          },
          {
            arn: arn('b'),
            status: 'FAILED',
            error: 'States.Runtime',
            terminalState: null,
            rotationWindow: { start: 5, end: 8 },
          },
        ],
        events: [{ detailType: 'Rotation Succeeded', resources: [arn('a')] }],
      }),
    );
    expect(violations.join('\n')).toMatch(/execution b: ended FAILED/);
    expect(violations.join('\n')).toMatch(/two rotations of the secret/);
  });

  it('finds a canary in a fake log line, however it was encoded', () => {
    const vault = new CanaryVault();
    const secret = vault.next();
    vault.next();
    const line = (value: string) => JSON.stringify({ level: 'DEBUG', message: 'step completed', value });
    const clean = findLeaks([{ where: 'log', text: line('nothing to see') }], vault);
    expect(clean).toEqual([]);
    const found = findLeaks(
      [
        { where: 'plain', text: line(secret) },
        { where: 'base64', text: line(Buffer.from(secret).toString('base64')) },
        {
          where: 'basic',
          text: `Authorization: Basic ${Buffer.from(`${NEW}:${secret}`).toString('base64')}`,
        },
        { where: 'cut', text: line(secret.slice(0, 20)) },
      ],
      vault,
      [NEW],
    );
    expect(found.map((leak) => leak.where)).toEqual(['plain', 'base64', 'basic', 'cut']);
    expect(JSON.stringify(found)).not.toContain(secret);
    const { violations } = checkInvariants(succeededState({ leaks: found }));
    expect(violations).toHaveLength(4);
  });
});

describe('the fault matrix', () => {
  it('detects a secret a live run leaked into its log output', async () => {
    const result = await runScenario({
      id: 'canary-proof',
      site: 'test',
      fault: 'a step logs the admin secret',
      trigger: 'manual',
      expect: 'succeeded',
      interceptor: (runtime) => async (call, invoke) => {
        if (call.stateName === 'Verify') {
          const env = runtime.env();
          const read = await env.clients.secretsManager.send(
            new GetSecretValueCommand({ SecretId: env.adminSecretArn }),
          );
          // As a careless step would: through the functions' own logger.
          logger.debug('admin credential read', { value: read.SecretString });
        }
        return invoke();
      },
    });
    expect(result.outcome).toBe('succeeded');
    expect(result.violations).toEqual([expect.stringMatching(/^leak: canary secret #\d+ in log output$/)]);
  }, 120_000);

  it('flags a client left behind in a live run', async () => {
    const result = await runScenario({
      id: 'orphan-proof',
      site: 'test',
      fault: 'an extra client appears during Create',
      trigger: 'manual',
      expect: 'succeeded',
      interceptor: (runtime) => async (call, invoke) => {
        const output = await invoke();
        if (call.stateName === 'Create') {
          const env = runtime.env();
          env.genesys?.seed.client({ name: 'rotated-reporting-service-extra', roleDivisions: [] });
        }
        return output;
      },
    });
    expect(result.violations).toEqual([
      expect.stringMatching(
        /^clients: orphan client .* \(rotated-reporting-service-extra, active, untracked\)$/,
      ),
    ]);
  }, 120_000);

  it('flags a failed Data Action call of the simulated flow in a live run with followers', async () => {
    const result = await runScenario({
      id: 'flow-proof',
      site: 'test',
      fault: "the flow's token expires during the flip",
      trigger: 'manual',
      expect: 'succeeded',
      follow: true,
      interceptor: (runtime) => async (call, invoke) => {
        if (call.stateName === 'FlipDependents') {
          const genesys = runtime.env().genesys;
          const runner = genesys?.clients().find((candidate) => candidate.name === 'flow-runner');
          if (runner) genesys?.expireTokens(runner.id);
        }
        return invoke();
      },
    });
    expect(result.outcome).toBe('succeeded');
    expect(result.violations).toEqual([expect.stringMatching(/^flow: \d+ failed Data Action call\(s\): /)]);
  }, 120_000);

  it('survives the reduced matrix with no invariant violated', async () => {
    const report = await runMatrix({ reduced: true });
    const broken = report.results.filter((result) => result.violations.length > 0);
    expect(broken.map((result) => `${result.id}: ${result.violations.join('; ')}`)).toEqual([]);
    expect(report.summary.violations).toBe(0);
    expect(report.summary.tried).toBeGreaterThanOrEqual(40);
    expect(report.sites.genesys.length).toBeGreaterThanOrEqual(10);
    expect(report.sites.aws).toContain('secretsmanager.PutSecretValue');
    expect(report.sites.tasks).toContain('Create');
    // With followers: the integration routes and the follow tasks, a few of them in the reduced matrix.
    expect(report.sites.follow?.genesys).toContain('PUT /api/v2/integrations/{integrationId}/config/current');
    expect(report.sites.follow?.tasks).toContain('FlipDependents');
    expect(report.sites.follow?.rollbackTasks).toEqual(['RollbackDependents']);
    expect(report.results.filter((result) => result.site.startsWith('follow ')).length).toBe(4);
  }, 1_800_000); // ~7 min on two idle cores (npm run faults -- --reduced), longer beside other tests
});
