/**
 * Builds each function's dependencies once per warm container, from its environment. Everything
 * external is configurable: AWS through the SDK's standard AWS_ENDPOINT_URL /
 * AWS_ENDPOINT_URL_<SERVICE> variables, Genesys through GENESYS_GATEWAY_URL (else
 * `api.<environment>`, see `genesys-runtime.ts`). The Genesys half lives in its own module so that
 * a function which never calls Genesys (Validate) does not bundle the Genesys SDK.
 */

import {
  type AdminCredentials,
  type AdminTarget,
  adminCredentialsFromEnvironment,
  adminSecretIdFor,
  adminSecretIds,
} from './admin-credentials.js';
import {
  createSecretsManagerClient,
  createSfnClient,
  resetSecretsManagerClient,
  resetSfnClient,
  SecretsManagerStore,
  StepFunctionsExecutions,
} from './aws/index.js';
import { InvalidConfigurationError } from './errors.js';
import { policyFromEnvironment, type RotationPolicy } from './policy.js';
import { type Clock, type ExecutionsPort, type SecretStorePort, systemClock } from './ports.js';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new InvalidConfigurationError(`Environment variable ${name} is not set`);
  }
  return value;
}

export function positiveInt(name: string, fallback: number): number {
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

/** Checked at cold start: a bad policy fails the first invocation with a message naming each field. */
export function getPolicy(): RotationPolicy {
  policy ??= policyFromEnvironment();
  return policy;
}

let adminCredentials: AdminCredentials | undefined;

/** The deployment's admin credential(s): ADMIN_SECRET_ID (one) or ADMIN_SECRETS (one per org). */
export function getAdminCredentials(): AdminCredentials {
  adminCredentials ??= adminCredentialsFromEnvironment();
  return adminCredentials;
}

/**
 * The admin credential secret for a managed secret (see `admin-credentials.ts`): the one admin
 * credential, or the one of the target's org. Per org, a step without a target is a configuration
 * error and a target whose org has no credential a typed refusal.
 */
export function getAdminSecretId(target: AdminTarget | null = null): string {
  return adminSecretIdFor(getAdminCredentials(), target);
}

const adminSecretArns = new Map<string, Promise<string>>();

/** A secret's full ARN (an id may be a name or partial ARN); described once per container. */
function describedArn(secretId: string): Promise<string> {
  let arn = adminSecretArns.get(secretId);
  if (arn === undefined) {
    arn = getSecretStore()
      .describe(secretId)
      .then((secret) => secret.arn);
    adminSecretArns.set(secretId, arn);
    arn.catch(() => {
      adminSecretArns.delete(secretId);
    });
  }
  return arn;
}

/** The full ARN of the admin credential secret for `target` (see `getAdminSecretId`). */
export function getAdminSecretArn(target: AdminTarget | null = null): Promise<string> {
  return describedArn(getAdminSecretId(target));
}

/** The full ARNs of every admin credential secret of the deployment: the rotator rotates none of them. */
export function getAdminSecretArns(): Promise<string[]> {
  return Promise.all(adminSecretIds(getAdminCredentials()).map(describedArn));
}

export function hookTiming(): { maxWaitMs: number; pollMs: number } {
  return {
    maxWaitMs: positiveInt('HOOK_MAX_WAIT_SECONDS', 840) * 1000,
    pollMs: positiveInt('HOOK_POLL_MILLIS', 2_000),
  };
}

const resetHooks = new Set<() => void>();

/** Lets a module that caches more dependencies (the Genesys runtime) drop them in `resetRuntime`. */
export function onResetRuntime(reset: () => void): void {
  resetHooks.add(reset);
}

/** Drops every cached dependency: local mode and tests re-read the environment. */
export function resetRuntime(): void {
  secretStore = undefined;
  executions = undefined;
  policy = undefined;
  adminCredentials = undefined;
  adminSecretArns.clear();
  resetSecretsManagerClient();
  resetSfnClient();
  for (const reset of resetHooks) reset();
}
