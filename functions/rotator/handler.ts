/**
 * The Secrets Manager rotation function. It also serves the state machine's tasks that write to
 * Secrets Manager (create, sync, discardPending, emergency), so that only the rotation function
 * ever writes the pending version or moves AWSCURRENT (docs/ARCHITECTURE.md, "Who writes"). Each
 * task runs the strategy of the state's kind.
 */
import * as z from 'zod';
import { handleRotationEvent } from '../core/hook.js';
import { oauthClientRotatorSteps } from '../core/kinds/oauth-client.js';
import { partnerKeyRotatorSteps } from '../core/kinds/partner-key.js';
import { type KindRegistry, type StrategySteps, strategyForState } from '../core/kinds/strategy.js';
import { describeRotation, measurePromotion } from '../core/measures.js';
import { RotatorTaskInputSchema, SecretsManagerRotationEventSchema } from '../shared/contract.js';
import { UnsupportedKindError } from '../shared/errors.js';
import { getGenesysAdmin, getProbe } from '../shared/genesys-runtime.js';
import { metrics } from '../shared/metrics.js';
import { getDataActionCredentials, keyProviderFactory } from '../shared/partner-key-runtime.js';
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
  // The Rotator issues keys (`issue`): it is the only function that writes the pending version.
  const registry: KindRegistry<StrategySteps<'create' | 'promote' | 'discardPending' | 'emergency'>> = {
    'oauth-client': oauthClientRotatorSteps({ secrets, genesys: getGenesysAdmin, clock }),
    'integration-credential': partnerKeyRotatorSteps({
      secrets,
      integrations: getDataActionCredentials,
      provider: keyProviderFactory,
      clock,
    }),
  };
  const strategy = strategyForState(registry, state);
  switch (event.rotatorTask) {
    case 'create':
      return strategy.create(state);
    case 'sync': {
      const synced = await strategy.promote(state);
      describeRotation(metrics, state);
      measurePromotion(metrics, state, synced);
      return synced;
    }
    case 'discardPending':
      return strategy.discardPending(state);
    case 'emergency': {
      if (strategy.emergency === null) {
        throw new UnsupportedKindError(`Kind ${strategy.kind} has no emergency rotation`);
      }
      const emergency = await strategy.emergency(state);
      describeRotation(metrics, state);
      measurePromotion(metrics, state, emergency);
      return emergency;
    }
  }
});
