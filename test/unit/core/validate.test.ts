import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateRotation } from '../../../functions/core/validate.js';
import {
  CHECK_NAMES,
  type Inventory,
  type OAuthClientRotationState,
} from '../../../functions/shared/contract.js';
import {
  DependencyCheckFailedError,
  EnvironmentMismatchError,
  ExpirationViolationError,
  InsufficientPrivilegeError,
  InvalidInputError,
  QuotaExceededError,
  type RotationError,
  RotationInProgressError,
  ScopeViolationError,
  SelfRotationRefusedError,
  UnsupportedKindError,
} from '../../../functions/shared/errors.js';
import type { RotationPolicy } from '../../../functions/shared/policy.js';
import {
  ADMIN_SECRET_ARN,
  buildInventory,
  buildPolicy,
  buildState,
  NOW,
  TOKEN,
} from '../../helpers/builders.js';

const now = new Date(NOW); // a Wednesday, 10:00 UTC

type ErrorClass = abstract new (...args: never[]) => RotationError;

function evaluate(
  inventory: Inventory,
  policy: RotationPolicy = buildPolicy(),
  extra: Partial<OAuthClientRotationState> = {},
) {
  return evaluateRotation(buildState({ inventory, ...extra }), policy, now);
}

function expectRefusal(
  inventory: Inventory,
  policy: RotationPolicy,
  errorClass: ErrorClass,
  code: string,
  check: string,
  ...messageParts: string[]
) {
  const { refusal, validation } = evaluate(inventory, policy);
  expect(refusal).toBeInstanceOf(errorClass);
  expect(refusal?.code).toBe(code);
  expect(refusal?.message).toContain(`(${check})`);
  for (const part of messageParts) expect(refusal?.message).toContain(part);
  expect(validation.ok).toBe(false);
  const result = validation.checks.find((candidate) => candidate.check === check);
  expect(result).toMatchObject({ passed: false, code });
}

describe('evaluateRotation', () => {
  it('accepts an inventory that meets every policy and lists every check as passed', () => {
    // Prepare
    const inventory = buildInventory();

    // Act
    const { refusal, validation } = evaluate(inventory);

    // Assess
    expect(refusal).toBeNull();
    expect(validation.ok).toBe(true);
    expect(validation.waitSeconds).toBe(0);
    expect(validation.checks.map((check) => check.check)).toEqual([...CHECK_NAMES]);
    expect(validation.checks.every((check) => check.passed && check.code === null)).toBe(true);
  });

  it('refuses when the org has no room for one more client, using the limit the org reports', () => {
    // Prepare
    const inventory = buildInventory({ clientQuota: { used: 100, limit: 100 } });

    // Act + Assess
    expectRefusal(inventory, buildPolicy(), QuotaExceededError, 'QUOTA_EXCEEDED', 'quota', '100 of 100');
  });

  it('falls back to the policy quota when the org reports no limit', () => {
    // Prepare
    const full = buildInventory({ clientQuota: { used: 5, limit: null } });
    const room = buildInventory({ clientQuota: { used: 4, limit: null } });
    const policy = buildPolicy({ maxOAuthClients: 5 });

    // Act
    const refused = evaluate(full, policy);
    const accepted = evaluate(room, policy);

    // Assess
    expect(refused.refusal).toBeInstanceOf(QuotaExceededError);
    expect(refused.refusal?.message).toContain('5 of 5');
    expect(accepted.refusal).toBeNull();
  });

  it('refuses a legacy client holding a role outside the allow-list and names that role', () => {
    // Prepare
    const policy = buildPolicy({ allowedRoleIds: ['role-reporting'] });

    // Act + Assess
    expectRefusal(buildInventory(), policy, ScopeViolationError, 'SCOPE_VIOLATION', 'scope', 'role-routing');
    const scope = evaluate(buildInventory(), policy).validation.checks.find(
      (check) => check.check === 'scope',
    );
    expect(scope?.detail).not.toContain('role-reporting');
  });

  it('accepts any role the legacy client holds when the allow-list is a wildcard or lists them all', () => {
    // Prepare
    const listed = buildPolicy({ allowedRoleIds: ['role-reporting', 'role-routing', 'role-other'] });

    // Act
    const wildcard = evaluate(buildInventory(), buildPolicy({ allowedRoleIds: ['*'] }));
    const explicit = evaluate(buildInventory(), listed);

    // Assess
    expect(wildcard.refusal).toBeNull();
    expect(explicit.refusal).toBeNull();
  });

  it('refuses when the admin credential lacks a role-division pair it would have to grant', () => {
    // Prepare
    const inventory = buildInventory({
      admin: {
        roleDivisions: [
          { roleId: 'role-reporting', divisionId: '*' },
          { roleId: 'role-routing', divisionId: 'div-apac' },
        ],
      },
    });

    // Act + Assess
    expectRefusal(
      inventory,
      buildPolicy(),
      InsufficientPrivilegeError,
      'INSUFFICIENT_PRIVILEGE',
      'privilege',
      'role-routing@div-emea',
      'admin-client',
    );
  });

  it('treats an admin role held in every division (*) as covering any division', () => {
    // Prepare
    const inventory = buildInventory({
      admin: {
        roleDivisions: [
          { roleId: 'role-reporting', divisionId: '*' },
          { roleId: 'role-routing', divisionId: '*' },
        ],
      },
    });

    // Act
    const { refusal } = evaluate(inventory);

    // Assess
    expect(refusal).toBeNull();
  });

  it.each([0, 0.5, 366, 1000, -3])('refuses a rotation interval of %s days (outside 1-365)', (days) => {
    // Prepare
    const inventory = buildInventory({ rotationIntervalDays: days });

    // Act + Assess
    expectRefusal(
      inventory,
      buildPolicy(),
      ExpirationViolationError,
      'EXPIRATION_VIOLATION',
      'interval',
      `${days} days`,
      '1-365',
    );
  });

  it.each([1, 365, null])('accepts a rotation interval of %s days', (days) => {
    // Prepare
    const inventory = buildInventory({ rotationIntervalDays: days });

    // Act
    const { refusal } = evaluate(inventory);

    // Assess
    expect(refusal).toBeNull();
  });

  it.each([0, 299, 172_801, 1_000_000])('refuses a token validity of %s seconds', (seconds) => {
    // Prepare
    const inventory = buildInventory({ legacyClient: { accessTokenValiditySeconds: seconds } });

    // Act + Assess
    expectRefusal(
      inventory,
      buildPolicy(),
      ExpirationViolationError,
      'EXPIRATION_VIOLATION',
      'interval',
      `token validity ${seconds}s`,
    );
  });

  it.each([300, 172_800])('accepts a token validity of %s seconds', (seconds) => {
    // Prepare
    const inventory = buildInventory({ legacyClient: { accessTokenValiditySeconds: seconds } });

    // Act
    const { refusal } = evaluate(inventory);

    // Assess
    expect(refusal).toBeNull();
  });

  it('refuses a legacy client with no recorded use, and says how to allow it', () => {
    // Prepare
    const inventory = buildInventory({ legacyUsage: { requests: 0, days: 7 } });

    // Act + Assess
    expectRefusal(
      inventory,
      buildPolicy(),
      DependencyCheckFailedError,
      'DEPENDENCY_CHECK_FAILED',
      'usage',
      '0 request(s)',
      'allowUnusedLegacyClient',
    );
  });

  it('rotates a never-used legacy client when the policy allows it', () => {
    // Prepare
    const inventory = buildInventory({ legacyUsage: { requests: 0, days: 7 } });

    // Act
    const { refusal } = evaluate(inventory, buildPolicy({ allowUnusedLegacyClient: true }));

    // Assess
    expect(refusal).toBeNull();
  });

  it.each([
    [
      'environment tag',
      { tags: { environment: 'mypurecloud.com' } },
      'genesys:environment is mypurecloud.com',
    ],
    ['missing environment tag', { tags: { environment: null } }, 'genesys:environment is missing'],
    ['org id tag', { tags: { orgId: 'org-other' } }, 'genesys:org-id is org-other'],
    ['stage tag', { tags: { stage: 'dev' } }, 'genesys:stage is dev'],
    [
      'admin credential environment',
      { admin: { environment: 'mypurecloud.de' } },
      'admin credential is for mypurecloud.de',
    ],
  ] as const)('refuses an environment mismatch of the %s', (_kind, overrides, fragment) => {
    // Prepare
    const inventory = buildInventory(overrides);

    // Act + Assess
    expectRefusal(
      inventory,
      buildPolicy(),
      EnvironmentMismatchError,
      'ENVIRONMENT_MISMATCH',
      'environment',
      fragment,
    );
  });

  it('compares the stage tag with the stage of this rotator', () => {
    // Prepare
    const inventory = buildInventory({ tags: { stage: 'dev' } });

    // Act
    const { refusal } = evaluate(inventory, buildPolicy({ stage: 'dev' }));

    // Assess
    expect(refusal).toBeNull();
  });

  it('refuses to rotate the rotator admin credential, recognised by its secret ARN', () => {
    // Prepare
    const inventory = buildInventory({ secretArn: ADMIN_SECRET_ARN });

    // Act + Assess
    expectRefusal(
      inventory,
      buildPolicy(),
      SelfRotationRefusedError,
      'SELF_ROTATION_REFUSED',
      'self-rotation',
      'own admin credential',
    );
  });

  it('refuses to rotate the rotator admin credential, recognised by its client id', () => {
    // Prepare
    const inventory = buildInventory({
      legacyClient: { id: 'admin-client' },
      admin: {
        roleDivisions: [
          { roleId: 'role-reporting', divisionId: '*' },
          { roleId: 'role-routing', divisionId: '*' },
        ],
      },
    });

    // Act + Assess
    expectRefusal(
      inventory,
      buildPolicy(),
      SelfRotationRefusedError,
      'SELF_ROTATION_REFUSED',
      'self-rotation',
      'admin-client',
    );
  });

  it('refuses a legacy client whose grant type is not CLIENT-CREDENTIALS', () => {
    // Prepare
    const inventory = buildInventory({ legacyClient: { authorizedGrantType: 'CODE' } });

    // Act + Assess
    expectRefusal(
      inventory,
      buildPolicy(),
      UnsupportedKindError,
      'UNSUPPORTED_KIND',
      'grant-type',
      'grant CODE',
      'CLIENT-CREDENTIALS',
    );
  });

  it('refuses a legacy client that is not active', () => {
    // Prepare
    const inventory = buildInventory({ legacyClient: { state: 'inactive' } });

    // Act + Assess
    expectRefusal(
      inventory,
      buildPolicy(),
      InvalidInputError,
      'INVALID_INPUT',
      'grant-type',
      'inactive, not active',
    );
  });

  it('refuses while another rotation holds a pending version of the secret', () => {
    // Prepare
    const inventory = buildInventory({ foreignPendingVersionId: 'foreign-version-1' });

    // Act + Assess
    expectRefusal(
      inventory,
      buildPolicy(),
      RotationInProgressError,
      'ROTATION_IN_PROGRESS',
      'concurrency',
      'foreign-version-1',
      'AWSPENDING',
    );
  });

  it('refuses while other executions are rotating the same secret', () => {
    // Prepare
    const inventory = buildInventory({ otherRunningExecutions: 2 });

    // Act + Assess
    expectRefusal(
      inventory,
      buildPolicy(),
      RotationInProgressError,
      'ROTATION_IN_PROGRESS',
      'concurrency',
      '2 other execution(s)',
    );
  });

  it('refuses an inventory of another credential kind', () => {
    // Prepare
    // A wiring error: Validate of kind oauth-client given another kind's inventory.
    const inventory = buildInventory({ kind: 'integration-credential' as unknown as 'oauth-client' });

    // Act + Assess
    expectRefusal(
      inventory,
      buildPolicy(),
      UnsupportedKindError,
      'UNSUPPORTED_KIND',
      'kind',
      'integration-credential',
    );
  });

  it('lists every check with pass or fail on a dry run, and names the first failure as the refusal', () => {
    // Prepare
    const inventory = buildInventory({
      clientQuota: { used: 100, limit: 100 },
      legacyUsage: { requests: 0, days: 7 },
      tags: { orgId: 'org-other' },
    });

    // Act
    const { refusal, validation } = evaluate(inventory, buildPolicy(), { dryRun: true });

    // Assess
    expect(validation.checks.map((check) => check.check)).toEqual([...CHECK_NAMES]);
    const failed = validation.checks
      .filter((check) => !check.passed)
      .map((check) => [check.check, check.code]);
    expect(failed).toEqual([
      ['environment', 'ENVIRONMENT_MISMATCH'],
      ['quota', 'QUOTA_EXCEEDED'],
      ['usage', 'DEPENDENCY_CHECK_FAILED'],
    ]);
    expect(validation.checks.filter((check) => check.passed).every((check) => check.code === null)).toBe(
      true,
    );
    expect(validation.ok).toBe(false);
    expect(refusal).toBeInstanceOf(EnvironmentMismatchError);
  });

  it('skips the usage and maintenance-window gates in emergency mode, and the quota only for regenerate', () => {
    // Prepare
    const inventory = buildInventory({
      clientQuota: { used: 100, limit: 100 },
      legacyUsage: { requests: 0, days: 7 },
    });
    const policy = buildPolicy({ maintenanceWindows: [{ days: ['SUN'], start: '02:00', end: '03:00' }] });

    // Act
    const regenerate = evaluate(inventory, policy, { mode: 'emergency', emergencyStrategy: 'regenerate' });
    const replace = evaluate(inventory, policy, { mode: 'emergency', emergencyStrategy: 'replace' });
    const roomy = evaluate(buildInventory({ legacyUsage: { requests: 0, days: 7 } }), policy, {
      mode: 'emergency',
      emergencyStrategy: 'replace',
    });

    // Assess
    expect(regenerate.refusal).toBeNull();
    expect(regenerate.validation.ok).toBe(true);
    expect(regenerate.validation.waitSeconds).toBe(0);
    expect(replace.refusal?.name).toBe('QuotaExceededError');
    expect(replace.refusal?.message).toContain('"emergencyStrategy": "regenerate"');
    expect(roomy.refusal).toBeNull();
    expect(roomy.validation.waitSeconds).toBe(0);
  });

  it('refuses a Secrets Manager rotation outside every maintenance window instead of waiting: a hook step lasts at most 15 minutes (aws-rotation-and-local-tooling.md §1.6)', () => {
    // Prepare: a window that is not open at the fixed clock (a Wednesday, 10:00 UTC).
    const policy = buildPolicy({ maintenanceWindows: [{ days: ['SUN'], start: '02:00', end: '03:00' }] });
    const closed = evaluate(buildInventory(), policy, { trigger: 'manual' });
    expect(closed.validation.waitSeconds).toBeGreaterThan(0);

    // Act
    const native = evaluate(buildInventory(), policy, { trigger: 'secretsmanager' });

    // Assess
    expect(native.refusal?.name).toBe('InvalidInputError');
    expect(native.refusal?.message).toContain('a Secrets Manager rotation cannot wait for it');
    expect(native.validation.waitSeconds).toBe(0);
    expect(closed.refusal).toBeNull();
  });

  it('still refuses an emergency rotation of the rotator admin credential', () => {
    // Prepare
    const inventory = buildInventory({ secretArn: ADMIN_SECRET_ARN });

    // Act
    const { refusal } = evaluate(inventory, buildPolicy(), { mode: 'emergency' });

    // Assess
    expect(refusal).toBeInstanceOf(SelfRotationRefusedError);
  });

  it('plans a clone with exactly the legacy role-division pairs and token validity, named with the token', () => {
    // Prepare
    const roles = [
      { roleId: 'role-a', divisionId: 'div-1' },
      { roleId: 'role-a', divisionId: 'div-2' },
      { roleId: 'role-b', divisionId: 'div-1' },
    ];
    const inventory = buildInventory({
      legacyClient: { name: 'IVR backend', roleDivisions: roles, accessTokenValiditySeconds: 7_200 },
      admin: {
        roleDivisions: [
          { roleId: 'role-a', divisionId: '*' },
          { roleId: 'role-b', divisionId: '*' },
        ],
      },
    });
    const policy = buildPolicy({
      clientNamePrefix: 'rot',
      gracePeriodSeconds: 6 * 86_400,
      retireObserveSeconds: 60,
    });

    // Act
    const { validation } = evaluate(inventory, policy);

    // Assess
    expect(validation.plan.roleDivisions).toEqual(roles);
    expect(validation.plan.accessTokenValiditySeconds).toBe(7_200);
    expect(validation.plan.newClientName).toContain(TOKEN);
    expect(validation.plan.newClientName).toContain('IVR backend');
    expect(validation.plan.legacyClientId).toBe(inventory.legacyClient.id);
    expect(validation.plan.gracePeriodSeconds).toBe(6 * 86_400);
    // At least token validity + two usage days + report lag, over the policy's 60 s floor.
    expect(validation.plan.retireObserveSeconds).toBe(7_200 + 2 * 86_400 + 86_400);
    expect(validation.plan.drainSeconds).toBe(7_200);
  });

  it('says in the plan whether deleting the legacy client is irreversible (help.mypurecloud.com: "Deleting clients created within the last 30 days is not reversible")', () => {
    // Prepare
    const young = buildInventory({ legacyClient: { ageDays: 12 } });
    const old = buildInventory({ legacyClient: { ageDays: 45 } });

    // Act
    const youngPlan = evaluate(young, buildPolicy()).validation.plan;
    const oldPlan = evaluate(old, buildPolicy()).validation.plan;

    // Assess
    expect(youngPlan.legacyDeleteIrreversible).toBe(true);
    expect(youngPlan.legacyDeleteNote).toContain('irreversible');
    expect(oldPlan.legacyDeleteIrreversible).toBe(false);
    expect(oldPlan.legacyDeleteNote).toContain('restorable for 7 days');
  });

  it('waits for the next maintenance window instead of refusing', () => {
    // Prepare: now is Wednesday 10:00; the window opens Wednesday 22:00
    const policy = buildPolicy({ maintenanceWindows: [{ days: ['WED'], start: '22:00', end: '23:00' }] });

    // Act
    const { refusal, validation } = evaluate(buildInventory(), policy);

    // Assess
    expect(refusal).toBeNull();
    expect(validation.ok).toBe(true);
    expect(validation.waitSeconds).toBe(12 * 3600);
    const window = validation.checks.find((check) => check.check === 'maintenance-window');
    expect(window).toMatchObject({ passed: true, code: null });
    expect(window?.detail).toContain('43200s');
  });

  it('proceeds at once inside a maintenance window', () => {
    // Prepare
    const policy = buildPolicy({ maintenanceWindows: [{ days: ['WED'], start: '09:30', end: '11:00' }] });

    // Act
    const { validation } = evaluate(buildInventory(), policy);

    // Assess
    expect(validation.waitSeconds).toBe(0);
    expect(validation.ok).toBe(true);
  });

  it('throws a typed error when Fetch produced no inventory', () => {
    // Prepare
    const state = buildState({ inventory: undefined });
    delete state.inventory;

    // Act
    const act = () => evaluateRotation(state, buildPolicy(), now);

    // Assess
    expect(act).toThrow(InvalidInputError);
  });

  it('is consistent: ok exactly when no check failed, the refusal and codes follow the failed checks', () => {
    // Prepare
    const inventories = fc.record({
      used: fc.integer({ min: 0, max: 120 }),
      limit: fc.option(fc.integer({ min: 1, max: 120 })),
      requests: fc.integer({ min: 0, max: 3 }),
      interval: fc.option(fc.integer({ min: -5, max: 400 })),
      validity: fc.integer({ min: 0, max: 200_000 }),
      foreign: fc.option(fc.constant('foreign-1')),
      running: fc.integer({ min: 0, max: 2 }),
      stage: fc.constantFrom('prod', 'dev', null),
      grant: fc.constantFrom('CLIENT-CREDENTIALS', 'CODE'),
      mode: fc.constantFrom('standard' as const, 'emergency' as const),
      hourOffset: fc.integer({ min: 0, max: 24 * 7 }),
    });
    const policy = buildPolicy({
      maintenanceWindows: [{ days: ['SAT', 'SUN'], start: '01:00', end: '05:00' }],
    });

    // Act + Assess
    fc.assert(
      fc.property(inventories, (input) => {
        const inventory = buildInventory({
          clientQuota: { used: input.used, limit: input.limit },
          legacyUsage: { requests: input.requests, days: 7 },
          rotationIntervalDays: input.interval,
          legacyClient: { accessTokenValiditySeconds: input.validity, authorizedGrantType: input.grant },
          foreignPendingVersionId: input.foreign,
          otherRunningExecutions: input.running,
          tags: { stage: input.stage },
        });
        const at = new Date(now.getTime() + input.hourOffset * 3_600_000);
        const { refusal, validation } = evaluateRotation(
          buildState({ inventory, mode: input.mode }),
          policy,
          at,
        );
        const failed = validation.checks.filter((check) => !check.passed);
        expect(validation.ok).toBe(failed.length === 0);
        expect(refusal === null).toBe(validation.ok);
        if (refusal !== null) expect(refusal.code).toBe(failed[0]?.code);
        for (const check of validation.checks) expect(check.code === null).toBe(check.passed);
        if (!validation.ok || input.mode === 'emergency') expect(validation.waitSeconds).toBe(0);
        expect(validation.checks.find((check) => check.check === 'maintenance-window')?.passed).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
