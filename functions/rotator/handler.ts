/**
 * The Secrets Manager rotation function. It also serves the state machine's tasks that write to
 * Secrets Manager (create, sync, discardPending, emergency), so that only the rotation function
 * ever writes the pending version or moves AWSCURRENT (docs/ARCHITECTURE.md, "Who writes").
 */
import * as z from 'zod';
import { createPendingClient } from '../core/create.js';
import { discardPendingVersion } from '../core/discard-pending.js';
import { rotateInEmergency } from '../core/emergency.js';
import { handleRotationEvent } from '../core/hook.js';
import { describeRotation, measurePromotion } from '../core/measures.js';
import { syncPromotion } from '../core/sync.js';
import { RotatorTaskInputSchema, SecretsManagerRotationEventSchema } from '../shared/contract.js';
import { getGenesysAdmin, getProbe } from '../shared/genesys-runtime.js';
import { metrics } from '../shared/metrics.js';
import { clock, getExecutions, getSecretStore, hookTiming } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';

const RotatorEventSchema = z.union([SecretsManagerRotationEventSchema, RotatorTaskInputSchema]);

export const handler = stepHandler('Rotator', RotatorEventSchema, async (event) => {
  const secrets = getSecretStore();
  if ('Step' in event) {
    return handleRotationEvent(
      { secrets, executions: getExecutions(), probe: getProbe(), clock, ...hookTiming() },
      event,
    );
  }
  const { state } = event;
  switch (event.rotatorTask) {
    case 'create':
      return createPendingClient({ secrets, genesys: await getGenesysAdmin() }, state);
    case 'sync': {
      const synced = await syncPromotion({ secrets, clock, propagators: [] }, state);
      describeRotation(metrics, state);
      measurePromotion(metrics, state, synced);
      return synced;
    }
    case 'discardPending':
      return discardPendingVersion(secrets, state, getGenesysAdmin);
    case 'emergency': {
      const emergency = await rotateInEmergency({ secrets, genesys: await getGenesysAdmin(), clock }, state);
      describeRotation(metrics, state);
      measurePromotion(metrics, state, emergency);
      return emergency;
    }
  }
});
