import { z } from 'zod';
import { checkAdoption } from '../core/adoption.js';
import { RotationStateSchema } from '../shared/contract.js';
import { clock, getGenesysAdmin } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';

export const handler = stepHandler(
  'CheckAdoption',
  z.object({ state: RotationStateSchema }),
  async ({ state }) => checkAdoption({ genesys: await getGenesysAdmin(), clock }, state),
);
