/**
 * Webhooks: after promotion and after retirement, one signed message per configured target
 * (`WEBHOOK_TARGETS`), given up to the dead-letter queue (`WEBHOOK_DEAD_LETTER_QUEUE_URL`) when a
 * target refuses it or stays down. Returns the receipts; a target never fails the task.
 */

import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings, deliverWebhooks } from '../core/webhooks.js';
import { createSqsClient, SqsDeadLetters } from '../shared/aws/dead-letters.js';
import { InvalidConfigurationError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { clock, getSecretStore, positiveInt } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';
import { FetchWebhookTransport, SecretsManagerSigningKeys } from '../shared/webhook-adapters.js';
import {
  WEBHOOK_EVENTS,
  WebhookStateSchema,
  webhookTargetsFromEnvironment,
} from '../shared/webhook-contract.js';
// Classic zod while `stepHandler` takes classic schemas on this branch; with main's zod/mini
// step-handler, this import becomes '../shared/zod.js' (keeps the bundle under 100 KB).
import * as z from '../shared/zod.js';

const targets = webhookTargetsFromEnvironment();

function settingsFromEnvironment(): DeliverySettings {
  const defaults = DEFAULT_DELIVERY_SETTINGS;
  const settings = {
    maxAttempts: positiveInt('WEBHOOK_MAX_ATTEMPTS', defaults.maxAttempts),
    baseDelayMs: positiveInt('WEBHOOK_RETRY_BASE_MILLIS', defaults.baseDelayMs),
    maxDelayMs: positiveInt('WEBHOOK_RETRY_MAX_MILLIS', defaults.maxDelayMs),
    attemptTimeoutMs: positiveInt('WEBHOOK_ATTEMPT_TIMEOUT_MILLIS', defaults.attemptTimeoutMs),
    budgetMs: positiveInt('WEBHOOK_BUDGET_SECONDS', defaults.budgetMs / 1000) * 1000,
  };
  if (settings.maxAttempts < 1)
    throw new InvalidConfigurationError('WEBHOOK_MAX_ATTEMPTS must be at least 1');
  return settings;
}

let deadLetters: SqsDeadLetters | undefined;
function getDeadLetters(): SqsDeadLetters {
  const queueUrl = process.env.WEBHOOK_DEAD_LETTER_QUEUE_URL;
  if (!queueUrl)
    throw new InvalidConfigurationError('Environment variable WEBHOOK_DEAD_LETTER_QUEUE_URL is not set');
  deadLetters ??= new SqsDeadLetters(createSqsClient(), queueUrl);
  return deadLetters;
}

const transport = new FetchWebhookTransport();

export const handler = stepHandler(
  'DeliverWebhooks',
  z.object({
    event: z.enum(WEBHOOK_EVENTS),
    executionId: z.string().check(z.minLength(1)),
    state: WebhookStateSchema,
  }),
  async ({ event, executionId, state }) =>
    deliverWebhooks(
      {
        targets,
        keys: new SecretsManagerSigningKeys(getSecretStore()),
        transport,
        deadLetters: getDeadLetters(),
        clock,
        settings: settingsFromEnvironment(),
        log: logger,
      },
      { event, executionId, state },
    ),
);
