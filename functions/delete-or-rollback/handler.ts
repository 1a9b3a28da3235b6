import {
  deactivateLegacyClient,
  deleteLegacyClient,
  reactivateLegacyClient,
  rollbackCreatedClient,
} from '../core/retire.js';
import { DeleteOrRollbackInputSchema } from '../shared/contract.js';
import { getGenesysAdmin } from '../shared/genesys-runtime.js';
import { clock, getSecretStore } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';

export const handler = stepHandler(
  'DeleteOrRollback',
  DeleteOrRollbackInputSchema,
  async ({ mode, state }) => {
    const deps = { secrets: getSecretStore(), genesys: await getGenesysAdmin(), clock };
    switch (mode) {
      case 'deactivate':
        return deactivateLegacyClient(deps, state);
      case 'delete':
        return deleteLegacyClient(deps, state);
      case 'reactivate':
        return reactivateLegacyClient(deps, state);
      case 'rollback':
        return rollbackCreatedClient(deps, state);
    }
  },
);
