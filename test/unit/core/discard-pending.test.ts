import { describe, expect, it } from 'vitest';
import { discardPendingVersion } from '../../../functions/core/discard-pending.js';
import { NeedsAttentionError } from '../../../functions/shared/errors.js';
import {
  CURRENT_VERSION_ID,
  SECRET_ARN,
  SECRET_NAME,
  seedCreated,
  TOKEN,
  world,
} from '../../helpers/builders.js';

const FOREIGN = 'ffffffff-0000-4000-8000-ffffffffffff';

describe('discardPendingVersion', () => {
  it('removes AWSPENDING from the token version and keeps the rolled-back client id', async () => {
    // Prepare
    const w = world();
    const created = await seedCreated(w);
    const state = {
      ...created,
      rolledBack: { deletedClientId: 'new-client-1', discardedPendingVersionId: null },
    };

    // Act
    const result = await discardPendingVersion(w.secrets, state);

    // Assess
    expect(result).toEqual({ deletedClientId: 'new-client-1', discardedPendingVersionId: TOKEN });
    expect(w.secrets.stagesOf(SECRET_ARN, TOKEN)).toEqual([]);
    expect(w.secrets.versionWith(SECRET_ARN, 'AWSPENDING')).toBeNull();
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toEqual(['AWSCURRENT']);
  });

  it('discards the value-less placeholder of a native rotation refused before Create', async () => {
    // Prepare
    const w = world({ trigger: 'secretsmanager' });

    // Act
    const result = await discardPendingVersion(w.secrets, w.state);

    // Assess
    expect(result.discardedPendingVersionId).toBe(TOKEN);
    expect(w.secrets.versionWith(SECRET_ARN, 'AWSPENDING')).toBeNull();
  });

  it('finds the secret by the execution input when Fetch failed', async () => {
    // Prepare
    const w = world({ trigger: 'secretsmanager' });
    const { inventory: _missing, ...state } = { ...w.state, secretId: SECRET_NAME };

    // Act
    const result = await discardPendingVersion(w.secrets, state);

    // Assess
    expect(result.discardedPendingVersionId).toBe(TOKEN);
  });

  it('never touches a pending version that belongs to another rotation', async () => {
    // Prepare
    const w = world();
    w.secrets.startNativeRotation(SECRET_ARN, FOREIGN);

    // Act
    const result = await discardPendingVersion(w.secrets, w.state);

    // Assess
    expect(result).toEqual({ deletedClientId: null, discardedPendingVersionId: null });
    expect(w.secrets.stagesOf(SECRET_ARN, FOREIGN)).toEqual(['AWSPENDING']);
  });

  it('is a no-op when delivered twice', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    await discardPendingVersion(w.secrets, state);

    // Act
    const second = await discardPendingVersion(w.secrets, state);

    // Assess
    expect(second.discardedPendingVersionId).toBeNull();
    expect(w.secrets.callsOf('removeStage')).toHaveLength(1);
  });

  it('refuses to roll back a version that became AWSCURRENT', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    await w.secrets.promote(SECRET_ARN, TOKEN, CURRENT_VERSION_ID);

    // Act
    const act = discardPendingVersion(w.secrets, state);

    // Assess
    await expect(act).rejects.toThrow(NeedsAttentionError);
    expect(w.secrets.stagesOf(SECRET_ARN, TOKEN)).toEqual(['AWSCURRENT', 'AWSPENDING']);
  });

  it('does nothing without a token', async () => {
    // Prepare
    const w = world();
    const { inventory: _i, token: _t, ...state } = w.state;

    // Act
    const result = await discardPendingVersion(w.secrets, state);

    // Assess
    expect(result).toEqual({ deletedClientId: null, discardedPendingVersionId: null });
    expect(w.secrets.calls).toEqual([]);
  });
});
