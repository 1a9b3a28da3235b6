/**
 * Fetch: the secret the input names is described once (`fetchSecret`), then its `genesys:kind` tag
 * picks the strategy whose inventory reads the rest, with the admin credential of the secret's org.
 */
import { fetchSecret } from '../core/fetch.js';
import { oauthClientFetchSteps } from '../core/kinds/oauth-client.js';
import { partnerKeyFetchSteps } from '../core/kinds/partner-key.js';
import { type KindRegistry, type StrategySteps, strategyFor } from '../core/kinds/strategy.js';
import { adminTargetOfSecret } from '../shared/admin-credentials.js';
import { FetchTaskInputSchema } from '../shared/contract.js';
import { getGenesysAdmin } from '../shared/genesys-runtime.js';
import { getAdminOrg, getDataActionCredentials } from '../shared/partner-key-runtime.js';
import {
  clock,
  getAdminSecretArn,
  getAdminSecretArns,
  getExecutions,
  getPolicy,
  getSecretStore,
} from '../shared/runtime.js';
import { getHardCodedSecretGuard } from '../shared/scan-runtime.js';
import { stepHandler } from '../shared/step-handler.js';

export const handler = stepHandler('Fetch', FetchTaskInputSchema, async ({ input, executionId }) => {
  const secrets = getSecretStore();
  // First: a missing admin credential setting is the configuration error to report.
  const adminSecretArns = await getAdminSecretArns();
  const fetched = await fetchSecret({ secrets, adminSecretArns }, input, executionId);
  // The admin credential of the secret's own org (the one credential when there is one), chosen
  // before any Genesys call: a secret of an org without one is refused here, and no other org's is used.
  const target = adminTargetOfSecret(fetched.secret);
  const genesys = await getGenesysAdmin(target);
  const hardCodedSecrets = await getHardCodedSecretGuard(target);
  const admin = { secretArn: await getAdminSecretArn(target), environment: genesys.environment };
  const shared = { secrets, executions: getExecutions(), policy: getPolicy(), clock, admin };
  const registry: KindRegistry<StrategySteps<'inventory'>> = {
    'oauth-client': oauthClientFetchSteps({
      ...shared,
      genesys,
      ...(hardCodedSecrets ? { hardCodedSecrets } : {}),
    }),
    'integration-credential': partnerKeyFetchSteps({
      ...shared,
      integrations: () => getDataActionCredentials(target),
      org: () => getAdminOrg(target),
      ...(hardCodedSecrets ? { hardCodedSecrets } : {}),
    }),
  };
  return strategyFor(registry, fetched.kind).inventory(fetched);
});
