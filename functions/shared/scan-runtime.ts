/**
 * The hard-coded secret check's half of the runtime (see `runtime.ts`): the guard Fetch hands to
 * `fetchInventory`, built once per warm container. `HARD_CODED_SECRET_CHECK=off` turns the check off
 * for a deployment (it is on by default; one execution opts out with `"allowHardCodedSecret": true`).
 */
import type { HardCodedSecretGuard } from '../core/scan/guard.js';
import { InvalidConfigurationError } from './errors.js';
import { createScanSourceFromSecret } from './genesys/scan-factory.js';
import { genesysRetryFromEnvironment } from './genesys-runtime.js';
import { getAdminSecretId, getSecretStore, onResetRuntime, positiveInt } from './runtime.js';

export const HARD_CODED_SECRET_CHECK_ENV = 'HARD_CODED_SECRET_CHECK';

let guard: Promise<HardCodedSecretGuard> | undefined;
onResetRuntime(() => {
  guard = undefined;
});

/** The guard, or undefined when the deployment turned the check off. */
export async function getHardCodedSecretGuard(): Promise<HardCodedSecretGuard | undefined> {
  const setting = (process.env[HARD_CODED_SECRET_CHECK_ENV] ?? 'on').trim().toLowerCase();
  if (setting === 'off') return undefined;
  if (setting !== 'on') {
    throw new InvalidConfigurationError(`${HARD_CODED_SECRET_CHECK_ENV} must be "on" or "off"`);
  }
  const retry = genesysRetryFromEnvironment();
  guard ??= createScanSourceFromSecret(getSecretStore(), getAdminSecretId(), {
    ...(retry ? { retry } : {}),
    requestsPerMinute: positiveInt('SCAN_REQUESTS_PER_MINUTE', 240) || 240,
  }).then((source) => ({
    source,
    secrets: getSecretStore(),
    scan: { concurrency: positiveInt('SCAN_CONCURRENCY', 4) || 4 },
  }));
  guard.catch(() => {
    guard = undefined;
  });
  return guard;
}
