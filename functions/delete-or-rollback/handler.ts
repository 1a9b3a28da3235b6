import { oauthClientRetireSteps } from '../core/kinds/oauth-client.js';
import { partnerKeyRetireSteps } from '../core/kinds/partner-key.js';
import { type KindRegistry, strategyForState } from '../core/kinds/strategy.js';
import { describeRotation, measureRetirement } from '../core/measures.js';
import { DeleteOrRollbackInputSchema } from '../shared/contract.js';
import { getGenesysAdmin } from '../shared/genesys-runtime.js';
import { metrics } from '../shared/metrics.js';
import { getDataActionCredentials, keyProviderFactory } from '../shared/partner-key-runtime.js';
import { clock, getSecretStore } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';

export const handler = stepHandler(
  'DeleteOrRollback',
  DeleteOrRollbackInputSchema,
  async ({ mode, state }) => {
    const secrets = getSecretStore();
    // Partner keys: the old key is revoked here (after the gate), and a failed rotation's new key.
    const registry: KindRegistry<ReturnType<typeof oauthClientRetireSteps>> = {
      'oauth-client': oauthClientRetireSteps({ secrets, genesys: getGenesysAdmin, clock }),
      'integration-credential': partnerKeyRetireSteps({
        secrets,
        integrations: getDataActionCredentials,
        provider: keyProviderFactory,
        clock,
      }),
    };
    const strategy = strategyForState(registry, state);
    switch (mode) {
      case 'deactivate':
        return strategy.retirement.deactivate(state);
      case 'delete': {
        const retired = await strategy.retirement.remove(state);
        describeRotation(metrics, state);
        measureRetirement(metrics, state, retired, clock.now());
        return retired;
      }
      case 'reactivate':
        return strategy.retirement.reactivate(state);
      case 'rollback':
        return strategy.rollback(state);
    }
  },
);
