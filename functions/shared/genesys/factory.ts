/**
 * Building the Genesys adapters in a handler. The admin adapter is built from the rotator's admin
 * credential secret and cached per warm container (its token is cached in `admin.ts`).
 */
import { type OAuthClientSecretValue, OAuthClientSecretValueSchema } from '../contract.js';
import { InvalidConfigurationError, RotationError } from '../errors.js';
import type { SecretStorePort } from '../ports.js';
import { GenesysAdmin, type GenesysAdminOptions } from './admin.js';
import { GenesysCredentialProbe, type GenesysCredentialProbeOptions } from './probe.js';
import { gatewayFromEnv } from './sdk.js';

export type GenesysAdminFactoryOptions = Omit<GenesysAdminOptions, 'credential' | 'onCredentialRejected'> & {
  /** Where `GENESYS_GATEWAY_URL` is read when `gatewayUrl` is not given. */
  readonly env?: NodeJS.ProcessEnv;
};

const adminCache = new Map<string, Promise<GenesysAdmin>>();

/** Drops the cached admin adapters (tests). */
export function clearGenesysAdminCache(): void {
  adminCache.clear();
}

/**
 * Reads the admin credential (`{clientId, clientSecret, environment}`, AWSCURRENT) from
 * `adminSecretId` and builds a `GenesysAdmin`; the same promise is returned for the same secret id
 * while the container is warm. A failed build, or Genesys refusing the credential later, drops the
 * cache entry so the next call reads the secret again (it may have been fixed or rotated).
 */
export function createGenesysAdminFromSecret(
  secretStore: SecretStorePort,
  adminSecretId: string,
  options: GenesysAdminFactoryOptions = {},
): Promise<GenesysAdmin> {
  const cached = adminCache.get(adminSecretId);
  if (cached) return cached;
  const evict = (): void => {
    if (adminCache.get(adminSecretId) === built) adminCache.delete(adminSecretId);
  };
  const built = buildAdmin(secretStore, adminSecretId, options, evict);
  adminCache.set(adminSecretId, built);
  built.catch(evict);
  return built;
}

async function buildAdmin(
  secretStore: SecretStorePort,
  adminSecretId: string,
  options: GenesysAdminFactoryOptions,
  onCredentialRejected: () => void,
): Promise<GenesysAdmin> {
  if (!adminSecretId) {
    throw new InvalidConfigurationError('ADMIN_SECRET_ID is not set: the admin credential secret is unknown');
  }
  const credential = await readAdminCredential(secretStore, adminSecretId);
  const { env, ...rest } = options;
  return new GenesysAdmin({
    ...rest,
    gatewayUrl: options.gatewayUrl !== undefined ? options.gatewayUrl : gatewayFromEnv(env),
    credential,
    onCredentialRejected,
  });
}

/**
 * The rotator's admin credential, read from its secret (AWSCURRENT) and checked; an error names the
 * secret and the wrong fields, never the value.
 */
export async function readAdminCredential(
  secretStore: SecretStorePort,
  adminSecretId: string,
): Promise<OAuthClientSecretValue> {
  let raw: string | null;
  try {
    raw = await secretStore.getValue(adminSecretId, { stage: 'AWSCURRENT' });
  } catch (error) {
    if (error instanceof RotationError) throw error;
    throw new InvalidConfigurationError(`The admin credential secret ${adminSecretId} could not be read`);
  }
  if (raw === null) {
    throw new InvalidConfigurationError(
      `The admin credential secret ${adminSecretId} has no AWSCURRENT value`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    // Never echo the value (nor JSON.parse's message, which quotes part of it).
    throw new InvalidConfigurationError(`The admin credential secret ${adminSecretId} is not JSON`);
  }
  const parsed = OAuthClientSecretValueSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [
      ...new Set(
        parsed.error.issues.flatMap((issue) =>
          issue.code === 'unrecognized_keys' ? issue.keys : [issue.path.join('.') || '(root)'],
        ),
      ),
    ];
    throw new InvalidConfigurationError(
      `The admin credential secret ${adminSecretId} must be {clientId, clientSecret, environment}; wrong or unexpected fields: ${fields.join(', ')}`,
    );
  }
  return parsed.data;
}

export type GenesysCredentialProbeFactoryOptions = GenesysCredentialProbeOptions & {
  readonly env?: NodeJS.ProcessEnv;
};

/** The probe, pointed at `GENESYS_GATEWAY_URL` when set. */
export function createGenesysCredentialProbe(
  options: GenesysCredentialProbeFactoryOptions = {},
): GenesysCredentialProbe {
  const { env, ...rest } = options;
  return new GenesysCredentialProbe({
    ...rest,
    gatewayUrl: options.gatewayUrl !== undefined ? options.gatewayUrl : gatewayFromEnv(env),
  });
}
