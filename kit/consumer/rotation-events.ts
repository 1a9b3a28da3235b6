/**
 * The rotator's audit events that change AWSCURRENT, as an EventBridge target receives them
 * (schemas/rotation-event.v2.json, and v1 alike: source `genesys.credential-rotator`, `detail.secretId`;
 * no other fact is read, so both schema versions and both credential kinds are handled the same).
 * Kept here rather than imported from the rotator so a consumer's bundle holds no CDK.
 */
import * as z from 'zod';

export const ROTATION_EVENT_SOURCE = 'genesys.credential-rotator';

/** Detail types after which AWSCURRENT names another credential. */
export const CREDENTIAL_CHANGED_DETAIL_TYPES = ['Secret Promoted', 'Emergency Rotation Completed'] as const;

/** The envelope EventBridge delivers to a target; only what the kit reads. */
export const rotationEventSchema = z.looseObject({
  source: z.string(),
  'detail-type': z.string(),
  detail: z.looseObject({ secretId: z.string() }),
});

export type RotationEvent = z.infer<typeof rotationEventSchema>;

/** `arn:aws:secretsmanager:eu-west-1:123456789012:secret:genesys/app-AbCdEf` -> its parts. */
function parseSecretArn(reference: string): { scope: string; name: string } | null {
  const match = /^(arn:[^:]+:secretsmanager:[^:]*:[^:]*):secret:(.+)$/.exec(reference);
  if (!match?.[1] || !match[2]) return null;
  return { scope: match[1], name: match[2] };
}

/** Secrets Manager appends `-` and six characters to a secret's name in its ARN. */
function withoutArnSuffix(name: string): string {
  return name.replace(/-[A-Za-z0-9]{6}$/, '');
}

/**
 * Whether two references (ARN, partial ARN or name) name the same secret. The rotator's events name
 * the secret as its execution input did: the ARN for native rotations, possibly a name otherwise.
 */
export function sameSecret(a: string, b: string): boolean {
  if (a === b) return true;
  const arnA = parseSecretArn(a);
  const arnB = parseSecretArn(b);
  if (arnA && arnB) {
    return arnA.scope === arnB.scope && withoutArnSuffix(arnA.name) === withoutArnSuffix(arnB.name);
  }
  const arn = arnA ?? arnB;
  const name = arnA ? b : a;
  return arn !== null && (arn.name === name || withoutArnSuffix(arn.name) === name);
}

export type RotationEventOutcome =
  | { readonly invalidated: true; readonly secretId: string; readonly detailType: string }
  | { readonly invalidated: false; readonly reason: string };

/** What an event handler needs of a cache. */
export interface Invalidatable {
  readonly secretId: string;
  invalidate(reason: string): void;
}

/**
 * Invalidates the caches whose secret a credential-changing rotator event names. Other events (and
 * other secrets' promotions) are ignored, never thrown on: EventBridge would only redeliver them.
 */
export function handleRotationEvent(caches: readonly Invalidatable[], event: unknown): RotationEventOutcome {
  const parsed = rotationEventSchema.safeParse(event);
  if (!parsed.success) return { invalidated: false, reason: 'not an EventBridge rotation event' };
  const { source, 'detail-type': detailType, detail } = parsed.data;
  if (source !== ROTATION_EVENT_SOURCE) return { invalidated: false, reason: `source ${source}` };
  if (!(CREDENTIAL_CHANGED_DETAIL_TYPES as readonly string[]).includes(detailType)) {
    return { invalidated: false, reason: `detail type ${detailType}` };
  }
  const matching = caches.filter((cache) => sameSecret(cache.secretId, detail.secretId));
  if (matching.length === 0) return { invalidated: false, reason: 'another secret' };
  for (const cache of matching) cache.invalidate(detailType);
  return { invalidated: true, secretId: detail.secretId, detailType };
}

/**
 * An EventBridge target handler for a Lambda (or a queue consumer): point a rule matching
 * `CREDENTIAL_CHANGED_DETAIL_TYPES` from `ROTATION_EVENT_SOURCE` at it.
 */
export function createRotationEventHandler(
  ...caches: Invalidatable[]
): (event: unknown) => Promise<RotationEventOutcome> {
  return async (event) => handleRotationEvent(caches, event);
}
