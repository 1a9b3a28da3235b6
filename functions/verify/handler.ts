import { z } from 'zod';
import { verifyPendingCredential } from '../core/verify.js';
import { RotationStateSchema } from '../shared/contract.js';
import { getProbe, getSecretStore } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';

export const handler = stepHandler('Verify', z.object({ state: RotationStateSchema }), async ({ state }) =>
  verifyPendingCredential({ secrets: getSecretStore(), probe: getProbe() }, state),
);
