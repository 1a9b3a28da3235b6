/**
 * Kind `integration-credential` (a partner API key held as a Genesys integration credential of type
 * `basicAuth`, `userDefined` or `userDefinedOAuth`) as a `RotationKindStrategy`, over the partner-key
 * core functions (docs/KEY-PROVIDERS.md). Like `oauthClientStrategy`, a handler passes only the ports
 * its own function holds: only the functions granted `lambda:InvokeFunction` on the key provider
 * get a `provider` factory.
 *
 * | Task | Partner key |
 * | --- | --- |
 * | Fetch | `fetchPartnerKeyInventory` (tags, current value's key id, the integration's credential) |
 * | Validate | `evaluatePartnerKeyRotation` |
 * | Create | `issueKeyIntoPending` (provider `issue`) or `adoptStagedKeyIntoPending` (GENESYS_STAGED) |
 * | Verify | `verifyPendingKey` (provider `test`) |
 * | Sync | `flipToPendingKey` (dual slot, one action tested, flipped back on failure), then AWSCURRENT |
 * | CheckAdoption | the partner's per-key usage (provider `usage`) over the quiet period |
 * | DeactivateLegacy / ReactivateLegacy | nothing: the old key stays valid until revoked |
 * | CheckRetirement | no use of the old key since the gate |
 * | DeleteLegacy | `retireOldKey`: provider `revoke`, then the old credential object deleted |
 * | DiscardPending / Rollback | AWSPENDING dropped; `flipBack`, the new object deleted, the new key revoked |
 */
import { type AdminTarget, adminTargetOf } from '../../shared/admin-credentials.js';
import { type PartnerKeyRotationState, partnerKeyState } from '../../shared/contract.js';
import type { DataActionCredentialsPort } from '../../shared/data-action-ports.js';
import { InvalidInputError } from '../../shared/errors.js';
import type { RotationPolicy } from '../../shared/policy.js';
import type { Clock, ExecutionsPort, SecretStorePort } from '../../shared/ports.js';
import { checkPartnerKeyAdoption, checkPartnerKeyRetirement } from '../partner-key/adoption.js';
import {
  createPendingKey,
  discardPendingPartnerKey,
  fetchPartnerKeyInventory,
  type KeyProviderFactory,
  keepLegacyKeyValid,
  promotePartnerKey,
  retireLegacyKey,
  rollbackPartnerKey,
  verifyPendingPartnerKey,
} from '../partner-key/rotation.js';
import { evaluatePartnerKeyRotation } from '../partner-key/validate.js';
import type { HardCodedSecretGuard } from '../scan/guard.js';
import type { RotationKindStrategy, StrategySteps } from './strategy.js';

export interface PartnerKeyStrategyPorts {
  readonly secrets?: SecretStorePort;
  /**
   * Genesys integrations, built on first use through the admin credential of the target's org
   * (shared/admin-credentials.ts; null for Fetch, whose handler has already picked it).
   */
  readonly integrations?: (target: AdminTarget | null) => Promise<DataActionCredentialsPort>;
  /** The org of the admin credential (Fetch). */
  readonly org?: () => Promise<{ id: string; name: string }>;
  /** Only in the functions granted `lambda:InvokeFunction` on the key provider. */
  readonly provider?: KeyProviderFactory;
  readonly executions?: ExecutionsPort;
  readonly policy?: RotationPolicy;
  readonly clock: Clock;
  readonly admin?: { readonly secretArn: string; readonly environment: string };
  /** Fetch: refuses a secret whose key is hard-coded in Genesys (unless the input allows it). */
  readonly hardCodedSecrets?: HardCodedSecretGuard;
}

function need<T>(port: T | undefined, name: string, step: string): T {
  if (port === undefined) {
    throw new InvalidInputError(`${step} of kind integration-credential needs the ${name} port`);
  }
  return port;
}

const KIND = 'integration-credential' as const;

function portsOf(ports: PartnerKeyStrategyPorts) {
  const secrets = (step: string) => need(ports.secrets, 'secrets', step);
  const integrations = (step: string, state: Pick<PartnerKeyRotationState, 'inventory'> | null) =>
    need(ports.integrations, 'integrations', step)(state === null ? null : adminTargetOf(state));
  const provider = (step: string): KeyProviderFactory => need(ports.provider, 'key provider', step);
  /** The provider only when the secret names one: operator-staged keys need none. */
  const providerIfAny = (state: PartnerKeyRotationState, step: string) =>
    state.inventory.partnerKey.keyProvider === null
      ? null
      : provider(step)(state.inventory.partnerKey.keyProvider);
  return { secrets, integrations, provider, providerIfAny };
}

/** Fetch. */
export function partnerKeyFetchSteps(ports: PartnerKeyStrategyPorts): StrategySteps<'inventory'> {
  const { secrets, integrations } = portsOf(ports);
  return {
    kind: KIND,
    inventory: async (fetched) =>
      fetchPartnerKeyInventory(
        {
          secrets: secrets('Fetch'),
          integrations: await integrations('Fetch', null),
          executions: need(ports.executions, 'executions', 'Fetch'),
          org: need(ports.org, 'org', 'Fetch'),
          clock: ports.clock,
          admin: need(ports.admin, 'admin', 'Fetch'),
          ...(ports.hardCodedSecrets ? { hardCodedSecrets: ports.hardCodedSecrets } : {}),
        },
        fetched,
      ),
  };
}

/** Validate. */
export function partnerKeyEvaluateSteps(ports: PartnerKeyStrategyPorts): StrategySteps<'evaluate'> {
  return {
    kind: KIND,
    evaluate: (state, now) =>
      evaluatePartnerKeyRotation(
        partnerKeyState(state, 'Validate'),
        need(ports.policy, 'policy', 'Validate'),
        now,
      ),
  };
}

/** Rotator: issues the key (`issue`), flips and promotes, discards a pending version. */
export function partnerKeyRotatorSteps(
  ports: PartnerKeyStrategyPorts,
): StrategySteps<'create' | 'promote' | 'discardPending' | 'emergency'> {
  const { secrets, integrations, provider } = portsOf(ports);
  return {
    kind: KIND,
    // Operator-staged keys are adopted without a provider: it is asked for only when named.
    create: async (raw) =>
      createPendingKey(
        { secrets: secrets('Create'), provider: (name) => provider('Create')(name) },
        partnerKeyState(raw, 'Create'),
      ),
    promote: async (raw) => {
      const state = partnerKeyState(raw, 'Sync');
      return promotePartnerKey(
        { secrets: secrets('Sync'), integrations: await integrations('Sync', state), clock: ports.clock },
        state,
      );
    },
    discardPending: async (raw) =>
      discardPendingPartnerKey(
        { secrets: secrets('DiscardPending') },
        partnerKeyState(raw, 'DiscardPending'),
      ),
    // A leaked partner key is revoked at the partner; Validate refuses mode "emergency" for this kind.
    emergency: null,
  };
}

/** Verify: the provider's `test`. */
export function partnerKeyVerifySteps(ports: PartnerKeyStrategyPorts): StrategySteps<'verify'> {
  const { secrets, provider } = portsOf(ports);
  return {
    kind: KIND,
    verify: async (raw) =>
      verifyPendingPartnerKey(
        { secrets: secrets('Verify'), provider: (name) => provider('Verify')(name) },
        partnerKeyState(raw, 'Verify'),
      ),
  };
}

/** CheckAdoption: the partner's usage of both keys (provider `usage`). */
export function partnerKeyAdoptionSteps(
  ports: PartnerKeyStrategyPorts,
): StrategySteps<'adoption'> & { readonly retirement: Pick<RotationKindStrategy['retirement'], 'check'> } {
  const { providerIfAny } = portsOf(ports);
  return {
    kind: KIND,
    adoption: async (raw) => {
      const state = partnerKeyState(raw, 'CheckAdoption');
      return checkPartnerKeyAdoption(
        { provider: providerIfAny(state, 'CheckAdoption'), clock: ports.clock },
        state,
      );
    },
    retirement: {
      check: async (raw) => {
        const state = partnerKeyState(raw, 'CheckRetirement');
        return checkPartnerKeyRetirement(
          { provider: providerIfAny(state, 'CheckRetirement'), clock: ports.clock },
          state,
        );
      },
    },
  };
}

/** DeleteOrRollback: the old key revoked after the gate; a failed rotation flipped back and its new key revoked. */
export function partnerKeyRetireSteps(ports: PartnerKeyStrategyPorts): StrategySteps<'rollback'> & {
  readonly retirement: Pick<RotationKindStrategy['retirement'], 'deactivate' | 'reactivate' | 'remove'>;
} {
  const { secrets, integrations, provider } = portsOf(ports);
  const clock = ports.clock;
  return {
    kind: KIND,
    retirement: {
      deactivate: async (raw) =>
        keepLegacyKeyValid({ clock }, partnerKeyState(raw, 'DeactivateLegacy'), 'DeactivateLegacy'),
      reactivate: async (raw) =>
        keepLegacyKeyValid({ clock }, partnerKeyState(raw, 'ReactivateLegacy'), 'ReactivateLegacy'),
      remove: async (raw) => {
        const state = partnerKeyState(raw, 'DeleteLegacy');
        return retireLegacyKey(
          {
            secrets: secrets('DeleteLegacy'),
            integrations: await integrations('DeleteLegacy', state),
            provider: (name) => provider('DeleteLegacy')(name),
            clock,
          },
          state,
        );
      },
    },
    rollback: async (raw) => {
      const state = partnerKeyState(raw, 'RollbackCreate');
      return rollbackPartnerKey(
        {
          secrets: secrets('RollbackCreate'),
          integrations: await integrations('RollbackCreate', state),
          provider: (name) => provider('RollbackCreate')(name),
        },
        state,
      );
    },
  };
}

/** The whole strategy: every part. */
export function partnerKeyStrategy(ports: PartnerKeyStrategyPorts): RotationKindStrategy {
  const adoption = partnerKeyAdoptionSteps(ports);
  const retire = partnerKeyRetireSteps(ports);
  return {
    ...partnerKeyFetchSteps(ports),
    ...partnerKeyEvaluateSteps(ports),
    ...partnerKeyRotatorSteps(ports),
    ...partnerKeyVerifySteps(ports),
    adoption: adoption.adoption,
    rollback: retire.rollback,
    retirement: { ...adoption.retirement, ...retire.retirement },
  };
}
