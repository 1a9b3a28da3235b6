import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FetchDependencies,
  fetchInventory,
  type PerOrgFetchDependencies,
  parseExecutionInput,
} from '../../../functions/core/fetch.js';
import { deriveToken } from '../../../functions/core/naming.js';
import type { AdminTarget } from '../../../functions/shared/admin-credentials.js';
import { MAX_EXECUTION_INPUT_BYTES, TAG_KIND, TAG_ORG_ID } from '../../../functions/shared/contract.js';
import {
  EnvironmentMismatchError,
  FormatVerificationFailedError,
  InvalidInputError,
  SelfRotationRefusedError,
  TargetNotFoundError,
  UnsupportedKindError,
} from '../../../functions/shared/errors.js';
import {
  ADMIN_SECRET_ARN,
  CURRENT_VERSION_ID,
  LEGACY_CLIENT_ID,
  LEGACY_ROLES,
  LEGACY_SECRET,
  NOW,
  ORG_ID,
  SECRET_ARN,
  SECRET_NAME,
  secretValue,
  TOKEN,
  type World,
  world,
} from '../../helpers/builders.js';
import { FakeExecutions, FakeGenesysAdmin, FakeSecretStore } from '../../helpers/fakes.js';

const EXECUTION_ID = FakeExecutions.arnFor('manual-run-1');

function depsOf(w: World): FetchDependencies {
  return {
    secrets: w.secrets,
    genesys: w.genesys,
    executions: w.executions,
    policy: w.policy,
    clock: w.clock,
    admin: { secretArn: ADMIN_SECRET_ARN, environment: 'mypurecloud.ie' },
  };
}

function invalidInputMessage(raw: unknown): string {
  try {
    parseExecutionInput(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    if (error instanceof InvalidInputError) {
      expect(error.code).toBe('INVALID_INPUT');
      return error.message;
    }
  }
  throw new Error('expected parseExecutionInput to refuse the input');
}

describe('parseExecutionInput', () => {
  it('applies the defaults to a minimal input', () => {
    // Prepare
    const raw = { secretId: SECRET_NAME };

    // Act
    const input = parseExecutionInput(raw);

    // Assess
    expect(input).toEqual({
      secretId: SECRET_NAME,
      dryRun: false,
      reason: '',
      mode: 'standard',
      trigger: 'manual',
    });
  });

  it.each([
    ['null', null, '(root)'],
    ['an array', [{ secretId: 's' }], '(root)'],
    ['a string', 'my-secret', '(root)'],
    ['no secretId', { dryRun: true }, 'secretId'],
    ['an empty secretId', { secretId: '' }, 'secretId'],
    ['a numeric secretId', { secretId: 42 }, 'secretId'],
    ['a string dryRun', { secretId: 's', dryRun: 'yes' }, 'dryRun'],
    ['an unknown mode', { secretId: 's', mode: 'fast' }, 'mode'],
    ['an unknown trigger', { secretId: 's', trigger: 'cron' }, 'trigger'],
    ['a short token', { secretId: 's', token: 'abc' }, 'token'],
    ['an over-long reason', { secretId: 's', reason: 'r'.repeat(513) }, 'reason'],
  ])('refuses %s with a message naming the field', (_case, raw, field) => {
    // Prepare: raw

    // Act
    const message = invalidInputMessage(raw);

    // Assess
    expect(message).toContain(`${field}:`);
    expect(message).toContain('Expected {"secretId"');
  });

  it('refuses an unknown field and names it', () => {
    // Prepare
    const raw = { secretId: 's', dryrun: true };

    // Act
    const message = invalidInputMessage(raw);

    // Assess
    expect(message).toContain('unexpected field(s) dryrun');
  });

  it('refuses an input larger than the limit before looking at its shape', () => {
    // Prepare
    const raw = { secretId: 's', padding: 'x'.repeat(MAX_EXECUTION_INPUT_BYTES) };

    // Act
    const message = invalidInputMessage(raw);

    // Assess
    expect(message).toContain(`the limit is ${MAX_EXECUTION_INPUT_BYTES}`);
    expect(message).not.toContain('padding');
  });

  it('counts bytes, not characters, against the limit', () => {
    // Prepare: 1,500 three-byte characters are 4,500 bytes but fewer characters than the limit
    const raw = { secretId: 's', reason: '€'.repeat(1_500) };

    // Act
    const message = invalidInputMessage(raw);

    // Assess
    expect(message).toMatch(/Execution input is \d+ bytes/);
  });

  it('refuses an emergency rotation triggered by Secrets Manager', () => {
    // Prepare
    const raw = { secretId: 's', mode: 'emergency', trigger: 'secretsmanager', token: TOKEN };

    // Act
    const message = invalidInputMessage(raw);

    // Assess
    expect(message).toContain('Emergency rotation is a manual action');
  });

  it('accepts every well-formed input and keeps what it was given', () => {
    // Prepare
    const inputs = fc.record(
      {
        secretId: fc.string({ minLength: 1, maxLength: 200 }),
        dryRun: fc.boolean(),
        reason: fc.string({ maxLength: 200 }),
        mode: fc.constantFrom('standard' as const, 'emergency' as const),
        trigger: fc.constantFrom('manual' as const, 'cli' as const),
        token: fc.uuid(),
      },
      { requiredKeys: ['secretId'] },
    );

    // Act + Assess
    fc.assert(
      fc.property(inputs, (raw) => {
        const parsed = parseExecutionInput(raw);
        expect(parsed).toEqual({ dryRun: false, reason: '', mode: 'standard', trigger: 'manual', ...raw });
      }),
      { numRuns: 200 },
    );
  });

  it('refuses any input with a field it does not know', () => {
    // Prepare
    const known = ['secretId', 'dryRun', 'reason', 'mode', 'trigger', 'token'];
    const extra = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,20}$/).filter((key) => !known.includes(key));

    // Act + Assess
    fc.assert(
      fc.property(extra, fc.jsonValue(), (key, value) => {
        const message = invalidInputMessage({ secretId: 's', [key]: value });
        expect(message).toContain(key);
      }),
      { numRuns: 100 },
    );
  });
});

describe('fetchInventory', () => {
  it('gathers the facts Validate needs from the secret, Genesys and Step Functions', async () => {
    // Prepare
    const w = world();
    w.genesys.addClient({ id: 'other-client' }, 'other-secret');
    w.executions.seed('other-run', { secretId: SECRET_NAME });
    w.executions.seed('unrelated-run', { secretId: 'another-secret' });
    w.executions.seed('manual-run-1', { secretId: SECRET_ARN });

    // Act
    const state = await fetchInventory(
      depsOf(w),
      { secretId: SECRET_NAME, reason: 'quarterly' },
      EXECUTION_ID,
    );

    // Assess
    expect(state).toMatchObject({
      secretId: SECRET_NAME,
      dryRun: false,
      reason: 'quarterly',
      mode: 'standard',
      trigger: 'manual',
    });
    expect(state.token).toBe(deriveToken(EXECUTION_ID));
    expect(state.inventory).toMatchObject({
      secretArn: SECRET_ARN,
      secretName: SECRET_NAME,
      kind: 'oauth-client',
      token: deriveToken(EXECUTION_ID),
      tags: { environment: 'mypurecloud.ie', orgId: ORG_ID, stage: 'prod' },
      environment: 'mypurecloud.ie',
      currentVersionId: CURRENT_VERSION_ID,
      foreignPendingVersionId: null,
      legacyClient: { id: LEGACY_CLIENT_ID, state: 'active', roleDivisions: LEGACY_ROLES, ageDays: 793 },
      admin: { clientId: 'admin-client', secretArn: ADMIN_SECRET_ARN, environment: 'mypurecloud.ie' },
      org: { id: ORG_ID },
      clientQuota: { used: 2, limit: 100 },
      legacyUsage: { requests: 1_234, days: 7 },
      otherRunningExecutions: 1,
      fetchedAt: NOW,
    });
  });

  it('uses the token Secrets Manager gave and sees no foreign pending version in its own rotation', async () => {
    // Prepare
    const w = world({ trigger: 'secretsmanager' });

    // Act
    const state = await fetchInventory(
      depsOf(w),
      { secretId: SECRET_ARN, trigger: 'secretsmanager', token: TOKEN },
      FakeExecutions.arnFor(`sm-${TOKEN}`),
    );

    // Assess
    expect(state.token).toBe(TOKEN);
    expect(state.inventory?.foreignPendingVersionId).toBeNull();
  });

  it('reports a pending version left by another rotation', async () => {
    // Prepare
    const w = world();
    w.secrets.startNativeRotation(SECRET_ARN, 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa');

    // Act
    const state = await fetchInventory(depsOf(w), { secretId: SECRET_NAME }, EXECUTION_ID);

    // Assess
    expect(state.inventory?.foreignPendingVersionId).toBe('aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa');
  });

  it('refuses a secret that does not exist', async () => {
    // Prepare
    const w = world();

    // Act
    const act = fetchInventory(depsOf(w), { secretId: 'no-such-secret' }, EXECUTION_ID);

    // Assess
    await expect(act).rejects.toThrow(TargetNotFoundError);
    expect(w.genesys.calls).toEqual([]);
  });

  it('refuses a secret without a kind tag', async () => {
    // Prepare
    const w = world();
    delete w.secrets.secret(SECRET_ARN).tags[TAG_KIND];

    // Act
    const act = fetchInventory(depsOf(w), { secretId: SECRET_NAME }, EXECUTION_ID);

    // Assess
    await expect(act).rejects.toThrow(UnsupportedKindError);
    await expect(act).rejects.toThrow(/no genesys:kind tag/);
  });

  it.each(['integration-credential', 'api-key'])('refuses a secret of kind %s', async (kind) => {
    // Prepare
    const w = world();
    w.secrets.secret(SECRET_ARN).tags[TAG_KIND] = kind;

    // Act
    const act = fetchInventory(depsOf(w), { secretId: SECRET_NAME }, EXECUTION_ID);

    // Assess
    await expect(act).rejects.toThrow(UnsupportedKindError);
    await expect(act).rejects.toThrow(`kind "${kind}"`);
  });

  it('refuses when the client named by the secret no longer exists in Genesys', async () => {
    // Prepare
    const w = world();
    w.genesys.clients.delete(LEGACY_CLIENT_ID);

    // Act
    const act = fetchInventory(depsOf(w), { secretId: SECRET_NAME }, EXECUTION_ID);

    // Assess
    await expect(act).rejects.toThrow(TargetNotFoundError);
    await expect(act).rejects.toThrow(LEGACY_CLIENT_ID);
  });

  it('refuses a malformed current value without echoing it', async () => {
    // Prepare
    const w = world();
    w.secrets.putVersion(
      SECRET_ARN,
      'v-bad-000000000000000000000000000000',
      `{"clientId":"x","clientSecret":"${LEGACY_SECRET}"}`,
      ['AWSCURRENT'],
    );

    // Act
    const error = await fetchInventory(depsOf(w), { secretId: SECRET_NAME }, EXECUTION_ID).catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(error).toBeInstanceOf(FormatVerificationFailedError);
    expect(String(error)).toContain('environment');
    expect(String(error)).not.toContain(LEGACY_SECRET);
  });

  it('refuses bad input before calling anything', async () => {
    // Prepare
    const w = world();

    // Act
    const act = fetchInventory(depsOf(w), { secretId: SECRET_NAME, unknown: 1 }, EXECUTION_ID);

    // Assess
    await expect(act).rejects.toThrow(InvalidInputError);
    expect(w.secrets.calls).toEqual([]);
    expect(w.genesys.calls).toEqual([]);
  });

  it('never carries the client secret in what it returns', async () => {
    // Prepare
    const secrets = fc.string({ minLength: 12, maxLength: 64 }).filter((s) => s.trim().length === s.length);

    // Act + Assess
    await fc.assert(
      fc.asyncProperty(secrets, async (clientSecret) => {
        const w = world();
        w.secrets.putVersion(
          SECRET_ARN,
          'v-2-0000000000000000000000000000000',
          secretValue(LEGACY_CLIENT_ID, clientSecret),
          ['AWSCURRENT'],
        );
        const state = await fetchInventory(depsOf(w), { secretId: SECRET_NAME }, EXECUTION_ID);
        expect(state.inventory?.legacyClient.id).toBe(LEGACY_CLIENT_ID);
        expect(JSON.stringify(state)).not.toContain(JSON.stringify(clientSecret).slice(1, -1));
      }),
      { numRuns: 100 },
    );
  });
});

describe('fetchInventory with an admin credential per org (shared/admin-credentials.ts)', () => {
  const OTHER_ADMIN_ARN = FakeSecretStore.arnFor('genesys-rotator/admin/other-org');

  /** Per-org deps: `w.genesys` is the admin of ORG_ID; `other` would be another org's. */
  function perOrgDeps(w: World, other: FakeGenesysAdmin) {
    const targets: AdminTarget[] = [];
    const deps: PerOrgFetchDependencies = {
      secrets: w.secrets,
      executions: w.executions,
      policy: w.policy,
      clock: w.clock,
      adminSecretArns: [ADMIN_SECRET_ARN, OTHER_ADMIN_ARN],
      adminFor: async (target) => {
        targets.push(target);
        if (target.orgId === ORG_ID) {
          return { genesys: w.genesys, secretArn: ADMIN_SECRET_ARN, environment: 'mypurecloud.ie' };
        }
        if (target.orgId === 'other-org') {
          return { genesys: other, secretArn: OTHER_ADMIN_ARN, environment: 'mypurecloud.ie' };
        }
        throw new EnvironmentMismatchError(`no admin credential for org ${target.orgId}`);
      },
    };
    return { deps, targets };
  }

  it("calls Genesys with the admin credential of the secret's org (its tags), and records it", async () => {
    // Prepare
    const w = world();
    const other = new FakeGenesysAdmin({ orgId: 'other-org' });
    const { deps, targets } = perOrgDeps(w, other);

    // Act
    const state = await fetchInventory(deps, { secretId: SECRET_NAME }, EXECUTION_ID);

    // Assess
    expect(targets).toEqual([{ secretName: SECRET_NAME, orgId: ORG_ID, environment: 'mypurecloud.ie' }]);
    expect(state.inventory?.admin).toMatchObject({ secretArn: ADMIN_SECRET_ARN, clientId: 'admin-client' });
    expect(w.genesys.calls.length).toBeGreaterThan(0);
    expect(other.calls).toEqual([]);
  });

  it('refuses a secret whose org has no admin credential before any Genesys call', async () => {
    // Prepare
    const w = world();
    const other = new FakeGenesysAdmin({ orgId: 'other-org' });
    w.secrets.secret(SECRET_ARN).tags[TAG_ORG_ID] = 'org-without-credential';
    const { deps } = perOrgDeps(w, other);

    // Act
    const act = fetchInventory(deps, { secretId: SECRET_NAME }, EXECUTION_ID);

    // Assess
    await expect(act).rejects.toThrow(EnvironmentMismatchError);
    expect(w.genesys.calls).toEqual([]);
    expect(other.calls).toEqual([]);
    expect(w.secrets.callsOf('getValue')).toEqual([]);
  });

  it("refuses to rotate any org's admin credential secret, not only its own org's", async () => {
    // Prepare
    const w = world();
    const other = new FakeGenesysAdmin({ orgId: 'other-org' });
    w.secrets.addSecret({
      name: 'genesys-rotator/admin/other-org',
      value: secretValue('other-admin', 'other-admin-secret'),
      tags: { [TAG_KIND]: 'oauth-client', [TAG_ORG_ID]: ORG_ID },
    });
    const { deps, targets } = perOrgDeps(w, other);

    // Act
    const act = fetchInventory(deps, { secretId: OTHER_ADMIN_ARN }, EXECUTION_ID);

    // Assess
    await expect(act).rejects.toThrow(SelfRotationRefusedError);
    expect(targets).toEqual([]);
  });
});
