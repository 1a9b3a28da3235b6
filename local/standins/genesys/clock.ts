export interface Clock {
  now(): Date;
}

export interface AdvanceableClock extends Clock {
  advance(ms: number): void;
}

/**
 * Real time plus an offset: time keeps flowing (so usage queries complete and rate-limit windows
 * roll over on their own) while tests can jump ahead by days to age clients or move usage days.
 */
export class StandInClock implements AdvanceableClock {
  private offsetMs: number;

  constructor(start: Date = new Date()) {
    this.offsetMs = start.getTime() - Date.now();
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** Wraps an injected clock so `advance` works even when the injected one cannot advance itself. */
export function toAdvanceableClock(clock: Clock): AdvanceableClock {
  if (isAdvanceable(clock)) return clock;
  let offsetMs = 0;
  return {
    now: () => new Date(clock.now().getTime() + offsetMs),
    advance: (ms: number) => {
      offsetMs += ms;
    },
  };
}

function isAdvanceable(clock: Clock): clock is AdvanceableClock {
  return typeof (clock as Partial<AdvanceableClock>).advance === 'function';
}

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60 * MS_PER_SECOND;
export const MS_PER_DAY = 24 * 60 * MS_PER_MINUTE;
