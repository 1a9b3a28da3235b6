/**
 * Schemas for everything that crosses a boundary: the managed secret's value, the execution input,
 * the state each task receives and the result each task returns. Types are derived from the schemas.
 * Nothing here ever holds a secret value except `OAuthClientSecretValueSchema`, which is only parsed
 * inside the call that reads or writes Secrets Manager.
 */
import * as z from 'zod';
import { BlastRadiusSchema } from './blast-radius-schema.js';

/** Tags read from the managed secret (DESIGN.md §5). */
export const TAG_KIND = 'genesys:kind';
export const TAG_ENVIRONMENT = 'genesys:environment';
export const TAG_ORG_ID = 'genesys:org-id';
export const TAG_STAGE = 'genesys:stage';

export const CREDENTIAL_KINDS = ['oauth-client', 'integration-credential'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** Genesys Cloud region hosts (reference/genesys-cloud-api.md §2.3). */
export const GENESYS_ENVIRONMENTS = [
  'mypurecloud.com',
  'use2.us-gov-pure.cloud',
  'usw2.pure.cloud',
  'cac1.pure.cloud',
  'sae1.pure.cloud',
  'mxc1.pure.cloud',
  'mypurecloud.ie',
  'euw2.pure.cloud',
  'mypurecloud.de',
  'euc2.pure.cloud',
  'edee1.eusc-pure.cloud',
  'mec1.pure.cloud',
  'aps1.pure.cloud',
  'apse1.pure.cloud',
  'mypurecloud.com.au',
  'mypurecloud.jp',
  'apne2.pure.cloud',
  'apne3.pure.cloud',
] as const;
export const GenesysEnvironmentSchema = z.enum(GENESYS_ENVIRONMENTS);

/** The managed secret's value for kind `oauth-client`. Strict: an extra field is a mistake. */
export const OAuthClientSecretValueSchema = z.strictObject({
  clientId: z.string().min(1).max(128),
  clientSecret: z.string().min(1).max(1024),
  environment: GenesysEnvironmentSchema,
});
export type OAuthClientSecretValue = z.infer<typeof OAuthClientSecretValueSchema>;

/** Largest execution input accepted, in bytes of JSON. */
export const MAX_EXECUTION_INPUT_BYTES = 4096;

export const TRIGGERS = ['manual', 'secretsmanager', 'cli'] as const;

/**
 * How an emergency rotation replaces a leaked credential. `replace` (the default): a new client,
 * cloned like the standard path and promoted at once, then the leaked client set `disabled`, which
 * invalidates the tokens already minted with it (genesys-cloud-api.md §1.2). `regenerate`: a new
 * secret for the same client (`POST .../secret`), for an org with no room for another client;
 * whether tokens minted before survive a regenerate is unconfirmed (§1.3).
 */
export const EMERGENCY_STRATEGIES = ['replace', 'regenerate'] as const;
export type EmergencyStrategy = (typeof EMERGENCY_STRATEGIES)[number];
export type Trigger = (typeof TRIGGERS)[number];

/** Input of a rotation execution: manual (console, CLI, API) or started by the rotation hook. */
export const ExecutionInputSchema = z.strictObject({
  secretId: z.string().min(1).max(2048),
  dryRun: z.boolean().default(false),
  reason: z.string().max(512).default(''),
  mode: z.enum(['standard', 'emergency']).default('standard'),
  trigger: z.enum(TRIGGERS).default('manual'),
  /** Only with `mode: "emergency"`; default `replace`. */
  emergencyStrategy: z.enum(EMERGENCY_STRATEGIES).optional(),
  /** Set by the rotation hook: Secrets Manager's ClientRequestToken. Manual runs derive one. */
  token: z.string().min(32).max(64).optional(),
  /** Rotate even though the secret's value is hard-coded in Genesys (functions/core/scan/guard.ts). */
  allowHardCodedSecret: z.boolean().optional(),
});
export type ExecutionInput = z.infer<typeof ExecutionInputSchema>;

export const RoleDivisionSchema = z.object({ roleId: z.string().min(1), divisionId: z.string().min(1) });
export type RoleDivision = z.infer<typeof RoleDivisionSchema>;

export const ClientFactsSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  authorizedGrantType: z.string(),
  roleDivisions: z.array(RoleDivisionSchema),
  accessTokenValiditySeconds: z.number().int(),
  dateCreated: z.string().nullable(),
  ageDays: z.number().nullable(),
});
export type ClientFacts = z.infer<typeof ClientFactsSchema>;

/** Output of Fetch: ids and facts, never a secret. */
export const InventorySchema = z.object({
  secretArn: z.string(),
  secretName: z.string(),
  kind: z.enum(CREDENTIAL_KINDS),
  token: z.string(),
  tags: z.object({
    environment: z.string().nullable(),
    orgId: z.string().nullable(),
    stage: z.string().nullable(),
  }),
  environment: GenesysEnvironmentSchema,
  currentVersionId: z.string(),
  /** A version carrying AWSPENDING that is neither AWSCURRENT nor this execution's token. */
  foreignPendingVersionId: z.string().nullable(),
  rotationEnabled: z.boolean(),
  rotationIntervalDays: z.number().nullable(),
  legacyClient: ClientFactsSchema,
  admin: z.object({
    clientId: z.string(),
    secretArn: z.string(),
    environment: z.string(),
    roleDivisions: z.array(RoleDivisionSchema),
  }),
  org: z.object({ id: z.string(), name: z.string() }),
  clientQuota: z.object({ used: z.number().int(), limit: z.number().int().nullable() }),
  legacyUsage: z.object({ requests: z.number().int(), days: z.number().int() }),
  otherRunningExecutions: z.number().int(),
  fetchedAt: z.string(),
  /** Integrations, actions and flows depending on the secret's credential(s) (when the check ran). */
  blastRadius: z.optional(BlastRadiusSchema),
});
export type Inventory = z.infer<typeof InventorySchema>;

export const CHECK_NAMES = [
  'kind',
  'concurrency',
  'environment',
  'self-rotation',
  'grant-type',
  'quota',
  'scope',
  'privilege',
  'interval',
  'usage',
  'maintenance-window',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export const CheckResultSchema = z.object({
  check: z.enum(CHECK_NAMES),
  passed: z.boolean(),
  code: z.string().nullable(),
  detail: z.string(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

/** Output of Validate. A refusal is thrown as a typed error unless the run is a dry run. */
export const ValidationSchema = z.object({
  ok: z.boolean(),
  /** Seconds until the maintenance window opens; 0 when the rotation may proceed now. */
  waitSeconds: z.number().int().min(0),
  checks: z.array(CheckResultSchema),
  plan: z.object({
    newClientName: z.string(),
    roleDivisions: z.array(RoleDivisionSchema),
    accessTokenValiditySeconds: z.number().int(),
    legacyClientId: z.string(),
    gracePeriodSeconds: z.number().int(),
    adoptionPollSeconds: z.number().int(),
    adoptionEvidenceDays: z.number().int(),
    usageDayLengthSeconds: z.number().int(),
    usageReportLagSeconds: z.number().int(),
    retireWithoutEvidence: z.boolean(),
    /** Legacy token validity on the usage calendar: days starting before promotion + this are not evidence. */
    drainSeconds: z.number(),
    /** Computed: token validity + two usage days + report lag, at least the policy's floor. */
    retireObserveSeconds: z.number().int(),
    /** Genesys: deleting a client created within the last 30 days is not reversible. */
    legacyDeleteIrreversible: z.boolean(),
    legacyDeleteNote: z.string(),
    /** From the inventory: what depends on the credential (ids capped, counts exact). */
    blastRadius: z.optional(BlastRadiusSchema),
  }),
});
export type Validation = z.infer<typeof ValidationSchema>;

export const CreatedSchema = z.object({
  newClientId: z.string(),
  newClientName: z.string(),
  versionId: z.string(),
  /** True when a client made for this token by an earlier attempt was found and reused. */
  reused: z.boolean(),
});
export type Created = z.infer<typeof CreatedSchema>;

export const VerifiedSchema = z.object({
  clientId: z.string(),
  roleDivisionCount: z.number().int(),
  attempts: z.number().int(),
});
export type Verified = z.infer<typeof VerifiedSchema>;

export const SyncedSchema = z.object({
  currentVersionId: z.string(),
  previousVersionId: z.string().nullable(),
  promotedAt: z.string(),
  promotedBy: z.enum(['state-machine', 'finishSecret']),
});
export type Synced = z.infer<typeof SyncedSchema>;

/** One completed usage day as both clients' usage reports show it. */
export const UsageDaySchema = z.object({
  /** Start of the day, as Genesys reports it (`ApiUsageRow.date`). */
  date: z.string(),
  legacyRequests: z.number().int(),
  newRequests: z.number().int(),
});
export type UsageDay = z.infer<typeof UsageDaySchema>;

/** Why a rotation holds: the legacy client stays active and the execution ends `NeedsAttention`. */
export const HoldSchema = z.object({
  /** What `$.error.Error` says: the name of the condition. */
  Error: z.enum(['AdoptionNotEvidenced', 'LegacyClientStillUsed']),
  /** One sentence with the figures; the execution's cause. */
  Cause: z.string(),
  reason: z.enum(['no-evidence', 'legacy-traffic']),
  legacyClientId: z.string(),
  legacyRequestsSincePromotion: z.number().int(),
  daysObserved: z.number().int(),
  evidenceDaysRequired: z.number().int(),
});
export type Hold = z.infer<typeof HoldSchema>;

export const AdoptionSchema = z.object({
  adopted: z.boolean(),
  /** True: no evidence by the end of the grace period, or legacy traffic: the rotation holds. */
  held: z.boolean(),
  hold: HoldSchema.nullable(),
  decidedBy: z.enum(['evidence', 'time-opt-in']).nullable(),
  /** Promotion + the legacy token validity (on the usage calendar): only days starting here count. */
  evaluableFrom: z.string(),
  /** Completed days from `evaluableFrom` on which the new client shows requests (reported days). */
  daysObserved: z.number().int(),
  /** Legacy requests on reported days ending after promotion (the promotion day included). */
  legacyRequestsSincePromotion: z.number().int(),
  /** Legacy requests on days starting at or after `evaluableFrom`. */
  legacyRequestsSinceDrain: z.number().int(),
  /** End of the last completed day the gate evaluated; the retirement check looks after it. */
  observedUntil: z.string().nullable(),
  days: z.array(UsageDaySchema),
  secondsSincePromotion: z.number().int(),
  /** Seconds the gate should wait before checking again (0 when decided). */
  waitSeconds: z.number().int().min(0),
  checks: z.number().int(),
});
export type Adoption = z.infer<typeof AdoptionSchema>;

/** The check after the legacy client was set `inactive` and observed. */
export const RetirementCheckSchema = z.object({
  verdict: z.enum(['clean', 'legacy-traffic', 'unobserved', 'waiting']),
  /** Legacy requests on completed days after the adoption gate's last evaluated day. */
  legacyRequestsSinceDeactivation: z.number().int(),
  /** Reported days starting after deactivation + token validity. */
  daysObserved: z.number().int(),
  hold: HoldSchema.nullable(),
  waitSeconds: z.number().int().min(0),
  checks: z.number().int(),
});
export type RetirementCheck = z.infer<typeof RetirementCheckSchema>;

export const EmergencySchema = z.object({
  strategy: z.enum(EMERGENCY_STRATEGIES),
  /** The client AWSCURRENT names now: the new client (`replace`) or the leaked one (`regenerate`). */
  clientId: z.string(),
  leakedClientId: z.string(),
  /** `disabled`: its minted tokens are refused; `regenerated`: its secret was replaced in place. */
  leakedClient: z.enum(['disabled', 'regenerated']),
  versionId: z.string(),
  promotedAt: z.string(),
});
export type Emergency = z.infer<typeof EmergencySchema>;

export const RetiredSchema = z.object({
  legacyClientId: z.string(),
  action: z.enum(['deactivated', 'deleted', 'already-gone', 'reactivated']),
  /** When this action happened (the retirement check observes from deactivation). */
  at: z.string().optional(),
  /** Deleted while younger than 30 days: gone for good (Genesys restores only older clients, 7 days). */
  irreversible: z.boolean().optional(),
  note: z.string().optional(),
});
export type Retired = z.infer<typeof RetiredSchema>;

export const RolledBackSchema = z.object({
  deletedClientId: z.string().nullable(),
  discardedPendingVersionId: z.string().nullable(),
  /** Native rotation: the pending version kept, with its client, for Secrets Manager's retry. */
  keptPendingVersionId: z.string().optional(),
  keptClientId: z.string().optional(),
});
export type RolledBack = z.infer<typeof RolledBackSchema>;

/** What the state machine's Catch writes at `$.error`. */
export const CaughtErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() });

/** The state every task receives (`$`): the execution input plus each earlier task's result. */
export const RotationStateSchema = z.object({
  secretId: z.string(),
  dryRun: z.boolean(),
  reason: z.string(),
  mode: z.enum(['standard', 'emergency']),
  emergencyStrategy: z.enum(EMERGENCY_STRATEGIES).optional(),
  trigger: z.enum(TRIGGERS),
  token: z.string().optional(),
  inventory: InventorySchema.optional(),
  validation: ValidationSchema.optional(),
  created: CreatedSchema.optional(),
  verified: VerifiedSchema.optional(),
  synced: SyncedSchema.optional(),
  adoption: AdoptionSchema.optional(),
  retired: RetiredSchema.optional(),
  retirement: RetirementCheckSchema.optional(),
  rolledBack: RolledBackSchema.optional(),
  emergency: EmergencySchema.optional(),
  error: CaughtErrorSchema.optional(),
});
export type RotationState = z.infer<typeof RotationStateSchema>;

/** Fetch receives the raw execution input and the execution's id (for a derived token). */
export const FetchTaskInputSchema = z.object({
  input: z.unknown(),
  executionId: z.string(),
});

/** Tasks served by the rotation function besides the four Secrets Manager steps. */
export const ROTATOR_TASKS = ['create', 'sync', 'discardPending', 'emergency'] as const;
export const RotatorTaskInputSchema = z.object({
  rotatorTask: z.enum(ROTATOR_TASKS),
  state: RotationStateSchema,
});
export type RotatorTaskInput = z.infer<typeof RotatorTaskInputSchema>;

/** The event Secrets Manager sends the rotation function (reference/aws-rotation-and-local-tooling.md §1.1). */
export const SecretsManagerRotationEventSchema = z.object({
  Step: z.enum(['createSecret', 'setSecret', 'testSecret', 'finishSecret']),
  SecretId: z.string().min(1),
  ClientRequestToken: z.string().min(1),
  RotationToken: z.string().optional(),
});
export type SecretsManagerRotationEvent = z.infer<typeof SecretsManagerRotationEventSchema>;

export const DeleteOrRollbackInputSchema = z.object({
  mode: z.enum(['deactivate', 'delete', 'reactivate', 'rollback']),
  state: RotationStateSchema,
});
