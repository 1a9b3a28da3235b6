import type { MaintenanceWindow } from '../shared/policy.js';

const DAY_INDEX: Record<MaintenanceWindow['days'][number], number> = {
  SUN: 0,
  MON: 1,
  TUE: 2,
  WED: 3,
  THU: 4,
  FRI: 5,
  SAT: 6,
};
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function minutes(hhmm: string): number {
  const [hours, mins] = hhmm.split(':').map(Number);
  return (hours ?? 0) * 60 + (mins ?? 0);
}

/** Openings of `window` as [start, end) instants in UTC, for the days around `now`. */
function openings(window: MaintenanceWindow, now: Date): Array<[number, number]> {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const start = minutes(window.start);
  let end = minutes(window.end);
  if (end <= start) end += 24 * 60; // crosses midnight
  const result: Array<[number, number]> = [];
  for (let offset = -1; offset <= 8; offset += 1) {
    const day = midnight + offset * DAY_MS;
    const weekday = new Date(day).getUTCDay();
    if (window.days.some((name) => DAY_INDEX[name] === weekday)) {
      result.push([day + start * MINUTE_MS, day + end * MINUTE_MS]);
    }
  }
  return result;
}

/** Seconds until a window is open: 0 inside one (or with no windows configured). */
export function secondsUntilWindow(windows: readonly MaintenanceWindow[], now: Date): number {
  if (windows.length === 0) return 0;
  const at = now.getTime();
  let next = Number.POSITIVE_INFINITY;
  for (const window of windows) {
    for (const [open, close] of openings(window, now)) {
      if (open <= at && at < close) return 0;
      if (open > at) next = Math.min(next, open);
    }
  }
  return Number.isFinite(next) ? Math.ceil((next - at) / 1000) : 0;
}
