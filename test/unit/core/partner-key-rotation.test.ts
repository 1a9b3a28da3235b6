/**
 * The partner-key strategy's pure rules (Validate's checks and plan, the adoption gate, the
 * retirement check), the rollback's revocations over fake ports, and its dispatch by kind; the steps
 * that talk to AWS, Genesys and the provider run end to end in
 * test/integration/rotation-partner-keys.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { oauthClientStrategy } from '../../../functions/core/kinds/oauth-client.js';
import { partnerKeyStrategy } from '../../../functions/core/kinds/partner-key.js';
import { kindOfState, strategyForState } from '../../../functions/core/kinds/strategy.js';
import {
  checkPartnerKeyRetirement,
  evaluatePartnerKeyAdoption,
} from '../../../functions/core/partner-key/adoption.js';
import { rollbackPartnerKey } from '../../../functions/core/partner-key/rotation.js';
import { evaluatePartnerKeyRotation } from '../../../functions/core/partner-key/validate.js';
import {
  type KeyUsage,
  PARTNER_KEY_CHECK_NAMES,
  type PartnerKeyAdoption,
  type PartnerKeyCreated,
  type PartnerKeyInventory,
  type PartnerKeyRotationState,
  TaskStateSchema,
} from '../../../functions/shared/contract.js';
import type { DataActionCredentialsPort } from '../../../functions/shared/data-action-ports.js';
import { NeedsAttentionError } from '../../../functions/shared/errors.js';
import type { KeyProviderPort } from '../../../functions/shared/key-provider.js';
import type { SecretStorePort } from '../../../functions/shared/ports.js';
import * as z from '../../../functions/shared/zod.js';
import { buildPolicy, buildState } from '../../helpers/builders.js';

const TOKEN = '0b3c7a4e-2f1d-4b8a-9c6e-5d4f3a2b1c0d';
const NOW = new Date('2026-03-04T10:00:00.000Z');
const clock = { now: () => NOW, sleep: async () => undefined };

function inventory(overrides: Partial<PartnerKeyInventory['partnerKey']> = {}): PartnerKeyInventory {
  return {
    secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partner/orders-AbCdEf',
    secretName: 'partner/orders',
    kind: 'integration-credential',
    token: TOKEN,
    tags: { environment: 'mypurecloud.ie', orgId: 'org-1', stage: 'prod' },
    currentVersionId: 'v-current',
    foreignPendingVersionId: null,
    rotationEnabled: false,
    rotationIntervalDays: null,
    credential: { legacyId: 'key_old' },
    partnerKey: {
      credentialType: 'userDefined',
      env: 'dev',
      service: 'orders',
      cadenceDays: 30,
      keyProvider: 'PartnerKeyProvider',
      stagedVersionId: null,
      integrationId: 'integration-1',
      credentialKey: 'userDefined',
      healthActionId: 'action-1',
      legacyKeyId: 'key_old',
      legacyCredentialId: 'credential-old',
      ...overrides,
    },
    admin: { secretArn: 'arn:admin', environment: 'mypurecloud.ie' },
    org: { id: 'org-1', name: 'Acme' },
    otherRunningExecutions: 0,
    fetchedAt: NOW.toISOString(),
  };
}

function state(overrides: Partial<PartnerKeyRotationState> = {}): PartnerKeyRotationState {
  return {
    secretId: 'partner/orders',
    dryRun: false,
    reason: '',
    mode: 'standard',
    trigger: 'manual',
    token: TOKEN,
    inventory: inventory(),
    ...overrides,
  };
}

const plan = { gracePeriodSeconds: 600, adoptionPollSeconds: 30, quietPeriodSeconds: 120 };
const promotedAtMs = NOW.getTime() - 200_000;
const usage = (keyId: string, lastUsedAt: number | null, requests = 5): KeyUsage => ({
  keyId,
  lastUsedAt: lastUsedAt === null ? null : new Date(lastUsedAt).toISOString(),
  requests,
});

describe('Validate of a partner key', () => {
  it('passes every check and plans the flip, the quiet period (capped by the grace period) and the revoke', () => {
    // Act
    const { validation, refusal } = evaluatePartnerKeyRotation(
      state(),
      buildPolicy({ gracePeriodSeconds: 3_600, keyQuietPeriodSeconds: 86_400, retireWithoutEvidence: true }),
      NOW,
    );

    // Assess
    expect(refusal).toBeNull();
    expect(validation.checks.map((check) => check.check)).toEqual([...PARTNER_KEY_CHECK_NAMES]);
    expect(validation.checks.every((check) => check.passed)).toBe(true);
    expect(validation.plan).toMatchObject({
      newCredentialName: `orders-dev-${TOKEN}`,
      legacyKeyId: 'key_old',
      keySource: 'provider',
      quietPeriodSeconds: 3_600,
      revokesLegacyKey: true,
    });
  });

  it.each([
    [
      'an operator-staged secret with nothing staged',
      state({ inventory: inventory({ keyProvider: null }) }),
      'key-source',
      'INVALID_INPUT',
    ],
    ['an emergency rotation', state({ mode: 'emergency' }), 'kind', 'UNSUPPORTED_KIND'],
    ['a native (Secrets Manager) rotation', state({ trigger: 'secretsmanager' }), 'kind', 'UNSUPPORTED_KIND'],
    [
      'another org',
      state({ inventory: { ...inventory(), org: { id: 'org-2', name: 'Other' } } }),
      'environment',
      'ENVIRONMENT_MISMATCH',
    ],
  ])('refuses %s before any change', (_label, given, check, code) => {
    // Act
    const { validation, refusal } = evaluatePartnerKeyRotation(given, buildPolicy(), NOW);

    // Assess
    expect(refusal?.code).toBe(code);
    expect(validation.checks.find((result) => !result.passed)?.check).toBe(check);
  });

  it('plans no revoke for an operator-staged key', () => {
    // Act
    const { validation, refusal } = evaluatePartnerKeyRotation(
      state({ inventory: inventory({ keyProvider: null, stagedVersionId: 'v-staged' }) }),
      buildPolicy(),
      NOW,
    );

    // Assess
    expect(refusal).toBeNull();
    expect(validation.plan).toMatchObject({ keySource: 'operator', revokesLegacyKey: false });
  });
});

describe('The adoption gate of a partner key', () => {
  const facts = (legacy: KeyUsage | null, fresh: KeyUsage | null, nowMs = NOW.getTime()) => ({
    nowMs,
    promotedAtMs,
    legacyId: 'key_old',
    legacyKey: legacy,
    newKey: fresh,
    plan,
    previousChecks: 2,
  });

  it('adopts on evidence: the old key quiet for the quiet period since promotion, the new key used', () => {
    const adoption = evaluatePartnerKeyAdoption(
      facts(usage('key_old', promotedAtMs - 1_000), usage('key_new', NOW.getTime() - 1_000)),
    );
    expect(adoption).toMatchObject({
      adopted: true,
      held: false,
      decidedBy: 'evidence',
      evidence: 'partner-usage',
      waitSeconds: 0,
      checks: 3,
    });
  });

  it('waits while the old key was used within the quiet period, counting from its last use', () => {
    const lastUse = NOW.getTime() - 100_000;
    const adoption = evaluatePartnerKeyAdoption(
      facts(usage('key_old', lastUse), usage('key_new', NOW.getTime())),
    );
    expect(adoption).toMatchObject({
      adopted: false,
      held: false,
      quietSince: new Date(lastUse).toISOString(),
    });
    expect(adoption.waitSeconds).toBe(20);
  });

  it('holds, the old key valid, when it is still used as the grace period ends', () => {
    const adoption = evaluatePartnerKeyAdoption(
      facts(
        usage('key_old', NOW.getTime() + 599_000),
        usage('key_new', NOW.getTime()),
        NOW.getTime() + 600_000,
      ),
    );
    expect(adoption).toMatchObject({
      adopted: false,
      held: true,
      hold: { Error: 'LegacyKeyStillUsed', reason: 'legacy-traffic', legacyId: 'key_old' },
    });
  });

  it('adopts on the quiet period alone without usage reports, or with no traffic once the grace period ended', () => {
    expect(evaluatePartnerKeyAdoption(facts(null, null))).toMatchObject({
      adopted: true,
      decidedBy: 'quiet-period',
      evidence: 'none',
    });
    expect(
      evaluatePartnerKeyAdoption(facts(usage('key_old', null, 0), usage('key_new', null, 0))),
    ).toMatchObject({ adopted: false, held: false });
    expect(
      evaluatePartnerKeyAdoption(
        facts(usage('key_old', null, 0), usage('key_new', null, 0), NOW.getTime() + 600_000),
      ),
    ).toMatchObject({ adopted: true, decidedBy: 'quiet-period', evidence: 'partner-usage' });
  });
});

describe('The retirement check of a partner key', () => {
  const adopted: PartnerKeyAdoption = {
    adopted: true,
    held: false,
    hold: null,
    decidedBy: 'evidence',
    evidence: 'partner-usage',
    quietSince: new Date(promotedAtMs).toISOString(),
    legacyKey: usage('key_old', promotedAtMs - 1_000, 7),
    newKey: usage('key_new', NOW.getTime(), 3),
    secondsSincePromotion: 200,
    waitSeconds: 0,
    checks: 4,
  };
  const provider = (legacy: KeyUsage): KeyProviderPort => ({
    issue: async () => {
      throw new Error('not called');
    },
    test: async () => {
      throw new Error('not called');
    },
    revoke: async () => {
      throw new Error('not called');
    },
    revokeTokenKeys: async () => {
      throw new Error('not called');
    },
    usage: async () => legacy,
  });
  const validated = () =>
    state({
      validation: evaluatePartnerKeyRotation(state(), buildPolicy(), NOW).validation,
      adoption: adopted,
    });

  it('is clean when the old key saw no request since the gate, and holds when it did', async () => {
    const clean = await checkPartnerKeyRetirement(
      { provider: provider(usage('key_old', promotedAtMs - 1_000, 7)), clock },
      validated(),
    );
    const used = await checkPartnerKeyRetirement(
      { provider: provider(usage('key_old', NOW.getTime(), 8)), clock },
      validated(),
    );
    expect(clean).toMatchObject({ verdict: 'clean', hold: null });
    expect(used).toMatchObject({ verdict: 'legacy-traffic', hold: { Error: 'LegacyKeyStillUsed' } });
  });
});

describe('The rollback of a partner key', () => {
  /** The secret as Create left it: AWSCURRENT on the legacy version, nothing for the token. */
  const secrets = {
    describe: async () => ({
      arn: inventory().secretArn,
      name: inventory().secretName,
      tags: {},
      rotationEnabled: false,
      rotationIntervalDays: null,
      versionIdsToStages: { 'v-current': ['AWSCURRENT'] },
      kmsKeyId: null,
    }),
  } as unknown as SecretStorePort;
  /** The integration still on its legacy object; nothing was made for the token. */
  const integrations = {
    findCredentialByName: async () => null,
    credentialReferences: async () => ({ version: 1, credentials: { userDefined: 'credential-old' } }),
  } as unknown as DataActionCredentialsPort;

  function recordingProvider(tokenKeys: string[] | null) {
    const calls: Array<{ operation: string; keyId?: string; rotationToken?: string }> = [];
    const provider: KeyProviderPort = {
      issue: async () => {
        throw new Error('not called');
      },
      test: async () => {
        throw new Error('not called');
      },
      revoke: async (request) => {
        calls.push({ operation: 'revoke', keyId: request.keyId });
        return { keyId: request.keyId, revoked: true, alreadyRevoked: false };
      },
      revokeTokenKeys: async (request) => {
        calls.push({ operation: 'revokeTokenKeys', rotationToken: request.rotationToken });
        return tokenKeys === null ? null : { rotationToken: request.rotationToken, revokedKeyIds: tokenKeys };
      },
      usage: async () => null,
    };
    return { provider, calls };
  }

  it('after a Create that died between issue and the write to AWSPENDING, revokes the keys the provider issued for the token', async () => {
    // Prepare: no $.created; the provider still holds a key labelled with the token.
    const { provider, calls } = recordingProvider(['key_orphan']);

    // Act
    const rolledBack = await rollbackPartnerKey({ secrets, integrations, provider: () => provider }, state());

    // Assess
    expect(calls).toEqual([{ operation: 'revokeTokenKeys', rotationToken: TOKEN }]);
    expect(rolledBack).toMatchObject({ revokedKeyId: null, revokedTokenKeyIds: ['key_orphan'] });
  });

  it('revokes the known new key by id and asks nothing by token when Create completed', async () => {
    // Prepare
    const { provider, calls } = recordingProvider([]);
    const created: PartnerKeyCreated = {
      credential: { newId: 'key_new' },
      keyId: 'key_new',
      source: 'provider',
      versionId: TOKEN,
      reused: false,
    };

    // Act
    const rolledBack = await rollbackPartnerKey(
      { secrets, integrations, provider: () => provider },
      state({ created }),
    );

    // Assess
    expect(calls).toEqual([{ operation: 'revoke', keyId: 'key_new' }]);
    expect(rolledBack.revokedKeyId).toBe('key_new');
    expect(rolledBack.revokedTokenKeyIds).toBeUndefined();
  });

  it('ends NeedsAttention, naming the token, when the provider cannot revoke by token after a failed Create', async () => {
    // Prepare: a provider without the optional revokeTokenKeys.
    const { provider } = recordingProvider(null);

    // Act
    const act = rollbackPartnerKey({ secrets, integrations, provider: () => provider }, state());

    // Assess
    await expect(act).rejects.toThrow(NeedsAttentionError);
    await expect(act).rejects.toThrow(`rotation token ${TOKEN}`);
  });

  it('asks no provider for an operator-staged key', async () => {
    // Prepare
    const { provider, calls } = recordingProvider([]);

    // Act
    await rollbackPartnerKey(
      { secrets, integrations, provider: () => provider },
      state({ inventory: inventory({ keyProvider: null }) }),
    );

    // Assess
    expect(calls).toEqual([]);
  });
});

describe('Dispatch by kind', () => {
  it('reads each kind against its own schema, and picks the strategy by the inventory kind', () => {
    // Prepare
    const registry = {
      'oauth-client': oauthClientStrategy({ clock }),
      'integration-credential': partnerKeyStrategy({ clock }),
    };
    const partner = z.safeParse(TaskStateSchema, state());
    const oauth = z.safeParse(TaskStateSchema, buildState());
    const broken = z.safeParse(TaskStateSchema, {
      ...state(),
      inventory: { kind: 'integration-credential' },
    });

    // Assess
    expect(partner.success && kindOfState(partner.data)).toBe('integration-credential');
    expect(oauth.success && kindOfState(oauth.data)).toBe('oauth-client');
    expect(kindOfState({ ...state(), inventory: undefined } as never)).toBe('oauth-client');
    expect(strategyForState(registry, state()).kind).toBe('integration-credential');
    expect(broken.success).toBe(false);
    // Only the partner-key schema's problems are named, never the other kind's fields.
    expect(JSON.stringify(broken.error?.issues.map((issue) => issue.path))).not.toContain('legacyClient');
  });

  it('fails loudly, naming the port, when a partner-key step runs in a function without it', async () => {
    const strategy = partnerKeyStrategy({ clock });
    await expect(
      strategy.create(
        state({ validation: evaluatePartnerKeyRotation(state(), buildPolicy(), NOW).validation }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('secrets port'),
    });
    expect(strategy.emergency).toBeNull();
  });
});
