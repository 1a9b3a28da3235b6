/**
 * The hard-coded secret check's half of the runtime (see `runtime.ts`): the guard Fetch hands to
 * `fetchInventory`, built once per warm container. `HARD_CODED_SECRET_CHECK=off` turns the check off
 * for a deployment (it is on by default; one execution opts out with `"allowHardCodedSecret": true`).
 */
import type { HardCodedSecretGuard } from '../core/scan/guard.js';
import type { AdminTarget } from './admin-credentials.js';
import { InvalidConfigurationError } from './errors.js';
import { createScanSourceFromSecret } from './genesys/scan-factory.js';
import { genesysRetryFromEnvironment } from './genesys-runtime.js';
import { getAdminSecretId, getSecretStore, onResetRuntime, positiveInt } from './runtime.js';

export const HARD_CODED_SECRET_CHECK_ENV = 'HARD_CODED_SECRET_CHECK';

/** One guard per admin credential secret: a scan reads the org of the credential it runs with. */
const guards = new Map<string, Promise<HardCodedSecretGuard>>();
onResetRuntime(() => {
  guards.clear();
});

/**
 * The guard for a managed secret (it scans the secret's org with that org's admin credential, see
 * `getAdminSecretId`), or undefined when the deployment turned the check off.
 */
export async function getHardCodedSecretGuard(
  target: AdminTarget | null = null,
): Promise<HardCodedSecretGuard | undefined> {
  const setting = (process.env[HARD_CODED_SECRET_CHECK_ENV] ?? 'on').trim().toLowerCase();
  if (setting === 'off') return undefined;
  if (setting !== 'on') {
    throw new InvalidConfigurationError(`${HARD_CODED_SECRET_CHECK_ENV} must be "on" or "off"`);
  }
  const adminSecretId = getAdminSecretId(target);
  const cached = guards.get(adminSecretId);
  if (cached !== undefined) return cached;
  const retry = genesysRetryFromEnvironment();
  const guard = createScanSourceFromSecret(getSecretStore(), adminSecretId, {
    ...(retry ? { retry } : {}),
    requestsPerMinute: positiveInt('SCAN_REQUESTS_PER_MINUTE', 240) || 240,
  }).then((source) => ({
    source,
    secrets: getSecretStore(),
    scan: { concurrency: positiveInt('SCAN_CONCURRENCY', 4) || 4 },
  }));
  guards.set(adminSecretId, guard);
  guard.catch(() => {
    if (guards.get(adminSecretId) === guard) guards.delete(adminSecretId);
  });
  return guard;
}
