/**
 * One call to set a consumer up: AWSCURRENT through Powertools Parameters, tokens through the
 * Genesys SDK, refresh on refusal and on the rotator's events.
 */
import type { SecretsManagerClient, SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { AwsCurrentCredentialSource } from './secret-source.js';
import { type ConsumerKitLogger, GenesysTokenCache } from './token-cache.js';
import {
  createSdkApiClient,
  type GenesysApiClientFactory,
  type GenesysSession,
  type LoginCapableApiClient,
  type SdkApiClient,
  SdkTokenMinter,
} from './token-minter.js';

export interface GenesysConsumerOptions<Api extends LoginCapableApiClient> {
  /** ARN of the managed secret (what the rotator's events name); a name works too. */
  readonly secretId: string;
  /** Reuse a read of AWSCURRENT this long, in whole seconds (default 5). */
  readonly maxAgeSeconds?: number;
  readonly secretsManager?: SecretsManagerClient;
  readonly secretsManagerConfig?: SecretsManagerClientConfig;
  /** Point the SDK at a gateway (a proxy or the local stand-in) instead of `login./api.<environment>`. */
  readonly gatewayUrl?: string | null;
  /** Your own API client per token (an HTTP client with retries, a proxy agent); replaces `gatewayUrl`. */
  readonly createApiClient?: GenesysApiClientFactory<Api>;
  readonly refreshMarginMs?: number;
  readonly isCredentialRejected?: (error: unknown) => boolean;
  readonly logger?: ConsumerKitLogger;
  /** Each GetSecretValue actually sent. */
  readonly onSecretRead?: (read: { readonly secretId: string; readonly fresh: boolean }) => void;
}

export type GenesysConsumer<Api extends LoginCapableApiClient = SdkApiClient> = GenesysTokenCache<
  GenesysSession<Api>
>;

export function createGenesysConsumer(options: GenesysConsumerOptions<SdkApiClient>): GenesysConsumer;
export function createGenesysConsumer<Api extends LoginCapableApiClient>(
  options: GenesysConsumerOptions<Api> & { readonly createApiClient: GenesysApiClientFactory<Api> },
): GenesysConsumer<Api>;
export function createGenesysConsumer(
  options: GenesysConsumerOptions<LoginCapableApiClient>,
): GenesysConsumer<LoginCapableApiClient> {
  const source = new AwsCurrentCredentialSource({
    secretId: options.secretId,
    ...(options.maxAgeSeconds !== undefined ? { maxAgeSeconds: options.maxAgeSeconds } : {}),
    ...(options.secretsManager ? { client: options.secretsManager } : {}),
    ...(options.secretsManagerConfig ? { clientConfig: options.secretsManagerConfig } : {}),
    ...(options.onSecretRead ? { onSecretRead: options.onSecretRead } : {}),
  });
  const createApiClient =
    options.createApiClient ?? ((environment: string) => createSdkApiClient(environment, options.gatewayUrl));
  return new GenesysTokenCache({
    source,
    minter: new SdkTokenMinter(createApiClient),
    ...(options.refreshMarginMs !== undefined ? { refreshMarginMs: options.refreshMarginMs } : {}),
    ...(options.isCredentialRejected ? { isCredentialRejected: options.isCredentialRejected } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
