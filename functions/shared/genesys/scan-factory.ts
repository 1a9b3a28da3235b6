/**
 * Building the scan's Genesys adapter from the rotator's admin credential secret, as `factory.ts`
 * builds the admin adapter (the same secret, read AWSCURRENT; never echoed in an error).
 */
import { OAuthClientSecretValueSchema } from '../contract.js';
import { InvalidConfigurationError } from '../errors.js';
import type { SecretStorePort } from '../ports.js';
import { GenesysScanSource, type GenesysScanSourceOptions } from './scan-source.js';
import { gatewayFromEnv } from './sdk.js';

export async function createScanSourceFromSecret(
  secretStore: SecretStorePort,
  adminSecretId: string,
  options: Omit<GenesysScanSourceOptions, 'credential'> & { readonly env?: NodeJS.ProcessEnv } = {},
): Promise<GenesysScanSource> {
  const raw = await secretStore.getValue(adminSecretId, { stage: 'AWSCURRENT' });
  if (raw === null) {
    throw new InvalidConfigurationError(
      `The admin credential secret ${adminSecretId} has no AWSCURRENT value`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new InvalidConfigurationError(`The admin credential secret ${adminSecretId} is not JSON`);
  }
  const parsed = OAuthClientSecretValueSchema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidConfigurationError(
      `The admin credential secret ${adminSecretId} must be {clientId, clientSecret, environment}`,
    );
  }
  const { env, ...rest } = options;
  return new GenesysScanSource({
    ...rest,
    gatewayUrl: options.gatewayUrl !== undefined ? options.gatewayUrl : gatewayFromEnv(env),
    credential: parsed.data,
  });
}
