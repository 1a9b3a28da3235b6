import { describeRotation, measureRetirement } from '../core/measures.js';
import {
  deactivateLegacyClient,
  deleteLegacyClient,
  reactivateLegacyClient,
  rollbackCreatedClient,
} from '../core/retire.js';
import { DeleteOrRollbackInputSchema } from '../shared/contract.js';
import { getGenesysAdmin } from '../shared/genesys-runtime.js';
import { metrics } from '../shared/metrics.js';
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
      case 'delete': {
        const retired = await deleteLegacyClient(deps, state);
        describeRotation(metrics, state);
        measureRetirement(metrics, state, retired, clock.now());
        return retired;
      }
      case 'reactivate':
        return reactivateLegacyClient(deps, state);
      case 'rollback':
        return rollbackCreatedClient(deps, state);
    }
  },
);
