import * as z from 'zod';
import { oauthClientAdoptionSteps } from '../core/kinds/oauth-client.js';
import { partnerKeyAdoptionSteps } from '../core/kinds/partner-key.js';
import { type KindRegistry, strategyForState } from '../core/kinds/strategy.js';
import { describeRotation, measureAdoption } from '../core/measures.js';
import { TaskStateSchema } from '../shared/contract.js';
import { getGenesysAdmin } from '../shared/genesys-runtime.js';
import { metrics } from '../shared/metrics.js';
import { keyProviderFactory } from '../shared/partner-key-runtime.js';
import { clock } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';

/** `adoption`: the gate after promotion; `retirement`: the re-check after the legacy credential was retired reversibly. */
export const handler = stepHandler(
  'CheckAdoption',
  z.object({ check: z.enum(['adoption', 'retirement']).default('adoption'), state: TaskStateSchema }),
  async ({ check, state }) => {
    // OAuth clients: Genesys usage reports; partner keys: the provider's `usage` (the partner's counters).
    const registry: KindRegistry<ReturnType<typeof oauthClientAdoptionSteps>> = {
      'oauth-client': oauthClientAdoptionSteps({ genesys: getGenesysAdmin, clock }),
      'integration-credential': partnerKeyAdoptionSteps({ provider: keyProviderFactory, clock }),
    };
    const strategy = strategyForState(registry, state);
    if (check === 'retirement') return strategy.retirement.check(state);
    const adoption = await strategy.adoption(state);
    describeRotation(metrics, state);
    measureAdoption(metrics, adoption);
    return adoption;
  },
);
