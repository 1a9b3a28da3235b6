import { describe, expect, it } from 'vitest';
import {
  type DependentPropagator,
  type SyncDependencies,
  syncPromotion,
} from '../../../functions/core/sync.js';
import {
  PromotionConflictError,
  PromotionPendingError,
  TransientUpstreamError,
} from '../../../functions/shared/errors.js';
import {
  CURRENT_VERSION_ID,
  NOW,
  SECRET_ARN,
  seedCreated,
  TOKEN,
  type World,
  world,
} from '../../helpers/builders.js';

function recordingPropagator(name: string) {
  const seen: unknown[] = [];
  const propagator: DependentPropagator = {
    name,
    propagate: async (reference) => {
      seen.push(reference);
    },
  };
  return { propagator, seen };
}

function depsOf(w: World, propagators: DependentPropagator[] = []): SyncDependencies {
  return { secrets: w.secrets, clock: w.clock, propagators };
}

describe('syncPromotion', () => {
  it('promotes a manual rotation: AWSCURRENT on the token, AWSPREVIOUS on the old version, no AWSPENDING left', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);

    // Act
    const synced = await syncPromotion(depsOf(w), state);

    // Assess
    expect(w.secrets.stagesOf(SECRET_ARN, TOKEN)).toEqual(['AWSCURRENT']);
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toEqual(['AWSPREVIOUS']);
    expect(w.secrets.versionWith(SECRET_ARN, 'AWSPENDING')).toBeNull();
    expect(synced).toEqual({
      currentVersionId: TOKEN,
      previousVersionId: CURRENT_VERSION_ID,
      promotedAt: NOW,
      promotedBy: 'state-machine',
    });
  });

  it('finishes a promotion interrupted before AWSPENDING was cleared, without promoting twice', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    w.secrets.failNext('removeStage', new TransientUpstreamError('throttled'));
    await expect(syncPromotion(depsOf(w), state)).rejects.toThrow(TransientUpstreamError);

    // Act
    const synced = await syncPromotion(depsOf(w), state);

    // Assess
    expect(w.secrets.callsOf('promote')).toHaveLength(1);
    expect(w.secrets.stagesOf(SECRET_ARN, TOKEN)).toEqual(['AWSCURRENT']);
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toEqual(['AWSPREVIOUS']);
    expect(synced.currentVersionId).toBe(TOKEN);
  });

  it('changes nothing when delivered again after success', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    const first = await syncPromotion(depsOf(w), state);

    // Act
    const second = await syncPromotion(depsOf(w), state);

    // Assess
    expect(second).toEqual(first);
    expect(w.secrets.callsOf('promote')).toHaveLength(1);
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toEqual(['AWSPREVIOUS']);
  });

  it('waits for finishSecret in a native rotation, then reports the promotion as finishSecret', async () => {
    // Prepare
    const w = world({ trigger: 'secretsmanager' });
    const state = await seedCreated(w);

    // Act
    const pending = await syncPromotion(depsOf(w), state).catch((error: unknown) => error);
    await w.secrets.promote(SECRET_ARN, TOKEN, CURRENT_VERSION_ID); // finishSecret
    const synced = await syncPromotion(depsOf(w), state);

    // Assess
    expect(pending).toBeInstanceOf(PromotionPendingError);
    expect(synced).toMatchObject({
      currentVersionId: TOKEN,
      previousVersionId: CURRENT_VERSION_ID,
      promotedBy: 'finishSecret',
    });
    expect(w.secrets.callsOf('promote')).toHaveLength(1);
  });

  it('never moves labels itself during a native rotation', async () => {
    // Prepare
    const w = world({ trigger: 'secretsmanager' });
    const state = await seedCreated(w);

    // Act
    const act = syncPromotion(depsOf(w), state);

    // Assess
    await expect(act).rejects.toThrow(PromotionPendingError);
    expect(w.secrets.callsOf('promote')).toEqual([]);
    expect(w.secrets.callsOf('removeStage')).toEqual([]);
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toEqual(['AWSCURRENT']);
  });

  it('refuses to promote when AWSCURRENT was moved by someone else', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    w.secrets.putVersion(SECRET_ARN, 'v-console-edit-0000000000000000000', '{"edited":true}', ['AWSCURRENT']);
    const { propagator, seen } = recordingPropagator('webhook');

    // Act
    const act = syncPromotion(depsOf(w, [propagator]), state);

    // Assess
    await expect(act).rejects.toThrow(PromotionConflictError);
    await expect(act).rejects.toThrow('v-console-edit-0000000000000000000');
    expect(w.secrets.stagesOf(SECRET_ARN, 'v-console-edit-0000000000000000000')).toEqual(['AWSCURRENT']);
    expect(w.secrets.callsOf('promote')).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('refuses to promote a version that is no longer pending', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    await w.secrets.removeStage(SECRET_ARN, 'AWSPENDING', TOKEN);

    // Act
    const act = syncPromotion(depsOf(w), state);

    // Assess
    await expect(act).rejects.toThrow(PromotionConflictError);
    expect(w.secrets.stagesOf(SECRET_ARN, CURRENT_VERSION_ID)).toEqual(['AWSCURRENT']);
  });

  it('tells every dependent about the promotion with a reference, never the secret', async () => {
    // Prepare
    const w = world();
    const state = await seedCreated(w);
    const first = recordingPropagator('integration');
    const second = recordingPropagator('webhook');
    const newSecret = w.genesys.clients.get(state.created?.newClientId ?? '')?.secret ?? 'missing';

    // Act
    await syncPromotion(depsOf(w, [first.propagator, second.propagator]), state);

    // Assess
    const reference = { secretArn: SECRET_ARN, versionId: TOKEN, clientId: state.created?.newClientId };
    expect(first.seen).toEqual([reference]);
    expect(second.seen).toEqual([reference]);
    expect(JSON.stringify([first.seen, second.seen])).not.toContain(newSecret);
  });
});
