/**
 * Building isolated SDK clients. Every credential gets its own `ApiClientClass` (never the package's
 * singleton `platformClient.ApiClient`, whose token would be shared), with the config-file watcher
 * off, SDK logging off (it would log request headers), and the retrying HTTP client installed.
 */
import { InvalidConfigurationError } from '../errors.js';
import type { Clock } from '../ports.js';
import {
  type HttpTransport,
  RetryingHttpClient,
  type RetryingHttpClientOptions,
  type RetryPolicy,
} from './http.js';
import platformClient from './platform.js';

export type GenesysApiClient = InstanceType<typeof platformClient.ApiClientClass>;

export interface GenesysGateway {
  readonly host: string;
  readonly protocol: string;
  readonly port?: number;
}

/** Name of the environment variable that points the SDK at a local gateway (stand-in). */
export const GATEWAY_ENV_VAR = 'GENESYS_GATEWAY_URL';

/** `http://127.0.0.1:8123` -> `{host: '127.0.0.1', protocol: 'http', port: 8123}`. */
export function parseGatewayUrl(url: string): GenesysGateway {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidConfigurationError(`${GATEWAY_ENV_VAR} is not a URL`);
  }
  const protocol = parsed.protocol.replace(/:$/, '');
  if (protocol !== 'http' && protocol !== 'https') {
    throw new InvalidConfigurationError(`${GATEWAY_ENV_VAR} must be an http or https URL`);
  }
  if (parsed.pathname !== '/' && parsed.pathname !== '') {
    throw new InvalidConfigurationError(`${GATEWAY_ENV_VAR} must not have a path`);
  }
  // URL keeps IPv6 hosts in brackets, which is what a URL needs back.
  const host = parsed.hostname;
  return parsed.port === '' ? { host, protocol } : { host, protocol, port: Number(parsed.port) };
}

/** The gateway from the environment, or null to use `api.<environment>`. */
export function gatewayFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const value = env[GATEWAY_ENV_VAR]?.trim();
  return value ? value : null;
}

export interface IsolatedClientOptions {
  readonly environment: string;
  /** e.g. `http://127.0.0.1:8123`; null or absent: `https://{api,login}.<environment>`. */
  readonly gatewayUrl?: string | null;
  readonly retry?: Partial<RetryPolicy>;
  readonly clock?: Clock;
  readonly transport?: HttpTransport;
  readonly onRetry?: RetryingHttpClientOptions['onRetry'];
}

/** A new, independent SDK client with the retrying HTTP client. */
export function createIsolatedApiClient(options: IsolatedClientOptions): GenesysApiClient {
  const client = new platformClient.ApiClientClass();
  // The constructor reads ~/.genesyscloudjavascript/config and watches it: stop both.
  client.config.live_reload_config = false;
  client.config.setConfigPath('');
  // A config file could have turned SDK logging on; its log lines carry request headers.
  client.config.logger.log_level = 'none';
  client.config.logger.log_to_console = false;
  client.config.logger.log_file_path = '';
  client.config.logger.setLogger();
  if (options.gatewayUrl) {
    client.setGateway(parseGatewayUrl(options.gatewayUrl));
  } else {
    client.config.gateway = undefined;
    client.setEnvironment(options.environment);
  }
  client.setHttpClient(
    new RetryingHttpClient({
      ...(options.retry ? { policy: options.retry } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.transport ? { transport: options.transport } : {}),
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    }),
  );
  return client;
}
