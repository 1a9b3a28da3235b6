/**
 * Signed webhooks (Standard Webhooks, https://www.standardwebhooks.com): the targets the CDK props
 * declare (checked at synth and at cold start, `WEBHOOK_TARGETS`), the reference a webhook body
 * carries, and the delivery receipts the state machine puts in its events. A body names the secret,
 * the version and the client; it never carries a secret value, nor does anything here.
 */
// zod/mini: this module is in the webhook function's bundle, held to 100 KB (docs/ARCHITECTURE.md, Bundles).
import * as z from 'zod/mini';
import { InvalidConfigurationError } from './errors.js';

/** Events a webhook announces. */
export const WEBHOOK_EVENTS = ['credential.promoted', 'credential.legacy_retired'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** A name usable in logs, ids and the dead-letter message: letters, digits, `-` and `_`. */
const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Secrets Manager secret ARN (full or partial). */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export const WebhookTargetSchema = z.strictObject({
  /** Unique among the targets; names the target in receipts, events and the dead letter. */
  name: z
    .string()
    .check(z.regex(TARGET_NAME, 'letters, digits, - and _ (at most 64), starting with a letter or digit')),
  /** Where the webhook is POSTed: https, or http to a loopback address (local mode and tests only). */
  url: z.url().check(
    z.refine((raw) => {
      const url = new URL(raw);
      return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
    }, 'must be https (http only to 127.0.0.1 or localhost)'),
    z.refine(
      (raw) => new URL(raw).username === '' && new URL(raw).password === '',
      'must not embed credentials',
    ),
  ),
  /** ARN of the secret holding this target's signing key (`whsec_` + base64, as Standard Webhooks writes it). */
  signingSecretArn: z.string().check(z.regex(SECRET_ARN, 'expected a Secrets Manager secret ARN')),
});
export type WebhookTarget = z.infer<typeof WebhookTargetSchema>;

export const WebhookTargetsSchema = z.array(WebhookTargetSchema).check(
  z.maxLength(20),
  z.refine((targets) => new Set(targets.map((target) => target.name)).size === targets.length, {
    message: 'target names must be unique',
  }),
);

/** Throws InvalidConfigurationError naming each bad field. */
export function parseWebhookTargets(input: unknown): WebhookTarget[] {
  const parsed = z.safeParse(WebhookTargetsSchema, input);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new InvalidConfigurationError(`Invalid webhook targets: ${issues}`);
  }
  return parsed.data;
}

/** `WEBHOOK_TARGETS` (JSON), checked at cold start. */
export function webhookTargetsFromEnvironment(env: NodeJS.ProcessEnv = process.env): WebhookTarget[] {
  const raw = env.WEBHOOK_TARGETS;
  if (raw === undefined || raw === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new InvalidConfigurationError('Invalid webhook targets: WEBHOOK_TARGETS is not valid JSON');
  }
  return parseWebhookTargets(json);
}

/**
 * The part of the execution state a webhook body is made of, for every kind (`RotationState` fits
 * it): parsed by the delivery function instead of the whole state, so its bundle carries no other
 * step's schemas. Unknown fields are dropped.
 */
export const WebhookStateSchema = z.object({
  mode: z.enum(['standard', 'emergency']),
  trigger: z.string(),
  inventory: z.optional(
    z.object({
      kind: z.enum(['oauth-client', 'integration-credential']),
      secretArn: z.string(),
      secretName: z.string(),
      currentVersionId: z.string(),
      credential: z.object({ legacyId: z.string() }),
      /** Kind `oauth-client`: the region the secret's value names. */
      environment: z.optional(z.string()),
      admin: z.object({ environment: z.string() }),
      org: z.object({ id: z.string() }),
    }),
  ),
  created: z.optional(z.object({ credential: z.object({ newId: z.string() }) })),
  synced: z.optional(
    z.object({
      currentVersionId: z.string(),
      previousVersionId: z.nullable(z.string()),
      promotedAt: z.string(),
    }),
  ),
  retired: z.optional(z.object({ at: z.optional(z.string()) })),
  emergency: z.optional(
    z.object({
      clientId: z.string(),
      leakedClientId: z.string(),
      versionId: z.string(),
      promotedAt: z.string(),
    }),
  ),
});
export type WebhookState = z.infer<typeof WebhookStateSchema>;

/**
 * The webhook body: `{type, timestamp, data}` as the Standard Webhooks spec recommends. `data` is a
 * reference a receiver resolves with its own read of Secrets Manager, never the value.
 */
export const WebhookBodySchema = z.strictObject({
  type: z.enum(WEBHOOK_EVENTS),
  /** When the event happened (promotion or retirement, ISO-8601): the same on every attempt and re-run. */
  timestamp: z.string(),
  data: z.strictObject({
    secretArn: z.string(),
    secretName: z.string(),
    /** The version AWSCURRENT is on (the rotation token). */
    versionId: z.string(),
    /** The version that held AWSCURRENT before the rotation (AWSPREVIOUS now), when known. */
    previousVersionId: z.nullable(z.string()),
    /**
     * The credential AWSCURRENT names and the one it replaced, for every kind: `kind` is the secret's
     * `genesys:kind`; `id` / `previousId` are the OAuth client ids, or the partner key ids (`keyId`).
     */
    credential: z.strictObject({
      kind: z.enum(['oauth-client', 'integration-credential']),
      id: z.string(),
      previousId: z.string(),
    }),
    /** Kind `oauth-client` only: the Genesys OAuth client AWSCURRENT names (= `credential.id`). */
    clientId: z.optional(z.string()),
    /** Kind `oauth-client` only: the legacy client this rotation replaced (= `credential.previousId`). */
    previousClientId: z.optional(z.string()),
    /** The Genesys region the credential belongs to (partner keys: the rotator's admin region). */
    environment: z.string(),
    orgId: z.string(),
    executionId: z.string(),
    trigger: z.string(),
    /** `emergency`: a leaked credential was replaced (or regenerated) and promoted at once. */
    mode: z.enum(['standard', 'emergency']),
    promotedAt: z.nullable(z.string()),
    /** `credential.legacy_retired`: when the legacy client was deleted. */
    retiredAt: z.nullable(z.string()),
  }),
});
export type WebhookBody = z.infer<typeof WebhookBodySchema>;

export const DELIVERY_STATUSES = ['delivered', 'dead-lettered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What happened to one target's message. */
export const DeliveryReceiptSchema = z.object({
  target: z.string(),
  webhookId: z.string(),
  /** `dead-lettered`: given up, the message is on the dead-letter queue; `failed`: given up and the dead letter failed too. */
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.int(),
  /** HTTP status of the last answer; null when none came (network error, timeout). */
  lastHttpStatus: z.nullable(z.int()),
  /** Why it was given up (status class or error name), never a response body. */
  reason: z.nullable(z.string()),
  /** The dead-letter queue's message id. */
  deadLetterMessageId: z.nullable(z.string()),
  completedAt: z.string(),
});
export type DeliveryReceipt = z.infer<typeof DeliveryReceiptSchema>;

/** Result of a delivery task, at `$.webhooks.promoted` / `$.webhooks.retired`. */
export const WebhookDeliverySchema = z.object({
  event: z.enum(WEBHOOK_EVENTS),
  receipts: z.array(DeliveryReceiptSchema),
  /** At least one target was given up. */
  gaveUp: z.boolean(),
  /** The task itself failed (set by the state machine's Catch), e.g. `{Error, Cause}`. */
  error: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

/** What the webhook states add to the execution state: one delivery per point (`$.webhooks.<point>`). */
export const WebhookResultsSchema = z.object({
  promoted: z.optional(WebhookDeliverySchema),
  retired: z.optional(WebhookDeliverySchema),
  emergency: z.optional(WebhookDeliverySchema),
});
