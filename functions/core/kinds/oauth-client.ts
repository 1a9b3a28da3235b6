/**
 * Kind `oauth-client` as a `RotationKindStrategy`: the existing core functions, unchanged, behind
 * the seam. A handler builds it with the ports of its own function (least privilege: a function
 * that never deletes a client gets no port that can), so every port is optional here and a step
 * whose port is missing fails loudly instead of running with another function's rights.
 *
 * The strategy is also exported in the parts each function serves (`oauthClientFetchSteps`, ...):
 * a handler imports only its part, so its bundle carries only the steps it runs.
 */
import { oauthClientState } from '../../shared/contract.js';
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
import { discardPendingVersion } from '../discard-pending.js';
import { rotateInEmergency } from '../emergency.js';
import { oauthClientInventory } from '../fetch.js';
import {
  deactivateLegacyClient,
  deleteLegacyClient,
  reactivateLegacyClient,
  rollbackCreatedClient,
} from '../retire.js';
import type { HardCodedSecretGuard } from '../scan/guard.js';
import { type DependentPropagator, syncPromotion } from '../sync.js';
import { evaluateRotation } from '../validate.js';
import { verifyPendingCredential } from '../verify.js';
import type { RotationKindStrategy, StrategySteps } from './strategy.js';

export interface OAuthClientStrategyPorts {
  readonly secrets?: SecretStorePort;
  /** Built on first use: a step that never calls Genesys as the admin never reads the admin secret. */
  readonly genesys?: GenesysAdminPort | (() => Promise<GenesysAdminPort>);
  readonly probe?: CredentialProbePort;
  readonly executions?: ExecutionsPort;
  readonly policy?: RotationPolicy;
  readonly clock: Clock;
  readonly admin?: { readonly secretArn: string; readonly environment: string };
  readonly propagators?: readonly DependentPropagator[];
  readonly hardCodedSecrets?: HardCodedSecretGuard;
}

const KIND = 'oauth-client' as const;

function need<T>(port: T | undefined, name: string, step: string): T {
  if (port === undefined) throw new InvalidInputError(`${step} of kind oauth-client needs the ${name} port`);
  return port;
}

function portsOf(ports: OAuthClientStrategyPorts) {
  const secrets = (step: string) => need(ports.secrets, 'secrets', step);
  const genesys = async (step: string): Promise<GenesysAdminPort> => {
    const port = need(ports.genesys, 'genesys', step);
    return typeof port === 'function' ? port() : port;
  };
  const retireDeps = async (step: string) => ({
    secrets: secrets(step),
    genesys: await genesys(step),
    clock: ports.clock,
  });
  return { secrets, genesys, retireDeps };
}

/** Fetch. */
export function oauthClientFetchSteps(ports: OAuthClientStrategyPorts): StrategySteps<'inventory'> {
  const { secrets, genesys } = portsOf(ports);
  return {
    kind: KIND,
    inventory: async (fetched) =>
      oauthClientInventory(
        {
          secrets: secrets('Fetch'),
          genesys: await genesys('Fetch'),
          executions: need(ports.executions, 'executions', 'Fetch'),
          policy: need(ports.policy, 'policy', 'Fetch'),
          clock: ports.clock,
          admin: need(ports.admin, 'admin', 'Fetch'),
          ...(ports.hardCodedSecrets ? { hardCodedSecrets: ports.hardCodedSecrets } : {}),
        },
        fetched,
      ),
  };
}

/** Validate. */
export function oauthClientEvaluateSteps(ports: OAuthClientStrategyPorts): StrategySteps<'evaluate'> {
  return {
    kind: KIND,
    evaluate: (state, now) =>
      evaluateRotation(oauthClientState(state, 'Validate'), need(ports.policy, 'policy', 'Validate'), now),
  };
}

/** Rotator: the writer of the managed secret. */
export function oauthClientRotatorSteps(
  ports: OAuthClientStrategyPorts,
): StrategySteps<'create' | 'promote' | 'discardPending' | 'emergency'> {
  const { secrets, genesys } = portsOf(ports);
  return {
    kind: KIND,
    create: async (state) =>
      createPendingClient(
        { secrets: secrets('Create'), genesys: await genesys('Create') },
        oauthClientState(state, 'Create'),
      ),
    promote: async (state) =>
      syncPromotion(
        { secrets: secrets('Sync'), clock: ports.clock, propagators: ports.propagators ?? [] },
        oauthClientState(state, 'Sync'),
      ),
    discardPending: async (state) =>
      discardPendingVersion(secrets('DiscardPending'), oauthClientState(state, 'DiscardPending'), () =>
        genesys('DiscardPending'),
      ),
    emergency: async (state) =>
      rotateInEmergency(
        { secrets: secrets('Emergency'), genesys: await genesys('Emergency'), clock: ports.clock },
        oauthClientState(state, 'Emergency'),
      ),
  };
}

/** Verify. */
export function oauthClientVerifySteps(ports: OAuthClientStrategyPorts): StrategySteps<'verify'> {
  const { secrets } = portsOf(ports);
  return {
    kind: KIND,
    verify: async (state) =>
      verifyPendingCredential(
        { secrets: secrets('Verify'), probe: need(ports.probe, 'probe', 'Verify') },
        oauthClientState(state, 'Verify'),
      ),
  };
}

/** CheckAdoption: the adoption gate and the retirement check. */
export function oauthClientAdoptionSteps(
  ports: OAuthClientStrategyPorts,
): StrategySteps<'adoption'> & { readonly retirement: Pick<RotationKindStrategy['retirement'], 'check'> } {
  const { genesys } = portsOf(ports);
  return {
    kind: KIND,
    adoption: async (state) =>
      checkAdoption(
        { genesys: await genesys('CheckAdoption'), clock: ports.clock },
        oauthClientState(state, 'CheckAdoption'),
      ),
    retirement: {
      check: async (state) =>
        checkRetirement(
          { genesys: await genesys('CheckRetirement'), clock: ports.clock },
          oauthClientState(state, 'CheckRetirement'),
        ),
    },
  };
}

/** DeleteOrRollback: retirement of the legacy client, and the rollback of a failed Create. */
export function oauthClientRetireSteps(ports: OAuthClientStrategyPorts): StrategySteps<'rollback'> & {
  readonly retirement: Pick<RotationKindStrategy['retirement'], 'deactivate' | 'reactivate' | 'remove'>;
} {
  const { retireDeps } = portsOf(ports);
  return {
    kind: KIND,
    retirement: {
      deactivate: async (state) =>
        deactivateLegacyClient(
          await retireDeps('DeactivateLegacy'),
          oauthClientState(state, 'DeactivateLegacy'),
        ),
      reactivate: async (state) =>
        reactivateLegacyClient(
          await retireDeps('ReactivateLegacy'),
          oauthClientState(state, 'ReactivateLegacy'),
        ),
      remove: async (state) =>
        deleteLegacyClient(await retireDeps('DeleteLegacy'), oauthClientState(state, 'DeleteLegacy')),
    },
    rollback: async (state) =>
      rollbackCreatedClient(await retireDeps('RollbackCreate'), oauthClientState(state, 'RollbackCreate')),
  };
}

/** The whole strategy: every part. */
export function oauthClientStrategy(ports: OAuthClientStrategyPorts): RotationKindStrategy {
  const adoption = oauthClientAdoptionSteps(ports);
  const retire = oauthClientRetireSteps(ports);
  return {
    ...oauthClientFetchSteps(ports),
    ...oauthClientEvaluateSteps(ports),
    ...oauthClientRotatorSteps(ports),
    ...oauthClientVerifySteps(ports),
    adoption: adoption.adoption,
    rollback: retire.rollback,
    retirement: { ...adoption.retirement, ...retire.retirement },
  };
}
