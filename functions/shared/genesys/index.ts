export {
  clearAdminTokenCache,
  DEFAULT_CLIENT_LIMIT_KEYS,
  DEFAULT_USAGE_POLL,
  GenesysAdmin,
  type GenesysAdminOptions,
  TOKEN_REFRESH_MARGIN_MS,
  type UsagePollOptions,
} from './admin.js';
export {
  clearGenesysAdminCache,
  createGenesysAdminFromSecret,
  createGenesysCredentialProbe,
  type GenesysAdminFactoryOptions,
  type GenesysCredentialProbeFactoryOptions,
} from './factory.js';
export {
  DEFAULT_RETRY_POLICY,
  GenesysHttpError,
  type HttpTransport,
  isGenesysHttpError,
  RETRYABLE_STATUSES,
  RetryingHttpClient,
  type RetryPolicy,
} from './http.js';
export { GenesysCredentialProbe, type GenesysCredentialProbeOptions } from './probe.js';
export { createIsolatedApiClient, GATEWAY_ENV_VAR, gatewayFromEnv, parseGatewayUrl } from './sdk.js';
