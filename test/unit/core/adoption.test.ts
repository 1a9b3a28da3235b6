import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAdoption, checkRetirement, evaluateAdoption } from '../../../functions/core/adoption.js';
import type { Adoption, OAuthClientRotationState } from '../../../functions/shared/contract.js';
import {
  buildInventory,
  buildState,
  buildValidation,
  LEGACY_CLIENT_ID,
  NOW,
  type World,
  world,
} from '../../helpers/builders.js';

const DAY_MS = 86_400_000;
const NEW_CLIENT_ID = 'new-client-1';
/** NOW is 2026-03-04T10:00Z (promotion); the legacy token validity is 24 h: days from 03-06 count. */
const day = (date: string) => `${date}T00:00:00.000Z`;

function promotedState(w: World, policy = w.policy): OAuthClientRotationState {
  const inventory = buildInventory();
  return buildState({
    inventory,
    validation: buildValidation(inventory, policy),
    created: {
      credential: { newId: NEW_CLIENT_ID },
      newClientId: NEW_CLIENT_ID,
      newClientName: 'new',
      versionId: inventory.token,
      reused: false,
    },
    synced: {
      currentVersionId: inventory.token,
      previousVersionId: inventory.currentVersionId,
      promotedAt: NOW,
      promotedBy: 'state-machine',
    },
  });
}

/** Reports a usage day for both clients, as Genesys would once the day is complete and reported. */
function report(w: World, date: string, usage: { legacy: number; fresh: number }): void {
  if (usage.legacy > 0) w.genesys.reportDay(LEGACY_CLIENT_ID, day(date), usage.legacy);
  if (usage.fresh > 0) w.genesys.reportDay(NEW_CLIENT_ID, day(date), usage.fresh);
}

async function checkAt(w: World, state: OAuthClientRotationState, at: string): Promise<Adoption> {
  w.clock.advance(Date.parse(at) - w.clock.now().getTime());
  return checkAdoption(w, state);
}

describe('checkAdoption: retire only on evidence (help.mypurecloud.com API Usage report: daily UTC aggregates, "does not include data for the current day")', () => {
  it('queries both clients with an explicit interval from the day before promotion, granularity Day (genesys-cloud-api.md §1.4)', async () => {
    // Prepare
    const w = world();
    const state = promotedState(w);

    // Act
    await checkAt(w, state, '2026-03-04T12:00:00.000Z');

    // Assess
    const interval = { from: new Date(Date.parse(NOW) - DAY_MS), to: new Date('2026-03-04T12:00:00.000Z') };
    expect(w.genesys.callsOf('usageByDay')).toEqual([
      [LEGACY_CLIENT_ID, interval],
      [NEW_CLIENT_ID, interval],
    ]);
  });

  it('does not count days starting before promotion + the legacy token validity: a consumer may still finish its legacy token', async () => {
    // Prepare
    const w = world();
    const state = promotedState(w);
    report(w, '2026-03-04', { legacy: 500, fresh: 20 });
    report(w, '2026-03-05', { legacy: 0, fresh: 300 });

    // Act
    const adoption = await checkAt(w, state, '2026-03-06T12:00:00.000Z');

    // Assess
    expect(adoption).toMatchObject({
      adopted: false,
      held: false,
      decidedBy: null,
      evaluableFrom: '2026-03-05T10:00:00.000Z',
      daysObserved: 0,
      legacyRequestsSincePromotion: 500,
      legacyRequestsSinceDrain: 0,
      waitSeconds: 3 * 3_600,
    });
  });

  it('adopts after adoptionEvidenceDays reported days with zero legacy requests', async () => {
    // Prepare
    const w = world();
    const state = promotedState(w);
    report(w, '2026-03-06', { legacy: 0, fresh: 280 });
    report(w, '2026-03-07', { legacy: 0, fresh: 310 });

    // Act
    const adoption = await checkAt(w, state, '2026-03-08T12:00:00.000Z');

    // Assess
    expect(adoption).toMatchObject({
      adopted: true,
      held: false,
      hold: null,
      decidedBy: 'evidence',
      daysObserved: 2,
      observedUntil: '2026-03-08T00:00:00.000Z',
      waitSeconds: 0,
    });
  });

  it('a day without new-client requests is not a reported day: an empty report proves nothing', async () => {
    // Prepare
    const w = world();
    const state = promotedState(w);
    report(w, '2026-03-07', { legacy: 0, fresh: 310 });

    // Act
    const adoption = await checkAt(w, state, '2026-03-08T12:00:00.000Z');

    // Assess
    expect(adoption).toMatchObject({ adopted: false, held: false, daysObserved: 1 });
  });

  it('never counts the current day, even if a row for it appears ("does not include data for the current day")', async () => {
    // Prepare
    const w = world();
    const state = promotedState(w);
    report(w, '2026-03-06', { legacy: 0, fresh: 280 });
    report(w, '2026-03-07', { legacy: 0, fresh: 40 });

    // Act
    const adoption = await checkAt(w, state, '2026-03-07T08:00:00.000Z');

    // Assess
    expect(adoption).toMatchObject({ adopted: false, daysObserved: 1 });
    expect(adoption.days.map((d) => d.date)).not.toContain(day('2026-03-07'));
  });

  it('holds at once, with the figures, when the legacy client made requests on a counted day', async () => {
    // Prepare
    const w = world();
    const state = promotedState(w);
    report(w, '2026-03-06', { legacy: 12, fresh: 280 });

    // Act
    const adoption = await checkAt(w, state, '2026-03-07T06:00:00.000Z');

    // Assess
    expect(adoption).toMatchObject({
      adopted: false,
      held: true,
      waitSeconds: 0,
      hold: {
        Error: 'LegacyClientStillUsed',
        reason: 'legacy-traffic',
        legacyClientId: LEGACY_CLIENT_ID,
        legacyRequestsSincePromotion: 12,
        daysObserved: 1,
        evidenceDaysRequired: 2,
      },
    });
    expect(adoption.hold?.Cause).toContain('12 requests');
    expect(w.genesys.callsOf('setClientState')).toEqual([]);
  });

  it('holds at the end of the grace period without evidence, never retiring on time alone by default', async () => {
    // Prepare
    const w = world();
    const state = promotedState(w);
    report(w, '2026-03-06', { legacy: 0, fresh: 280 });

    // Act
    const adoption = await checkAt(w, state, '2026-03-11T10:00:00.000Z');

    // Assess
    expect(adoption).toMatchObject({
      adopted: false,
      held: true,
      hold: { Error: 'AdoptionNotEvidenced', reason: 'no-evidence', daysObserved: 1 },
    });
    expect(adoption.hold?.Cause).toContain('1 of 2 reported usage days');
  });

  it('retires on time alone only with the explicit retireWithoutEvidence opt-in, and never over legacy traffic', async () => {
    // Prepare
    const quiet = world({ policy: { retireWithoutEvidence: true } });
    const busy = world({ policy: { retireWithoutEvidence: true } });
    report(busy, '2026-03-06', { legacy: 3, fresh: 0 });

    // Act
    const optedIn = await checkAt(quiet, promotedState(quiet), '2026-03-11T10:00:00.000Z');
    const stillUsed = await checkAt(busy, promotedState(busy), '2026-03-11T10:00:00.000Z');

    // Assess
    expect(optedIn).toMatchObject({ adopted: true, decidedBy: 'time-opt-in' });
    expect(stillUsed).toMatchObject({ adopted: false, held: true, hold: { reason: 'legacy-traffic' } });
  });

  it('adopts by evidence only with enough reported days and no legacy request on any counted day (property)', () => {
    const plan = {
      gracePeriodSeconds: 30 * 86_400,
      adoptionPollSeconds: 3_600,
      adoptionEvidenceDays: 2,
      usageDayLengthSeconds: 86_400,
      drainSeconds: 86_400,
      retireWithoutEvidence: false,
    };
    const promotedAtMs = Date.parse(NOW);
    fc.assert(
      fc.property(fc.array(fc.record({ legacy: fc.nat(3), fresh: fc.nat(3) }), { maxLength: 8 }), (usage) => {
        const days = usage.map((u, index) => ({
          date: new Date(Date.parse(day('2026-03-04')) + index * DAY_MS).toISOString(),
          legacyRequests: u.legacy,
          newRequests: u.fresh,
        }));
        const adoption = evaluateAdoption({
          nowMs: promotedAtMs + 10 * DAY_MS,
          promotedAtMs,
          legacyClientId: LEGACY_CLIENT_ID,
          days,
          plan,
          previousChecks: 0,
        });
        const counted = days.filter((d) => Date.parse(d.date) >= promotedAtMs + DAY_MS);
        const clean = counted.every((d) => d.legacyRequests === 0);
        const reported = counted.filter((d) => d.newRequests > 0).length;
        expect(adoption.adopted).toBe(clean && reported >= 2);
        expect(adoption.held).toBe(!clean);
      }),
    );
  });
});

describe('checkRetirement: observe the inactive legacy client before deleting it', () => {
  function deactivated(w: World, at: string, observedUntil: string): OAuthClientRotationState {
    const state = promotedState(w);
    return {
      ...state,
      adoption: {
        adopted: true,
        held: false,
        hold: null,
        decidedBy: 'evidence',
        evaluableFrom: '2026-03-05T10:00:00.000Z',
        daysObserved: 2,
        legacyRequestsSincePromotion: 0,
        legacyRequestsSinceDrain: 0,
        observedUntil,
        days: [],
        secondsSincePromotion: 0,
        waitSeconds: 0,
        checks: 9,
      },
      retired: { legacyClientId: LEGACY_CLIENT_ID, action: 'deactivated', at },
    };
  }

  it('is clean after a reported day starting once the last legacy token expired, with no legacy request since', async () => {
    // Prepare
    const w = world();
    const state = deactivated(w, '2026-03-08T12:00:00.000Z', day('2026-03-08'));
    report(w, '2026-03-08', { legacy: 0, fresh: 200 });
    report(w, '2026-03-10', { legacy: 0, fresh: 250 });
    w.clock.advance(Date.parse('2026-03-12T06:00:00.000Z') - w.clock.now().getTime());

    // Act
    const check = await checkRetirement(w, state);

    // Assess
    expect(check).toMatchObject({ verdict: 'clean', daysObserved: 1, legacyRequestsSinceDeactivation: 0 });
  });

  it('finds legacy traffic on a day after the evidence: a consumer still tried the legacy client', async () => {
    // Prepare
    const w = world();
    const state = deactivated(w, '2026-03-08T12:00:00.000Z', day('2026-03-08'));
    report(w, '2026-03-08', { legacy: 7, fresh: 200 });
    w.clock.advance(Date.parse('2026-03-09T06:00:00.000Z') - w.clock.now().getTime());

    // Act
    const check = await checkRetirement(w, state);

    // Assess
    expect(check).toMatchObject({
      verdict: 'legacy-traffic',
      legacyRequestsSinceDeactivation: 7,
      hold: { Error: 'LegacyClientStillUsed', reason: 'legacy-traffic' },
    });
  });

  it('waits while no day after deactivation + token validity is reported, then holds as unobserved', async () => {
    // Prepare
    const w = world();
    const state = deactivated(w, '2026-03-08T12:00:00.000Z', day('2026-03-08'));
    const observeSeconds = state.validation?.plan.retireObserveSeconds ?? 0;

    // Act
    w.clock.advance(Date.parse('2026-03-10T12:00:00.000Z') - w.clock.now().getTime());
    const early = await checkRetirement(w, state);
    w.clock.advance(2 * observeSeconds * 1000);
    const late = await checkRetirement(w, { ...state, retirement: early });

    // Assess
    expect(early).toMatchObject({ verdict: 'waiting', waitSeconds: 3 * 3_600, checks: 1 });
    expect(late).toMatchObject({ verdict: 'unobserved', hold: { reason: 'no-evidence' }, checks: 2 });
  });
});
