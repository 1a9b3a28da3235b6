import * as z from 'zod';
import { checkAdoption } from '../core/adoption.js';
import { RotationStateSchema } from '../shared/contract.js';
import { getGenesysAdmin } from '../shared/genesys-runtime.js';
import { clock } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';

export const handler = stepHandler(
  'CheckAdoption',
  z.object({ state: RotationStateSchema }),
  async ({ state }) => checkAdoption({ genesys: await getGenesysAdmin(), clock }, state),
);
