/**
 * `pureCloudOAuthClient` integration credentials follow their OAuth client (issue #10 parts 2, 7, 8).
 *
 * Dual slot, never in place: a NEW credential object holding the new client is created (its
 * value read from AWSPENDING inside the call), the integration's `config/current` reference is
 * flipped to it, one action per integration is tested, and any failure flips every integration
 * back. The legacy client stays active throughout, so a flow calling the action meanwhile works
 * with either object. The old object is deleted with the legacy client (DeleteLegacy); a rollback
 * flips back and deletes every object named for the token, found by name, so none is orphaned.
 * An emergency flips every integration at once, before the leaked client is disabled, and never
 * back (the legacy object holds the leaked client).
 */
import type { Inventory, OAuthClientRotationState } from '../../shared/contract.js';
import {
  type Dependents,
  type FlippedDependents,
  type FollowedIntegration,
  PURECLOUD_CREDENTIAL_KEY,
  PURECLOUD_CREDENTIAL_TYPE,
  type StagedDependents,
  TAG_FOLLOW_INTEGRATIONS,
} from '../../shared/dependents-contract.js';
import {
  DependencyCheckFailedError,
  DependentHealthCheckFailedError,
  EnvironmentMismatchError,
  InvalidInputError,
  NeedsAttentionError,
  RotationError,
  TransientUpstreamError,
  VerificationFailedError,
} from '../../shared/errors.js';
import type { IntegrationsPort } from '../../shared/integrations-port.js';
import type { Clock, SecretStorePort } from '../../shared/ports.js';
import { requireState } from '../require-state.js';
import { parseOAuthSecretValue } from '../secret-value.js';
import { AWSPENDING } from '../stages.js';
import type { DependentHealth, FollowerCheck, FollowerPreflight } from './strategy.js';

export interface FollowDependencies {
  readonly integrations: IntegrationsPort;
  readonly secrets: SecretStorePort;
  readonly clock: Clock;
  /** Data Action limits (Genesys: 900 executions per minute, 15 concurrent); tests lower them. */
  readonly actionLimits?: { readonly perMinute: number; readonly concurrent: number };
}

export const DATA_ACTION_LIMITS = { perMinute: 900, concurrent: 15 } as const;

/** A value Genesys shows in place of a redacted field. */
const looksRedacted = (value: string) => /^\*+$/.test(value);

/** The name of the object made for `token`: how a retry reuses it and a rollback finds it. */
export function stagedCredentialName(legacyName: string, token: string): string {
  return `${legacyName.slice(0, 80)} (rotation ${token})`;
}

export function declaredIntegrations(tags: Readonly<Record<string, string>>): string[] {
  return [...new Set((tags[TAG_FOLLOW_INTEGRATIONS] ?? '').split(/\s+/).filter(Boolean))];
}

/** After Fetch, before any change: what each declared integration references now. */
export async function discoverDependents(
  deps: FollowDependencies,
  state: OAuthClientRotationState,
): Promise<Dependents> {
  const { inventory } = requireState(state, 'DiscoverDependents', 'inventory');
  const secret = await deps.secrets.describe(inventory.secretArn);
  const declared = declaredIntegrations(secret.tags);
  const dependents: Dependents = {
    follower: 'pureCloudOAuthClient-credentials',
    integrations: [],
    problems: [],
  };
  if (declared.length === 0) return dependents;
  const known = new Map((await deps.integrations.listIntegrations()).map((i) => [i.id, i]));
  for (const integrationId of declared) {
    const integration = known.get(integrationId);
    const problem = (text: string) => dependents.problems.push({ integrationId, problem: text });
    if (integration === undefined) {
      problem(`integration ${integrationId} does not exist in org ${inventory.org.id}`);
      continue;
    }
    const config = await deps.integrations.getConfig(integrationId);
    for (const [key, credentialId] of Object.entries(config.credentials)) {
      if ((await deps.integrations.getCredential(credentialId)) === null) {
        problem(`config/current references credential ${credentialId} (key ${key}), which does not exist`);
      }
    }
    const legacyCredentialId = config.credentials[PURECLOUD_CREDENTIAL_KEY];
    if (legacyCredentialId === undefined) {
      problem(`config/current has no ${PURECLOUD_CREDENTIAL_KEY} credential`);
      continue;
    }
    const legacy = await deps.integrations.getCredential(legacyCredentialId);
    if (legacy === null) continue;
    if (legacy.type !== PURECLOUD_CREDENTIAL_TYPE) {
      problem(`credential ${legacy.id} is of type ${legacy.type}, not ${PURECLOUD_CREDENTIAL_TYPE}`);
      continue;
    }
    // Genesys may show the client id (it redacts "sensitive fields"): when it does, it must be the legacy client.
    const shown = (await deps.integrations.credentialPublicFields(legacy.id))?.clientId;
    if (shown !== undefined && !looksRedacted(shown) && shown !== inventory.legacyClient.id) {
      problem(`credential ${legacy.id} holds client ${shown}, not ${inventory.legacyClient.id}`);
      continue;
    }
    const actions = await deps.integrations.listActions(integrationId);
    dependents.integrations.push({
      integrationId,
      integrationName: integration.name,
      integrationType: integration.integrationType,
      credentialKey: PURECLOUD_CREDENTIAL_KEY,
      legacyCredentialId: legacy.id,
      legacyCredentialName: legacy.name,
      healthActionId: actions[0]?.id ?? null,
    });
  }
  return dependents;
}

/** Environment pre-flight (part 7): refuse, before any change, what does not line up. */
export function preflightDependents(
  state: OAuthClientRotationState,
  dependents: Dependents,
): FollowerPreflight {
  const { inventory } = requireState(state, 'Validate', 'inventory');
  const declared = dependents.integrations.length + dependents.problems.length > 0;
  const checks: (FollowerCheck & { error: 'environment' | 'dependency' })[] = [];
  if (declared) {
    checks.push({
      check: 'dependents-org',
      passed: inventory.tags.orgId === inventory.org.id,
      code: 'ENVIRONMENT_MISMATCH',
      error: 'environment',
      // Integrations are read with the admin token: they are in its org, which must be the tagged one.
      detail: `tag genesys:org-id is ${inventory.tags.orgId ?? 'missing'}; the admin token and the integrations are in org ${inventory.org.id}`,
    });
    checks.push({
      check: 'dependents-environment',
      passed:
        inventory.tags.environment === inventory.environment &&
        inventory.admin.environment === inventory.environment,
      code: 'ENVIRONMENT_MISMATCH',
      error: 'environment',
      detail: `tag genesys:environment is ${inventory.tags.environment ?? 'missing'}, the secret points at ${inventory.environment}, the admin credential at ${inventory.admin.environment}`,
    });
  }
  checks.push({
    check: 'dependents-exist',
    passed: dependents.problems.length === 0,
    code: 'DEPENDENCY_CHECK_FAILED',
    error: 'dependency',
    detail:
      dependents.problems.length === 0
        ? `${dependents.integrations.length} integration(s) follow client ${inventory.legacyClient.id}`
        : dependents.problems.map((p) => `${p.integrationId}: ${p.problem}`).join('; '),
  });
  const untestable = dependents.integrations.filter((i) => i.healthActionId === null);
  checks.push({
    check: 'dependents-testable',
    passed: untestable.length === 0,
    code: 'DEPENDENCY_CHECK_FAILED',
    error: 'dependency',
    detail:
      untestable.length === 0
        ? 'every following integration has an action to test'
        : `no action to test on integration(s) ${untestable.map((i) => i.integrationId).join(', ')}`,
  });
  const failed = checks.find((check) => !check.passed);
  const message = failed && `Rotation of ${inventory.secretName} refused (${failed.check}): ${failed.detail}`;
  return {
    checks: checks.map(({ error: _error, ...check }) => ({
      ...check,
      code: check.passed ? null : check.code,
    })),
    refusal:
      failed === undefined || message === undefined
        ? null
        : failed.error === 'environment'
          ? new EnvironmentMismatchError(message)
          : new DependencyCheckFailedError(message),
  };
}

/** After Verify: one new credential object per integration, holding the pending client. */
export async function stageDependents(
  deps: FollowDependencies,
  state: OAuthClientRotationState,
  dependents: Dependents,
): Promise<StagedDependents> {
  const { inventory, created } = requireState(state, 'StageDependents', 'inventory', 'created');
  return stageFor(deps, inventory, dependents, {
    versionId: created.versionId,
    clientId: created.newClientId,
    stage: AWSPENDING,
  });
}

/**
 * One object per integration holding the value of `target`'s version (read inside the call), named
 * for the token: an earlier attempt's object is reused, never duplicated.
 */
async function stageFor(
  deps: FollowDependencies,
  inventory: Inventory,
  dependents: Dependents,
  target: { versionId: string; clientId: string; stage?: string },
): Promise<StagedDependents> {
  if (dependents.integrations.length === 0) return { credentials: [] };
  const value = parseOAuthSecretValue(
    await deps.secrets.getValue(inventory.secretArn, {
      versionId: target.versionId,
      ...(target.stage === undefined ? {} : { stage: target.stage }),
    }),
    `The value of version ${target.versionId} of secret ${inventory.secretName}`,
  );
  if (value.clientId !== target.clientId) {
    throw new VerificationFailedError(
      `Version ${target.versionId} names client ${value.clientId}, not the client ${target.clientId} of this rotation`,
    );
  }
  const existing = await deps.integrations.listCredentials();
  const credentials: StagedDependents['credentials'] = [];
  for (const integration of dependents.integrations) {
    const name = stagedCredentialName(integration.legacyCredentialName, target.versionId);
    const reused = existing.find((credential) => credential.name === name);
    const made =
      reused ??
      (await deps.integrations.createCredential({
        name,
        type: PURECLOUD_CREDENTIAL_TYPE,
        fields: { clientId: value.clientId, clientSecret: value.clientSecret },
      }));
    credentials.push({ integrationId: integration.integrationId, newCredentialId: made.id });
  }
  return { credentials };
}

/**
 * Emergency (`mode: "emergency"`): the leaked client is disabled right after, so there is nothing
 * to flip back to and no adoption to wait for. Each integration gets its object for the token (the
 * token's version: AWSPENDING before EmergencyReplace promotes it, AWSCURRENT after
 * EmergencyRegenerate) and is pointed at it at once. A failed test is reported, not undone (the
 * legacy object holds the leaked client); CheckDependentsAfterEmergency decides after retirement.
 */
export async function flipForEmergency(
  deps: FollowDependencies,
  state: OAuthClientRotationState,
  dependents: Dependents,
): Promise<FlippedDependents> {
  const { inventory } = requireState(state, 'FlipDependentsForEmergency', 'inventory');
  const target =
    state.created !== undefined
      ? { versionId: state.created.versionId, clientId: state.created.newClientId, stage: AWSPENDING }
      : state.emergency !== undefined
        ? { versionId: state.emergency.versionId, clientId: state.emergency.clientId }
        : null;
  if (target === null) {
    throw new InvalidInputError('FollowDependents emergencyFlip needs $.created or $.emergency');
  }
  const staged = await stageFor(deps, inventory, dependents, target);
  const flipped: FlippedDependents['integrations'] = [];
  const failed: NonNullable<FlippedDependents['failed']> = [];
  for (const integration of dependents.integrations) {
    const made = staged.credentials.find((c) => c.integrationId === integration.integrationId);
    if (made === undefined) continue;
    await pointAt(deps, integration, made.newCredentialId);
    flipped.push({
      integrationId: integration.integrationId,
      fromCredentialId: integration.legacyCredentialId,
      toCredentialId: made.newCredentialId,
    });
    const failure = await testOne(deps, integration);
    if (failure !== null) failed.push({ dependentId: integration.integrationId, error: failure });
  }
  return { integrations: flipped, tested: flipped.length, at: deps.clock.now().toISOString(), failed };
}

/** Genesys' answer to a `config/current` PUT whose version is stale (optimistic lock). */
const isVersionConflict = (error: unknown) => error instanceof RotationError && error.details.status === 409;

/**
 * Points the integration's credential key at `credentialId` (idempotent: false when it already
 * did). A PUT whose answer was lost may have landed: the adapter's resend of it then meets a 409
 * (stale version), and a re-read tells whether the reference is already there; a 409 from another
 * writer gets up to two more attempts on the fresh version.
 */
async function pointAt(
  deps: FollowDependencies,
  integration: FollowedIntegration,
  credentialId: string,
): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    const config = await deps.integrations.getConfig(integration.integrationId);
    if (config.credentials[integration.credentialKey] === credentialId) return attempt > 1;
    try {
      await deps.integrations.putConfig(integration.integrationId, {
        ...config,
        credentials: { ...config.credentials, [integration.credentialKey]: credentialId },
      });
      return true;
    } catch (error) {
      if (!isVersionConflict(error) || attempt >= 3) throw error;
    }
  }
}

/**
 * One test of the integration's action: the failure it reports, or null. A transient failure of
 * the test call itself (429, 5xx, timeout, dropped connection) is no verdict on the credential: it
 * is thrown, and the state machine retries the step (the flip is idempotent).
 */
async function testOne(deps: FollowDependencies, integration: FollowedIntegration): Promise<string | null> {
  if (integration.healthActionId === null) return `integration ${integration.integrationId} has no action`;
  try {
    const result = await deps.integrations.testAction(integration.healthActionId, {});
    return result.success ? null : (result.error ?? 'failed');
  } catch (error) {
    if (error instanceof TransientUpstreamError) throw error;
    return error instanceof Error ? `${error.name}: ${error.message}` : 'failed';
  }
}

/**
 * Flip each integration to its new object and test it; the first failure flips every integration
 * back to its legacy object and throws `DependentHealthCheckFailedError`.
 */
export async function flipDependents(
  deps: FollowDependencies,
  state: OAuthClientRotationState,
  dependents: Dependents,
  staged: StagedDependents,
): Promise<FlippedDependents> {
  const flipped: FlippedDependents['integrations'] = [];
  for (const integration of dependents.integrations) {
    const target = staged.credentials.find((c) => c.integrationId === integration.integrationId);
    if (target === undefined) {
      throw new DependencyCheckFailedError(
        `No staged credential for integration ${integration.integrationId}`,
      );
    }
    await pointAt(deps, integration, target.newCredentialId);
    flipped.push({
      integrationId: integration.integrationId,
      fromCredentialId: integration.legacyCredentialId,
      toCredentialId: target.newCredentialId,
    });
    const failure = await testOne(deps, integration);
    if (failure !== null) {
      await flipBackDependents(deps, dependents);
      throw new DependentHealthCheckFailedError(
        `Rotation of ${state.inventory?.secretName ?? state.secretId}: the action test of integration ${integration.integrationId} failed on the new credential (${failure}); every integration was flipped back to its legacy credential`,
        { details: { integrationId: integration.integrationId } },
      );
    }
  }
  return { integrations: flipped, tested: flipped.length, at: deps.clock.now().toISOString() };
}

/** Tests one action per integration within the Data Action limits (rate and concurrency). */
export async function checkDependentsHealth(
  deps: FollowDependencies,
  dependents: Dependents,
): Promise<DependentHealth> {
  const limits = deps.actionLimits ?? DATA_ACTION_LIMITS;
  const spacingMs = Math.ceil(60_000 / limits.perMinute);
  const queue = [...dependents.integrations];
  const failed: { dependentId: string; error: string }[] = [];
  let nextStartMs = 0;
  const worker = async () => {
    for (let integration = queue.shift(); integration !== undefined; integration = queue.shift()) {
      const nowMs = deps.clock.now().getTime();
      const waitMs = Math.max(0, nextStartMs - nowMs);
      nextStartMs = Math.max(nowMs, nextStartMs) + spacingMs;
      if (waitMs > 0) await deps.clock.sleep(waitMs);
      const failure = await testOne(deps, integration);
      if (failure !== null) failed.push({ dependentId: integration.integrationId, error: failure });
    }
  };
  const workers = Math.max(1, Math.min(limits.concurrent, dependents.integrations.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return { tested: dependents.integrations.length, failed };
}

/**
 * After promotion (and after retirement): one test per integration. A failure while the legacy
 * client still works flips back and ends the rotation `NeedsAttention` (the legacy client must
 * then not be retired); after retirement nothing can flip back, so it only ends loudly.
 */
export async function healthAfter(
  deps: FollowDependencies,
  state: OAuthClientRotationState,
  dependents: Dependents,
  moment: 'promotion' | 'retirement' | 'emergency',
): Promise<DependentHealth> {
  const health = await checkDependentsHealth(deps, dependents);
  if (health.failed.length === 0) return health;
  const which = health.failed.map((f) => `${f.dependentId} (${f.error})`).join('; ');
  if (moment === 'emergency') {
    // The only credential that can work: the state machine retries while a new client catches up
    // (eventual consistency), then ends NeedsAttention.
    throw new DependentHealthCheckFailedError(
      `After the emergency rotation of ${state.inventory?.secretName ?? state.secretId}, the action test failed on integration(s) ${which}; they hold the new client, the leaked one is disabled`,
      { details: { integrationIds: health.failed.map((f) => f.dependentId).join(' ') } },
    );
  }
  if (moment === 'promotion') {
    await flipBackDependents(deps, dependents);
    throw new NeedsAttentionError(
      `After promotion of ${state.inventory?.secretName ?? state.secretId}, the action test failed on integration(s) ${which}; every integration was flipped back to its legacy credential, and the legacy client stays active`,
    );
  }
  throw new NeedsAttentionError(
    `After retirement of the legacy client, the action test failed on integration(s) ${which}; nothing can be flipped back`,
  );
}

/** Every integration points at its legacy object again (idempotent). Returns the ids flipped. */
export async function flipBackDependents(
  deps: FollowDependencies,
  dependents: Dependents,
): Promise<string[]> {
  const flippedBack: string[] = [];
  for (const integration of dependents.integrations) {
    if ((await deps.integrations.getCredential(integration.legacyCredentialId)) === null) continue;
    if (await pointAt(deps, integration, integration.legacyCredentialId))
      flippedBack.push(integration.integrationId);
  }
  return flippedBack;
}

/**
 * With DeleteLegacy: the legacy objects nobody references any more are deleted, and so is any
 * duplicate made for the token that no integration references (a create whose answer was lost,
 * landing after the step's retry had made another: found by its exact name, as the rollback does).
 */
export async function retireDependents(
  deps: FollowDependencies,
  state: OAuthClientRotationState,
  dependents: Dependents,
): Promise<{ deletedIds: string[] }> {
  const deletedIds: string[] = [];
  const referenced = new Set<string>();
  for (const integration of dependents.integrations) {
    const config = await deps.integrations.getConfig(integration.integrationId);
    for (const id of Object.values(config.credentials)) referenced.add(id);
    if (Object.values(config.credentials).includes(integration.legacyCredentialId)) {
      throw new NeedsAttentionError(
        `Integration ${integration.integrationId} still references legacy credential ${integration.legacyCredentialId}; it is not deleted`,
      );
    }
    await deps.integrations.deleteCredential(integration.legacyCredentialId);
    deletedIds.push(integration.legacyCredentialId);
  }
  const token = state.created?.versionId ?? state.emergency?.versionId ?? state.inventory?.token;
  if (token === undefined || dependents.integrations.length === 0) return { deletedIds };
  const names = new Set(
    dependents.integrations.map((integration) =>
      stagedCredentialName(integration.legacyCredentialName, token),
    ),
  );
  for (const credential of await deps.integrations.listCredentials()) {
    if (!names.has(credential.name) || referenced.has(credential.id)) continue;
    await deps.integrations.deleteCredential(credential.id);
    deletedIds.push(credential.id);
  }
  return { deletedIds };
}

/** Saga step: flip back, then delete every object made for the token (found by name: no orphan). */
export async function rollbackDependents(
  deps: FollowDependencies,
  state: OAuthClientRotationState,
  dependents: Dependents | undefined,
): Promise<{ flippedBackIds: string[]; deletedIds: string[] }> {
  const token = state.created?.versionId ?? state.inventory?.token ?? state.token;
  if (token === undefined || dependents === undefined || dependents.integrations.length === 0) {
    return { flippedBackIds: [], deletedIds: [] };
  }
  const flippedBackIds = await flipBackDependents(deps, dependents);
  // Exact names: every object made for these integrations and this token, a duplicate from a lost
  // create answer included, and nothing another rotation made.
  const names = new Set(
    dependents.integrations.map((integration) =>
      stagedCredentialName(integration.legacyCredentialName, token),
    ),
  );
  const deletedIds: string[] = [];
  for (const credential of await deps.integrations.listCredentials()) {
    if (!names.has(credential.name)) continue;
    await deps.integrations.deleteCredential(credential.id);
    deletedIds.push(credential.id);
  }
  return { flippedBackIds, deletedIds };
}
