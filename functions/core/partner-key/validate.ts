/**
 * Validate for kind `integration-credential`: pure policy over the partner-key inventory, every
 * check reported (pass or fail), the first failure as the typed refusal, and the plan. Imports no
 * key-provider code: the Validate bundle stays small.
 */
import type { PartnerKeyPlan, PartnerKeyRotationState, PartnerKeyValidation } from '../../shared/contract.js';
import {
  EnvironmentMismatchError,
  ExpirationViolationError,
  InvalidInputError,
  type RotationError,
  SelfRotationRefusedError,
  UnsupportedKindError,
} from '../../shared/errors.js';
import type { RotationPolicy } from '../../shared/policy.js';
import { type Check, concurrencyCheck, judge, orgAndStageProblems } from '../checks.js';
import { secondsUntilWindow } from '../maintenance-window.js';
import { partnerCredentialName } from '../naming.js';

/** The quiet period a partner-key rotation waits for: the policy's, never longer than its grace period. */
export function quietPeriodSecondsOf(policy: RotationPolicy): number {
  return Math.min(policy.keyQuietPeriodSeconds, policy.gracePeriodSeconds);
}

function checksFor(state: PartnerKeyRotationState, policy: RotationPolicy, now: Date): Check[] {
  const { inventory } = state;
  const key = inventory.partnerKey;
  const environmentProblems = [
    ...orgAndStageProblems(inventory.tags, inventory.org.id, policy.stage),
    inventory.tags.environment === inventory.admin.environment
      ? null
      : `tag genesys:environment is ${inventory.tags.environment ?? 'missing'} but the rotator's admin credential is for ${inventory.admin.environment}`,
  ].filter((problem): problem is string => problem !== null);
  const interval = inventory.rotationIntervalDays;
  const waitSeconds = secondsUntilWindow(policy.maintenanceWindows, now);
  const emergency = state.mode === 'emergency';
  const native = state.trigger === 'secretsmanager';
  return [
    {
      check: 'kind',
      passed: !emergency && !native,
      detail: emergency
        ? 'kind integration-credential has no emergency path: revoke the leaked key at the partner, then run a standard rotation'
        : native
          ? 'kind integration-credential is rotated by a manual (or CLI) execution, not by Secrets Manager RotateSecret'
          : `kind integration-credential (${key.credentialType})`,
      error: UnsupportedKindError,
    },
    concurrencyCheck(inventory),
    {
      check: 'environment',
      passed: environmentProblems.length === 0,
      detail:
        environmentProblems.length === 0 ? 'tags match the Genesys org' : environmentProblems.join('; '),
      error: EnvironmentMismatchError,
    },
    {
      check: 'self-rotation',
      passed: inventory.secretArn !== inventory.admin.secretArn,
      detail:
        inventory.secretArn === inventory.admin.secretArn
          ? `secret ${inventory.secretName} is the rotator's own admin credential`
          : 'not the rotator admin credential',
      error: SelfRotationRefusedError,
    },
    {
      check: 'interval',
      passed:
        (interval === null || (interval >= 1 && interval <= 365)) &&
        key.cadenceDays >= 1 &&
        key.cadenceDays <= 365,
      detail:
        interval !== null && (interval < 1 || interval > 365)
          ? `rotation interval is ${interval} days; it must be 1-365`
          : key.cadenceDays < 1 || key.cadenceDays > 365
            ? `cadence is ${key.cadenceDays} days; it must be 1-365`
            : `cadence ${key.cadenceDays} days`,
      error: ExpirationViolationError,
    },
    {
      check: 'key-source',
      passed: key.keyProvider !== null || key.stagedVersionId !== null,
      detail:
        key.keyProvider !== null
          ? `new key issued by key provider ${key.keyProvider}`
          : key.stagedVersionId !== null
            ? `new key staged by the operator (version ${key.stagedVersionId}, GENESYS_STAGED)`
            : `secret ${inventory.secretName} takes operator-staged keys and no version carries GENESYS_STAGED: stage the new key first (docs/KEY-PROVIDERS.md)`,
      error: InvalidInputError,
    },
    {
      check: 'maintenance-window',
      passed: waitSeconds === 0 || !native,
      detail:
        waitSeconds === 0
          ? 'inside a maintenance window'
          : `outside every maintenance window; waiting ${waitSeconds}s`,
      error: InvalidInputError,
    },
  ];
}

export interface PartnerKeyEvaluation {
  readonly validation: PartnerKeyValidation;
  readonly refusal: RotationError | null;
}

export function evaluatePartnerKeyRotation(
  state: PartnerKeyRotationState,
  policy: RotationPolicy,
  now: Date,
): PartnerKeyEvaluation {
  const { inventory } = state;
  const key = inventory.partnerKey;
  const checks = checksFor(state, policy, now);
  const { results, refusal } = judge(checks, inventory.secretName);
  const ok = refusal === null;
  const waitSeconds = secondsUntilWindow(policy.maintenanceWindows, now);
  const revokesLegacyKey = key.keyProvider !== null;
  const plan: PartnerKeyPlan = {
    newCredentialName: partnerCredentialName(key.service, key.env, inventory.token),
    legacyKeyId: key.legacyKeyId,
    legacyCredentialId: key.legacyCredentialId,
    keySource: key.keyProvider === null ? 'operator' : 'provider',
    keyProvider: key.keyProvider,
    integrationId: key.integrationId,
    healthActionId: key.healthActionId,
    gracePeriodSeconds: policy.gracePeriodSeconds,
    adoptionPollSeconds: policy.adoptionPollSeconds,
    quietPeriodSeconds: quietPeriodSecondsOf(policy),
    retireObserveSeconds: policy.retireObserveSeconds,
    revokesLegacyKey,
    legacyRetireNote: revokesLegacyKey
      ? `Once the old key ${key.legacyKeyId} saw no request for the quiet period, ${key.keyProvider} revokes it and credential ${key.legacyCredentialId} is deleted`
      : `Operator-staged: credential ${key.legacyCredentialId} is deleted after the quiet period; revoke the old key ${key.legacyKeyId} in the partner's portal yourself`,
  };
  return {
    refusal,
    validation: {
      ok,
      waitSeconds: ok && !state.dryRun ? waitSeconds : 0,
      checks: results,
      plan,
    },
  };
}
