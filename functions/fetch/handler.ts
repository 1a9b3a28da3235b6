import { fetchInventory } from '../core/fetch.js';
import { FetchTaskInputSchema } from '../shared/contract.js';
import { getGenesysAdmin } from '../shared/genesys-runtime.js';
import { clock, getAdminSecretArn, getExecutions, getPolicy, getSecretStore } from '../shared/runtime.js';
import { getHardCodedSecretGuard } from '../shared/scan-runtime.js';
import { stepHandler } from '../shared/step-handler.js';

export const handler = stepHandler('Fetch', FetchTaskInputSchema, async ({ input, executionId }) => {
  const secrets = getSecretStore();
  const genesys = await getGenesysAdmin();
  const adminSecretArn = await getAdminSecretArn();
  const hardCodedSecrets = await getHardCodedSecretGuard();
  return fetchInventory(
    {
      secrets,
      genesys,
      executions: getExecutions(),
      policy: getPolicy(),
      clock,
      admin: { secretArn: adminSecretArn, environment: genesys.environment },
      ...(hardCodedSecrets ? { hardCodedSecrets } : {}),
    },
    input,
    executionId,
  );
});
