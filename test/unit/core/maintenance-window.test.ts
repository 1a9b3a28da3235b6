import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { secondsUntilWindow } from '../../../functions/core/maintenance-window.js';
import type { MaintenanceWindow } from '../../../functions/shared/policy.js';

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function minutesOf(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':');
  return Number(hours) * 60 + Number(minutes);
}

/**
 * Reference oracle written from the policy's wording: a window opens on each listed (UTC) day at
 * `start` and closes at `end`, the same day, or the next day when `end` is not after `start`.
 */
function insideAnyWindow(windows: readonly MaintenanceWindow[], instant: number): boolean {
  const weekday = new Date(instant).getUTCDay();
  const yesterday = (weekday + 6) % 7;
  const msOfDay = ((instant % DAY_MS) + DAY_MS) % DAY_MS;
  return windows.some((window) => {
    const start = minutesOf(window.start) * MINUTE_MS;
    const end = minutesOf(window.end) * MINUTE_MS;
    const opensOn = (day: number) => window.days.includes(DAYS[day] ?? 'SUN');
    if (start < end) return opensOn(weekday) && msOfDay >= start && msOfDay < end;
    return (opensOn(weekday) && msOfDay >= start) || (opensOn(yesterday) && msOfDay < end);
  });
}

const at = (iso: string) => new Date(iso);

describe('secondsUntilWindow', () => {
  it('is 0 when no window is configured', () => {
    // Prepare
    const now = at('2026-03-04T10:00:00Z');

    // Act
    const wait = secondsUntilWindow([], now);

    // Assess
    expect(wait).toBe(0);
  });

  it('is 0 inside a window, including its opening minute', () => {
    // Prepare
    const windows: MaintenanceWindow[] = [{ days: ['WED'], start: '09:00', end: '11:00' }];

    // Act
    const atOpening = secondsUntilWindow(windows, at('2026-03-04T09:00:00Z'));
    const inside = secondsUntilWindow(windows, at('2026-03-04T10:59:59Z'));

    // Assess
    expect(atOpening).toBe(0);
    expect(inside).toBe(0);
  });

  it('waits for the opening later the same day, and treats the closing instant as outside', () => {
    // Prepare
    const windows: MaintenanceWindow[] = [{ days: ['WED', 'THU'], start: '09:00', end: '11:00' }];

    // Act
    const before = secondsUntilWindow(windows, at('2026-03-04T08:30:00Z'));
    const atClose = secondsUntilWindow(windows, at('2026-03-04T11:00:00Z'));

    // Assess
    expect(before).toBe(30 * 60);
    expect(atClose).toBe(22 * 3600);
  });

  it('waits across days to the next listed weekday', () => {
    // Prepare: Wednesday 10:00; the only window is Monday 02:00
    const windows: MaintenanceWindow[] = [{ days: ['MON'], start: '02:00', end: '04:00' }];

    // Act
    const wait = secondsUntilWindow(windows, at('2026-03-04T10:00:00Z'));

    // Assess
    expect(wait).toBe(4 * 86_400 + 16 * 3600);
  });

  it('handles a window crossing midnight, on both sides of midnight', () => {
    // Prepare: Friday 22:00 to Saturday 02:00
    const windows: MaintenanceWindow[] = [{ days: ['FRI'], start: '22:00', end: '02:00' }];

    // Act
    const fridayLate = secondsUntilWindow(windows, at('2026-03-06T23:30:00Z'));
    const saturdayEarly = secondsUntilWindow(windows, at('2026-03-07T01:59:00Z'));
    const saturdayAfter = secondsUntilWindow(windows, at('2026-03-07T02:00:00Z'));
    const fridayBefore = secondsUntilWindow(windows, at('2026-03-06T21:00:00Z'));

    // Assess
    expect(fridayLate).toBe(0);
    expect(saturdayEarly).toBe(0);
    expect(saturdayAfter).toBe(6 * 86_400 + 20 * 3600);
    expect(fridayBefore).toBe(3600);
  });

  it('picks the earliest opening among several windows', () => {
    // Prepare
    const windows: MaintenanceWindow[] = [
      { days: ['SUN'], start: '03:00', end: '04:00' },
      { days: ['THU'], start: '01:00', end: '02:00' },
      { days: ['WED'], start: '23:30', end: '23:45' },
    ];

    // Act
    const wait = secondsUntilWindow(windows, at('2026-03-04T10:00:00Z'));

    // Assess
    expect(wait).toBe(13 * 3600 + 30 * 60);
  });

  it('rounds a partial second up, so the rotation never starts before the opening', () => {
    // Prepare
    const windows: MaintenanceWindow[] = [{ days: ['WED'], start: '11:00', end: '12:00' }];

    // Act
    const wait = secondsUntilWindow(windows, at('2026-03-04T10:59:59.250Z'));

    // Assess
    expect(wait).toBe(1);
  });

  it('treats equal start and end as a window open all day from that time', () => {
    // Prepare
    const windows: MaintenanceWindow[] = [{ days: ['TUE'], start: '12:00', end: '12:00' }];

    // Act
    const insideNextMorning = secondsUntilWindow(windows, at('2026-03-04T11:59:00Z'));
    const afterClose = secondsUntilWindow(windows, at('2026-03-04T12:00:00Z'));

    // Assess
    expect(insideNextMorning).toBe(0);
    expect(afterClose).toBe(6 * 86_400);
  });

  it('is 0 exactly inside a window; otherwise now+result is the first whole second inside one', () => {
    // Prepare
    const hhmm = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    const window = fc.record({
      days: fc.uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: 7 }),
      start: hhmm,
      end: hhmm,
    });
    const windows = fc.array(window, { minLength: 1, maxLength: 4 });
    const instant = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2030, 0, 1) });

    // Act + Assess
    fc.assert(
      fc.property(windows, instant, (configured, now) => {
        const wait = secondsUntilWindow(configured, new Date(now));
        expect(Number.isInteger(wait)).toBe(true);
        expect(wait >= 0 && wait <= 7 * 86_400).toBe(true);
        expect(wait === 0).toBe(insideAnyWindow(configured, now));
        if (wait > 0) {
          expect(insideAnyWindow(configured, now + wait * 1000)).toBe(true);
          expect(insideAnyWindow(configured, now + (wait - 1) * 1000)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });
});
