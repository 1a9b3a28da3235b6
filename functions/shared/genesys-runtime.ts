/**
 * The Genesys half of the runtime (see `runtime.ts`): the admin adapter and the credential probe,
 * built from the environment. Only the functions that call Genesys import it, so only their
 * bundles carry the Genesys SDK.
 */

import type { AdminTarget } from './admin-credentials.js';
import {
  createGenesysAdminFromSecret,
  createGenesysCredentialProbe,
  type GenesysAdmin,
  type RetryPolicy,
} from './genesys/index.js';
import type { CredentialProbePort } from './ports.js';
import { getAdminSecretId, getSecretStore, onResetRuntime, positiveInt } from './runtime.js';

let probe: CredentialProbePort | undefined;
onResetRuntime(() => {
  probe = undefined;
});

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

/**
 * The admin adapter for a managed secret: the rotator's one admin credential, or (one per org) the
 * credential of the target's org (`admin-credentials.ts`); cached per credential secret.
 */
export function getGenesysAdmin(target: AdminTarget | null = null): Promise<GenesysAdmin> {
  const retry = genesysRetryFromEnvironment();
  return createGenesysAdminFromSecret(getSecretStore(), getAdminSecretId(target), {
    ...(retry ? { retry } : {}),
    usagePoll: {
      intervalMs: positiveInt('GENESYS_USAGE_POLL_MILLIS', 2_000),
      maxPolls: positiveInt('GENESYS_USAGE_MAX_POLLS', 15),
    },
  });
}
