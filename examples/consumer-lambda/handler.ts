/**
 * Example: a customer's Lambda that calls Genesys Cloud with a rotated OAuth client, on the consumer
 * kit. One function, two kinds of event: a service request (here, "who is my org"), and the rotator's
 * `Secret Promoted` / `Emergency Rotation Completed` event from an EventBridge rule, which makes the
 * execution environment it lands in re-read AWSCURRENT on its next call.
 *
 * The kit is built at module scope, so its cache lives as long as the execution environment. An
 * EventBridge event reaches one environment only; the others move within `maxAgeSeconds`, or at
 * once when Genesys refuses their token (the kit re-reads AWSCURRENT and retries the call once).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import platformClient from 'purecloud-platform-client-v2';
import * as z from 'zod';
import { createGenesysConsumer, handleRotationEvent, rotationEventSchema } from '../../kit/consumer/index.js';

const env = z
  .object({
    GENESYS_SECRET_ARN: z.string().min(1),
    GENESYS_SECRET_MAX_AGE_SECONDS: z.coerce.number().int().min(1).default(300),
    /** Local mode only: the Genesys stand-in (or a proxy) instead of `api.<environment>`. */
    GENESYS_GATEWAY_URL: z.string().url().optional(),
  })
  .parse(process.env);

const logger = new Logger({ serviceName: 'genesys-consumer-example' });

const genesys = createGenesysConsumer({
  secretId: env.GENESYS_SECRET_ARN,
  maxAgeSeconds: env.GENESYS_SECRET_MAX_AGE_SECONDS,
  gatewayUrl: env.GENESYS_GATEWAY_URL ?? null,
  logger,
});

const requestSchema = z.object({ action: z.literal('describe-organization') });

export interface OrganizationAnswer {
  readonly organizationId: string;
  readonly name: string;
  /** Which OAuth client answered: it changes when a rotation promotes a new one. */
  readonly clientId: string;
}

export async function handler(event: unknown): Promise<OrganizationAnswer | { invalidated: boolean }> {
  if (rotationEventSchema.safeParse(event).success) {
    const outcome = handleRotationEvent([genesys], event);
    return { invalidated: outcome.invalidated };
  }
  requestSchema.parse(event);
  return genesys.withToken(async (session) => {
    const org = await new platformClient.OrganizationApi(session.api).getOrganizationsMe();
    return { organizationId: org.id ?? '', name: org.name ?? '', clientId: session.clientId };
  });
}
