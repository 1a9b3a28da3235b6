/**
 * Minting a client-credentials token with the Genesys SDK (`loginClientCredentialsGrant`), each
 * credential on its own API client: the package's singleton would share one token across callers.
 */
import platformClient from 'purecloud-platform-client-v2';
import type { GenesysCredential } from './credential.js';
import { CredentialRejectedError, TokenRequestFailedError } from './errors.js';
import { describeHttpFailure, isCredentialRejected } from './rejection.js';

/** A token and what it was minted for. The token is a bearer credential: it is never logged either. */
export interface MintedToken {
  readonly clientId: string;
  readonly accessToken: string;
  /** Epoch milliseconds. */
  readonly expiresAtMs: number;
}

/** Mints a token for a credential; rejects with `CredentialRejectedError` when Genesys refuses it. */
export interface TokenMinter<Token extends MintedToken> {
  mint(credential: GenesysCredential): Promise<Token>;
}

/** What the kit needs of an SDK API client (the package's `ApiClientClass`, or one of your own build). */
export interface LoginCapableApiClient {
  loginClientCredentialsGrant(
    clientId: string,
    clientSecret: string,
  ): Promise<{ accessToken: string; tokenExpiryTime?: number }>;
}

/** The package's own API client class. */
export type SdkApiClient = InstanceType<typeof platformClient.ApiClientClass>;

/** A minted token and the SDK client that holds it: pass `api` to `new platformClient.XxxApi(api)`. */
export interface GenesysSession<Api extends LoginCapableApiClient = SdkApiClient> extends MintedToken {
  readonly api: Api;
}

export type GenesysApiClientFactory<Api extends LoginCapableApiClient> = (environment: string) => Api;

/**
 * An independent SDK client for `environment`: its config-file watcher off (it would re-point the
 * gateway behind the kit's back) and its logging off (its log lines carry request headers).
 * `gatewayUrl` (e.g. `http://127.0.0.1:8123`) points both login and API calls at a stand-in or proxy.
 */
export function createSdkApiClient(environment: string, gatewayUrl?: string | null): SdkApiClient {
  const client = new platformClient.ApiClientClass();
  const configurable = client as unknown as {
    config: {
      live_reload_config: boolean;
      setConfigPath(path: string): void;
      logger: { log_level: string; log_to_console: boolean; log_file_path: string; setLogger(): void };
    };
  };
  configurable.config.live_reload_config = false;
  configurable.config.setConfigPath('');
  configurable.config.logger.log_level = 'none';
  configurable.config.logger.log_to_console = false;
  configurable.config.logger.log_file_path = '';
  configurable.config.logger.setLogger();
  if (gatewayUrl) {
    const url = new URL(gatewayUrl);
    const protocol = url.protocol.replace(/:$/, '');
    client.setGateway({ host: url.hostname, protocol, ...(url.port ? { port: Number(url.port) } : {}) });
  } else {
    client.setEnvironment(environment);
  }
  return client;
}

/** Mints with `loginClientCredentialsGrant` on a new API client per token. */
export class SdkTokenMinter<Api extends LoginCapableApiClient> implements TokenMinter<GenesysSession<Api>> {
  constructor(
    private readonly createApiClient: GenesysApiClientFactory<Api>,
    private readonly now: () => number = Date.now,
  ) {}

  async mint(credential: GenesysCredential): Promise<GenesysSession<Api>> {
    const api = this.createApiClient(credential.environment);
    let authData: { accessToken: string; tokenExpiryTime?: number };
    try {
      authData = await api.loginClientCredentialsGrant(credential.clientId, credential.clientSecret);
    } catch (error) {
      // Never the error itself as cause: the SDK rejects with the raw axios error, whose request
      // config holds the Basic authorization header (client id and secret).
      const { status, code } = describeHttpFailure(error);
      const details = { clientId: credential.clientId, status, code };
      if (isCredentialRejected(error)) {
        throw new CredentialRejectedError(
          `Genesys refused client ${credential.clientId} at the token endpoint (${status ?? 'no status'} ${code ?? ''})`.trimEnd(),
          { details },
        );
      }
      throw new TokenRequestFailedError(
        `Token request for client ${credential.clientId} failed (${status ?? 'no response'}${code ? ` ${code}` : ''})`,
        { details },
      );
    }
    return {
      clientId: credential.clientId,
      accessToken: authData.accessToken,
      // The SDK sets tokenExpiryTime from expires_in; absent (a custom client), assume Genesys' minimum, 300 s.
      expiresAtMs: authData.tokenExpiryTime ?? this.now() + 300_000,
      api,
    };
  }
}
