import type { Inventory, OAuthClientRotationState, Validation } from '../shared/contract.js';
import {
  DependencyCheckFailedError,
  EnvironmentMismatchError,
  ExpirationViolationError,
  InsufficientPrivilegeError,
  InvalidInputError,
  QuotaExceededError,
  type RotationError,
  ScopeViolationError,
  SelfRotationRefusedError,
  UnsupportedKindError,
} from '../shared/errors.js';
import { onUsageCalendar, type RotationPolicy, retireObserveSecondsFor } from '../shared/policy.js';
import { type Check, concurrencyCheck, judge, orgAndStageProblems } from './checks.js';
import { secondsUntilWindow } from './maintenance-window.js';
import { newClientName } from './naming.js';

/** Genesys (help.mypurecloud.com, OAuth clients): only clients older than this are restorable after delete. */
export const RESTORABLE_MIN_AGE_DAYS = 30;

/** What deleting the legacy client will mean, said before anything happens (the plan, the dry run). */
function legacyDeletion(
  ageDays: number | null,
  clientId: string,
): { legacyDeleteIrreversible: boolean; legacyDeleteNote: string } {
  const irreversible = ageDays === null || ageDays < RESTORABLE_MIN_AGE_DAYS;
  return {
    legacyDeleteIrreversible: irreversible,
    legacyDeleteNote: irreversible
      ? `Deleting legacy client ${clientId} (${ageDays === null ? 'age unknown' : `${ageDays} days old`}) is irreversible: Genesys restores only clients created more than 30 days ago`
      : `Legacy client ${clientId} is ${ageDays} days old: once deleted Genesys keeps it restorable for 7 days; a client younger than 30 days would be deleted irreversibly`,
  };
}

const MIN_TOKEN_VALIDITY = 300;
const MAX_TOKEN_VALIDITY = 172_800;

function sameRoleDivision(
  held: { roleId: string; divisionId: string },
  wanted: { roleId: string; divisionId: string },
) {
  return held.roleId === wanted.roleId && (held.divisionId === wanted.divisionId || held.divisionId === '*');
}

function checksFor(
  inventory: Inventory,
  policy: RotationPolicy,
  mode: OAuthClientRotationState['mode'],
  now: Date,
  emergencyStrategy: OAuthClientRotationState['emergencyStrategy'] = 'replace',
  trigger: OAuthClientRotationState['trigger'] = 'manual',
): Check[] {
  const legacy = inventory.legacyClient;
  const limit = inventory.clientQuota.limit ?? policy.maxOAuthClients;
  const disallowedRoles = policy.allowedRoleIds.includes('*')
    ? []
    : legacy.roleDivisions
        .filter((pair) => !policy.allowedRoleIds.includes(pair.roleId))
        .map((pair) => pair.roleId);
  const notHeldByAdmin = legacy.roleDivisions.filter(
    (wanted) => !inventory.admin.roleDivisions.some((held) => sameRoleDivision(held, wanted)),
  );
  const environmentProblems = [
    inventory.tags.environment === inventory.environment
      ? null
      : `tag genesys:environment is ${inventory.tags.environment ?? 'missing'} but the secret points at ${inventory.environment}`,
    ...orgAndStageProblems(inventory.tags, inventory.org.id, policy.stage),
    inventory.admin.environment === inventory.environment
      ? null
      : `the rotator's admin credential is for ${inventory.admin.environment}, not ${inventory.environment}`,
  ].filter((problem): problem is string => problem !== null);
  const isSelf =
    inventory.secretArn === inventory.admin.secretArn ||
    inventory.legacyClient.id === inventory.admin.clientId;
  const interval = inventory.rotationIntervalDays;
  const waitSeconds = mode === 'emergency' ? 0 : secondsUntilWindow(policy.maintenanceWindows, now);
  const emergency = mode === 'emergency';
  // Only regenerate-in-place makes no client; an emergency replacement needs room for one.
  const createsNoClient = emergency && emergencyStrategy === 'regenerate';

  return [
    {
      check: 'kind',
      passed: inventory.kind === 'oauth-client',
      detail: `kind ${inventory.kind}`,
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
      passed: !isSelf,
      detail: isSelf
        ? `secret ${inventory.secretName} is the rotator's own admin credential (client ${inventory.admin.clientId}); rotate it with the bootstrap procedure`
        : 'not the rotator admin credential',
      error: SelfRotationRefusedError,
    },
    {
      check: 'grant-type',
      passed: legacy.authorizedGrantType === 'CLIENT-CREDENTIALS' && legacy.state === 'active',
      detail:
        legacy.authorizedGrantType !== 'CLIENT-CREDENTIALS'
          ? `client ${legacy.id} uses grant ${legacy.authorizedGrantType}; only CLIENT-CREDENTIALS clients are rotated`
          : legacy.state !== 'active'
            ? `client ${legacy.id} is ${legacy.state}, not active`
            : `client ${legacy.id} is an active CLIENT-CREDENTIALS client`,
      error: legacy.authorizedGrantType !== 'CLIENT-CREDENTIALS' ? UnsupportedKindError : InvalidInputError,
    },
    {
      check: 'quota',
      passed: createsNoClient || inventory.clientQuota.used + 1 <= limit,
      detail: createsNoClient
        ? 'emergency regenerate creates no client'
        : `${inventory.clientQuota.used} of ${limit} OAuth clients in use; one more is needed` +
          (emergency ? ' (or start the emergency with "emergencyStrategy": "regenerate")' : ''),
      error: QuotaExceededError,
    },
    {
      check: 'scope',
      passed: disallowedRoles.length === 0,
      detail:
        disallowedRoles.length === 0
          ? `${legacy.roleDivisions.length} role-division pair(s), all allowed; the new client gets exactly the legacy client's`
          : `role(s) ${[...new Set(disallowedRoles)].join(', ')} are not in the allow-list`,
      error: ScopeViolationError,
    },
    {
      check: 'privilege',
      passed: notHeldByAdmin.length === 0,
      detail:
        notHeldByAdmin.length === 0
          ? 'the admin credential holds every role it must grant'
          : `the admin client ${inventory.admin.clientId} lacks role-division pair(s) ${notHeldByAdmin
              .map((pair) => `${pair.roleId}@${pair.divisionId}`)
              .join(', ')} that it must grant`,
      error: InsufficientPrivilegeError,
    },
    {
      check: 'interval',
      passed:
        (interval === null || (interval >= 1 && interval <= 365)) &&
        legacy.accessTokenValiditySeconds >= MIN_TOKEN_VALIDITY &&
        legacy.accessTokenValiditySeconds <= MAX_TOKEN_VALIDITY,
      detail:
        interval !== null && (interval < 1 || interval > 365)
          ? `rotation interval is ${interval} days; it must be 1-365`
          : legacy.accessTokenValiditySeconds < MIN_TOKEN_VALIDITY ||
              legacy.accessTokenValiditySeconds > MAX_TOKEN_VALIDITY
            ? `token validity ${legacy.accessTokenValiditySeconds}s is outside ${MIN_TOKEN_VALIDITY}-${MAX_TOKEN_VALIDITY}s`
            : `interval ${interval === null ? 'not scheduled' : `${interval} days`}`,
      error: ExpirationViolationError,
    },
    {
      check: 'usage',
      passed: emergency || inventory.legacyUsage.requests > 0 || policy.allowUnusedLegacyClient,
      detail: `${inventory.legacyUsage.requests} request(s) by client ${legacy.id} in the last ${inventory.legacyUsage.days} day(s)${
        inventory.legacyUsage.requests === 0 && !policy.allowUnusedLegacyClient
          ? '; an unused client is refused (set allowUnusedLegacyClient to allow it)'
          : ''
      }`,
      error: DependencyCheckFailedError,
    },
    {
      check: 'maintenance-window',
      // The hook cannot wait (a step lasts at most 15 minutes): a native rotation outside every
      // window is refused; GenesysRotatedSecret keeps scheduled ones inside (rotation-schedule.ts).
      passed: waitSeconds === 0 || trigger !== 'secretsmanager',
      detail:
        waitSeconds === 0
          ? 'inside a maintenance window'
          : trigger === 'secretsmanager'
            ? `outside every maintenance window (the next opens in ${waitSeconds}s); a Secrets Manager rotation cannot wait for it: run RotateSecret inside a window`
            : `outside every maintenance window; waiting ${waitSeconds}s`,
      error: InvalidInputError,
    },
  ];
}

export interface Evaluation {
  readonly validation: Validation;
  /** The typed error for the first failed check; null when every check passed. */
  readonly refusal: RotationError | null;
}

/** Validate: pure policy over the inventory. Returns every check, pass or fail, the plan and the refusal. */
export function evaluateRotation(
  state: OAuthClientRotationState,
  policy: RotationPolicy,
  now: Date,
): Evaluation {
  const inventory = state.inventory;
  if (inventory === undefined)
    throw new InvalidInputError('Validate needs the inventory that Fetch produces');
  const checks = checksFor(inventory, policy, state.mode, now, state.emergencyStrategy, state.trigger);
  const { results, refusal } = judge(checks, inventory.secretName);
  const ok = refusal === null;
  const waitSeconds = state.mode === 'emergency' ? 0 : secondsUntilWindow(policy.maintenanceWindows, now);
  return {
    refusal,
    validation: {
      ok,
      // A dry run reports the window in its checks but never waits for it.
      waitSeconds: ok && !state.dryRun ? waitSeconds : 0,
      checks: results,
      plan: {
        newClientName: newClientName(inventory.legacyClient.name, policy.clientNamePrefix, inventory.token),
        roleDivisions: inventory.legacyClient.roleDivisions,
        accessTokenValiditySeconds: inventory.legacyClient.accessTokenValiditySeconds,
        legacyClientId: inventory.legacyClient.id,
        gracePeriodSeconds: policy.gracePeriodSeconds,
        adoptionPollSeconds: policy.adoptionPollSeconds,
        adoptionEvidenceDays: policy.adoptionEvidenceDays,
        usageDayLengthSeconds: policy.usageDayLengthSeconds,
        usageReportLagSeconds: policy.usageReportLagSeconds,
        retireWithoutEvidence: policy.retireWithoutEvidence,
        drainSeconds: onUsageCalendar(policy, inventory.legacyClient.accessTokenValiditySeconds),
        retireObserveSeconds: retireObserveSecondsFor(
          policy,
          inventory.legacyClient.accessTokenValiditySeconds,
        ),
        ...legacyDeletion(inventory.legacyClient.ageDays, inventory.legacyClient.id),
        ...(inventory.blastRadius ? { blastRadius: inventory.blastRadius } : {}),
      },
    },
  };
}
