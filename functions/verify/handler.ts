import * as z from 'zod';
import { verifyPendingCredential } from '../core/verify.js';
import { RotationStateSchema } from '../shared/contract.js';
import { getProbe } from '../shared/genesys-runtime.js';
import { getSecretStore } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';

export const handler = stepHandler('Verify', z.object({ state: RotationStateSchema }), async ({ state }) =>
  verifyPendingCredential({ secrets: getSecretStore(), probe: getProbe() }, state),
);
