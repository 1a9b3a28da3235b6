/**
 * The rotation workflow's contract: state names, audit event detail types and what an execution's
 * end means (its outcome). The state machine construct builds the graph from these names; the
 * local runner, the rotation hook, the operator CLI and the tests read executions with them. No
 * CDK here: the CLI and the Lambdas import this module without pulling the construct library in.
 */

/** State names: a contract with the local engine, the rotation hook, the CLI and the tests. */
export const STATE = {
  WrapInput: 'WrapInput',
  Fetch: 'Fetch',
  Validate: 'Validate',
  WithinMaintenanceWindow: 'WithinMaintenanceWindow',
  WaitForMaintenanceWindow: 'WaitForMaintenanceWindow',
  IsDryRun: 'IsDryRun',
  EmitPlan: 'EmitPlan',
  DryRunComplete: 'DryRunComplete',
  IsEmergency: 'IsEmergency',
  EmergencyStrategy: 'EmergencyStrategy',
  EmergencyReplace: 'EmergencyReplace',
  EmergencyRegenerate: 'EmergencyRegenerate',
  EmitEmergencyRotated: 'EmitEmergencyRotated',
  EmitStarted: 'EmitStarted',
  Create: 'Create',
  EmitCreated: 'EmitCreated',
  Verify: 'Verify',
  EmitVerified: 'EmitVerified',
  Sync: 'Sync',
  EmitPromoted: 'EmitPromoted',
  CheckAdoption: 'CheckAdoption',
  IsAdopted: 'IsAdopted',
  EmitAdoptionProgress: 'EmitAdoptionProgress',
  WaitForAdoption: 'WaitForAdoption',
  DeactivateLegacy: 'DeactivateLegacy',
  EmitDeactivated: 'EmitDeactivated',
  ObserveInactive: 'ObserveInactive',
  CheckRetirement: 'CheckRetirement',
  IsRetirementObserved: 'IsRetirementObserved',
  WaitForRetirementEvidence: 'WaitForRetirementEvidence',
  ReactivateLegacy: 'ReactivateLegacy',
  IsRetirementHeld: 'IsRetirementHeld',
  PrepareRetirementHold: 'PrepareRetirementHold',
  PrepareAdoptionHold: 'PrepareAdoptionHold',
  DeleteLegacy: 'DeleteLegacy',
  EmitRetired: 'EmitRetired',
  RotationSucceeded: 'RotationSucceeded',
  RefusalDefaults: 'RefusalDefaults',
  InputHasSecretId: 'InputHasSecretId',
  MergeRefusalInput: 'MergeRefusalInput',
  RefusalFromDefaults: 'RefusalFromDefaults',
  PrepareRefusal: 'PrepareRefusal',
  DiscardRefusedPending: 'DiscardRefusedPending',
  EmitRefused: 'EmitRefused',
  RotationRefused: 'RotationRefused',
  Rollback: 'Rollback',
  DiscardPending: 'DiscardPending',
  EmitRolledBack: 'EmitRolledBack',
  RotationRolledBack: 'RotationRolledBack',
  EmitNeedsAttention: 'EmitNeedsAttention',
  NeedsAttention: 'NeedsAttention',
} as const;
/**
 * States of the dependents that follow a rotation (integration credentials of type
 * `pureCloudOAuthClient`), present only when the stack follows integration credentials.
 */
export const FOLLOW_STATE = {
  DiscoverDependents: 'DiscoverDependents',
  StageDependents: 'StageDependents',
  FlipDependents: 'FlipDependents',
  CheckDependentsAfterPromotion: 'CheckDependentsAfterPromotion',
  RetireDependents: 'RetireDependents',
  CheckDependentsAfterRetirement: 'CheckDependentsAfterRetirement',
  RollbackDependents: 'RollbackDependents',
  /** Emergency (`replace`): Create's code before the flip, so the leaked client is disabled only after it. */
  CreateForEmergency: 'CreateForEmergency',
  FlipDependentsForEmergency: 'FlipDependentsForEmergency',
  /** Emergency (`regenerate`): the client's secret changed in place; its objects follow at once. */
  FlipDependentsAfterRegenerate: 'FlipDependentsAfterRegenerate',
  RetireDependentsAfterEmergency: 'RetireDependentsAfterEmergency',
  CheckDependentsAfterEmergency: 'CheckDependentsAfterEmergency',
} as const;

export type StateName = (typeof STATE)[keyof typeof STATE] | (typeof FOLLOW_STATE)[keyof typeof FOLLOW_STATE];

/** Source of every audit event. */
export const EVENT_SOURCE = 'genesys.credential-rotator';

/** Detail types of the audit events (schemas/rotation-event.v2.json; the names predate partner keys). */
export const DETAIL_TYPE = {
  started: 'Rotation Started',
  planned: 'Rotation Planned',
  refused: 'Rotation Refused',
  created: 'Client Created',
  verified: 'Credential Verified',
  promoted: 'Secret Promoted',
  adoptionProgressed: 'Adoption Progressed',
  legacyDeactivated: 'Legacy Client Deactivated',
  legacyRetired: 'Legacy Client Retired',
  succeeded: 'Rotation Succeeded',
  rolledBack: 'Rotation Rolled Back',
  needsAttention: 'Rotation Needs Attention',
  emergencyCompleted: 'Emergency Rotation Completed',
} as const;

/**
 * Version of the audit event detail schema. `2`: the facts name the credential kind-neutrally
 * (`credential: {kind, legacyId, newId}`) instead of version 1's OAuth fields (`legacyClientId`,
 * `newClientId`), so that a partner-key rotation's events carry no OAuth field names
 * (docs/ARCHITECTURE.md, "Audit events").
 */
export const EVENT_SCHEMA_VERSION = '2';
/** The versions before the current one; their schema files stay in `schemas/events/` for old consumers. */
export const PREVIOUS_EVENT_SCHEMA_VERSIONS: readonly string[] = ['1'];

/**
 * Defaults merged under the raw execution input when Fetch fails, so the refusal path can name the
 * secret and the trigger even when the input omitted them (Fetch is what normally applies defaults).
 */
export const REFUSAL_INPUT_DEFAULTS = {
  secretId: '(unknown)',
  dryRun: false,
  reason: '',
  mode: 'standard',
  trigger: 'manual',
} as const;

/** States whose entry means the rotation held: the legacy client stays active, the execution ends NeedsAttention. */
export const HOLD_STATES: readonly StateName[] = [STATE.PrepareAdoptionHold, STATE.PrepareRetirementHold];

/**
 * What an execution's end means to an operator. `held` is a NeedsAttention end reached through a
 * hold (no evidence that consumers left the legacy client, or legacy traffic); `needs-attention` is
 * any other failure after promotion or of a compensation; `failed` an end in no known Fail state
 * (a timeout, an abort, a definition error).
 */
export const ROTATION_OUTCOMES = [
  'succeeded',
  'dry-run',
  'held',
  'rolled-back',
  'refused',
  'needs-attention',
  'failed',
  'running',
] as const;
export type RotationOutcome = (typeof ROTATION_OUTCOMES)[number];

/** What decides an outcome: the execution's status, the Succeed/Fail state it ended in, whether a hold state ran. */
export interface ExecutionEnd {
  /** Step Functions' ExecutionStatus (`RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`, ...). */
  readonly status: string;
  readonly terminalState: string | null;
  /** Whether the execution entered one of `HOLD_STATES`. */
  readonly held?: boolean;
  /** Whether the input asked for a dry run (for ends the terminal state does not tell). */
  readonly dryRun?: boolean;
}

export function outcomeOf(end: ExecutionEnd): RotationOutcome {
  if (end.status === 'RUNNING' || end.status === 'PENDING_REDRIVE') return 'running';
  if (end.status === 'SUCCEEDED') {
    return end.terminalState === STATE.DryRunComplete || end.dryRun === true ? 'dry-run' : 'succeeded';
  }
  if (end.terminalState === STATE.RotationRolledBack) return 'rolled-back';
  if (end.terminalState === STATE.RotationRefused) return 'refused';
  if (end.terminalState === STATE.NeedsAttention) return end.held === true ? 'held' : 'needs-attention';
  return 'failed';
}
