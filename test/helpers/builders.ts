/**
 * Builders of valid inputs: a policy, an inventory that passes every check, the state a task
 * receives, and a consistent "world" of fakes (a secret whose AWSCURRENT names a legacy client that
 * exists in the fake Genesys org) for the steps that talk to the ports.
 */
import {
  type Inventory,
  type OAuthClientRotationState,
  type RoleDivision,
  TAG_ENVIRONMENT,
  TAG_KIND,
  TAG_ORG_ID,
  TAG_STAGE,
  type Validation,
} from '../../functions/shared/contract.js';
import { parsePolicy, type RotationPolicy, type RotationPolicyInput } from '../../functions/shared/policy.js';
import {
  FakeExecutions,
  FakeGenesysAdmin,
  FakeProbe,
  FakeSecretStore,
  type FixedClock,
  fixedClock,
} from './fakes.js';

export const TOKEN = '0b6c3f5e-8d2a-4c1e-9f7b-2a3d4e5f6a7b';
export const OTHER_TOKEN = '7d1e2f3a-4b5c-4d6e-8f9a-0b1c2d3e4f5a';
export const NOW = '2026-03-04T10:00:00.000Z';
export const SECRET_NAME = 'contact-centre/genesys-client';
export const SECRET_ARN = FakeSecretStore.arnFor(SECRET_NAME);
export const ADMIN_SECRET_ARN = FakeSecretStore.arnFor('genesys-rotator/admin');
export const LEGACY_CLIENT_ID = 'legacy-client-1';
export const LEGACY_SECRET = 'legacy-Secret-4f9Zq!not-for-logs';
export const CURRENT_VERSION_ID = 'v-initial-00000000000000000000000000';
export const ORG_ID = 'org-1';
export const LEGACY_ROLES: RoleDivision[] = [
  { roleId: 'role-reporting', divisionId: 'div-home' },
  { roleId: 'role-routing', divisionId: 'div-emea' },
];

export function buildPolicy(overrides: RotationPolicyInput = {}): RotationPolicy {
  return parsePolicy(overrides);
}

type InventoryOverrides = Partial<
  Omit<Inventory, 'tags' | 'legacyClient' | 'admin' | 'org' | 'clientQuota' | 'legacyUsage'>
> & {
  tags?: Partial<Inventory['tags']>;
  legacyClient?: Partial<Inventory['legacyClient']>;
  admin?: Partial<Inventory['admin']>;
  org?: Partial<Inventory['org']>;
  clientQuota?: Partial<Inventory['clientQuota']>;
  legacyUsage?: Partial<Inventory['legacyUsage']>;
};

/** An inventory that passes every check of the default policy. */
export function buildInventory(overrides: InventoryOverrides = {}): Inventory {
  const { tags, legacyClient, admin, org, clientQuota, legacyUsage, ...rest } = overrides;
  return {
    secretArn: SECRET_ARN,
    secretName: SECRET_NAME,
    kind: 'oauth-client',
    token: TOKEN,
    environment: 'mypurecloud.ie',
    currentVersionId: CURRENT_VERSION_ID,
    foreignPendingVersionId: null,
    rotationEnabled: true,
    rotationIntervalDays: 30,
    otherRunningExecutions: 0,
    fetchedAt: NOW,
    ...rest,
    tags: { environment: 'mypurecloud.ie', orgId: ORG_ID, stage: 'prod', ...tags },
    legacyClient: {
      id: LEGACY_CLIENT_ID,
      name: 'Billing service',
      state: 'active',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: LEGACY_ROLES.map((pair) => ({ ...pair })),
      accessTokenValiditySeconds: 86_400,
      dateCreated: '2024-01-01T00:00:00.000Z',
      ageDays: 793,
      ...legacyClient,
    },
    admin: {
      clientId: 'admin-client',
      secretArn: ADMIN_SECRET_ARN,
      environment: 'mypurecloud.ie',
      roleDivisions: [
        { roleId: 'role-reporting', divisionId: '*' },
        { roleId: 'role-routing', divisionId: 'div-emea' },
      ],
      ...admin,
    },
    org: { id: ORG_ID, name: 'Acme Contact Centre', ...org },
    clientQuota: { used: 10, limit: 100, ...clientQuota },
    legacyUsage: { requests: 1_234, days: 7, ...legacyUsage },
    credential: { legacyId: legacyClient?.id ?? LEGACY_CLIENT_ID },
  };
}

/** The plan Validate would make for `inventory` (written out here, not computed by the code under test). */
export function buildValidation(inventory: Inventory, policy: RotationPolicy = buildPolicy()): Validation {
  return {
    ok: true,
    waitSeconds: 0,
    checks: [],
    plan: {
      newClientName: `${inventory.legacyClient.name} [${policy.clientNamePrefix} ${inventory.token}]`,
      roleDivisions: inventory.legacyClient.roleDivisions.map((pair) => ({ ...pair })),
      accessTokenValiditySeconds: inventory.legacyClient.accessTokenValiditySeconds,
      legacyClientId: inventory.legacyClient.id,
      gracePeriodSeconds: policy.gracePeriodSeconds,
      adoptionPollSeconds: policy.adoptionPollSeconds,
      adoptionEvidenceDays: policy.adoptionEvidenceDays,
      usageDayLengthSeconds: policy.usageDayLengthSeconds,
      usageReportLagSeconds: policy.usageReportLagSeconds,
      retireWithoutEvidence: policy.retireWithoutEvidence,
      // The token validity on the usage calendar; the observe time covers it, two days and the lag.
      drainSeconds:
        (inventory.legacyClient.accessTokenValiditySeconds * policy.usageDayLengthSeconds) / 86_400,
      retireObserveSeconds: Math.max(
        policy.retireObserveSeconds,
        Math.ceil(
          (inventory.legacyClient.accessTokenValiditySeconds * policy.usageDayLengthSeconds) / 86_400 +
            2 * policy.usageDayLengthSeconds +
            policy.usageReportLagSeconds,
        ),
      ),
      legacyDeleteIrreversible: (inventory.legacyClient.ageDays ?? 0) < 30,
      legacyDeleteNote: `legacy client ${inventory.legacyClient.id} deletion note`,
    },
  };
}

export function buildState(overrides: Partial<OAuthClientRotationState> = {}): OAuthClientRotationState {
  const inventory = overrides.inventory ?? buildInventory();
  return {
    secretId: inventory.secretArn,
    dryRun: false,
    reason: '',
    mode: 'standard',
    trigger: 'manual',
    token: inventory.token,
    inventory,
    ...overrides,
  };
}

export function secretValue(clientId: string, clientSecret: string, environment = 'mypurecloud.ie'): string {
  return JSON.stringify({ clientId, clientSecret, environment });
}

export interface World {
  readonly secrets: FakeSecretStore;
  readonly genesys: FakeGenesysAdmin;
  readonly probe: FakeProbe;
  readonly executions: FakeExecutions;
  readonly clock: FixedClock;
  readonly policy: RotationPolicy;
  readonly inventory: Inventory;
  /** State after Fetch and Validate: what Create receives. */
  readonly state: OAuthClientRotationState;
}

export interface WorldOptions {
  readonly token?: string;
  readonly trigger?: OAuthClientRotationState['trigger'];
  readonly policy?: RotationPolicyInput;
  readonly mode?: OAuthClientRotationState['mode'];
}

/**
 * A secret tagged for rotation whose AWSCURRENT holds the legacy client's credential, the legacy
 * client in the fake org, and the state Create receives. A native (`secretsmanager`) trigger also
 * gets the value-less AWSPENDING placeholder RotateSecret makes.
 */
export function world(options: WorldOptions = {}): World {
  const token = options.token ?? TOKEN;
  const trigger = options.trigger ?? 'manual';
  const policy = buildPolicy(options.policy);
  const secrets = new FakeSecretStore();
  secrets.addSecret({
    name: SECRET_NAME,
    value: secretValue(LEGACY_CLIENT_ID, LEGACY_SECRET),
    versionId: CURRENT_VERSION_ID,
    tags: {
      [TAG_KIND]: 'oauth-client',
      [TAG_ENVIRONMENT]: 'mypurecloud.ie',
      [TAG_ORG_ID]: ORG_ID,
      [TAG_STAGE]: 'prod',
    },
  });
  if (trigger === 'secretsmanager') secrets.startNativeRotation(SECRET_ARN, token);
  const genesys = new FakeGenesysAdmin({
    orgId: ORG_ID,
    adminRoleDivisions: [
      { roleId: 'role-reporting', divisionId: '*' },
      { roleId: 'role-routing', divisionId: '*' },
    ],
  });
  genesys.addClient(
    {
      id: LEGACY_CLIENT_ID,
      name: 'Billing service',
      description: 'Used by the billing service',
      roleDivisions: LEGACY_ROLES.map((pair) => ({ ...pair })),
    },
    LEGACY_SECRET,
  );
  genesys.use(LEGACY_CLIENT_ID, 1_234);
  const inventory = buildInventory({ token });
  const state = buildState({
    inventory,
    token,
    trigger,
    mode: options.mode ?? 'standard',
    validation: buildValidation(inventory, policy),
  });
  return {
    secrets,
    genesys,
    probe: new FakeProbe(genesys),
    executions: new FakeExecutions(),
    clock: fixedClock(NOW),
    policy,
    inventory,
    state,
  };
}

/**
 * Plays Create directly on the fakes (a client made for the token, its credential stored as
 * AWSPENDING) and returns the state Verify and Sync receive.
 */
export async function seedCreated(w: World): Promise<OAuthClientRotationState> {
  const token = w.inventory.token;
  const plan = w.state.validation?.plan;
  if (plan === undefined) throw new Error('world without a plan');
  const made = await w.genesys.createClient({
    name: plan.newClientName,
    description: `Created by genesys-credential-rotator for secret ${w.inventory.secretName}; rotation token ${token}; replaces client ${w.inventory.legacyClient.id}.`,
    roleDivisions: plan.roleDivisions,
    accessTokenValiditySeconds: plan.accessTokenValiditySeconds,
  });
  await w.secrets.putPending(w.inventory.secretArn, token, secretValue(made.client.id, made.secret));
  w.genesys.calls.length = 0;
  w.secrets.calls.length = 0;
  return {
    ...w.state,
    created: {
      credential: { newId: made.client.id },
      newClientId: made.client.id,
      newClientName: made.client.name,
      versionId: token,
      reused: false,
    },
  };
}
