/**
 * Org-wide rotation policy. The same schema checks the CDK props at synth time and the Lambda
 * environment (`ROTATOR_POLICY`, JSON) at cold start, so a bad setting fails before any rotation.
 */
import * as z from 'zod';
import { InvalidConfigurationError } from './errors.js';

const DAY_NAMES = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export const MaintenanceWindowSchema = z.strictObject({
  /** Days the window opens on (UTC). */
  days: z.array(z.enum(DAY_NAMES)).min(1),
  /** Opening time, `HH:MM` UTC. */
  start: z.string().regex(HHMM, 'expected HH:MM (UTC)'),
  /** Closing time, `HH:MM` UTC; before `start` means the window crosses midnight. */
  end: z.string().regex(HHMM, 'expected HH:MM (UTC)'),
});
export type MaintenanceWindow = z.infer<typeof MaintenanceWindowSchema>;

export const RotationPolicySchema = z.strictObject({
  /** Deployment stage of this rotator; a secret whose `genesys:stage` tag differs is refused. */
  stage: z.string().min(1).max(32).default('prod'),
  /** Role ids a rotated client may hold; `['*']` allows any role the legacy client already holds. */
  allowedRoleIds: z.array(z.string().min(1)).min(1).default(['*']),
  /** Used when the org limits API does not report an OAuth client limit. */
  maxOAuthClients: z.number().int().min(1).max(10_000).default(50),
  /** Rotate a legacy client with no recorded use in the lookback window. */
  allowUnusedLegacyClient: z.boolean().default(false),
  usageLookbackDays: z.number().int().min(1).max(30).default(7),
  /** Retire the legacy client at the latest this long after promotion. */
  gracePeriodSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(86_400),
  /** Retire earlier once the legacy client has had no traffic for this long after promotion. */
  adoptionQuietSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(3_600),
  /** How often the adoption gate re-checks usage. */
  adoptionPollSeconds: z.number().int().min(1).max(86_400).default(900),
  /** Time between setting the legacy client `inactive` and deleting it. */
  retireObserveSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(3_600),
  /** Empty: rotate at any time. Otherwise a rotation outside every window waits for the next one. */
  maintenanceWindows: z.array(MaintenanceWindowSchema).max(14).default([]),
  /** Prefix of the new client's name; the rotation token is appended so a retry finds its client. */
  clientNamePrefix: z.string().min(1).max(64).default('rotated'),
});
export type RotationPolicy = z.infer<typeof RotationPolicySchema>;
export type RotationPolicyInput = z.input<typeof RotationPolicySchema>;

/** Parses a policy, turning schema issues into one typed error that names each bad field. */
export function parsePolicy(raw: unknown): RotationPolicy {
  const parsed = RotationPolicySchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new InvalidConfigurationError(`Invalid rotation policy: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Reads `ROTATOR_POLICY` (JSON) from the environment; absent means all defaults. */
export function policyFromEnvironment(env: NodeJS.ProcessEnv = process.env): RotationPolicy {
  const raw = env.ROTATOR_POLICY;
  if (raw === undefined || raw === '') return parsePolicy({});
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new InvalidConfigurationError('Invalid rotation policy: ROTATOR_POLICY is not valid JSON');
  }
  return parsePolicy(json);
}
