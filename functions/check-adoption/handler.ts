import * as z from 'zod';
import { checkAdoption, checkRetirement } from '../core/adoption.js';
import { describeRotation, measureAdoption } from '../core/measures.js';
import { RotationStateSchema } from '../shared/contract.js';
import { getGenesysAdmin } from '../shared/genesys-runtime.js';
import { metrics } from '../shared/metrics.js';
import { clock } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';

/** `adoption`: the gate after promotion; `retirement`: the re-check after the legacy client went inactive. */
export const handler = stepHandler(
  'CheckAdoption',
  z.object({ check: z.enum(['adoption', 'retirement']).default('adoption'), state: RotationStateSchema }),
  async ({ check, state }) => {
    const deps = { genesys: await getGenesysAdmin(), clock };
    if (check === 'retirement') return checkRetirement(deps, state);
    const adoption = await checkAdoption(deps, state);
    describeRotation(metrics, state);
    measureAdoption(metrics, adoption);
    return adoption;
  },
);
