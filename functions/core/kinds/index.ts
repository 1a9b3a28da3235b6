import type { CredentialKind } from '../../shared/contract.js';
import { UnsupportedKindError } from '../../shared/errors.js';
import type { KindRegistry, RotationKindStrategy } from './strategy.js';

export { oauthClientStrategy } from './oauth-client.js';
export type * from './strategy.js';

/** The strategy of a kind, or `UnsupportedKindError` (the same refusal Fetch gives an unknown tag). */
export function strategyFor(registry: KindRegistry, kind: CredentialKind): RotationKindStrategy {
  const strategy = registry[kind];
  if (strategy === undefined) {
    throw new UnsupportedKindError(`No rotation strategy is registered for kind "${kind}"`);
  }
  return strategy;
}
