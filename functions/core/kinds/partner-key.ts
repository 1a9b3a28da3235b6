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
import { partnerKeyState } from '../../shared/contract.js';
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
import type { RotationKindStrategy } from './strategy.js';

export interface PartnerKeyStrategyPorts {
  readonly secrets?: SecretStorePort;
  /** Genesys integrations (admin credential), built on first use. */
  readonly integrations?: () => Promise<DataActionCredentialsPort>;
  /** The org of the admin credential (Fetch). */
  readonly org?: () => Promise<{ id: string; name: string }>;
  /** Only in the functions granted `lambda:InvokeFunction` on the key provider. */
  readonly provider?: KeyProviderFactory;
  readonly executions?: ExecutionsPort;
  readonly policy?: RotationPolicy;
  readonly clock: Clock;
  readonly admin?: { readonly secretArn: string; readonly environment: string };
}

function need<T>(port: T | undefined, name: string, step: string): T {
  if (port === undefined) {
    throw new InvalidInputError(`${step} of kind integration-credential needs the ${name} port`);
  }
  return port;
}

export function partnerKeyStrategy(ports: PartnerKeyStrategyPorts): RotationKindStrategy {
  const { clock } = ports;
  const secrets = (step: string) => need(ports.secrets, 'secrets', step);
  const integrations = (step: string) => need(ports.integrations, 'integrations', step)();
  const provider = (step: string): KeyProviderFactory => need(ports.provider, 'key provider', step);
  /** The provider only when the secret names one: operator-staged keys need none. */
  const providerIfAny = (state: ReturnType<typeof partnerKeyState>, step: string) =>
    state.inventory.partnerKey.keyProvider === null
      ? null
      : provider(step)(state.inventory.partnerKey.keyProvider);
  return {
    kind: 'integration-credential',
    inventory: async (fetched) =>
      fetchPartnerKeyInventory(
        {
          secrets: secrets('Fetch'),
          integrations: await integrations('Fetch'),
          executions: need(ports.executions, 'executions', 'Fetch'),
          org: need(ports.org, 'org', 'Fetch'),
          clock,
          admin: need(ports.admin, 'admin', 'Fetch'),
        },
        fetched,
      ),
    evaluate: (state, now) =>
      evaluatePartnerKeyRotation(
        partnerKeyState(state, 'Validate'),
        need(ports.policy, 'policy', 'Validate'),
        now,
      ),
    create: async (raw) => {
      const state = partnerKeyState(raw, 'Create');
      return createPendingKey(
        {
          secrets: secrets('Create'),
          // Operator-staged keys are adopted without a provider.
          provider: (name) => provider('Create')(name),
        },
        state,
      );
    },
    verify: async (raw) =>
      verifyPendingPartnerKey(
        { secrets: secrets('Verify'), provider: (name) => provider('Verify')(name) },
        partnerKeyState(raw, 'Verify'),
      ),
    promote: async (raw) =>
      promotePartnerKey(
        { secrets: secrets('Sync'), integrations: await integrations('Sync'), clock },
        partnerKeyState(raw, 'Sync'),
      ),
    adoption: async (raw) => {
      const state = partnerKeyState(raw, 'CheckAdoption');
      return checkPartnerKeyAdoption({ provider: providerIfAny(state, 'CheckAdoption'), clock }, state);
    },
    retirement: {
      deactivate: async (raw) => keepLegacyKeyValid({ clock }, partnerKeyState(raw, 'DeactivateLegacy'), 'DeactivateLegacy'),
      check: async (raw) => {
        const state = partnerKeyState(raw, 'CheckRetirement');
        return checkPartnerKeyRetirement({ provider: providerIfAny(state, 'CheckRetirement'), clock }, state);
      },
      reactivate: async (raw) =>
        keepLegacyKeyValid({ clock }, partnerKeyState(raw, 'ReactivateLegacy'), 'ReactivateLegacy'),
      remove: async (raw) =>
        retireLegacyKey(
          {
            secrets: secrets('DeleteLegacy'),
            integrations: await integrations('DeleteLegacy'),
            provider: (name) => provider('DeleteLegacy')(name),
            clock,
          },
          partnerKeyState(raw, 'DeleteLegacy'),
        ),
    },
    discardPending: async (raw) =>
      discardPendingPartnerKey({ secrets: secrets('DiscardPending') }, partnerKeyState(raw, 'DiscardPending')),
    rollback: async (raw) =>
      rollbackPartnerKey(
        {
          secrets: secrets('RollbackCreate'),
          integrations: await integrations('RollbackCreate'),
          provider: (name) => provider('RollbackCreate')(name),
        },
        partnerKeyState(raw, 'RollbackCreate'),
      ),
    emergency: null,
  };
}
