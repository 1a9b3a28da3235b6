/**
 * Schemas for everything that crosses a boundary: the managed secret's value, the execution input,
 * the state each task receives and the result each task returns. Types are derived from the schemas.
 * Nothing here ever holds a secret value except `OAuthClientSecretValueSchema`, which is only parsed
 * inside the call that reads or writes Secrets Manager.
 *
 * The state is a union over the credential kinds (`RotationStateSchema`): kind `oauth-client`
 * (`OAuthClientRotationStateSchema`, whose result schemas keep their historical names `Inventory`,
 * `Validation`, `Created`, ...) and kind `integration-credential` (`PartnerKeyRotationStateSchema`,
 * the `PartnerKey*` schemas), told apart by `inventory.kind`. Both carry the same kind-neutral
 * blocks the audit events read (`inventory.credential.legacyId`, `created.credential.newId`), and
 * the same fields the state machine's Choice and Wait states read (`validation.waitSeconds`,
 * `validation.plan.retireObserveSeconds`, `adoption.adopted/held/hold/waitSeconds`,
 * `retirement.verdict/hold/waitSeconds`).
 */
import { BlastRadiusSchema } from './blast-radius-schema.js';
import { InvalidInputError } from './errors.js';
import { GENESYS_ENVIRONMENTS } from './tags.js';
import * as z from './zod.js';

export { TAG_ENVIRONMENT, TAG_KIND, TAG_ORG_ID, TAG_STAGE } from './tags.js';

export const CREDENTIAL_KINDS = ['oauth-client', 'integration-credential'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** genesys-cloud-api.md §4.2: the integration credential types whose values are a partner's API key. */
export const PARTNER_CREDENTIAL_TYPES = ['basicAuth', 'userDefined', 'userDefinedOAuth'] as const;
export type PartnerCredentialType = (typeof PARTNER_CREDENTIAL_TYPES)[number];

/**
 * The credential being replaced, named the same for every kind (the audit events' `credential.legacyId`):
 * the legacy OAuth client's id, or the provider's id of the old partner key (`keyId`, not secret).
 */
export const LegacyCredentialSchema = z.object({ legacyId: z.string() });
/** The credential a rotation made (`credential.newId`): the new client's id, or the new key's `keyId`. */
export const NewCredentialSchema = z.object({ newId: z.string() });

export { GENESYS_ENVIRONMENTS };
export const GenesysEnvironmentSchema = z.enum(GENESYS_ENVIRONMENTS);

/** The managed secret's value for kind `oauth-client`. Strict: an extra field is a mistake. */
export const OAuthClientSecretValueSchema = z.strictObject({
  clientId: z.string().check(z.minLength(1), z.maxLength(128)),
  clientSecret: z.string().check(z.minLength(1), z.maxLength(1024)),
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
  secretId: z.string().check(z.minLength(1), z.maxLength(2048)),
  dryRun: z._default(z.boolean(), false),
  reason: z._default(z.string().check(z.maxLength(512)), ''),
  mode: z._default(z.enum(['standard', 'emergency']), 'standard'),
  trigger: z._default(z.enum(TRIGGERS), 'manual'),
  /** Only with `mode: "emergency"`; default `replace`. */
  emergencyStrategy: z.optional(z.enum(EMERGENCY_STRATEGIES)),
  /** Set by the rotation hook: Secrets Manager's ClientRequestToken. Manual runs derive one. */
  token: z.optional(z.string().check(z.minLength(32), z.maxLength(64))),
  /** Rotate even though the secret's value is hard-coded in Genesys (functions/core/scan/guard.ts). */
  allowHardCodedSecret: z.optional(z.boolean()),
});
export type ExecutionInput = z.infer<typeof ExecutionInputSchema>;

export const RoleDivisionSchema = z.object({
  roleId: z.string().check(z.minLength(1)),
  divisionId: z.string().check(z.minLength(1)),
});
export type RoleDivision = z.infer<typeof RoleDivisionSchema>;

export const ClientFactsSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  authorizedGrantType: z.string(),
  roleDivisions: z.array(RoleDivisionSchema),
  accessTokenValiditySeconds: z.int(),
  dateCreated: z.nullable(z.string()),
  ageDays: z.nullable(z.number()),
});
export type ClientFacts = z.infer<typeof ClientFactsSchema>;

/** Output of Fetch for kind `oauth-client`: ids and facts, never a secret. */
export const InventorySchema = z.object({
  secretArn: z.string(),
  secretName: z.string(),
  kind: z.literal('oauth-client'),
  token: z.string(),
  tags: z.object({
    environment: z.nullable(z.string()),
    orgId: z.nullable(z.string()),
    stage: z.nullable(z.string()),
  }),
  environment: GenesysEnvironmentSchema,
  currentVersionId: z.string(),
  /** A version carrying AWSPENDING that is neither AWSCURRENT nor this execution's token. */
  foreignPendingVersionId: z.nullable(z.string()),
  rotationEnabled: z.boolean(),
  rotationIntervalDays: z.nullable(z.number()),
  legacyClient: ClientFactsSchema,
  /** Kind-neutral: `legacyId` is `legacyClient.id`. */
  credential: LegacyCredentialSchema,
  admin: z.object({
    clientId: z.string(),
    secretArn: z.string(),
    environment: z.string(),
    roleDivisions: z.array(RoleDivisionSchema),
  }),
  org: z.object({ id: z.string(), name: z.string() }),
  clientQuota: z.object({ used: z.int(), limit: z.nullable(z.int()) }),
  legacyUsage: z.object({ requests: z.int(), days: z.int() }),
  otherRunningExecutions: z.int(),
  fetchedAt: z.string(),
  /** Integrations, actions and flows depending on the secret's credential(s) (when the check ran). */
  blastRadius: z.optional(BlastRadiusSchema),
});
export type Inventory = z.infer<typeof InventorySchema>;

/** Validate's checks of an `oauth-client` rotation, in order. */
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
/**
 * Validate's checks of an `integration-credential` rotation, in order; `key-source`: where the new
 * key comes from (a provider, or a value the operator staged).
 */
export const PARTNER_KEY_CHECK_NAMES = [
  'kind',
  'concurrency',
  'environment',
  'self-rotation',
  'interval',
  'key-source',
  'maintenance-window',
] as const;
export const ALL_CHECK_NAMES = [...new Set([...CHECK_NAMES, ...PARTNER_KEY_CHECK_NAMES])] as [
  ...(typeof CHECK_NAMES)[number][],
  (typeof PARTNER_KEY_CHECK_NAMES)[number],
];
export type CheckName = (typeof CHECK_NAMES)[number] | (typeof PARTNER_KEY_CHECK_NAMES)[number];

export const CheckResultSchema = z.object({
  check: z.enum(ALL_CHECK_NAMES as unknown as readonly [CheckName, ...CheckName[]]),
  passed: z.boolean(),
  code: z.nullable(z.string()),
  detail: z.string(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

/** Output of Validate. A refusal is thrown as a typed error unless the run is a dry run. */
export const ValidationSchema = z.object({
  ok: z.boolean(),
  /** Seconds until the maintenance window opens; 0 when the rotation may proceed now. */
  waitSeconds: z.int().check(z.minimum(0)),
  checks: z.array(CheckResultSchema),
  plan: z.object({
    newClientName: z.string(),
    roleDivisions: z.array(RoleDivisionSchema),
    accessTokenValiditySeconds: z.int(),
    legacyClientId: z.string(),
    gracePeriodSeconds: z.int(),
    adoptionPollSeconds: z.int(),
    adoptionEvidenceDays: z.int(),
    usageDayLengthSeconds: z.int(),
    usageReportLagSeconds: z.int(),
    retireWithoutEvidence: z.boolean(),
    /** Legacy token validity on the usage calendar: days starting before promotion + this are not evidence. */
    drainSeconds: z.number(),
    /** Computed: token validity + two usage days + report lag, at least the policy's floor. */
    retireObserveSeconds: z.int(),
    /** Genesys: deleting a client created within the last 30 days is not reversible. */
    legacyDeleteIrreversible: z.boolean(),
    legacyDeleteNote: z.string(),
    /** From the inventory: what depends on the credential (ids capped, counts exact). */
    blastRadius: z.optional(BlastRadiusSchema),
  }),
});
export type Validation = z.infer<typeof ValidationSchema>;

export const CreatedSchema = z.object({
  /** Kind-neutral: `newId` is `newClientId`. */
  credential: NewCredentialSchema,
  newClientId: z.string(),
  newClientName: z.string(),
  versionId: z.string(),
  /** True when a client made for this token by an earlier attempt was found and reused. */
  reused: z.boolean(),
});
export type Created = z.infer<typeof CreatedSchema>;

export const VerifiedSchema = z.object({
  clientId: z.string(),
  roleDivisionCount: z.int(),
  attempts: z.int(),
});
export type Verified = z.infer<typeof VerifiedSchema>;

export const SyncedSchema = z.object({
  currentVersionId: z.string(),
  previousVersionId: z.nullable(z.string()),
  promotedAt: z.string(),
  promotedBy: z.enum(['state-machine', 'finishSecret']),
});
export type Synced = z.infer<typeof SyncedSchema>;

/** One completed usage day as both clients' usage reports show it. */
export const UsageDaySchema = z.object({
  /** Start of the day, as Genesys reports it (`ApiUsageRow.date`). */
  date: z.string(),
  legacyRequests: z.int(),
  newRequests: z.int(),
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
  legacyRequestsSincePromotion: z.int(),
  daysObserved: z.int(),
  evidenceDaysRequired: z.int(),
});
export type Hold = z.infer<typeof HoldSchema>;

export const AdoptionSchema = z.object({
  adopted: z.boolean(),
  /** True: no evidence by the end of the grace period, or legacy traffic: the rotation holds. */
  held: z.boolean(),
  hold: z.nullable(HoldSchema),
  decidedBy: z.nullable(z.enum(['evidence', 'time-opt-in'])),
  /** Promotion + the legacy token validity (on the usage calendar): only days starting here count. */
  evaluableFrom: z.string(),
  /** Completed days from `evaluableFrom` on which the new client shows requests (reported days). */
  daysObserved: z.int(),
  /** Legacy requests on reported days ending after promotion (the promotion day included). */
  legacyRequestsSincePromotion: z.int(),
  /** Legacy requests on days starting at or after `evaluableFrom`. */
  legacyRequestsSinceDrain: z.int(),
  /** End of the last completed day the gate evaluated; the retirement check looks after it. */
  observedUntil: z.nullable(z.string()),
  days: z.array(UsageDaySchema),
  secondsSincePromotion: z.int(),
  /** Seconds the gate should wait before checking again (0 when decided). */
  waitSeconds: z.int().check(z.minimum(0)),
  checks: z.int(),
});
export type Adoption = z.infer<typeof AdoptionSchema>;

/** The check after the legacy client was set `inactive` and observed. */
export const RetirementCheckSchema = z.object({
  verdict: z.enum(['clean', 'legacy-traffic', 'unobserved', 'waiting']),
  /** Legacy requests on completed days after the adoption gate's last evaluated day. */
  legacyRequestsSinceDeactivation: z.int(),
  /** Reported days starting after deactivation + token validity. */
  daysObserved: z.int(),
  hold: z.nullable(HoldSchema),
  waitSeconds: z.int().check(z.minimum(0)),
  checks: z.int(),
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
  at: z.optional(z.string()),
  /** Deleted while younger than 30 days: gone for good (Genesys restores only older clients, 7 days). */
  irreversible: z.optional(z.boolean()),
  note: z.optional(z.string()),
});
export type Retired = z.infer<typeof RetiredSchema>;

export const RolledBackSchema = z.object({
  deletedClientId: z.nullable(z.string()),
  discardedPendingVersionId: z.nullable(z.string()),
  /** Native rotation: the pending version kept, with its client, for Secrets Manager's retry. */
  keptPendingVersionId: z.optional(z.string()),
  keptClientId: z.optional(z.string()),
});
export type RolledBack = z.infer<typeof RolledBackSchema>;

/** What the state machine's Catch writes at `$.error`. */
export const CaughtErrorSchema = z.object({ Error: z.string(), Cause: z.optional(z.string()) });

/** What every state holds whatever the kind: the execution input and a caught error. */
const STATE_INPUT = {
  secretId: z.string(),
  dryRun: z.boolean(),
  reason: z.string(),
  mode: z.enum(['standard', 'emergency']),
  emergencyStrategy: z.optional(z.enum(EMERGENCY_STRATEGIES)),
  trigger: z.enum(TRIGGERS),
  token: z.optional(z.string()),
  error: z.optional(CaughtErrorSchema),
};

/**
 * The state every task of an `oauth-client` rotation receives (`$`): the execution input plus each
 * earlier task's result. Before Fetch succeeded (the refusal path) there is no inventory yet.
 */
export const OAuthClientRotationStateSchema = z.object({
  ...STATE_INPUT,
  inventory: z.optional(InventorySchema),
  validation: z.optional(ValidationSchema),
  created: z.optional(CreatedSchema),
  verified: z.optional(VerifiedSchema),
  synced: z.optional(SyncedSchema),
  adoption: z.optional(AdoptionSchema),
  retired: z.optional(RetiredSchema),
  retirement: z.optional(RetirementCheckSchema),
  rolledBack: z.optional(RolledBackSchema),
  emergency: z.optional(EmergencySchema),
});
export type OAuthClientRotationState = z.infer<typeof OAuthClientRotationStateSchema>;

// ---------------------------------------------------------------------------------------------
// Kind `integration-credential`: one partner API key (docs/KEY-PROVIDERS.md). Ids and facts only:
// the key itself is only ever in Secrets Manager, the provider's answer and the Genesys credential.
// ---------------------------------------------------------------------------------------------

/** Output of Fetch for kind `integration-credential`. */
export const PartnerKeyInventorySchema = z.object({
  secretArn: z.string(),
  secretName: z.string(),
  kind: z.literal('integration-credential'),
  token: z.string(),
  tags: z.object({
    environment: z.nullable(z.string()),
    orgId: z.nullable(z.string()),
    stage: z.nullable(z.string()),
  }),
  currentVersionId: z.string(),
  foreignPendingVersionId: z.nullable(z.string()),
  rotationEnabled: z.boolean(),
  rotationIntervalDays: z.nullable(z.number()),
  /** Kind-neutral: `legacyId` is the old key's `keyId`. */
  credential: LegacyCredentialSchema,
  partnerKey: z.object({
    credentialType: z.enum(PARTNER_CREDENTIAL_TYPES),
    /** The `env` and `service` tags, passed to the provider. */
    env: z.string(),
    service: z.string(),
    /** The `cadence` tag, in days. */
    cadenceDays: z.int(),
    /** The provider function (`genesys:key-provider`), or null for operator-staged keys. */
    keyProvider: z.nullable(z.string()),
    /** Operator-staged: the version labelled GENESYS_STAGED at Fetch (null: none staged). */
    stagedVersionId: z.nullable(z.string()),
    integrationId: z.string(),
    /** Key of the credential under the integration's `config.credentials`. */
    credentialKey: z.string(),
    healthActionId: z.string(),
    /** The key AWSCURRENT holds (the provider's `keyId`). */
    legacyKeyId: z.string(),
    /** The Genesys credential object the integration references now (it holds the legacy key). */
    legacyCredentialId: z.string(),
  }),
  admin: z.object({ secretArn: z.string(), environment: z.string() }),
  org: z.object({ id: z.string(), name: z.string() }),
  otherRunningExecutions: z.int(),
  fetchedAt: z.string(),
  /** Integrations, actions and flows depending on the secret's credential(s) (when the check ran). */
  blastRadius: z.optional(BlastRadiusSchema),
});
export type PartnerKeyInventory = z.infer<typeof PartnerKeyInventorySchema>;

export const PartnerKeyPlanSchema = z.object({
  /** Name of the Genesys credential object that will hold the new key (found again on a retry). */
  newCredentialName: z.string(),
  legacyKeyId: z.string(),
  legacyCredentialId: z.string(),
  keySource: z.enum(['provider', 'operator']),
  keyProvider: z.nullable(z.string()),
  integrationId: z.string(),
  healthActionId: z.string(),
  gracePeriodSeconds: z.int(),
  adoptionPollSeconds: z.int(),
  /** The legacy key must see no request for this long after promotion before it is retired. */
  quietPeriodSeconds: z.int(),
  retireObserveSeconds: z.int(),
  /** False for operator-staged keys: the operator revokes the old key at the partner. */
  revokesLegacyKey: z.boolean(),
  legacyRetireNote: z.string(),
});
export type PartnerKeyPlan = z.infer<typeof PartnerKeyPlanSchema>;

export const PartnerKeyValidationSchema = z.object({
  ok: z.boolean(),
  waitSeconds: z.int().check(z.minimum(0)),
  checks: z.array(CheckResultSchema),
  plan: PartnerKeyPlanSchema,
});
export type PartnerKeyValidation = z.infer<typeof PartnerKeyValidationSchema>;

export const PartnerKeyCreatedSchema = z.object({
  /** Kind-neutral: `newId` is `keyId`. */
  credential: NewCredentialSchema,
  /** The new key's `keyId` (public: what `revoke` and the partner's usage name). */
  keyId: z.string(),
  source: z.enum(['provider', 'operator']),
  versionId: z.string(),
  /** True when the token's pending version already held a key (a retried step). */
  reused: z.boolean(),
});
export type PartnerKeyCreated = z.infer<typeof PartnerKeyCreatedSchema>;

export const PartnerKeyVerifiedSchema = z.object({
  keyId: z.string(),
  /** `provider`: the provider's `test` at the partner accepted it; `none`: operator-staged, tested by the flip. */
  testedBy: z.enum(['provider', 'none']),
  attempts: z.int(),
});
export type PartnerKeyVerified = z.infer<typeof PartnerKeyVerifiedSchema>;

export const PartnerKeySyncedSchema = z.extend(SyncedSchema, {
  /** The dual-slot flip: the integration now references `newCredentialId`; `previousCredentialId` is kept. */
  flip: z.object({
    integrationId: z.string(),
    newCredentialId: z.string(),
    previousCredentialId: z.string(),
    testedActionId: z.string(),
  }),
});
export type PartnerKeySynced = z.infer<typeof PartnerKeySyncedSchema>;

/** One key's use as the partner reports it through the provider's `usage`. */
export const KeyUsageSchema = z.object({
  keyId: z.string(),
  lastUsedAt: z.nullable(z.string()),
  requests: z.nullable(z.int()),
});
export type KeyUsage = z.infer<typeof KeyUsageSchema>;

/** A partner-key hold: the legacy key is still used, so it stays valid and the execution ends NeedsAttention. */
export const PartnerKeyHoldSchema = z.object({
  Error: z.literal('LegacyKeyStillUsed'),
  Cause: z.string(),
  reason: z.literal('legacy-traffic'),
  legacyId: z.string(),
  legacyKeyLastUsedAt: z.nullable(z.string()),
  legacyKeyRequests: z.nullable(z.int()),
});
export type PartnerKeyHold = z.infer<typeof PartnerKeyHoldSchema>;

export const PartnerKeyAdoptionSchema = z.object({
  adopted: z.boolean(),
  held: z.boolean(),
  hold: z.nullable(PartnerKeyHoldSchema),
  /**
   * `evidence`: the partner reports no use of the legacy key for the quiet period, and use of the new
   * one; `quiet-period`: the quiet period passed without such evidence (no usage reports, or no traffic).
   */
  decidedBy: z.nullable(z.enum(['evidence', 'quiet-period'])),
  /** Where the figures come from: the provider's `usage` (the partner's per-key counters), or nowhere. */
  evidence: z.enum(['partner-usage', 'none']),
  /** Promotion, or the legacy key's last use after it: the quiet period counts from here. */
  quietSince: z.string(),
  legacyKey: z.nullable(KeyUsageSchema),
  newKey: z.nullable(KeyUsageSchema),
  secondsSincePromotion: z.int(),
  waitSeconds: z.int().check(z.minimum(0)),
  checks: z.int(),
});
export type PartnerKeyAdoption = z.infer<typeof PartnerKeyAdoptionSchema>;

export const PartnerKeyRetirementCheckSchema = z.object({
  verdict: z.enum(['clean', 'legacy-traffic']),
  legacyKey: z.nullable(KeyUsageSchema),
  hold: z.nullable(PartnerKeyHoldSchema),
  waitSeconds: z.int().check(z.minimum(0)),
  checks: z.int(),
});
export type PartnerKeyRetirementCheck = z.infer<typeof PartnerKeyRetirementCheckSchema>;

export const PartnerKeyRetiredSchema = z.object({
  /** The old key's `keyId`. */
  legacyId: z.string(),
  /**
   * `kept-valid`: nothing reversible exists for a partner key (Deactivate/Reactivate change nothing;
   * the old key stays valid until revoked); `revoked` / `already-revoked`: by the provider;
   * `left-to-operator`: operator-staged keys are revoked by the operator at the partner.
   */
  action: z.enum(['kept-valid', 'revoked', 'already-revoked', 'left-to-operator']),
  /** The old Genesys credential object, deleted with the key's retirement. */
  credentialDeleted: z.boolean(),
  at: z.optional(z.string()),
  note: z.optional(z.string()),
});
export type PartnerKeyRetired = z.infer<typeof PartnerKeyRetiredSchema>;

export const PartnerKeyRolledBackSchema = z.object({
  discardedPendingVersionId: z.nullable(z.string()),
  /** The pending key, as DiscardPending read it (the key Create issued or adopted). */
  pendingKeyId: z.nullable(z.string()),
  /** The integration was put back on its legacy credential object. */
  flippedBack: z.boolean(),
  /** The credential object made for the token, deleted. */
  deletedCredentialId: z.nullable(z.string()),
  /** The pending key revoked at the provider (null: none, or operator-staged). */
  revokedKeyId: z.nullable(z.string()),
  /**
   * After a failed Create: the keys the provider had issued for the token and still held valid
   * (`revokeTokenKeys`), now revoked; a key issued before the failure was never stored.
   */
  revokedTokenKeyIds: z.optional(z.array(z.string())),
});
export type PartnerKeyRolledBack = z.infer<typeof PartnerKeyRolledBackSchema>;

/** The state every task of an `integration-credential` rotation receives (`$`). */
export const PartnerKeyRotationStateSchema = z.object({
  ...STATE_INPUT,
  inventory: PartnerKeyInventorySchema,
  validation: z.optional(PartnerKeyValidationSchema),
  created: z.optional(PartnerKeyCreatedSchema),
  verified: z.optional(PartnerKeyVerifiedSchema),
  synced: z.optional(PartnerKeySyncedSchema),
  adoption: z.optional(PartnerKeyAdoptionSchema),
  retired: z.optional(PartnerKeyRetiredSchema),
  retirement: z.optional(PartnerKeyRetirementCheckSchema),
  rolledBack: z.optional(PartnerKeyRolledBackSchema),
});
export type PartnerKeyRotationState = z.infer<typeof PartnerKeyRotationStateSchema>;

/**
 * The state every task receives, whatever the kind: an `integration-credential` state when
 * `inventory.kind` says so, else an `oauth-client` one (which also covers the refusal path, where
 * Fetch failed and there is no inventory).
 */
export const RotationStateSchema = z.union([PartnerKeyRotationStateSchema, OAuthClientRotationStateSchema]);
export type RotationState = z.infer<typeof RotationStateSchema>;

/**
 * How a task reads its state: by `inventory.kind`, against that kind's schema alone, so a bad state
 * is refused naming its own kind's problems (the union would list every kind's).
 */
export const TaskStateSchema = z.pipe(
  z.unknown(),
  z.transform((raw: unknown, context): RotationState => {
    const kind = (raw as { inventory?: { kind?: unknown } } | null)?.inventory?.kind;
    const schema =
      kind === 'integration-credential' ? PartnerKeyRotationStateSchema : OAuthClientRotationStateSchema;
    const parsed = z.safeParse(schema, raw);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      context.issues.push({ ...issue, input: raw } as unknown as z.core.$ZodRawIssue);
    }
    return z.NEVER;
  }),
);

/** Every inventory, by kind. */
export type AnyInventory = Inventory | PartnerKeyInventory;

export function isPartnerKeyState(state: RotationState): state is PartnerKeyRotationState {
  return state.inventory?.kind === 'integration-credential';
}

/** The state as an `oauth-client` one; a step of that kind given another kind's state is a wiring bug. */
export function oauthClientState(state: RotationState, step: string): OAuthClientRotationState {
  if (isPartnerKeyState(state)) {
    throw new InvalidInputError(
      `${step} of kind oauth-client received a state of kind ${state.inventory.kind}`,
    );
  }
  return state;
}

/** Fetch receives the raw execution input and the execution's id (for a derived token). */
export const FetchTaskInputSchema = z.object({
  input: z.unknown(),
  executionId: z.string(),
});

/** Tasks served by the rotation function besides the four Secrets Manager steps. */
export const ROTATOR_TASKS = ['create', 'sync', 'discardPending', 'emergency'] as const;
export const RotatorTaskInputSchema = z.object({
  rotatorTask: z.enum(ROTATOR_TASKS),
  state: TaskStateSchema,
});
export type RotatorTaskInput = z.infer<typeof RotatorTaskInputSchema>;

/** The event Secrets Manager sends the rotation function (reference/aws-rotation-and-local-tooling.md §1.1). */
export const SecretsManagerRotationEventSchema = z.object({
  Step: z.enum(['createSecret', 'setSecret', 'testSecret', 'finishSecret']),
  SecretId: z.string().check(z.minLength(1)),
  ClientRequestToken: z.string().check(z.minLength(1)),
  RotationToken: z.optional(z.string()),
});
export type SecretsManagerRotationEvent = z.infer<typeof SecretsManagerRotationEventSchema>;

export const DeleteOrRollbackInputSchema = z.object({
  mode: z.enum(['deactivate', 'delete', 'reactivate', 'rollback']),
  state: TaskStateSchema,
});

/** The state as an `integration-credential` one (see `oauthClientState`). */
export function partnerKeyState(state: RotationState, step: string): PartnerKeyRotationState {
  if (!isPartnerKeyState(state)) {
    throw new InvalidInputError(
      `${step} of kind integration-credential received a state of kind ${state.inventory?.kind ?? '(no inventory)'}`,
    );
  }
  return state;
}
