import { fetchInventory } from '../core/fetch.js';
import { FetchTaskInputSchema } from '../shared/contract.js';
import {
  clock,
  getAdminSecretId,
  getExecutions,
  getGenesysAdmin,
  getPolicy,
  getSecretStore,
} from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';

export const handler = stepHandler('Fetch', FetchTaskInputSchema, async ({ input, executionId }) => {
  const secrets = getSecretStore();
  const genesys = await getGenesysAdmin();
  const adminSecret = await secrets.describe(getAdminSecretId());
  return fetchInventory(
    {
      secrets,
      genesys,
      executions: getExecutions(),
      policy: getPolicy(),
      clock,
      admin: { secretArn: adminSecret.arn, environment: genesys.environment },
    },
    input,
    executionId,
  );
});
