import * as z from 'zod';
import { describeRotation, measureVerifyAttempt } from '../core/measures.js';
import { verifyPendingCredential } from '../core/verify.js';
import { RotationStateSchema } from '../shared/contract.js';
import { getProbe } from '../shared/genesys-runtime.js';
import { metrics } from '../shared/metrics.js';
import { getSecretStore } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';

export const handler = stepHandler('Verify', z.object({ state: RotationStateSchema }), async ({ state }) => {
  describeRotation(metrics, state);
  try {
    const verified = await verifyPendingCredential({ secrets: getSecretStore(), probe: getProbe() }, state);
    measureVerifyAttempt(metrics, true);
    return verified;
  } catch (error) {
    measureVerifyAttempt(metrics, false);
    throw error;
  }
});
