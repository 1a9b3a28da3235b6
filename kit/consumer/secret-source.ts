import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsGetOptions } from '@aws-lambda-powertools/parameters/secrets/types';
import type { SecretsManagerClient, SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { type GenesysCredential, parseCredential } from './credential.js';
import { CredentialMalformedError, SecretReadFailedError } from './errors.js';

/** Where the kit reads the credential from; `fresh` bypasses any cache. */
export interface CredentialSource {
  readonly secretId: string;
  read(fresh: boolean): Promise<GenesysCredential>;
}

/** Powertools' default: a read is reused for 5 seconds. */
export const DEFAULT_MAX_AGE_SECONDS = 5;

export interface AwsCurrentSourceOptions {
  /** ARN (preferred: it is what the rotator's events name) or name of the managed secret. */
  readonly secretId: string;
  /**
   * How long a read of AWSCURRENT is reused, in whole seconds (Powertools' cache counts whole seconds).
   * It bounds how long a consumer keeps using a credential after a promotion it was not told about.
   */
  readonly maxAgeSeconds?: number;
  /** An SDK client of your own (endpoint, retries, credentials); or `clientConfig` for one made here. */
  readonly client?: SecretsManagerClient;
  readonly clientConfig?: SecretsManagerClientConfig;
  /** Called on each GetSecretValue actually sent (a cache miss), e.g. to count reads. */
  readonly onSecretRead?: (read: { readonly secretId: string; readonly fresh: boolean }) => void;
}

/** Counts the reads that reach Secrets Manager: Powertools answers cache hits without calling `_get`. */
class ObservedSecretsProvider extends SecretsProvider {
  constructor(
    config: ConstructorParameters<typeof SecretsProvider>[0],
    private readonly onFetch: (fresh: boolean) => void,
  ) {
    super(config);
  }

  protected override _get(name: string, options?: NonNullable<SecretsGetOptions>) {
    this.onFetch(options?.forceFetch === true);
    return super._get(name, options);
  }
}

/** AWSCURRENT of one secret through Powertools Parameters' `SecretsProvider`, cached for `maxAgeSeconds`. */
export class AwsCurrentCredentialSource implements CredentialSource {
  readonly secretId: string;
  readonly maxAgeSeconds: number;
  readonly #provider: ObservedSecretsProvider;

  constructor(options: AwsCurrentSourceOptions) {
    const maxAge = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
    if (!Number.isInteger(maxAge) || maxAge < 1) {
      throw new RangeError('maxAgeSeconds must be a whole number of seconds, at least 1');
    }
    this.secretId = options.secretId;
    this.maxAgeSeconds = maxAge;
    const onFetch = (fresh: boolean) => options.onSecretRead?.({ secretId: options.secretId, fresh });
    this.#provider = new ObservedSecretsProvider(
      options.client
        ? { awsSdkV3Client: options.client }
        : options.clientConfig
          ? { clientConfig: options.clientConfig }
          : {},
      onFetch,
    );
  }

  async read(fresh: boolean): Promise<GenesysCredential> {
    let value: string | Uint8Array | undefined;
    try {
      value = await this.#provider.get(this.secretId, {
        maxAge: this.maxAgeSeconds,
        forceFetch: fresh,
        sdkOptions: { VersionStage: 'AWSCURRENT' },
      });
    } catch (error) {
      // Powertools wraps the SDK error (GetParameterError); its cause is the SDK's, which holds no value.
      const sdkError = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const reason = sdkError instanceof Error ? sdkError.name : 'unknown error';
      throw new SecretReadFailedError(`Could not read AWSCURRENT of ${this.secretId}: ${reason}`, {
        details: { secretId: this.secretId, reason },
        cause: sdkError,
      });
    }
    if (value === undefined) {
      throw new CredentialMalformedError(`AWSCURRENT of ${this.secretId} has no value`, {
        details: { secretId: this.secretId },
      });
    }
    return parseCredential(this.secretId, value);
  }

  /** Drops the cached read: the next `read` reaches Secrets Manager. */
  clear(): void {
    this.#provider.clearCache();
  }
}
