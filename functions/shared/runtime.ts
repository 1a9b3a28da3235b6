/**
 * Builds each function's dependencies once per warm container, from its environment. Everything
 * external is configurable: Genesys through GENESYS_GATEWAY_URL (else `api.<environment>`), AWS
 * through the SDK's standard AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables.
 */
import {
  createSecretsManagerClient,
  createSfnClient,
  resetSecretsManagerClient,
  resetSfnClient,
  SecretsManagerStore,
  StepFunctionsExecutions,
} from './aws/index.js';
import { InvalidConfigurationError } from './errors.js';
import {
  createGenesysAdminFromSecret,
  createGenesysCredentialProbe,
  type GenesysAdmin,
  type RetryPolicy,
} from './genesys/index.js';
import { policyFromEnvironment, type RotationPolicy } from './policy.js';
import {
  type Clock,
  type CredentialProbePort,
  type ExecutionsPort,
  type SecretStorePort,
  systemClock,
} from './ports.js';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new InvalidConfigurationError(`Environment variable ${name} is not set`);
  }
  return value;
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidConfigurationError(`Environment variable ${name} must be a non-negative integer`);
  }
  return value;
}

let secretStore: SecretStorePort | undefined;
let executions: ExecutionsPort | undefined;
let probe: CredentialProbePort | undefined;
let policy: RotationPolicy | undefined;

export const clock: Clock = systemClock;

export function getSecretStore(): SecretStorePort {
  secretStore ??= new SecretsManagerStore(createSecretsManagerClient());
  return secretStore;
}

export function getExecutions(): ExecutionsPort {
  executions ??= new StepFunctionsExecutions(createSfnClient(), required('STATE_MACHINE_ARN'));
  return executions;
}

/**
 * Overrides of the Genesys HTTP retry policy (local mode and the fault matrix compress its waits):
 * GENESYS_HTTP_TIMEOUT_MILLIS (per request, default 16 000) and GENESYS_HTTP_RETRY_AFTER_MILLIS
 * (wait when a retryable answer has no Retry-After, and the first back-off step; default 3 000).
 */
export function genesysRetryFromEnvironment(): Partial<RetryPolicy> | undefined {
  const retry: { timeoutMs?: number; defaultRetryAfterMs?: number; backoffBaseMs?: number } = {};
  if (process.env.GENESYS_HTTP_TIMEOUT_MILLIS)
    retry.timeoutMs = positiveInt('GENESYS_HTTP_TIMEOUT_MILLIS', 0);
  if (process.env.GENESYS_HTTP_RETRY_AFTER_MILLIS) {
    const wait = positiveInt('GENESYS_HTTP_RETRY_AFTER_MILLIS', 0);
    retry.defaultRetryAfterMs = wait;
    retry.backoffBaseMs = wait;
  }
  return Object.keys(retry).length > 0 ? retry : undefined;
}

export function getProbe(): CredentialProbePort {
  const retry = genesysRetryFromEnvironment();
  probe ??= createGenesysCredentialProbe(retry ? { retry } : {});
  return probe;
}

/** Checked at cold start: a bad policy fails the first invocation with a message naming each field. */
export function getPolicy(): RotationPolicy {
  policy ??= policyFromEnvironment();
  return policy;
}

export function getAdminSecretId(): string {
  return required('ADMIN_SECRET_ID');
}

let adminSecretArn: Promise<string> | undefined;

/** The admin secret's full ARN (ADMIN_SECRET_ID may be a name or partial ARN); described once per container. */
export function getAdminSecretArn(): Promise<string> {
  adminSecretArn ??= getSecretStore()
    .describe(getAdminSecretId())
    .then((secret) => secret.arn);
  adminSecretArn.catch(() => {
    adminSecretArn = undefined;
  });
  return adminSecretArn;
}

export function getGenesysAdmin(): Promise<GenesysAdmin> {
  const retry = genesysRetryFromEnvironment();
  return createGenesysAdminFromSecret(getSecretStore(), getAdminSecretId(), {
    ...(retry ? { retry } : {}),
    usagePoll: {
      intervalMs: positiveInt('GENESYS_USAGE_POLL_MILLIS', 2_000),
      maxPolls: positiveInt('GENESYS_USAGE_MAX_POLLS', 15),
    },
  });
}

export function hookTiming(): { maxWaitMs: number; pollMs: number } {
  return {
    maxWaitMs: positiveInt('HOOK_MAX_WAIT_SECONDS', 840) * 1000,
    pollMs: positiveInt('HOOK_POLL_MILLIS', 2_000),
  };
}

/** Drops every cached dependency: local mode and tests re-read the environment. */
export function resetRuntime(): void {
  secretStore = undefined;
  executions = undefined;
  probe = undefined;
  policy = undefined;
  adminSecretArn = undefined;
  resetSecretsManagerClient();
  resetSfnClient();
}
