import { evaluateRotation } from '../core/validate.js';
import { RotationStateSchema } from '../shared/contract.js';
import { clock, getPolicy } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';
import * as z from '../shared/zod.js';

export const handler = stepHandler(
  'Validate',
  z.object({ state: RotationStateSchema }),
  async ({ state }) => {
    const { validation, refusal } = evaluateRotation(state, getPolicy(), clock.now());
    // A dry run reports every check; a real run stops at the first refusal with its typed error.
    if (refusal !== null && !state.dryRun) throw refusal;
    return validation;
  },
);
