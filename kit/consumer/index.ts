/**
 * Consumer kit: use a Genesys Cloud OAuth client whose credential the rotator rotates, without a
 * failed call. No CDK here: a service or Lambda imports it as is. See README.md in this folder.
 */
export { createGenesysConsumer, type GenesysConsumer, type GenesysConsumerOptions } from './consumer.js';
export { type GenesysCredential, parseCredential } from './credential.js';
export {
  ConsumerKitError,
  CredentialMalformedError,
  CredentialRejectedError,
  SecretReadFailedError,
  TokenRequestFailedError,
} from './errors.js';
export { isCredentialRejected } from './rejection.js';
export {
  CREDENTIAL_CHANGED_DETAIL_TYPES,
  createRotationEventHandler,
  handleRotationEvent,
  type Invalidatable,
  ROTATION_EVENT_SOURCE,
  type RotationEvent,
  type RotationEventOutcome,
  rotationEventSchema,
  sameSecret,
} from './rotation-events.js';
export {
  AwsCurrentCredentialSource,
  type AwsCurrentSourceOptions,
  type CredentialSource,
  DEFAULT_MAX_AGE_SECONDS,
} from './secret-source.js';
export {
  type ConsumerKitLogger,
  DEFAULT_REFRESH_MARGIN_MS,
  GenesysTokenCache,
  type TokenCacheOptions,
  type TokenCacheStats,
} from './token-cache.js';
export {
  createSdkApiClient,
  type GenesysApiClientFactory,
  type GenesysSession,
  type LoginCapableApiClient,
  type MintedToken,
  type SdkApiClient,
  SdkTokenMinter,
  type TokenMinter,
} from './token-minter.js';
