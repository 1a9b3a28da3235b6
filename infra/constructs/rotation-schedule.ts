/**
 * The rotation schedules Secrets Manager accepts and the rotator can honour, checked at synth.
 *
 * Secrets Manager (userguide `rotate-secrets_schedule.html`, API `RotationRulesType`): `rate()` in
 * hours or days, at most every four hours; `cron()` with 0 minutes and `*` year, UTC; the window
 * (`Duration`, whole hours) opens at midnight for a rate and at the cron's hour otherwise, and "must
 * not extend into the next UTC day or into the next rotation window". The rotator adds two rules of
 * its own: Validate refuses an interval outside 1-365 days, and a native rotation must start inside
 * the policy's maintenance windows, because the hook cannot wait for one (a hook step lasts at most
 * 15 minutes; Secrets Manager's rotation window is all the waiting there is).
 */
import type { Duration } from 'aws-cdk-lib';
import type { MaintenanceWindow } from '../../functions/shared/policy.js';

/** When Secrets Manager rotates the secret. */
export type RotationScheduleSpec =
  /**
   * Every `every` (whole hours or days, 1 to 365 days: Validate's interval), as `rate(...)`. The
   * window opens at midnight UTC and lasts `window` (default: the rest of the day for a rate in
   * days, one hour for a rate in hours).
   */
  | { readonly every: Duration; readonly window?: string | Duration }
  /**
   * A `cron(...)` expression (UTC, with or without the `cron(` wrapper) firing at one hour of the
   * day, and the window length, e.g. `{ cron: '0 8 ? * TUE *', window: '4h' }` or
   * `window: Duration.hours(4)`. Use it to keep rotations inside business hours.
   */
  | { readonly cron: string; readonly window: string | Duration };

export interface RotationRules {
  readonly scheduleExpression: string;
  readonly duration?: string;
}

const HOUR_MINUTES = 60;
const DAY_HOURS = 24;
const MIN_RATE_HOURS = 4;
const MIN_INTERVAL_DAYS = 1;
const MAX_INTERVAL_DAYS = 365;
const WEEK_MINUTES = 7 * DAY_HOURS * HOUR_MINUTES;
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6] as const;
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** The window as whole hours, or a problem naming the property. */
function windowHours(window: string | Duration, property: string): number | string {
  if (typeof window === 'string') {
    const match = /^(\d{1,2})h$/.exec(window);
    if (match?.[1] === undefined) return `${property}: '${window}' must be whole hours, like '4h'`;
    return Number(match[1]);
  }
  const minutes = window.toMinutes();
  if (minutes % HOUR_MINUTES !== 0) return `${property}: must be whole hours, not ${window.toHumanString()}`;
  return minutes / HOUR_MINUTES;
}

function windowRangeProblem(hours: number, property: string): string | null {
  return hours < 1 || hours > DAY_HOURS ? `${property}: must be 1 to 24 hours, not ${hours}h` : null;
}

interface ParsedCron {
  readonly expression: string;
  readonly startHour: number;
  /** Weekdays (0 = SUN) the rotation window can open on. */
  readonly days: readonly number[];
}

function weekday(token: string): number | null {
  const name = DAY_NAMES.indexOf(token.toUpperCase() as (typeof DAY_NAMES)[number]);
  if (name >= 0) return name;
  const number = /^[1-7]$/.test(token) ? Number(token) - 1 : null; // cron: 1-7 = SUN-SAT
  return number;
}

/** Weekdays of a cron day-of-week field; every day for `?`/`*` (a day-of-month lands on any weekday). */
function weekdays(field: string): number[] | null {
  if (field === '?' || field === '*') return [...ALL_DAYS];
  const days = new Set<number>();
  for (const part of field.split(',')) {
    const bare = part.replace(/(#\d|L)$/, '');
    const [from, to] = bare.split('-');
    const first = from === undefined ? null : weekday(from);
    const last = to === undefined ? first : weekday(to);
    if (first === null || last === null) return null;
    for (let day = first; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === last) break;
    }
  }
  return [...days].sort();
}

function parseCron(raw: string, problems: string[]): ParsedCron | null {
  const inner = /^cron\((.*)\)$/.exec(raw.trim())?.[1] ?? raw.trim();
  const fields = inner.trim().split(/\s+/);
  const [minutes, hours, , , dayOfWeek, year] = fields;
  if (fields.length !== 6 || minutes === undefined || hours === undefined || dayOfWeek === undefined) {
    problems.push(
      `schedule.cron: '${raw}' must have six fields: minutes hours day-of-month month day-of-week year`,
    );
    return null;
  }
  if (minutes !== '0')
    problems.push(`schedule.cron: the minutes field must be 0 (windows open on the hour), not '${minutes}'`);
  if (year !== '*') problems.push(`schedule.cron: the year field must be '*', not '${year}'`);
  if (!/^(\d|1\d|2[0-3])$/.test(hours)) {
    problems.push(
      `schedule.cron: the hours field must be one hour 0-23, not '${hours}': more than one rotation a day is an interval under Validate's 1 day`,
    );
    return null;
  }
  const days = weekdays(dayOfWeek);
  if (days === null) {
    problems.push(
      `schedule.cron: day-of-week '${dayOfWeek}' is not understood (use SUN-SAT, 1-7, ranges, lists, ? or *)`,
    );
    return null;
  }
  return { expression: `cron(${inner.trim()})`, startHour: Number(hours), days };
}

function minutesOf(hhmm: string): number {
  const [hours, mins] = hhmm.split(':').map(Number);
  return (hours ?? 0) * HOUR_MINUTES + (mins ?? 0);
}

/** Whether [start, end) minutes of the week lies inside one opening of a maintenance window. */
function insideMaintenanceWindow(start: number, end: number, windows: readonly MaintenanceWindow[]): boolean {
  return windows.some((window) =>
    window.days.some((name) => {
      const day = DAY_NAMES.indexOf(name) * DAY_HOURS * HOUR_MINUTES;
      const open = day + minutesOf(window.start);
      let close = day + minutesOf(window.end);
      if (close <= open) close += DAY_HOURS * HOUR_MINUTES; // crosses midnight
      return [-WEEK_MINUTES, 0, WEEK_MINUTES].some((shift) => open + shift <= start && end <= close + shift);
    }),
  );
}

function describeWindows(windows: readonly MaintenanceWindow[]): string {
  return windows.map((window) => `${window.days.join(',')} ${window.start}-${window.end}`).join('; ');
}

/**
 * The rotation rules for a schedule, or the problems (each naming its property) that make Secrets
 * Manager or the rotator refuse it.
 */
export function rotationRulesFor(
  schedule: RotationScheduleSpec,
  maintenanceWindows: readonly MaintenanceWindow[],
): { rules: RotationRules | null; problems: string[] } {
  const problems: string[] = [];
  let rules: RotationRules | null = null;
  let opening: { days: readonly number[]; startHour: number; hours: number } | null = null;

  if ('every' in schedule) {
    const minutes = schedule.every.toMinutes({ integral: false });
    const hours = minutes / HOUR_MINUTES;
    if (!Number.isInteger(hours)) {
      problems.push(
        `schedule.every: must be whole hours or days (rate() has no minutes), not ${schedule.every.toHumanString()}`,
      );
    } else if (hours < MIN_RATE_HOURS) {
      problems.push(
        `schedule.every: Secrets Manager rotates at most every ${MIN_RATE_HOURS} hours, not every ${hours}h`,
      );
    } else if (hours < MIN_INTERVAL_DAYS * DAY_HOURS || hours > MAX_INTERVAL_DAYS * DAY_HOURS) {
      problems.push(
        `schedule.every: the interval must be ${MIN_INTERVAL_DAYS}-${MAX_INTERVAL_DAYS} days (Validate refuses any other), not ${schedule.every.toHumanString()}`,
      );
    } else {
      const inDays = hours % DAY_HOURS === 0;
      const expression = inDays
        ? `rate(${hours / DAY_HOURS} ${hours === DAY_HOURS ? 'day' : 'days'})`
        : `rate(${hours} hours)`;
      let window = inDays ? DAY_HOURS : 1;
      if (schedule.window !== undefined) {
        const parsed = windowHours(schedule.window, 'schedule.window');
        if (typeof parsed === 'string') problems.push(parsed);
        else {
          const range = windowRangeProblem(parsed, 'schedule.window');
          if (range !== null) problems.push(range);
          else if (!inDays && parsed > hours) {
            problems.push(`schedule.window: ${parsed}h runs into the next rotation window, ${hours}h later`);
          }
          window = parsed;
        }
      }
      rules =
        schedule.window === undefined
          ? { scheduleExpression: expression }
          : { scheduleExpression: expression, duration: `${window}h` };
      // A rate's window opens at midnight UTC, on whichever weekday the interval lands.
      opening = { days: ALL_DAYS, startHour: 0, hours: window };
    }
  } else {
    const cron = parseCron(schedule.cron, problems);
    const parsed = windowHours(schedule.window, 'schedule.window');
    if (typeof parsed === 'string') problems.push(parsed);
    else {
      const range = windowRangeProblem(parsed, 'schedule.window');
      if (range !== null) problems.push(range);
      else if (cron !== null && cron.startHour + parsed > DAY_HOURS) {
        problems.push(
          `schedule.window: ${parsed}h from ${cron.startHour}:00 UTC crosses midnight UTC; Secrets Manager refuses a window into the next UTC day`,
        );
      }
    }
    if (cron !== null && typeof parsed === 'number') {
      rules = { scheduleExpression: cron.expression, duration: `${parsed}h` };
      opening = { days: cron.days, startHour: cron.startHour, hours: parsed };
    }
  }

  if (opening !== null && maintenanceWindows.length > 0 && problems.length === 0) {
    const outside = opening.days.filter((day) => {
      const start = (day * DAY_HOURS + opening.startHour) * HOUR_MINUTES;
      return !insideMaintenanceWindow(start, start + opening.hours * HOUR_MINUTES, maintenanceWindows);
    });
    if (outside.length > 0) {
      problems.push(
        `schedule: the rotation window (${opening.hours}h from ${opening.startHour}:00 UTC on ${outside
          .map((day) => DAY_NAMES[day])
          .join(
            ',',
          )}) is not inside the policy's maintenanceWindows (${describeWindows(maintenanceWindows)}); ` +
          'a native rotation cannot wait for a maintenance window (a hook step lasts at most 15 minutes): ' +
          'use a cron schedule whose window lies inside one',
      );
    }
  }
  return { rules: problems.length === 0 ? rules : null, problems };
}
