import { describe, expect, it } from 'vitest';
import {
  discoverDependents,
  flipDependents,
  healthAfter,
  preflightDependents,
  rollbackDependents,
  stagedCredentialName,
} from '../../../functions/core/kinds/follow-purecloud-credentials.js';
import { oauthClientStrategy, strategyFor } from '../../../functions/core/kinds/index.js';
import type { OAuthClientRotationState } from '../../../functions/shared/contract.js';
import type { Dependents } from '../../../functions/shared/dependents-contract.js';
import type {
  IntegrationConfig,
  IntegrationCredentialInfo,
  IntegrationsPort,
} from '../../../functions/shared/integrations-port.js';
import type { SecretStorePort } from '../../../functions/shared/ports.js';

const TOKEN = 'f'.repeat(32);

/** An in-memory org: integrations, their config and credentials; tests decide which action tests pass. */
function fakeOrg(options: { testPasses: (credentialId: string) => boolean }) {
  const credentials = new Map<string, IntegrationCredentialInfo>([
    ['cred-legacy', { id: 'cred-legacy', name: 'Integration-1', type: 'pureCloudOAuthClient' }],
  ]);
  const configs = new Map<string, IntegrationConfig>([
    [
      'int-1',
      {
        name: 'i',
        version: 1,
        properties: {},
        advanced: {},
        notes: '',
        credentials: { pureCloudOAuthClient: 'cred-legacy' },
      },
    ],
  ]);
  const puts: string[] = [];
  let made = 0;
  const port: IntegrationsPort = {
    listCredentials: async () => [...credentials.values()],
    getCredential: async (id) => credentials.get(id) ?? null,
    credentialPublicFields: async () => ({ clientId: '********' }),
    createCredential: async (request) => {
      made += 1;
      const info = { id: `cred-new-${made}`, name: request.name, type: request.type };
      credentials.set(info.id, info);
      return info;
    },
    deleteCredential: async (id) => {
      credentials.delete(id);
    },
    listIntegrations: async () => [
      { id: 'int-1', name: 'Data Actions', integrationType: 'purecloud-data-actions' },
    ],
    getConfig: async (id) => configs.get(id) as IntegrationConfig,
    putConfig: async (id, config) => {
      const current = configs.get(id) as IntegrationConfig;
      if (config.version !== current.version) throw new Error('409 version conflict');
      const next = { ...config, version: current.version + 1 };
      configs.set(id, next);
      puts.push(config.credentials.pureCloudOAuthClient ?? '');
      return next;
    },
    listActions: async () => [
      { id: 'act-1', name: 'a', integrationId: 'int-1', category: 'c', secure: false },
    ],
    testAction: async () => {
      const ref = configs.get('int-1')?.credentials.pureCloudOAuthClient ?? '';
      return options.testPasses(ref)
        ? { success: true, error: null }
        : { success: false, error: 'Unauthorized' };
    },
  };
  return { port, credentials, configs, puts };
}

const secrets = (tags: Record<string, string>): SecretStorePort => ({
  describe: async () => ({
    arn: 'arn:s',
    name: 's',
    tags,
    rotationEnabled: false,
    rotationIntervalDays: null,
    versionIdsToStages: {},
    kmsKeyId: null,
  }),
  getValue: async () =>
    JSON.stringify({ clientId: 'new', clientSecret: 'new-secret', environment: 'mypurecloud.com' }),
  putPending: async () => undefined,
  promote: async () => undefined,
  removeStage: async () => undefined,
});

const clock = { now: () => new Date('2026-01-01T00:00:00Z'), sleep: async () => undefined };

function state(overrides: { orgTag?: string } = {}): OAuthClientRotationState {
  return {
    secretId: 's',
    dryRun: false,
    reason: '',
    mode: 'standard',
    trigger: 'manual',
    token: TOKEN,
    inventory: {
      secretArn: 'arn:s',
      secretName: 's',
      kind: 'oauth-client',
      token: TOKEN,
      tags: { environment: 'mypurecloud.com', orgId: overrides.orgTag ?? 'org-1', stage: 'prod' },
      environment: 'mypurecloud.com',
      currentVersionId: 'v1',
      foreignPendingVersionId: null,
      rotationEnabled: false,
      rotationIntervalDays: null,
      credential: { legacyId: 'legacy' },
      legacyClient: {
        id: 'legacy',
        name: 'l',
        state: 'active',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        roleDivisions: [],
        accessTokenValiditySeconds: 60,
        dateCreated: null,
        ageDays: null,
      },
      admin: { clientId: 'admin', secretArn: 'arn:a', environment: 'mypurecloud.com', roleDivisions: [] },
      org: { id: 'org-1', name: 'Org' },
      clientQuota: { used: 1, limit: null },
      legacyUsage: { requests: 1, days: 30 },
      otherRunningExecutions: 0,
      fetchedAt: '2026-01-01T00:00:00Z',
    },
    created: {
      credential: { newId: 'new' },
      newClientId: 'new',
      newClientName: 'n',
      versionId: TOKEN,
      reused: false,
    },
  };
}

describe('pureCloudOAuthClient followers (core)', () => {
  it('finds no dependents, and refuses nothing, when the secret declares no integration', async () => {
    const org = fakeOrg({ testPasses: () => true });
    const deps = { integrations: org.port, secrets: secrets({}), clock };
    const dependents = await discoverDependents(deps, state());
    expect(dependents.integrations).toEqual([]);
    expect(preflightDependents(state(), dependents).refusal).toBeNull();
  });

  it('refuses with EnvironmentMismatchError when the org tag is not the admin token org', async () => {
    const org = fakeOrg({ testPasses: () => true });
    const deps = {
      integrations: org.port,
      secrets: secrets({ 'genesys:follow-integrations': 'int-1' }),
      clock,
    };
    const dependents = await discoverDependents(deps, state({ orgTag: 'org-2' }));
    expect(preflightDependents(state({ orgTag: 'org-2' }), dependents).refusal?.name).toBe(
      'EnvironmentMismatchError',
    );
  });

  it('flips back every integration when the action test fails, then the rollback deletes the new object', async () => {
    const org = fakeOrg({ testPasses: (ref) => ref === 'cred-legacy' });
    const deps = {
      integrations: org.port,
      secrets: secrets({ 'genesys:follow-integrations': 'int-1' }),
      clock,
    };
    const dependents: Dependents = await discoverDependents(deps, state());
    const staged = { credentials: [{ integrationId: 'int-1', newCredentialId: 'cred-new-9' }] };
    org.credentials.set('cred-new-9', {
      id: 'cred-new-9',
      name: stagedCredentialName('Integration-1', TOKEN),
      type: 'pureCloudOAuthClient',
    });

    await expect(flipDependents(deps, state(), dependents, staged)).rejects.toMatchObject({
      name: 'DependentHealthCheckFailedError',
    });
    expect(org.configs.get('int-1')?.credentials.pureCloudOAuthClient).toBe('cred-legacy');
    expect(org.puts).toEqual(['cred-new-9', 'cred-legacy']);
    const rolledBack = await rollbackDependents(deps, state(), dependents);
    expect(rolledBack.deletedIds).toEqual(['cred-new-9']);
    expect([...org.credentials.keys()]).toEqual(['cred-legacy']);
  });

  it('after promotion, a failed health check flips back and ends NeedsAttention', async () => {
    let pass = true;
    const org = fakeOrg({ testPasses: () => pass });
    const deps = {
      integrations: org.port,
      secrets: secrets({ 'genesys:follow-integrations': 'int-1' }),
      clock,
    };
    const dependents = await discoverDependents(deps, state());
    org.configs.set('int-1', {
      ...(org.configs.get('int-1') as IntegrationConfig),
      credentials: { pureCloudOAuthClient: 'cred-other' },
    });
    org.credentials.set('cred-other', { id: 'cred-other', name: 'x', type: 'pureCloudOAuthClient' });
    pass = false;

    await expect(healthAfter(deps, state(), dependents, 'promotion')).rejects.toMatchObject({
      name: 'NeedsAttentionError',
    });
    expect(org.configs.get('int-1')?.credentials.pureCloudOAuthClient).toBe('cred-legacy');
  });
});

describe('kind strategies', () => {
  it('serves oauth-client and refuses a kind without a strategy', () => {
    const registry = { 'oauth-client': oauthClientStrategy({ clock }) };
    expect(strategyFor(registry, 'oauth-client').kind).toBe('oauth-client');
    expect(() => strategyFor(registry, 'integration-credential')).toThrow(
      expect.objectContaining({ name: 'UnsupportedKindError' }),
    );
  });

  it('fails loudly, naming the port, when a step runs without its port', async () => {
    const strategy = oauthClientStrategy({ clock });
    await expect(strategy.create(state())).rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});
