/**
 * Which admin credential a rotation calls Genesys with (docs/ARCHITECTURE.md, "Admin credentials per
 * org"). Two deployments:
 *
 * - One admin credential (`ADMIN_SECRET_ID`, the default): every rotation uses it, whatever the
 *   managed secret's tags say; Validate refuses a secret whose `genesys:org-id` is not the org the
 *   credential's token is in (EnvironmentMismatchError).
 * - One admin credential per org (`ADMIN_SECRETS`, a JSON list of `{orgId, environment, secretId}`,
 *   from the stack's `orgAdminSecrets`): a rotation uses the credential listed for the managed
 *   secret's `genesys:org-id` and `genesys:environment` tags, never another org's. A secret whose org
 *   (or environment) has none is refused before any Genesys call (EnvironmentMismatchError), and
 *   Validate still checks that the chosen credential's token is in the tagged org.
 *
 * Secret ids only: the values are read by the Genesys factory, never here.
 */
import type { RotationState } from './contract.js';
import { EnvironmentMismatchError, InvalidConfigurationError } from './errors.js';
import { GENESYS_ENVIRONMENTS, TAG_ENVIRONMENT, TAG_ORG_ID } from './tags.js';
import * as z from './zod.js';

export const ADMIN_SECRET_ID_VARIABLE = 'ADMIN_SECRET_ID';
export const ADMIN_SECRETS_VARIABLE = 'ADMIN_SECRETS';

/** One org this rotator manages, with the secret (ARN) of its admin credential there. */
export const OrgAdminSecretSchema = z.strictObject({
  orgId: z.string().check(z.minLength(1), z.maxLength(128)),
  environment: z.enum(GENESYS_ENVIRONMENTS),
  secretId: z.string().check(z.minLength(1), z.maxLength(2048)),
});
export type OrgAdminSecret = z.infer<typeof OrgAdminSecretSchema>;

const OrgAdminSecretsSchema = z.array(OrgAdminSecretSchema).check(z.minLength(1));

export type AdminCredentials =
  | { readonly mode: 'single'; readonly secretId: string }
  | { readonly mode: 'per-org'; readonly orgs: readonly OrgAdminSecret[] };

/** What picks the admin credential: the managed secret and the org and environment it is tagged with. */
export interface AdminTarget {
  readonly secretName: string;
  /** `genesys:org-id`; null when the secret has no such tag. */
  readonly orgId: string | null;
  /** `genesys:environment`; null when the secret has no such tag. */
  readonly environment: string | null;
}

/** Problems of a list of org admin secrets (duplicate orgs or secrets), as sentences; none: it is fine. */
export function orgAdminSecretProblems(orgs: ReadonlyArray<{ orgId: string; secretId: string }>): string[] {
  const problems: string[] = [];
  const duplicates = (values: readonly string[]) => [
    ...new Set(values.filter((value, index) => values.indexOf(value) !== index)),
  ];
  for (const orgId of duplicates(orgs.map((org) => org.orgId))) {
    problems.push(`org ${orgId} is listed more than once`);
  }
  for (const secretId of duplicates(orgs.map((org) => org.secretId))) {
    problems.push(`secret ${secretId} is the admin credential of more than one org`);
  }
  return problems;
}

/** Reads the deployment's admin credentials from the function's environment. */
export function adminCredentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): AdminCredentials {
  const single = env[ADMIN_SECRET_ID_VARIABLE];
  const perOrg = env[ADMIN_SECRETS_VARIABLE];
  const hasSingle = single !== undefined && single !== '';
  const hasPerOrg = perOrg !== undefined && perOrg !== '';
  if (hasSingle && hasPerOrg) {
    throw new InvalidConfigurationError(
      `Environment variables ${ADMIN_SECRET_ID_VARIABLE} and ${ADMIN_SECRETS_VARIABLE} are both set; set one`,
    );
  }
  if (hasSingle) return { mode: 'single', secretId: single };
  if (!hasPerOrg) {
    throw new InvalidConfigurationError(
      `Environment variable ${ADMIN_SECRET_ID_VARIABLE} is not set (nor ${ADMIN_SECRETS_VARIABLE}): the admin credential secret is unknown`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(perOrg);
  } catch {
    throw new InvalidConfigurationError(`Environment variable ${ADMIN_SECRETS_VARIABLE} is not JSON`);
  }
  const parsed = z.safeParse(OrgAdminSecretsSchema, json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new InvalidConfigurationError(
      `Environment variable ${ADMIN_SECRETS_VARIABLE} must be a non-empty list of {orgId, environment, secretId}: ${problems.join('; ')}`,
    );
  }
  const problems = orgAdminSecretProblems(parsed.data);
  if (problems.length > 0) {
    throw new InvalidConfigurationError(
      `Environment variable ${ADMIN_SECRETS_VARIABLE}: ${problems.join('; ')}`,
    );
  }
  return { mode: 'per-org', orgs: parsed.data };
}

/** Every admin credential secret of the deployment (none of them is ever rotated by it). */
export function adminSecretIds(credentials: AdminCredentials): string[] {
  return credentials.mode === 'single' ? [credentials.secretId] : credentials.orgs.map((org) => org.secretId);
}

/**
 * The admin credential secret for `target`. One credential: that one. Per org: the one listed for
 * the target's org and environment, or a typed refusal (nothing has been called or changed yet).
 */
export function adminSecretIdFor(credentials: AdminCredentials, target: AdminTarget | null): string {
  if (credentials.mode === 'single') return credentials.secretId;
  if (target === null) {
    throw new InvalidConfigurationError(
      'This rotator holds one admin credential per org: a step that calls Genesys needs the managed secret (its genesys:org-id tag) to pick it',
    );
  }
  const managed = credentials.orgs.map((org) => `${org.orgId} (${org.environment})`).join(', ');
  const entry = credentials.orgs.find((org) => org.orgId === target.orgId);
  if (entry === undefined) {
    throw new EnvironmentMismatchError(
      `Secret ${target.secretName} is tagged genesys:org-id ${target.orgId ?? '(missing)'}, but this rotator holds admin credentials only for org(s) ${managed}; ` +
        "no other org's credential is used: add the org to the stack's orgAdminSecrets, or fix the tag",
      { details: { orgId: target.orgId, environment: target.environment } },
    );
  }
  if (entry.environment !== target.environment) {
    throw new EnvironmentMismatchError(
      `Secret ${target.secretName} is tagged genesys:environment ${target.environment ?? '(missing)'}, but the admin credential of org ${entry.orgId} is for ${entry.environment}`,
      { details: { orgId: target.orgId, environment: target.environment } },
    );
  }
  return entry.secretId;
}

/** The target of a rotation's later steps: the tags Fetch read (null before Fetch succeeded). */
export function adminTargetOf(state: Pick<RotationState, 'inventory'>): AdminTarget | null {
  const inventory = state.inventory;
  if (inventory === undefined) return null;
  return {
    secretName: inventory.secretName,
    orgId: inventory.tags.orgId,
    environment: inventory.tags.environment,
  };
}

/** The target of a described secret (its tags), e.g. for a step that has no inventory. */
export function adminTargetOfSecret(secret: {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
}): AdminTarget {
  return {
    secretName: secret.name,
    orgId: secret.tags[TAG_ORG_ID] ?? null,
    environment: secret.tags[TAG_ENVIRONMENT] ?? null,
  };
}
