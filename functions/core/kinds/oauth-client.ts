/**
 * Kind `oauth-client` as a `RotationKindStrategy`: the existing core functions, unchanged, behind
 * the seam. A handler builds it with the ports of its own function (least privilege: a function
 * that never deletes a client gets no port that can), so every port is optional here and a step
 * whose port is missing fails loudly instead of running with another function's rights.
 *
 * The strategy is also exported in the parts each function serves (`oauthClientFetchSteps`, ...):
 * a handler imports only its part, so its bundle carries only the steps it runs.
 */
import { type AdminTarget, adminTargetOf, adminTargetOfSecret } from '../../shared/admin-credentials.js';
import { oauthClientState, type RotationState } from '../../shared/contract.js';
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
  /**
   * Built on first use: a step that never calls Genesys as the admin never reads the admin secret.
   * A factory gets the rotation's target, whose org picks the admin credential
   * (shared/admin-credentials.ts).
   */
  readonly genesys?: GenesysAdminPort | ((target: AdminTarget | null) => Promise<GenesysAdminPort>);
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
  const genesys = async (step: string, target: AdminTarget | null): Promise<GenesysAdminPort> => {
    const port = need(ports.genesys, 'genesys', step);
    return typeof port === 'function' ? port(target) : port;
  };
  const retireDeps = async (step: string, state: Pick<RotationState, 'inventory'>) => ({
    secrets: secrets(step),
    genesys: await genesys(step, adminTargetOf(state)),
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
          genesys: await genesys('Fetch', null),
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
    create: async (raw) => {
      const state = oauthClientState(raw, 'Create');
      return createPendingClient(
        { secrets: secrets('Create'), genesys: await genesys('Create', adminTargetOf(state)) },
        state,
      );
    },
    promote: async (state) =>
      syncPromotion(
        { secrets: secrets('Sync'), clock: ports.clock, propagators: ports.propagators ?? [] },
        oauthClientState(state, 'Sync'),
      ),
    discardPending: async (state) =>
      // Without an inventory (Fetch failed) the described secret's tags pick the admin credential.
      discardPendingVersion(secrets('DiscardPending'), oauthClientState(state, 'DiscardPending'), (secret) =>
        genesys('DiscardPending', adminTargetOfSecret(secret)),
      ),
    emergency: async (raw) => {
      const state = oauthClientState(raw, 'Emergency');
      return rotateInEmergency(
        {
          secrets: secrets('Emergency'),
          genesys: await genesys('Emergency', adminTargetOf(state)),
          clock: ports.clock,
        },
        state,
      );
    },
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
    adoption: async (raw) => {
      const state = oauthClientState(raw, 'CheckAdoption');
      return checkAdoption(
        { genesys: await genesys('CheckAdoption', adminTargetOf(state)), clock: ports.clock },
        state,
      );
    },
    retirement: {
      check: async (raw) => {
        const state = oauthClientState(raw, 'CheckRetirement');
        return checkRetirement(
          { genesys: await genesys('CheckRetirement', adminTargetOf(state)), clock: ports.clock },
          state,
        );
      },
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
          await retireDeps('DeactivateLegacy', state),
          oauthClientState(state, 'DeactivateLegacy'),
        ),
      reactivate: async (state) =>
        reactivateLegacyClient(
          await retireDeps('ReactivateLegacy', state),
          oauthClientState(state, 'ReactivateLegacy'),
        ),
      remove: async (state) =>
        deleteLegacyClient(await retireDeps('DeleteLegacy', state), oauthClientState(state, 'DeleteLegacy')),
    },
    rollback: async (state) =>
      rollbackCreatedClient(
        await retireDeps('RollbackCreate', state),
        oauthClientState(state, 'RollbackCreate'),
      ),
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
