import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAdoption } from '../../../functions/core/adoption.js';
import type { Adoption, RotationState } from '../../../functions/shared/contract.js';
import {
  buildInventory,
  buildPolicy,
  buildState,
  buildValidation,
  LEGACY_CLIENT_ID,
  NOW,
  type World,
  world,
} from '../../helpers/builders.js';

const HOUR = 3_600;

function promotedState(w: World, policy = w.policy): RotationState {
  const inventory = buildInventory();
  return buildState({
    inventory,
    validation: buildValidation(inventory, policy),
    synced: {
      currentVersionId: inventory.token,
      previousVersionId: inventory.currentVersionId,
      promotedAt: NOW,
      promotedBy: 'state-machine',
    },
  });
}

/** Runs one gate check after `seconds`, as the state machine would: the result goes to `$.adoption`. */
async function checkAfter(w: World, state: RotationState, seconds: number): Promise<RotationState> {
  w.clock.advance(seconds * 1000);
  const adoption = await checkAdoption(w, state);
  return { ...state, adoption };
}

function adoptionOf(state: RotationState): Adoption {
  if (state.adoption === undefined) throw new Error('no adoption yet');
  return state.adoption;
}

describe('checkAdoption', () => {
  it('takes a baseline on the first check and keeps waiting', async () => {
    // Prepare
    const w = world({
      policy: { adoptionQuietSeconds: HOUR, gracePeriodSeconds: 24 * HOUR, adoptionPollSeconds: 900 },
    });
    const state = promotedState(w);

    // Act
    const adoption = adoptionOf(await checkAfter(w, state, 60));

    // Assess
    expect(adoption).toEqual({
      adopted: false,
      decidedBy: null,
      baselineRequests: 1_234,
      legacyRequestsTotal: 1_234,
      quietSince: new Date(Date.parse(NOW) + 60_000).toISOString(),
      legacyRequestsSincePromotion: 0,
      secondsSincePromotion: 60,
      waitSeconds: 900,
      checks: 1,
    });
  });

  it('adopts once the legacy total has not changed for the quiet period', async () => {
    // Prepare
    const w = world({
      policy: { adoptionQuietSeconds: HOUR, gracePeriodSeconds: 24 * HOUR, adoptionPollSeconds: 900 },
    });
    let state = await checkAfter(w, promotedState(w), 0);
    for (let poll = 0; poll < 3; poll += 1) state = await checkAfter(w, state, 900);
    const beforeQuiet = adoptionOf(state);

    // Act
    const adoption = adoptionOf(await checkAfter(w, state, 900));

    // Assess
    expect(beforeQuiet.adopted).toBe(false);
    expect(adoption).toMatchObject({
      adopted: true,
      decidedBy: 'quiet',
      waitSeconds: 0,
      checks: 5,
      legacyRequestsSincePromotion: 0,
    });
  });

  it('does not adopt while the legacy client keeps making requests, and counts them', async () => {
    // Prepare
    const w = world({
      policy: { adoptionQuietSeconds: HOUR, gracePeriodSeconds: 24 * HOUR, adoptionPollSeconds: 900 },
    });
    let state = await checkAfter(w, promotedState(w), 0);

    // Act
    for (let poll = 0; poll < 12; poll += 1) {
      w.genesys.use(LEGACY_CLIENT_ID, 5);
      state = await checkAfter(w, state, 900);
      expect(adoptionOf(state).adopted).toBe(false);
    }

    // Assess
    expect(adoptionOf(state)).toMatchObject({
      legacyRequestsSincePromotion: 60,
      baselineRequests: 1_234,
      checks: 13,
    });
  });

  it('restarts the quiet period when traffic reappears', async () => {
    // Prepare
    const w = world({
      policy: { adoptionQuietSeconds: HOUR, gracePeriodSeconds: 24 * HOUR, adoptionPollSeconds: 1_800 },
    });
    let state = await checkAfter(w, promotedState(w), 0);
    state = await checkAfter(w, state, 1_800);
    w.genesys.use(LEGACY_CLIENT_ID, 1);

    // Act
    state = await checkAfter(w, state, 1_800);
    const afterTraffic = adoptionOf(state);
    state = await checkAfter(w, state, 1_800);
    const halfQuiet = adoptionOf(state);
    state = await checkAfter(w, state, 1_800);

    // Assess
    expect(afterTraffic.adopted).toBe(false);
    expect(halfQuiet.adopted).toBe(false);
    expect(adoptionOf(state)).toMatchObject({ adopted: true, decidedBy: 'quiet' });
  });

  it('adopts when the grace period is over even if the legacy client is still used', async () => {
    // Prepare
    const w = world({
      policy: { adoptionQuietSeconds: HOUR, gracePeriodSeconds: 2 * HOUR, adoptionPollSeconds: 900 },
    });
    let state = await checkAfter(w, promotedState(w), 0);
    for (let poll = 0; poll < 7; poll += 1) {
      w.genesys.use(LEGACY_CLIENT_ID, 1);
      state = await checkAfter(w, state, 900);
    }
    expect(adoptionOf(state).adopted).toBe(false);
    w.genesys.use(LEGACY_CLIENT_ID, 1);

    // Act
    const adoption = adoptionOf(await checkAfter(w, state, 900));

    // Assess
    expect(adoption).toMatchObject({
      adopted: true,
      decidedBy: 'grace',
      secondsSincePromotion: 2 * HOUR,
      waitSeconds: 0,
    });
  });

  it('never waits past the end of the grace period', async () => {
    // Prepare
    const w = world({
      policy: { adoptionQuietSeconds: HOUR, gracePeriodSeconds: 1_000, adoptionPollSeconds: 900 },
    });
    const state = await checkAfter(w, promotedState(w), 0);
    w.genesys.use(LEGACY_CLIENT_ID, 1);

    // Act
    const adoption = adoptionOf(await checkAfter(w, state, 900));

    // Assess
    expect(adoption.waitSeconds).toBe(100);
  });

  it('waits at most the poll interval and the remaining grace, and reaches a decision by the end of the grace', async () => {
    // Prepare
    const settings = fc.record({
      quiet: fc.integer({ min: 0, max: 6 * HOUR }),
      grace: fc.integer({ min: 0, max: 6 * HOUR }),
      poll: fc.integer({ min: 60, max: 2 * HOUR }),
      firstCheckAfter: fc.integer({ min: 0, max: 600 }),
    });
    const traffic = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 200, maxLength: 200 });

    // Act + Assess
    await fc.assert(
      fc.asyncProperty(settings, traffic, async ({ quiet, grace, poll, firstCheckAfter }, requests) => {
        const policy = buildPolicy({
          adoptionQuietSeconds: quiet,
          gracePeriodSeconds: grace,
          adoptionPollSeconds: poll,
        });
        const w = world();
        let state = await checkAfter(w, promotedState(w, policy), firstCheckAfter);
        let lastChange = Date.parse(NOW) + firstCheckAfter * 1000;
        for (let check = 0; !adoptionOf(state).adopted; check += 1) {
          const adoption = adoptionOf(state);
          const graceLeft = grace - adoption.secondsSincePromotion;
          expect(adoption.waitSeconds).toBeGreaterThanOrEqual(1);
          expect(adoption.waitSeconds).toBeLessThanOrEqual(Math.max(1, Math.min(poll, graceLeft)));
          const made = requests[check % requests.length] ?? 0;
          if (made > 0) w.genesys.use(LEGACY_CLIENT_ID, made);
          state = await checkAfter(w, state, adoption.waitSeconds);
          if (made > 0) lastChange = w.clock.now().getTime();
          expect(check).toBeLessThanOrEqual(Math.ceil(grace / poll) + 1);
        }
        const decided = adoptionOf(state);
        expect(decided.waitSeconds).toBe(0);
        if (decided.decidedBy === 'quiet') {
          expect(w.clock.now().getTime() - lastChange).toBeGreaterThanOrEqual(quiet * 1000);
        } else {
          expect(decided.decidedBy).toBe('grace');
          expect(decided.secondsSincePromotion).toBe(Math.max(grace, firstCheckAfter));
        }
      }),
      { numRuns: 100 },
    );
  });
});
