import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  checkDependentsHealth,
  discoverDependents,
  type FollowDependencies,
  flipDependents,
  healthAfter,
  preflightDependents,
  retireDependents,
  rollbackDependents,
  stageDependents,
  stagedCredentialName,
} from '../../functions/core/kinds/follow-purecloud-credentials.js';
import type { Inventory, OAuthClientRotationState } from '../../functions/shared/contract.js';
import { TAG_FOLLOW_INTEGRATIONS } from '../../functions/shared/dependents-contract.js';
import { clearAdminTokenCache, GenesysAdmin } from '../../functions/shared/genesys/admin.js';
import { GenesysIntegrations } from '../../functions/shared/genesys/integrations.js';
import type { SecretDescription, SecretStorePort } from '../../functions/shared/ports.js';
import {
  DEFAULT_ORG_ID,
  type GenesysStandIn,
  startGenesysStandIn,
} from '../../local/standins/genesys/index.js';
import { loggedInSdkClient } from '../../local/standins/genesys/sdk-session.js';

/**
 * Through the real SDK (`IntegrationsApi` via the subpath adapter) against the Genesys stand-in.
 * Secrets Manager is an in-memory `SecretStorePort` here: only the Genesys side is under test.
 */
const ENVIRONMENT = 'mypurecloud.com' as const;
const retry = { maxAttempts: 4, maxRetryTimeMs: 10_000, defaultRetryAfterMs: 50, timeoutMs: 5_000 };

let standIn: GenesysStandIn;
let admin: { clientId: string; clientSecret: string };
let roleDivision: { roleId: string; divisionId: string };
let flowApi: platformClient.IntegrationsApi;
let viewApi: platformClient.IntegrationsApi;

beforeAll(async () => {
  standIn = await startGenesysStandIn();
  roleDivision = {
    roleId: standIn.seed.role('Data action caller', ['integrations:action:execute']),
    divisionId: standIn.seed.homeDivisionId,
  };
  admin = standIn.seed.adminClient({ extraRoleDivisions: [roleDivision] });
  const session = await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret);
  flowApi = new platformClient.IntegrationsApi(session);
  viewApi = flowApi;
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(() => {
  clearAdminTokenCache();
  standIn.faults.clear();
});

const TOKEN = 'a1b2c3d4-0000-4000-8000-00000000abcd';

function memorySecrets(tags: Record<string, string>, pending: string): SecretStorePort {
  const description: SecretDescription = {
    arn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:data-actions-client-AbCdEf',
    name: 'data-actions-client',
    tags,
    rotationEnabled: false,
    rotationIntervalDays: null,
    versionIdsToStages: { current: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] },
    kmsKeyId: null,
  };
  return {
    describe: async () => description,
    getValue: async (_id, selector) => (selector.versionId === TOKEN ? pending : null),
    putPending: async () => undefined,
    promote: async () => undefined,
    removeStage: async () => undefined,
  };
}

function stateFor(
  legacyClientId: string,
  newClientId: string,
  tagOrgId = DEFAULT_ORG_ID,
): OAuthClientRotationState {
  const inventory = {
    secretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:data-actions-client-AbCdEf',
    secretName: 'data-actions-client',
    kind: 'oauth-client',
    token: TOKEN,
    tags: { environment: ENVIRONMENT, orgId: tagOrgId, stage: 'prod' },
    environment: ENVIRONMENT,
    currentVersionId: 'current',
    foreignPendingVersionId: null,
    rotationEnabled: false,
    rotationIntervalDays: null,
    credential: { legacyId: legacyClientId },
    legacyClient: {
      id: legacyClientId,
      name: 'data-actions',
      state: 'active',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [roleDivision],
      accessTokenValiditySeconds: 86_400,
      dateCreated: null,
      ageDays: null,
    },
    admin: { clientId: admin.clientId, secretArn: 'arn:admin', environment: ENVIRONMENT, roleDivisions: [] },
    org: { id: DEFAULT_ORG_ID, name: 'Demo Contact Centre' },
    clientQuota: { used: 3, limit: null },
    legacyUsage: { requests: 0, days: 30 },
    otherRunningExecutions: 0,
    fetchedAt: new Date().toISOString(),
  } satisfies Inventory;
  return {
    secretId: inventory.secretName,
    dryRun: false,
    reason: '',
    mode: 'standard',
    trigger: 'manual',
    token: TOKEN,
    inventory,
    created: {
      credential: { newId: newClientId },
      newClientId,
      newClientName: 'data-actions-rotated',
      versionId: TOKEN,
      reused: false,
    },
  };
}

interface World {
  legacy: { clientId: string; clientSecret: string };
  fresh: { clientId: string; clientSecret: string };
  integrationId: string;
  actionId: string;
  legacyCredentialId: string;
}

function seedWorld(name: string): World {
  const legacy = standIn.seed.client({ name: `${name}-legacy`, roleDivisions: [roleDivision] });
  const fresh = standIn.seed.client({ name: `${name}-new`, roleDivisions: [roleDivision] });
  const seeded = standIn.seed.integration({
    name,
    credential: {
      name: `Integration-${name}`,
      type: 'pureCloudOAuthClient',
      fields: { clientId: legacy.clientId, clientSecret: legacy.clientSecret },
    },
  });
  return {
    legacy,
    fresh,
    integrationId: seeded.integrationId,
    actionId: seeded.actionId,
    legacyCredentialId: seeded.credentialId ?? '',
  };
}

function followDeps(secrets: SecretStorePort): FollowDependencies {
  const genesys = new GenesysAdmin({
    credential: { ...admin, environment: ENVIRONMENT },
    gatewayUrl: standIn.url,
    retry,
  });
  return {
    integrations: new GenesysIntegrations(genesys),
    secrets,
    clock: { now: () => new Date(), sleep: async () => undefined },
  };
}

/** A flow that keeps executing the action until stopped; counts failed calls. */
function simulatedFlow(actionId: string) {
  let running = true;
  const outcome = { calls: 0, failures: [] as string[], clients: new Set<string>() };
  const loop = (async () => {
    while (running) {
      outcome.calls += 1;
      try {
        const result = (await flowApi.postIntegrationsActionExecute(actionId, {})) as { clientId?: string };
        if (result.clientId) outcome.clients.add(result.clientId);
      } catch (error) {
        outcome.failures.push(error instanceof Error ? error.message : JSON.stringify(error));
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return outcome;
    },
  };
}

async function credentialNames(): Promise<string[]> {
  const listing = await viewApi.getIntegrationsCredentialsListing({ pageSize: '200' });
  return (listing.entities ?? []).map((c) => c.name ?? '');
}

const pendingOf = (client: { clientId: string; clientSecret: string }) =>
  JSON.stringify({ clientId: client.clientId, clientSecret: client.clientSecret, environment: ENVIRONMENT });

describe('pureCloudOAuthClient credentials follow their OAuth client (issue #10 part 2, genesys-cloud-api.md §4.1-4.4)', () => {
  it('flips a purecloud-data-actions integration to a new credential object and retires the old one, with zero failed executions meanwhile', async () => {
    // Prepare
    const world = seedWorld('orders');
    const deps = followDeps(
      memorySecrets({ [TAG_FOLLOW_INTEGRATIONS]: world.integrationId }, pendingOf(world.fresh)),
    );
    const state = stateFor(world.legacy.clientId, world.fresh.clientId);
    const flow = simulatedFlow(world.actionId);

    // Act
    const dependents = await discoverDependents(deps, state);
    const preflight = preflightDependents(state, dependents);
    const staged = await stageDependents(deps, state, dependents);
    const flipped = await flipDependents(deps, state, dependents, staged);
    const afterPromotion = await healthAfter(deps, state, dependents, 'promotion');
    const retired = await retireDependents(deps, state, dependents);
    const afterRetirement = await healthAfter(deps, state, dependents, 'retirement');
    const outcome = await flow.stop();

    // Assess
    expect(preflight.refusal).toBeNull();
    expect(dependents.integrations).toHaveLength(1);
    expect(flipped.integrations[0]).toMatchObject({
      integrationId: world.integrationId,
      fromCredentialId: world.legacyCredentialId,
    });
    const config = await viewApi.getIntegrationConfigCurrent(world.integrationId);
    expect(config.credentials?.pureCloudOAuthClient?.id).toBe(staged.credentials[0]?.newCredentialId);
    expect(retired.deletedIds).toEqual([world.legacyCredentialId]);
    expect(afterPromotion.failed).toEqual([]);
    expect(afterRetirement.failed).toEqual([]);
    expect(outcome.failures).toEqual([]);
    expect(outcome.calls).toBeGreaterThan(0);
    const execution = (await flowApi.postIntegrationsActionExecute(world.actionId, {})) as {
      clientId: string;
    };
    expect(execution.clientId).toBe(world.fresh.clientId);
    // No state payload holds a secret value.
    expect(JSON.stringify({ dependents, staged, flipped, retired })).not.toContain(world.fresh.clientSecret);
  });

  it('flips back when the action test fails on the new credential, and the rollback leaves no orphan credential object', async () => {
    // Prepare
    const world = seedWorld('billing');
    const wrong = { clientId: world.fresh.clientId, clientSecret: 'not-the-secret-of-the-new-client' };
    const deps = followDeps(
      memorySecrets({ [TAG_FOLLOW_INTEGRATIONS]: world.integrationId }, pendingOf(wrong)),
    );
    const state = stateFor(world.legacy.clientId, world.fresh.clientId);
    const dependents = await discoverDependents(deps, state);
    const staged = await stageDependents(deps, state, dependents);
    const flow = simulatedFlow(world.actionId);

    // Act
    const failure = await flipDependents(deps, state, dependents, staged).catch((error: unknown) => error);
    const rolledBack = await rollbackDependents(deps, state, dependents);
    const outcome = await flow.stop();

    // Assess
    expect(failure).toMatchObject({ name: 'DependentHealthCheckFailedError' });
    const config = await viewApi.getIntegrationConfigCurrent(world.integrationId);
    expect(config.credentials?.pureCloudOAuthClient?.id).toBe(world.legacyCredentialId);
    expect(rolledBack.deletedIds).toEqual([staged.credentials[0]?.newCredentialId]);
    expect((await credentialNames()).filter((name) => name.startsWith('Integration-billing'))).toEqual([
      'Integration-billing',
    ]);
    // The flip lasted one failed test: executions may fail only inside that window, none after.
    const after = (await flowApi.postIntegrationsActionExecute(world.actionId, {})) as { clientId: string };
    expect(after.clientId).toBe(world.legacy.clientId);
    expect(outcome.calls).toBeGreaterThan(0);
  });

  it('refuses before any change when the secret is tagged for another org (part 7)', async () => {
    // Prepare
    const world = seedWorld('returns');
    const deps = followDeps(
      memorySecrets({ [TAG_FOLLOW_INTEGRATIONS]: world.integrationId }, pendingOf(world.fresh)),
    );
    const state = stateFor(
      world.legacy.clientId,
      world.fresh.clientId,
      '00000000-0000-4000-8000-000000000000',
    );
    const before = {
      names: await credentialNames(),
      config: await viewApi.getIntegrationConfigCurrent(world.integrationId),
    };

    // Act
    const preflight = preflightDependents(state, await discoverDependents(deps, state));

    // Assess
    expect(preflight.refusal).toMatchObject({ name: 'EnvironmentMismatchError' });
    expect(preflight.checks.find((c) => c.check === 'dependents-org')).toMatchObject({ passed: false });
    expect(await credentialNames()).toEqual(before.names);
    expect((await viewApi.getIntegrationConfigCurrent(world.integrationId)).version).toBe(
      before.config.version,
    );
  });

  it('refuses before any change when a declared integration does not exist or has no pureCloudOAuthClient credential (part 7)', async () => {
    // Prepare
    const world = seedWorld('loyalty');
    const bare = standIn.seed.integration({
      name: 'no-credential',
      integrationType: 'purecloud-data-actions',
      credential: null,
    });
    const missing = '11111111-2222-4333-8444-555555555555';
    const tag = `${world.integrationId} ${bare.integrationId} ${missing}`;
    const deps = followDeps(memorySecrets({ [TAG_FOLLOW_INTEGRATIONS]: tag }, pendingOf(world.fresh)));
    const state = stateFor(world.legacy.clientId, world.fresh.clientId);
    const namesBefore = await credentialNames();

    // Act
    const dependents = await discoverDependents(deps, state);
    const preflight = preflightDependents(state, dependents);

    // Assess
    expect(preflight.refusal).toMatchObject({ name: 'DependencyCheckFailedError' });
    expect(dependents.problems.map((p) => p.integrationId).sort()).toEqual(
      [bare.integrationId, missing].sort(),
    );
    expect(await credentialNames()).toEqual(namesBefore);
  });

  it('tests every dependent integration within the Data Action concurrency limit (part 8)', async () => {
    // Prepare
    const worlds = [seedWorld('h1'), seedWorld('h2'), seedWorld('h3'), seedWorld('h4')];
    const tag = worlds.map((w) => w.integrationId).join(' ');
    const base = followDeps(
      memorySecrets({ [TAG_FOLLOW_INTEGRATIONS]: tag }, pendingOf(worlds[0]?.fresh ?? admin)),
    );
    let inFlight = 0;
    let peak = 0;
    const counting: FollowDependencies = {
      ...base,
      actionLimits: { perMinute: 900, concurrent: 2 },
      integrations: {
        ...base.integrations,
        listIntegrations: () => base.integrations.listIntegrations(),
        getConfig: (id) => base.integrations.getConfig(id),
        getCredential: (id) => base.integrations.getCredential(id),
        credentialPublicFields: (id) => base.integrations.credentialPublicFields(id),
        listActions: (id) => base.integrations.listActions(id),
        testAction: async (id, input) => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          try {
            return await base.integrations.testAction(id, input);
          } finally {
            inFlight -= 1;
          }
        },
      },
    };
    const state = stateFor('unused', 'unused');
    const dependents = await discoverDependents(counting, state);

    // Act
    const health = await checkDependentsHealth(counting, dependents);

    // Assess
    expect(health).toEqual({ tested: 4, failed: [] });
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('flips even when the config PUT landed but its answer was lost: the resend meets a 409 (stale version), and a re-read finds the reference in place (fault matrix: PUT config/current applied, then dropped)', async () => {
    // Prepare
    const world = seedWorld('lost-put');
    const deps = followDeps(
      memorySecrets({ [TAG_FOLLOW_INTEGRATIONS]: world.integrationId }, pendingOf(world.fresh)),
    );
    const state = stateFor(world.legacy.clientId, world.fresh.clientId);
    const dependents = await discoverDependents(deps, state);
    const staged = await stageDependents(deps, state, dependents);
    standIn.faults.add({
      route: 'PUT /api/v2/integrations/{integrationId}/config/current',
      drop: true,
      afterApply: true,
      nth: 1,
      times: 1,
    });

    // Act
    const flipped = await flipDependents(deps, state, dependents, staged);

    // Assess
    const newCredentialId = staged.credentials[0]?.newCredentialId;
    expect(flipped.integrations[0]?.toCredentialId).toBe(newCredentialId);
    const config = await viewApi.getIntegrationConfigCurrent(world.integrationId);
    expect(config.credentials?.pureCloudOAuthClient?.id).toBe(newCredentialId);
    expect(
      standIn.requestLog.filter(
        (r) => r.route === 'PUT /api/v2/integrations/{integrationId}/config/current' && r.status === 409,
      ).length,
    ).toBe(1);
  });

  it('throws a transient failure of the action test for the state machine to retry, without flipping back: the retried flip succeeds (fault matrix: POST .../test 500 x1)', async () => {
    // Prepare
    const world = seedWorld('flaky-test');
    const deps = followDeps(
      memorySecrets({ [TAG_FOLLOW_INTEGRATIONS]: world.integrationId }, pendingOf(world.fresh)),
    );
    const state = stateFor(world.legacy.clientId, world.fresh.clientId);
    const dependents = await discoverDependents(deps, state);
    const staged = await stageDependents(deps, state, dependents);
    const newCredentialId = staged.credentials[0]?.newCredentialId;
    standIn.faults.add({
      route: 'POST /api/v2/integrations/actions/{actionId}/test',
      status: 500,
      nth: 1,
      times: 1,
    });

    // Act
    const failure = await flipDependents(deps, state, dependents, staged).catch((error: unknown) => error);
    const onFailure = await viewApi.getIntegrationConfigCurrent(world.integrationId);
    const retried = await flipDependents(deps, state, dependents, staged);

    // Assess
    expect(failure).toMatchObject({ name: 'TransientUpstreamError' });
    expect(onFailure.credentials?.pureCloudOAuthClient?.id).toBe(newCredentialId);
    expect(retried.tested).toBe(1);
    const config = await viewApi.getIntegrationConfigCurrent(world.integrationId);
    expect(config.credentials?.pureCloudOAuthClient?.id).toBe(newCredentialId);
  });

  it('deletes at retirement a duplicate object made for the token that no integration references (fault matrix: POST credentials slower than the timeout, landing after the retry made another)', async () => {
    // Prepare
    const world = seedWorld('late-create');
    const deps = followDeps(
      memorySecrets({ [TAG_FOLLOW_INTEGRATIONS]: world.integrationId }, pendingOf(world.fresh)),
    );
    const state = stateFor(world.legacy.clientId, world.fresh.clientId);
    const dependents = await discoverDependents(deps, state);
    const staged = await stageDependents(deps, state, dependents);
    await flipDependents(deps, state, dependents, staged);
    // The timed-out first create, landing late under the same name.
    const late = standIn.seed.credential({
      name: stagedCredentialName('Integration-late-create', TOKEN),
      type: 'pureCloudOAuthClient',
      fields: { clientId: world.fresh.clientId, clientSecret: world.fresh.clientSecret },
    });

    // Act
    const retired = await retireDependents(deps, state, dependents);

    // Assess
    expect(retired.deletedIds.sort()).toEqual([world.legacyCredentialId, late].sort());
    expect((await credentialNames()).filter((name) => name.startsWith('Integration-late-create'))).toEqual([
      stagedCredentialName('Integration-late-create', TOKEN),
    ]);
    const config = await viewApi.getIntegrationConfigCurrent(world.integrationId);
    expect(config.credentials?.pureCloudOAuthClient?.id).toBe(staged.credentials[0]?.newCredentialId);
  });
});
