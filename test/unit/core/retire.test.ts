import { describe, expect, it } from 'vitest';
import {
  deactivateLegacyClient,
  deleteLegacyClient,
  rollbackCreatedClient,
} from '../../../functions/core/retire.js';
import type { OAuthClientRotationState } from '../../../functions/shared/contract.js';
import { NeedsAttentionError } from '../../../functions/shared/errors.js';
import {
  CURRENT_VERSION_ID,
  LEGACY_CLIENT_ID,
  NOW,
  OTHER_TOKEN,
  SECRET_ARN,
  seedCreated,
  TOKEN,
  type World,
  world,
} from '../../helpers/builders.js';

/** After Sync: the token's version is AWSCURRENT. */
async function promoted(w: World): Promise<OAuthClientRotationState> {
  const state = await seedCreated(w);
  await w.secrets.promote(SECRET_ARN, TOKEN, CURRENT_VERSION_ID);
  await w.secrets.removeStage(SECRET_ARN, 'AWSPENDING', TOKEN);
  return {
    ...state,
    synced: {
      currentVersionId: TOKEN,
      previousVersionId: CURRENT_VERSION_ID,
      promotedAt: NOW,
      promotedBy: 'state-machine',
    },
  };
}

describe('deactivateLegacyClient', () => {
  it('sets the legacy client inactive while AWSCURRENT holds the new credential, once', async () => {
    // Prepare
    const w = world();
    const state = await promoted(w);

    // Act
    const first = await deactivateLegacyClient(w, state);
    const second = await deactivateLegacyClient(w, state);

    // Assess
    expect(first).toEqual({ legacyClientId: LEGACY_CLIENT_ID, action: 'deactivated', at: NOW });
    expect(second).toEqual(first);
    expect(w.genesys.clients.get(LEGACY_CLIENT_ID)?.record.state).toBe('inactive');
    expect(w.genesys.callsOf('setClientState')).toEqual([[LEGACY_CLIENT_ID, 'inactive']]);
  });

  it('reports a legacy client that is already gone', async () => {
    // Prepare
    const w = world();
    const state = await promoted(w);
    w.genesys.clients.delete(LEGACY_CLIENT_ID);

    // Act
    const retired = await deactivateLegacyClient(w, state);

    // Assess
    expect(retired).toEqual({ legacyClientId: LEGACY_CLIENT_ID, action: 'already-gone' });
  });

  it('refuses, loudly, when AWSCURRENT is no longer on the rotation version', async () => {
    // Prepare
    const w = world();
    const state = await promoted(w);
    await w.secrets.promote(SECRET_ARN, CURRENT_VERSION_ID, TOKEN); // someone rolled the secret back

    // Act
    const act = deactivateLegacyClient(w, state);

    // Assess
    await expect(act).rejects.toThrow(NeedsAttentionError);
    await expect(act).rejects.toThrow(LEGACY_CLIENT_ID);
    expect(w.genesys.clients.get(LEGACY_CLIENT_ID)?.record.state).toBe('active');
    expect(w.genesys.callsOf('setClientState')).toEqual([]);
  });
});

describe('deleteLegacyClient', () => {
  it('deletes the legacy client and reports it gone when delivered again', async () => {
    // Prepare
    const w = world();
    const state = await promoted(w);

    // Act
    const first = await deleteLegacyClient(w, state);
    const second = await deleteLegacyClient(w, state);

    // Assess
    // help.mypurecloud.com: clients created more than 30 days ago stay restorable for seven days.
    expect(first).toMatchObject({ legacyClientId: LEGACY_CLIENT_ID, action: 'deleted', irreversible: false });
    expect(first.note).toContain('restorable for 7 days');
    expect(second).toEqual({ legacyClientId: LEGACY_CLIENT_ID, action: 'already-gone' });
    expect(w.genesys.clients.has(LEGACY_CLIENT_ID)).toBe(false);
    expect(w.genesys.clients.has(state.created?.newClientId ?? '')).toBe(true);
  });

  it('refuses, loudly, when AWSCURRENT is no longer on the rotation version', async () => {
    // Prepare
    const w = world();
    const state = await promoted(w);
    w.secrets.putVersion(SECRET_ARN, 'v-manual-restore-0000000000000000', '{}', ['AWSCURRENT']);

    // Act
    const act = deleteLegacyClient(w, state);

    // Assess
    await expect(act).rejects.toThrow(NeedsAttentionError);
    expect(w.genesys.clients.has(LEGACY_CLIENT_ID)).toBe(true);
    expect(w.genesys.callsOf('deleteClient')).toEqual([]);
  });
});

describe('rollbackCreatedClient', () => {
  it('deletes the client created for the token and keeps the legacy client', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);

    // Act
    const rolledBack = await rollbackCreatedClient(w, state);

    // Assess
    expect(rolledBack).toEqual({
      deletedClientId: state.created?.newClientId,
      discardedPendingVersionId: null,
    });
    expect(w.genesys.clients.has(state.created?.newClientId ?? '')).toBe(false);
    expect(w.genesys.clients.has(LEGACY_CLIENT_ID)).toBe(true);
  });

  it('finds the client by the token when Create died before reporting it', async () => {
    // Prepare
    const w = world();
    const withCreated = await seedCreated(w);
    const newClientId = withCreated.created?.newClientId ?? '';
    const { created: _unreported, ...state } = withCreated;
    w.genesys.addClient({ id: 'other-rotation', name: `Billing service [rotated ${OTHER_TOKEN}]` }, 's1');
    w.genesys.addClient({ id: 'hand-made', name: 'Billing service copy' }, 's2');

    // Act
    const rolledBack = await rollbackCreatedClient(w, state);

    // Assess
    expect(rolledBack.deletedClientId).toBe(newClientId);
    expect([...w.genesys.clients.keys()].sort()).toEqual(
      ['hand-made', LEGACY_CLIENT_ID, 'other-rotation'].sort(),
    );
  });

  it('never deletes the legacy client, even when the state names it as created', async () => {
    // Prepare
    const w = world();
    const state: OAuthClientRotationState = {
      ...w.state,
      created: {
        credential: { newId: LEGACY_CLIENT_ID },
        newClientId: LEGACY_CLIENT_ID,
        newClientName: 'x',
        versionId: TOKEN,
        reused: false,
      },
    };

    // Act
    const rolledBack = await rollbackCreatedClient(w, state);

    // Assess
    expect(rolledBack.deletedClientId).toBeNull();
    expect(w.genesys.clients.has(LEGACY_CLIENT_ID)).toBe(true);
    expect(w.genesys.callsOf('deleteClient')).toEqual([]);
  });

  it('refuses to delete a client whose credential is already AWSCURRENT', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    await w.secrets.promote(SECRET_ARN, TOKEN, CURRENT_VERSION_ID);

    // Act
    const act = rollbackCreatedClient(w, state);

    // Assess
    await expect(act).rejects.toThrow(NeedsAttentionError);
    expect(w.genesys.clients.has(state.created?.newClientId ?? '')).toBe(true);
  });

  it('deletes nothing when no client was made for the token', async () => {
    // Prepare
    const w = world();

    // Act
    const rolledBack = await rollbackCreatedClient(w, w.state);

    // Assess
    expect(rolledBack).toEqual({ deletedClientId: null, discardedPendingVersionId: null });
    expect(w.genesys.clients.size).toBe(1);
  });

  it('does nothing when Fetch never produced an inventory', async () => {
    // Prepare
    const w = world();
    const { inventory: _missing, ...state } = w.state;

    // Act
    const rolledBack = await rollbackCreatedClient(w, state);

    // Assess
    expect(rolledBack).toEqual({ deletedClientId: null, discardedPendingVersionId: null });
    expect(w.genesys.calls).toEqual([]);
  });

  it('changes nothing more when delivered twice', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    await rollbackCreatedClient(w, state);
    const remaining = [...w.genesys.clients.keys()];

    // Act
    await rollbackCreatedClient(w, state);

    // Assess
    expect([...w.genesys.clients.keys()]).toEqual(remaining);
    expect(remaining).toEqual([LEGACY_CLIENT_ID]);
  });
});
