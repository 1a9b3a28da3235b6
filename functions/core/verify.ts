import type { OAuthClientRotationState, RoleDivision, Verified } from '../shared/contract.js';
import { VerificationFailedError } from '../shared/errors.js';
import type { CredentialProbePort, SecretStorePort } from '../shared/ports.js';
import { requireState } from './require-state.js';
import { parseOAuthSecretValue } from './secret-value.js';
import { AWSPENDING } from './stages.js';

export interface VerifyDependencies {
  readonly secrets: SecretStorePort;
  readonly probe: CredentialProbePort;
}

const pairKey = (pair: RoleDivision) => `${pair.roleId}@${pair.divisionId}`;

function sameRoles(left: readonly RoleDivision[], right: readonly RoleDivision[]): boolean {
  const a = new Set(left.map(pairKey));
  const b = new Set(right.map(pairKey));
  return a.size === b.size && [...a].every((key) => b.has(key));
}

/**
 * Verify: the pending value is read from Secrets Manager and used only for the probe on an
 * isolated SDK client. `CredentialNotYetActiveError` from the probe is retried by the state machine.
 */
export async function verifyPendingCredential(
  deps: VerifyDependencies,
  state: OAuthClientRotationState,
): Promise<Verified> {
  const { inventory, validation, created } = requireState(
    state,
    'Verify',
    'inventory',
    'validation',
    'created',
  );
  const pending = parseOAuthSecretValue(
    await deps.secrets.getValue(inventory.secretArn, { versionId: created.versionId, stage: AWSPENDING }),
    `The pending value of secret ${inventory.secretName}`,
  );
  if (pending.clientId !== created.newClientId) {
    throw new VerificationFailedError(
      `The pending value names client ${pending.clientId}, not the client ${created.newClientId} created for this rotation`,
    );
  }
  const result = await deps.probe.probe(pending);
  if (result.clientId !== created.newClientId) {
    throw new VerificationFailedError(
      `A token minted with the pending credential belongs to client ${result.clientId}, not ${created.newClientId}`,
    );
  }
  if (result.orgId !== inventory.org.id) {
    throw new VerificationFailedError(
      `Client ${created.newClientId} is in org ${result.orgId}, not ${inventory.org.id}`,
    );
  }
  if (!sameRoles(result.roleDivisions, validation.plan.roleDivisions)) {
    throw new VerificationFailedError(
      `Client ${created.newClientId} holds ${result.roleDivisions.length} role-division pair(s) that differ from the legacy client's ${validation.plan.roleDivisions.length}`,
    );
  }
  return { clientId: result.clientId, roleDivisionCount: result.roleDivisions.length, attempts: 1 };
}
