/**
 * Schemas of the dependents that follow a rotated credential (issue #10 part 2): integration
 * credentials of type `pureCloudOAuthClient` that hold the OAuth client a secret names. Ids and
 * facts only, never a value: these travel in the state machine's payload (`$.dependents`,
 * `$.dependentsStaged`, `$.dependentsFlipped`, ...).
 */
import * as z from 'zod';

/**
 * Tag on the managed secret naming the integrations whose `pureCloudOAuthClient` credential holds
 * its client, space-separated (tag values allow no comma). Genesys redacts credential fields on
 * read (genesys-cloud-api.md §4.1), so which credential holds which client cannot be discovered;
 * the integrations are declared, and they are stable across rotations (only their config flips).
 */
export const TAG_FOLLOW_INTEGRATIONS = 'genesys:follow-integrations';

/** §4.2: the config key and credential type a Genesys Cloud Data Actions integration uses. */
export const PURECLOUD_CREDENTIAL_KEY = 'pureCloudOAuthClient';
export const PURECLOUD_CREDENTIAL_TYPE = 'pureCloudOAuthClient';

export const FollowedIntegrationSchema = z.object({
  integrationId: z.string(),
  integrationName: z.string(),
  integrationType: z.string(),
  credentialKey: z.string(),
  /** The credential object `config/current` referenced before the rotation. */
  legacyCredentialId: z.string(),
  legacyCredentialName: z.string(),
  /** The action tested after each flip; null when the integration has none (pre-flight refuses). */
  healthActionId: z.string().nullable(),
});
export type FollowedIntegration = z.infer<typeof FollowedIntegrationSchema>;

export const DependentsSchema = z.object({
  follower: z.literal('pureCloudOAuthClient-credentials'),
  integrations: z.array(FollowedIntegrationSchema),
  /** Declared integrations that were not found, and references to credentials that do not exist. */
  problems: z.array(z.object({ integrationId: z.string(), problem: z.string() })),
  /** The environment pre-flight's checks (Discover adds them; a dry run reports them). */
  checks: z
    .array(
      z.object({ check: z.string(), passed: z.boolean(), code: z.string().nullable(), detail: z.string() }),
    )
    .optional(),
});
export type Dependents = z.infer<typeof DependentsSchema>;

export const StagedDependentsSchema = z.object({
  credentials: z.array(z.object({ integrationId: z.string(), newCredentialId: z.string() })),
});
export type StagedDependents = z.infer<typeof StagedDependentsSchema>;

export const FlippedDependentsSchema = z.object({
  integrations: z.array(
    z.object({ integrationId: z.string(), fromCredentialId: z.string(), toCredentialId: z.string() }),
  ),
  tested: z.number().int(),
  at: z.string(),
  /** Emergency only: tests that failed after the flip (nothing is flipped back to a leaked client). */
  failed: z.array(z.object({ dependentId: z.string(), error: z.string() })).optional(),
});
export type FlippedDependents = z.infer<typeof FlippedDependentsSchema>;

export const DependentsHealthSchema = z.object({
  tested: z.number().int(),
  failed: z.array(z.object({ dependentId: z.string(), error: z.string() })),
});

export const DependentsRetiredSchema = z.object({ deletedIds: z.array(z.string()) });

export const DependentsRolledBackSchema = z.object({
  flippedBackIds: z.array(z.string()),
  deletedIds: z.array(z.string()),
});
