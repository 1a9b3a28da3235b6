import * as z from 'zod';
import { oauthClientVerifySteps } from '../core/kinds/oauth-client.js';
import { partnerKeyVerifySteps } from '../core/kinds/partner-key.js';
import { type KindRegistry, type StrategySteps, strategyForState } from '../core/kinds/strategy.js';
import { describeRotation, measureVerifyAttempt } from '../core/measures.js';
import { TaskStateSchema } from '../shared/contract.js';
import { getProbe } from '../shared/genesys-runtime.js';
import { metrics } from '../shared/metrics.js';
import { keyProviderFactory } from '../shared/partner-key-runtime.js';
import { clock, getSecretStore } from '../shared/runtime.js';
import { stepHandler } from '../shared/step-handler.js';

export const handler = stepHandler('Verify', z.object({ state: TaskStateSchema }), async ({ state }) => {
  describeRotation(metrics, state);
  const secrets = getSecretStore();
  // OAuth clients: a token grant on an isolated client; partner keys: the provider's `test`.
  const registry: KindRegistry<StrategySteps<'verify'>> = {
    'oauth-client': oauthClientVerifySteps({ secrets, probe: getProbe(), clock }),
    'integration-credential': partnerKeyVerifySteps({ secrets, provider: keyProviderFactory, clock }),
  };
  try {
    const verified = await strategyForState(registry, state).verify(state);
    measureVerifyAttempt(metrics, true);
    return verified;
  } catch (error) {
    measureVerifyAttempt(metrics, false);
    throw error;
  }
});
