import { App, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { InvalidConfigurationError } from '../../../functions/shared/errors.js';
import type { RotationPolicyInput } from '../../../functions/shared/policy.js';
import { EXAMPLE_MANAGED_SECRET } from '../../../infra/app.js';
import type { RotationScheduleSpec } from '../../../infra/constructs/rotation-schedule.js';
import { RotatorStack } from '../../../infra/stacks/rotator-stack.js';

/** Synthesizes one managed secret with `schedule` under `policy`; returns its RotationRules. */
function rulesOf(schedule: RotationScheduleSpec, policy: RotationPolicyInput = {}): unknown {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RotatorStack(app, 'Schedules', {
    policy,
    managedSecrets: [{ ...EXAMPLE_MANAGED_SECRET, schedule }],
  });
  const schedules = Template.fromStack(stack).findResources('AWS::SecretsManager::RotationSchedule');
  return Object.values(schedules)[0]?.Properties.RotationRules;
}

function refusal(schedule: RotationScheduleSpec, policy: RotationPolicyInput = {}): string {
  try {
    rulesOf(schedule, policy);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    return (error as Error).message;
  }
  throw new Error('the schedule was accepted');
}

const WEEKDAY_MORNINGS = {
  maintenanceWindows: [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], start: '07:00', end: '13:00' }],
} satisfies RotationPolicyInput;

describe('GenesysRotatedSecret schedules', () => {
  it('emits rate() in days, or in hours when not whole days (userguide rotate-secrets_schedule: "Unit can be hour, hours, day, or days")', () => {
    expect(rulesOf({ every: Duration.days(30) })).toEqual({ ScheduleExpression: 'rate(30 days)' });
    expect(rulesOf({ every: Duration.days(1) })).toEqual({ ScheduleExpression: 'rate(1 day)' });
    expect(rulesOf({ every: Duration.hours(36) })).toEqual({ ScheduleExpression: 'rate(36 hours)' });
    expect(rulesOf({ every: Duration.days(7), window: Duration.hours(3) })).toEqual({
      ScheduleExpression: 'rate(7 days)',
      Duration: '3h',
    });
  });

  it('refuses a rate with minutes, under four hours, or outside Validate 1-365 days, naming schedule.every (RotationRulesType: "as often as every four hours")', () => {
    expect(refusal({ every: Duration.minutes(90 * 60 + 30) })).toContain(
      'schedule.every: must be whole hours or days',
    );
    expect(refusal({ every: Duration.hours(2) })).toContain(
      'schedule.every: Secrets Manager rotates at most every 4 hours',
    );
    expect(refusal({ every: Duration.hours(12) })).toContain(
      'schedule.every: the interval must be 1-365 days',
    );
    expect(refusal({ every: Duration.days(400) })).toContain(
      'schedule.every: the interval must be 1-365 days',
    );
  });

  it('accepts a cron window with or without the cron() wrapper, as a string or a Duration', () => {
    expect(rulesOf({ cron: '0 8 ? * TUE *', window: '4h' })).toEqual({
      ScheduleExpression: 'cron(0 8 ? * TUE *)',
      Duration: '4h',
    });
    expect(rulesOf({ cron: 'cron(0 20 ? * MON-FRI *)', window: Duration.hours(4) })).toEqual({
      ScheduleExpression: 'cron(0 20 ? * MON-FRI *)',
      Duration: '4h',
    });
  });

  it('refuses a window that crosses midnight UTC from the cron start hour, naming schedule.window (RotationRulesType Duration: "must not extend into ... the next UTC day")', () => {
    expect(refusal({ cron: '0 22 ? * TUE *', window: '4h' })).toContain(
      'schedule.window: 4h from 22:00 UTC crosses midnight UTC',
    );
    expect(refusal({ cron: '0 8 ? * TUE *', window: '4 hours' })).toContain(
      "schedule.window: '4 hours' must be whole hours",
    );
    expect(refusal({ cron: '0 8 ? * TUE *', window: Duration.minutes(90) })).toContain(
      'schedule.window: must be whole hours',
    );
    expect(refusal({ every: Duration.hours(36), window: '40h' })).toContain(
      'schedule.window: must be 1 to 24 hours',
    );
  });

  it('refuses a cron Secrets Manager rejects (minutes not 0, year not *) or firing more than once a day (userguide rotate-secrets_schedule cron fields)', () => {
    expect(refusal({ cron: '30 8 ? * TUE *', window: '2h' })).toContain(
      'schedule.cron: the minutes field must be 0',
    );
    expect(refusal({ cron: '0 8 ? * TUE 2027', window: '2h' })).toContain(
      "schedule.cron: the year field must be '*'",
    );
    expect(refusal({ cron: '0 4/12 * * ? *', window: '2h' })).toContain(
      'schedule.cron: the hours field must be one hour',
    );
    expect(refusal({ cron: '0 8 ? *', window: '2h' })).toContain('schedule.cron: ');
  });

  it('accepts a native window inside the policy maintenance windows, and refuses one outside them at synth', () => {
    expect(rulesOf({ cron: '0 8 ? * MON-FRI *', window: '4h' }, WEEKDAY_MORNINGS)).toEqual({
      ScheduleExpression: 'cron(0 8 ? * MON-FRI *)',
      Duration: '4h',
    });
    const late = refusal({ cron: '0 10 ? * TUE *', window: '4h' }, WEEKDAY_MORNINGS);
    expect(late).toContain(
      "schedule: the rotation window (4h from 10:00 UTC on TUE) is not inside the policy's maintenanceWindows",
    );
    expect(late).toContain('a native rotation cannot wait for a maintenance window');
    expect(refusal({ cron: '0 8 ? * SAT *', window: '2h' }, WEEKDAY_MORNINGS)).toContain('on SAT');
    // A rate's window opens at midnight on any weekday: it never fits weekday mornings.
    expect(refusal({ every: Duration.days(30) }, WEEKDAY_MORNINGS)).toContain('from 0:00 UTC on SUN,MON');
  });

  it('accepts a window inside a maintenance window that crosses midnight', () => {
    const nights = {
      maintenanceWindows: [{ days: ['SAT'], start: '20:00', end: '02:00' }],
    } satisfies RotationPolicyInput;
    expect(rulesOf({ cron: '0 21 ? * SAT *', window: '3h' }, nights)).toEqual({
      ScheduleExpression: 'cron(0 21 ? * SAT *)',
      Duration: '3h',
    });
  });
});
