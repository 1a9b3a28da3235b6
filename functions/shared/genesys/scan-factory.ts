/**
 * Building the scan's Genesys adapter from the rotator's admin credential secret, as `factory.ts`
 * builds the admin adapter (the same secret, read AWSCURRENT; never echoed in an error).
 */
import type { SecretStorePort } from '../ports.js';
import { readAdminCredential } from './factory.js';
import { GenesysScanSource, type GenesysScanSourceOptions } from './scan-source.js';
import { gatewayFromEnv } from './sdk.js';

export async function createScanSourceFromSecret(
  secretStore: SecretStorePort,
  adminSecretId: string,
  options: Omit<GenesysScanSourceOptions, 'credential'> & { readonly env?: NodeJS.ProcessEnv } = {},
): Promise<GenesysScanSource> {
  const credential = await readAdminCredential(secretStore, adminSecretId);
  const { env, ...rest } = options;
  return new GenesysScanSource({
    ...rest,
    gatewayUrl: options.gatewayUrl !== undefined ? options.gatewayUrl : gatewayFromEnv(env),
    credential,
  });
}
