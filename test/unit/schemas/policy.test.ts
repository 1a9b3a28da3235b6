import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidConfigurationError } from '../../../functions/shared/errors.js';
import {
  EVENTS_PER_ADOPTION_ITERATION,
  EVENTS_PER_RETIREMENT_ITERATION,
  FIXED_HISTORY_EVENTS,
  HISTORY_EVENT_BUDGET,
  parsePolicy,
  policyFromEnvironment,
  RotationPolicySchema,
  STANDARD_HISTORY_EVENT_LIMIT,
  worstCaseHistoryEvents,
} from '../../../functions/shared/policy.js';

function configurationError(raw: unknown): InvalidConfigurationError {
  try {
    parsePolicy(raw);
  } catch (error) {
    if (error instanceof InvalidConfigurationError) return error;
    throw error;
  }
  throw new Error('expected parsePolicy to refuse the policy');
}

describe('parsePolicy', () => {
  it('fills every default from an empty policy', () => {
    // Prepare
    const raw = {};

    // Act
    const policy = parsePolicy(raw);

    // Assess
    expect(policy).toEqual({
      stage: 'prod',
      allowedRoleIds: ['*'],
      maxOAuthClients: 50,
      allowUnusedLegacyClient: false,
      usageLookbackDays: 7,
      gracePeriodSeconds: 7 * 86_400,
      keyQuietPeriodSeconds: 86_400,
      adoptionEvidenceDays: 2,
      usageDayLengthSeconds: 86_400,
      usageReportLagSeconds: 86_400,
      adoptionPollSeconds: 3 * 3_600,
      retireWithoutEvidence: false,
      retireObserveSeconds: 0,
      maintenanceWindows: [],
      clientNamePrefix: 'rotated',
    });
  });

  it.each([
    ['stage', { stage: '' }],
    ['allowedRoleIds', { allowedRoleIds: [] }],
    ['maxOAuthClients', { maxOAuthClients: 0 }],
    ['usageLookbackDays', { usageLookbackDays: 31 }],
    ['gracePeriodSeconds', { gracePeriodSeconds: -1 }],
    ['adoptionPollSeconds', { adoptionPollSeconds: 0.5 }],
    ['maintenanceWindows.0.start', { maintenanceWindows: [{ days: ['MON'], start: '24:00', end: '01:00' }] }],
    ['maintenanceWindows.0.days', { maintenanceWindows: [{ days: [], start: '01:00', end: '02:00' }] }],
    [
      'maintenanceWindows.0.days.0',
      { maintenanceWindows: [{ days: ['MONDAY'], start: '01:00', end: '02:00' }] },
    ],
    ['clientNamePrefix', { clientNamePrefix: 'p'.repeat(65) }],
  ])('refuses a bad %s with a typed error naming it', (field, raw) => {
    // Prepare: raw

    // Act
    const error = configurationError(raw);

    // Assess
    expect(error.code).toBe('INVALID_CONFIGURATION');
    expect(error.message).toContain(`${field}:`);
  });

  it('refuses an unknown setting (a typo must not be ignored)', () => {
    // Prepare
    const raw = { gracePeriodSecs: 10 };

    // Act
    const error = configurationError(raw);

    // Assess
    expect(error.message).toContain('gracePeriodSecs');
  });

  it('names the field of any out-of-range numeric setting', () => {
    // Prepare
    const limits = {
      maxOAuthClients: [1, 10_000],
      usageLookbackDays: [1, 30],
      gracePeriodSeconds: [0, 30 * 86_400],
      adoptionEvidenceDays: [1, 14],
      usageDayLengthSeconds: [1, 86_400],
      usageReportLagSeconds: [0, 3 * 86_400],
      adoptionPollSeconds: [1, 86_400],
      retireObserveSeconds: [0, 7 * 86_400],
      keyQuietPeriodSeconds: [0, 30 * 86_400],
    } as const;
    const outOfRange = fc
      .constantFrom(...Object.entries(limits))
      .chain(([field, [min, max]]) =>
        fc
          .oneof(
            fc.integer({ max: min - 1 }),
            fc.integer({ min: max + 1 }),
            fc.double({ noInteger: true, noNaN: true }),
          )
          .map((value) => ({ field, value })),
      );

    // Act + Assess
    fc.assert(
      fc.property(outOfRange, ({ field, value }) => {
        const error = configurationError({ [field]: value });
        expect(error.message).toContain(`${field}:`);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts every in-range policy and parses to what it was given', () => {
    // Prepare
    const hhmm = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    const policies = fc.record(
      {
        stage: fc.string({ minLength: 1, maxLength: 32 }),
        allowedRoleIds: fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 5 }),
        maxOAuthClients: fc.integer({ min: 1, max: 10_000 }),
        allowUnusedLegacyClient: fc.boolean(),
        // Long enough for the default evidence (2 days + a partial one + 1 day of lag), short enough
        // for the history limit at the default 3 h poll.
        gracePeriodSeconds: fc.integer({ min: 4 * 86_400, max: 30 * 86_400 }),
        retireWithoutEvidence: fc.boolean(),
        maintenanceWindows: fc.array(
          fc.record({
            days: fc.uniqueArray(fc.constantFrom('MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'), {
              minLength: 1,
            }),
            start: hhmm,
            end: hhmm,
          }),
          { maxLength: 14 },
        ),
        clientNamePrefix: fc.string({ minLength: 1, maxLength: 64 }),
      },
      { requiredKeys: [] },
    );

    // Act + Assess
    fc.assert(
      fc.property(policies, (raw) => {
        const policy = parsePolicy(raw);
        expect(policy).toMatchObject(raw);
        expect(RotationPolicySchema.parse(policy)).toEqual(policy);
      }),
      { numRuns: 150 },
    );
  });
});

describe('parsePolicy: settings that only make sense together', () => {
  it('refuses a grace period too short to hold the evidence (help.mypurecloud.com API Usage report: daily, "does not include data for the current day")', () => {
    // Act
    const error = configurationError({ gracePeriodSeconds: 86_400 });

    // Assess
    expect(error.message).toContain('gracePeriodSeconds:');
    expect(error.message).toContain('adoptionEvidenceDays');
    expect(error.message).toContain('usageReportLagSeconds');
    expect(error.message).toContain('345600');
  });

  it('accepts a short grace period only with the explicit retireWithoutEvidence opt-in', () => {
    // Act
    const policy = parsePolicy({ gracePeriodSeconds: 86_400, retireWithoutEvidence: true });

    // Assess
    expect(policy.retireWithoutEvidence).toBe(true);
  });

  it('refuses polling finer than daily usage can change', () => {
    // Act
    const error = configurationError({ adoptionPollSeconds: 60 });

    // Assess
    expect(error.message).toContain('adoptionPollSeconds:');
    expect(error.message).toContain('usageDayLengthSeconds / 96');
  });

  it('accepts compressed local-demo days with a proportionate policy', () => {
    // Act
    const policy = parsePolicy({
      usageDayLengthSeconds: 2,
      usageReportLagSeconds: 1,
      gracePeriodSeconds: 30,
      adoptionPollSeconds: 1,
    });

    // Assess
    expect(policy.usageDayLengthSeconds).toBe(2);
  });
});

describe('worstCaseHistoryEvents: the Step Functions Standard limit of 25,000 history events', () => {
  it('counts each adoption loop iteration (Task 5, Choice 2, Emit 5, Wait 2) over the grace period at the poll cadence', () => {
    // Prepare
    const policy = parsePolicy({});

    // Act
    const history = worstCaseHistoryEvents(policy);

    // Assess: 7 days / 3 h + 1 iterations; retirement: 2 x (48 h + 2 days + 1 day) / 3 h + 1.
    expect(EVENTS_PER_ADOPTION_ITERATION).toBe(14);
    expect(history.adoptionIterations).toBe(57);
    expect(history.retirementIterations).toBe(81);
    expect(history.total).toBe(57 * 14 + 81 * EVENTS_PER_RETIREMENT_ITERATION + FIXED_HISTORY_EVENTS);
    expect(history.total).toBeLessThan(HISTORY_EVENT_BUDGET);
  });

  it('refuses at synth a policy whose adoption loop could exceed the limit with its margin, naming the fields', () => {
    // Act: 30 days polled every 15 minutes is 2,881 iterations of 14 events.
    const error = configurationError({ gracePeriodSeconds: 30 * 86_400, adoptionPollSeconds: 900 });

    // Assess
    expect(error.message).toContain('gracePeriodSeconds / adoptionPollSeconds / retireObserveSeconds:');
    expect(error.message).toContain(String(STANDARD_HISTORY_EVENT_LIMIT));
    expect(HISTORY_EVENT_BUDGET).toBe(20_000);
  });

  it('is what synth applies: buildApp refuses such a policy', async () => {
    // Prepare
    const { buildApp } = await import('../../../infra/app.js');

    // Act + Assess
    expect(() =>
      buildApp({ bundling: false, policy: { gracePeriodSeconds: 30 * 86_400, adoptionPollSeconds: 900 } }),
    ).toThrow(/history events/);
  });
});

describe('policyFromEnvironment', () => {
  it('uses every default when ROTATOR_POLICY is absent or empty', () => {
    // Prepare
    const absent = {};
    const empty = { ROTATOR_POLICY: '' };

    // Act
    const policies = [policyFromEnvironment(absent), policyFromEnvironment(empty)];

    // Assess
    expect(policies).toEqual([parsePolicy({}), parsePolicy({})]);
  });

  it('reads the JSON policy', () => {
    // Prepare
    const env = { ROTATOR_POLICY: JSON.stringify({ stage: 'dev', gracePeriodSeconds: 5 * 86_400 }) };

    // Act
    const policy = policyFromEnvironment(env);

    // Assess
    expect(policy.stage).toBe('dev');
    expect(policy.gracePeriodSeconds).toBe(5 * 86_400);
  });

  it('refuses a ROTATOR_POLICY that is not JSON, or not a valid policy', () => {
    // Prepare
    const notJson = { ROTATOR_POLICY: '{stage: dev' };
    const invalid = { ROTATOR_POLICY: JSON.stringify({ stage: 7 }) };

    // Act
    const acts = [() => policyFromEnvironment(notJson), () => policyFromEnvironment(invalid)];

    // Assess
    expect(acts[0]).toThrow(/ROTATOR_POLICY is not valid JSON/);
    expect(acts[1]).toThrow(InvalidConfigurationError);
    expect(acts[1]).toThrow(/stage:/);
  });
});
