import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidConfigurationError } from '../../../functions/shared/errors.js';
import {
  parsePolicy,
  policyFromEnvironment,
  RotationPolicySchema,
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
      gracePeriodSeconds: 86_400,
      adoptionQuietSeconds: 3_600,
      adoptionPollSeconds: 900,
      retireObserveSeconds: 3_600,
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
      adoptionQuietSeconds: [0, 7 * 86_400],
      adoptionPollSeconds: [1, 86_400],
      retireObserveSeconds: [0, 7 * 86_400],
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
        gracePeriodSeconds: fc.integer({ min: 0, max: 30 * 86_400 }),
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
    const env = { ROTATOR_POLICY: JSON.stringify({ stage: 'dev', gracePeriodSeconds: 60 }) };

    // Act
    const policy = policyFromEnvironment(env);

    // Assess
    expect(policy.stage).toBe('dev');
    expect(policy.gracePeriodSeconds).toBe(60);
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
