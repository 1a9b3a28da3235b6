/**
 * Kind `oauth-client` as a `RotationKindStrategy`: the existing core functions, unchanged, behind
 * the seam. A handler builds it with the ports of its own function (least privilege: a function
 * that never deletes a client gets no port that can), so every port is optional here and a step
 * whose port is missing fails loudly instead of running with another function's rights.
 */
import type { RotationState } from '../../shared/contract.js';
import { InvalidInputError } from '../../shared/errors.js';
import type { RotationPolicy } from '../../shared/policy.js';
import type {
  Clock,
  CredentialProbePort,
  ExecutionsPort,
  GenesysAdminPort,
  SecretStorePort,
} from '../../shared/ports.js';
import { checkAdoption, checkRetirement } from '../adoption.js';
import { createPendingClient } from '../create.js';
import { rotateInEmergency } from '../emergency.js';
import { fetchInventory } from '../fetch.js';
import {
  deactivateLegacyClient,
  deleteLegacyClient,
  reactivateLegacyClient,
  rollbackCreatedClient,
} from '../retire.js';
import { type DependentPropagator, syncPromotion } from '../sync.js';
import { evaluateRotation } from '../validate.js';
import { verifyPendingCredential } from '../verify.js';
import type { RotationKindStrategy } from './strategy.js';

export interface OAuthClientStrategyPorts {
  readonly secrets?: SecretStorePort;
  readonly genesys?: GenesysAdminPort;
  readonly probe?: CredentialProbePort;
  readonly executions?: ExecutionsPort;
  readonly policy?: RotationPolicy;
  readonly clock: Clock;
  readonly admin?: { readonly secretArn: string; readonly environment: string };
  readonly propagators?: readonly DependentPropagator[];
}

function need<T>(port: T | undefined, name: string, step: string): T {
  if (port === undefined) throw new InvalidInputError(`${step} of kind oauth-client needs the ${name} port`);
  return port;
}

export function oauthClientStrategy(ports: OAuthClientStrategyPorts): RotationKindStrategy {
  const { clock } = ports;
  const secrets = (step: string) => need(ports.secrets, 'secrets', step);
  const genesys = (step: string) => need(ports.genesys, 'genesys', step);
  const retireDeps = (step: string) => ({ secrets: secrets(step), genesys: genesys(step), clock });
  return {
    kind: 'oauth-client',
    inventory: async (rawInput, executionId) =>
      fetchInventory(
        {
          secrets: secrets('Fetch'),
          genesys: genesys('Fetch'),
          executions: need(ports.executions, 'executions', 'Fetch'),
          policy: need(ports.policy, 'policy', 'Fetch'),
          clock,
          admin: need(ports.admin, 'admin', 'Fetch'),
        },
        rawInput,
        executionId,
      ),
    evaluate: (state: RotationState, now: Date) =>
      evaluateRotation(state, need(ports.policy, 'policy', 'Validate'), now),
    create: async (state) =>
      createPendingClient({ secrets: secrets('Create'), genesys: genesys('Create') }, state),
    verify: async (state) =>
      verifyPendingCredential(
        { secrets: secrets('Verify'), probe: need(ports.probe, 'probe', 'Verify') },
        state,
      ),
    promote: async (state) =>
      syncPromotion({ secrets: secrets('Sync'), clock, propagators: ports.propagators ?? [] }, state),
    adoption: async (state) => checkAdoption({ genesys: genesys('CheckAdoption'), clock }, state),
    retirement: {
      deactivate: async (state) => deactivateLegacyClient(retireDeps('DeactivateLegacy'), state),
      check: async (state) => checkRetirement({ genesys: genesys('CheckRetirement'), clock }, state),
      reactivate: async (state) => reactivateLegacyClient(retireDeps('ReactivateLegacy'), state),
      remove: async (state) => deleteLegacyClient(retireDeps('DeleteLegacy'), state),
    },
    rollback: async (state) => rollbackCreatedClient(retireDeps('RollbackCreate'), state),
    emergency: async (state) =>
      rotateInEmergency({ secrets: secrets('Emergency'), genesys: genesys('Emergency'), clock }, state),
  };
}
