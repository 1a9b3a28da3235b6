import { describe, expect, it } from 'vitest';
import { verifyPendingCredential } from '../../../functions/core/verify.js';
import {
  CredentialNotYetActiveError,
  FormatVerificationFailedError,
  VerificationFailedError,
} from '../../../functions/shared/errors.js';
import {
  LEGACY_CLIENT_ID,
  LEGACY_SECRET,
  SECRET_ARN,
  secretValue,
  seedCreated,
  TOKEN,
  world,
} from '../../helpers/builders.js';

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected the promise to reject with an Error');
  return outcome;
}

describe('verifyPendingCredential', () => {
  it('accepts a pending credential that mints a token for the new client with the legacy roles', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);

    // Act
    const verified = await verifyPendingCredential(w, state);

    // Assess
    expect(verified).toEqual({ clientId: state.created?.newClientId, roleDivisionCount: 2, attempts: 1 });
    expect(w.probe.probed).toEqual([{ clientId: state.created?.newClientId, environment: 'mypurecloud.ie' }]);
  });

  it('accepts the same role-division pairs in another order', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    w.probe.answer = (accepted) => ({ ...accepted, roleDivisions: [...accepted.roleDivisions].reverse() });

    // Act
    const verified = await verifyPendingCredential(w, state);

    // Assess
    expect(verified.clientId).toBe(state.created?.newClientId);
  });

  it('refuses a pending value that names another client than the one created', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    w.secrets.secret(SECRET_ARN).versions.forEach((version) => {
      if (version.versionId === TOKEN) version.value = secretValue(LEGACY_CLIENT_ID, LEGACY_SECRET);
    });

    // Act
    const error = await errorOf(verifyPendingCredential(w, state));

    // Assess
    expect(error).toBeInstanceOf(VerificationFailedError);
    expect(error.message).toContain(LEGACY_CLIENT_ID);
    expect(error.message).not.toContain(LEGACY_SECRET);
    expect(w.probe.probed).toEqual([]);
  });

  it('refuses when the token minted belongs to another client', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    w.probe.answer = (accepted) => ({ ...accepted, clientId: 'someone-else' });

    // Act
    const error = await errorOf(verifyPendingCredential(w, state));

    // Assess
    expect(error).toBeInstanceOf(VerificationFailedError);
    expect(error.message).toContain('someone-else');
  });

  it('refuses a new client whose roles differ from the legacy client', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    const created = w.genesys.clients.get(state.created?.newClientId ?? '');
    if (created === undefined) throw new Error('no created client');
    created.record = {
      ...created.record,
      roleDivisions: [{ roleId: 'role-reporting', divisionId: 'div-home' }],
    };

    // Act
    const error = await errorOf(verifyPendingCredential(w, state));

    // Assess
    expect(error).toBeInstanceOf(VerificationFailedError);
    expect(error.message).toContain('differ');
  });

  it('refuses a new client that holds one extra role-division pair', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    w.probe.answer = (accepted) => ({
      ...accepted,
      roleDivisions: [...accepted.roleDivisions, { roleId: 'role-admin', divisionId: 'div-home' }],
    });

    // Act
    const act = verifyPendingCredential(w, state);

    // Assess
    await expect(act).rejects.toThrow(VerificationFailedError);
  });

  it('refuses a new client that lives in another org', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    w.probe.answer = (accepted) => ({ ...accepted, orgId: 'org-elsewhere' });

    // Act
    const error = await errorOf(verifyPendingCredential(w, state));

    // Assess
    expect(error).toBeInstanceOf(VerificationFailedError);
    expect(error.message).toContain('org-elsewhere');
  });

  it('lets the probe say "not yet active" so the state machine retries, and succeeds once Genesys accepts it', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    w.probe.notYetActive = 1;

    // Act
    const first = await errorOf(verifyPendingCredential(w, state));
    const second = await verifyPendingCredential(w, state);

    // Assess
    expect(first).toBeInstanceOf(CredentialNotYetActiveError);
    expect(first.name).toBe('CredentialNotYetActiveError');
    expect(second.clientId).toBe(state.created?.newClientId);
  });

  it('refuses when the pending version has no value any more', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    await w.secrets.removeStage(SECRET_ARN, 'AWSPENDING', TOKEN);

    // Act
    const act = verifyPendingCredential(w, state);

    // Assess
    await expect(act).rejects.toThrow(FormatVerificationFailedError);
    expect(w.probe.probed).toEqual([]);
  });
});
