/**
 * Validate: pure policy over the inventory, by the state's kind. It calls the two kinds' `evaluate`
 * functions directly rather than building their strategies: Validate holds no port, and its bundle
 * stays free of the other steps' code (and of the Genesys SDK).
 */
import { evaluatePartnerKeyRotation } from '../core/partner-key/validate.js';
import { evaluateRotation } from '../core/validate.js';
import { isPartnerKeyState, TaskStateSchema } from '../shared/contract.js';
import { clock, getPolicy } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';
import * as z from '../shared/zod.js';

export const handler = stepHandler('Validate', z.object({ state: TaskStateSchema }), async ({ state }) => {
  const { validation, refusal } = isPartnerKeyState(state)
    ? evaluatePartnerKeyRotation(state, getPolicy(), clock.now())
    : evaluateRotation(state, getPolicy(), clock.now());
  // A dry run reports every check; a real run stops at the first refusal with its typed error.
  if (refusal !== null && !state.dryRun) throw refusal;
  return validation;
});
