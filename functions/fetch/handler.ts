/**
 * Fetch: the secret the input names is described once (`fetchSecret`), then its `genesys:kind` tag
 * picks the strategy whose inventory reads the rest.
 */
import { fetchSecret } from '../core/fetch.js';
import { oauthClientFetchSteps } from '../core/kinds/oauth-client.js';
import { partnerKeyFetchSteps } from '../core/kinds/partner-key.js';
import { type KindRegistry, type StrategySteps, strategyFor } from '../core/kinds/strategy.js';
import { FetchTaskInputSchema } from '../shared/contract.js';
import { getGenesysAdmin } from '../shared/genesys-runtime.js';
import { getAdminOrg, getDataActionCredentials } from '../shared/partner-key-runtime.js';
import { clock, getAdminSecretArn, getExecutions, getPolicy, getSecretStore } from '../shared/runtime.js';
import { getHardCodedSecretGuard } from '../shared/scan-runtime.js';
import { stepHandler } from '../shared/step-handler.js';

export const handler = stepHandler('Fetch', FetchTaskInputSchema, async ({ input, executionId }) => {
  const secrets = getSecretStore();
  const genesys = await getGenesysAdmin();
  const adminSecretArn = await getAdminSecretArn();
  const hardCodedSecrets = await getHardCodedSecretGuard();
  const admin = { secretArn: adminSecretArn, environment: genesys.environment };
  const shared = { secrets, executions: getExecutions(), policy: getPolicy(), clock, admin };
  const registry: KindRegistry<StrategySteps<'inventory'>> = {
    'oauth-client': oauthClientFetchSteps({
      ...shared,
      genesys,
      ...(hardCodedSecrets ? { hardCodedSecrets } : {}),
    }),
    'integration-credential': partnerKeyFetchSteps({
      ...shared,
      integrations: getDataActionCredentials,
      org: getAdminOrg,
    }),
  };
  const fetched = await fetchSecret({ secrets, admin }, input, executionId);
  return strategyFor(registry, fetched.kind).inventory(fetched);
});
