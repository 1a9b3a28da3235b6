import { type AdminTarget, adminTargetOfSecret } from '../shared/admin-credentials.js';
import {
  CREDENTIAL_KINDS,
  type CredentialKind,
  type ExecutionInput,
  ExecutionInputSchema,
  type Inventory,
  MAX_EXECUTION_INPUT_BYTES,
  type OAuthClientRotationState,
  TAG_ENVIRONMENT,
  TAG_KIND,
  TAG_ORG_ID,
  TAG_STAGE,
} from '../shared/contract.js';
import {
  InvalidInputError,
  SelfRotationRefusedError,
  TargetNotFoundError,
  UnsupportedKindError,
} from '../shared/errors.js';
import type { RotationPolicy } from '../shared/policy.js';
import type {
  Clock,
  ExecutionsPort,
  GenesysAdminPort,
  SecretDescription,
  SecretStorePort,
} from '../shared/ports.js';
import { deriveToken } from './naming.js';
import { type HardCodedSecretGuard, refuseHardCodedSecret } from './scan/guard.js';
import { parseOAuthSecretValue } from './secret-value.js';
import { AWSCURRENT, foreignPendingVersion, versionWithStage } from './stages.js';

/** The admin credential a rotation calls Genesys with, as Fetch needs it. */
export interface FetchAdmin {
  readonly genesys: GenesysAdminPort;
  /** Full ARN of the admin credential's secret. */
  readonly secretArn: string;
  /** The region host the credential is for. */
  readonly environment: string;
  /** When set, a secret whose value is hard-coded in Genesys is refused (unless the input allows it). */
  readonly hardCodedSecrets?: HardCodedSecretGuard;
}

interface FetchCommonDependencies {
  readonly secrets: SecretStorePort;
  readonly executions: ExecutionsPort;
  readonly policy: RotationPolicy;
  readonly clock: Clock;
}

/** Fetch with the one admin credential of the deployment. */
export interface FetchDependencies extends FetchCommonDependencies {
  readonly genesys: GenesysAdminPort;
  readonly admin: { readonly secretArn: string; readonly environment: string };
  /** When set, a secret whose value is hard-coded in Genesys is refused (unless the input allows it). */
  readonly hardCodedSecrets?: HardCodedSecretGuard;
}

/**
 * Fetch with one admin credential per org: `adminFor` gives the credential of the managed secret's
 * org, picked from its tags (shared/admin-credentials.ts); `adminSecretArns` lists every admin
 * credential secret so that none of them is ever rotated.
 */
export interface PerOrgFetchDependencies extends FetchCommonDependencies {
  /** Throws a typed refusal when the rotator holds no admin credential for the secret's org. */
  readonly adminFor: (target: AdminTarget) => Promise<FetchAdmin>;
  readonly adminSecretArns: readonly string[];
}

/** Every admin credential secret of the deployment: Fetch refuses to rotate any of them. */
export function adminSecretArnsOf(deps: FetchDependencies | PerOrgFetchDependencies): readonly string[] {
  return 'adminFor' in deps ? deps.adminSecretArns : [deps.admin.secretArn];
}

/**
 * The admin credential of the secret's org, chosen before any Genesys call so that no other org's is
 * ever used (the one credential when the deployment has one).
 */
export async function adminOf(
  deps: FetchDependencies | PerOrgFetchDependencies,
  secret: SecretDescription,
): Promise<FetchAdmin> {
  if ('adminFor' in deps) return deps.adminFor(adminTargetOfSecret(secret));
  return {
    genesys: deps.genesys,
    secretArn: deps.admin.secretArn,
    environment: deps.admin.environment,
    ...(deps.hardCodedSecrets ? { hardCodedSecrets: deps.hardCodedSecrets } : {}),
  };
}

const DAY_MS = 86_400_000;

/** Parses the raw execution input, refusing the wrong shape or size with a message naming the problem. */
export function parseExecutionInput(raw: unknown): ExecutionInput {
  const size = Buffer.byteLength(JSON.stringify(raw ?? null), 'utf8');
  if (size > MAX_EXECUTION_INPUT_BYTES) {
    throw new InvalidInputError(
      `Execution input is ${size} bytes; the limit is ${MAX_EXECUTION_INPUT_BYTES}`,
    );
  }
  const parsed = ExecutionInputSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `unexpected field(s) ${issue.keys.join(', ')}`
        : `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new InvalidInputError(
      `Invalid execution input: ${problems.join('; ')}. Expected {"secretId": "...", "dryRun"?: boolean, "reason"?: string, "mode"?: "standard"|"emergency", "emergencyStrategy"?: "replace"|"regenerate"}`,
    );
  }
  if (parsed.data.mode === 'emergency' && parsed.data.trigger === 'secretsmanager') {
    throw new InvalidInputError('Emergency rotation is a manual action; Secrets Manager cannot trigger it');
  }
  if (parsed.data.emergencyStrategy !== undefined && parsed.data.mode !== 'emergency') {
    throw new InvalidInputError('emergencyStrategy applies only to mode "emergency"');
  }
  return parsed.data;
}

/** The kind a secret's `genesys:kind` tag names; refused when absent or unknown. */
export function kindFromTags(tags: Readonly<Record<string, string>>, secretName: string): CredentialKind {
  const kind = tags[TAG_KIND];
  if (kind === undefined) {
    throw new UnsupportedKindError(
      `Secret ${secretName} has no ${TAG_KIND} tag; tag it "oauth-client" (GenesysRotatedSecret does this) or "integration-credential" (PartnerKeySecret)`,
    );
  }
  const known = CREDENTIAL_KINDS.find((candidate) => candidate === kind);
  if (known === undefined) {
    throw new UnsupportedKindError(
      `Secret ${secretName} is of kind "${kind}"; this release rotates ${CREDENTIAL_KINDS.map((k) => `"${k}"`).join(' and ')} secrets`,
    );
  }
  return known;
}

/** The secret a rotation is for, before any kind-specific read: what Fetch dispatches on. */
export interface FetchedSecret {
  readonly input: ExecutionInput;
  readonly token: string;
  readonly secret: SecretDescription;
  readonly kind: CredentialKind;
  readonly executionId: string;
}

/**
 * The part of Fetch every kind shares: the input parsed, the token derived, the secret described,
 * the self-rotation guard, and the kind from the `genesys:kind` tag.
 */
export async function fetchSecret(
  deps: { readonly secrets: SecretStorePort; readonly adminSecretArns: readonly string[] },
  rawInput: unknown,
  executionId: string,
): Promise<FetchedSecret> {
  const input = parseExecutionInput(rawInput);
  const token = input.token ?? deriveToken(executionId);
  const secret = await deps.secrets.describe(input.secretId);
  // Before any other check: advice such as "tag it oauth-client" must never be given for this secret.
  if (deps.adminSecretArns.includes(secret.arn)) {
    throw new SelfRotationRefusedError(
      `Secret ${secret.name} is one of the rotator's own admin credentials; rotate it by hand (see README, "The admin credential")`,
    );
  }
  const kind = kindFromTags(secret.tags, secret.name);
  return { input, token, secret, kind, executionId };
}

/** Fetch of an `oauth-client` secret: everything Validate needs, as ids and facts. */
export async function fetchInventory(
  deps: FetchDependencies | PerOrgFetchDependencies,
  rawInput: unknown,
  executionId: string,
): Promise<OAuthClientRotationState> {
  const fetched = await fetchSecret(
    { secrets: deps.secrets, adminSecretArns: adminSecretArnsOf(deps) },
    rawInput,
    executionId,
  );
  if (fetched.kind !== 'oauth-client') {
    throw new UnsupportedKindError(
      `Secret ${fetched.secret.name} is of kind "${fetched.kind}"; this inventory reads "oauth-client" secrets (the partner-key strategy reads "${fetched.kind}")`,
    );
  }
  const admin = await adminOf(deps, fetched.secret);
  const { secrets, executions, policy, clock } = deps;
  return oauthClientInventory(
    {
      secrets,
      executions,
      policy,
      clock,
      genesys: admin.genesys,
      admin: { secretArn: admin.secretArn, environment: admin.environment },
      ...(admin.hardCodedSecrets ? { hardCodedSecrets: admin.hardCodedSecrets } : {}),
    },
    fetched,
  );
}

/** Reads the current value only to learn its client id. */
export async function oauthClientInventory(
  deps: FetchDependencies,
  fetched: FetchedSecret,
): Promise<OAuthClientRotationState> {
  const { input, token, secret, executionId } = fetched;
  const kind = 'oauth-client' as const;
  const { genesys, admin } = deps;
  const scanned = await refuseHardCodedSecret(
    deps.hardCodedSecrets,
    secret,
    input.allowHardCodedSecret === true,
  );
  const currentVersionId = versionWithStage(secret, AWSCURRENT);
  if (currentVersionId === null) {
    throw new TargetNotFoundError(`Secret ${secret.name} has no AWSCURRENT version to rotate`);
  }
  const current = parseOAuthSecretValue(
    await deps.secrets.getValue(secret.arn, { versionId: currentVersionId }),
    `The AWSCURRENT value of secret ${secret.name}`,
  );

  const [whoAmI, legacy, clients, limit, running] = await Promise.all([
    genesys.whoAmI(),
    genesys.getClient(current.clientId),
    genesys.listClients(),
    genesys.oauthClientLimit(),
    deps.executions.runningFor({ arn: secret.arn, name: secret.name }, executionId),
  ]);
  if (legacy === null) {
    throw new TargetNotFoundError(
      `OAuth client ${current.clientId} named by secret ${secret.name} does not exist in Genesys org ${whoAmI.orgId}`,
    );
  }
  const legacyRequests = await genesys.usageRequests(legacy.id, deps.policy.usageLookbackDays);
  const now = deps.clock.now();
  const created = legacy.dateCreated === null ? null : Date.parse(legacy.dateCreated);

  const inventory: Inventory = {
    secretArn: secret.arn,
    secretName: secret.name,
    kind,
    token,
    tags: {
      environment: secret.tags[TAG_ENVIRONMENT] ?? null,
      orgId: secret.tags[TAG_ORG_ID] ?? null,
      stage: secret.tags[TAG_STAGE] ?? null,
    },
    environment: current.environment,
    currentVersionId,
    foreignPendingVersionId: foreignPendingVersion(secret, token),
    rotationEnabled: secret.rotationEnabled,
    rotationIntervalDays: secret.rotationIntervalDays,
    credential: { legacyId: legacy.id },
    legacyClient: {
      id: legacy.id,
      name: legacy.name,
      state: legacy.state,
      authorizedGrantType: legacy.authorizedGrantType,
      roleDivisions: [...legacy.roleDivisions],
      accessTokenValiditySeconds: legacy.accessTokenValiditySeconds,
      dateCreated: legacy.dateCreated,
      ageDays:
        created === null || Number.isNaN(created) ? null : Math.floor((now.getTime() - created) / DAY_MS),
    },
    admin: {
      clientId: whoAmI.clientId,
      secretArn: admin.secretArn,
      environment: admin.environment,
      roleDivisions: whoAmI.roleDivisions,
    },
    org: { id: whoAmI.orgId, name: whoAmI.orgName },
    clientQuota: { used: clients.filter((client) => client.state !== 'deleted').length, limit },
    legacyUsage: { requests: legacyRequests, days: deps.policy.usageLookbackDays },
    otherRunningExecutions: running.length,
    fetchedAt: now.toISOString(),
    ...(scanned?.blastRadius ? { blastRadius: scanned.blastRadius } : {}),
  };
  return {
    secretId: input.secretId,
    dryRun: input.dryRun,
    reason: input.reason,
    mode: input.mode,
    ...(input.mode === 'emergency' ? { emergencyStrategy: input.emergencyStrategy ?? 'replace' } : {}),
    trigger: input.trigger,
    token,
    inventory,
  };
}
