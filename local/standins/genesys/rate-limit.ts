import { MS_PER_MINUTE, MS_PER_SECOND } from './clock.js';

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  count: number;
  /** Seconds until the window of this token starts over. */
  resetSeconds: number;
}

interface Window {
  startedAt: number;
  count: number;
}

/**
 * genesys-cloud-api.md §3: 300 requests per minute per client-credentials token. Each token's window
 * opens with its first request and lasts a minute (by the stand-in's clock), which keeps bursts in
 * tests deterministic: the (limit+1)th call inside one minute is always the first refused.
 */
export class PerTokenRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly limitPerMinute: number) {}

  take(accessToken: string, now: Date): RateLimitDecision {
    const nowMs = now.getTime();
    let window = this.windows.get(accessToken);
    if (!window || nowMs - window.startedAt >= MS_PER_MINUTE) {
      window = { startedAt: nowMs, count: 0 };
      this.windows.set(accessToken, window);
    }
    window.count += 1;
    const remainingMs = window.startedAt + MS_PER_MINUTE - nowMs;
    return {
      allowed: window.count <= this.limitPerMinute,
      limit: this.limitPerMinute,
      count: window.count,
      resetSeconds: Math.max(1, Math.ceil(remainingMs / MS_PER_SECOND)),
    };
  }
}

export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  return {
    'inin-ratelimit-allowed': String(decision.limit),
    'inin-ratelimit-count': String(decision.count),
    'inin-ratelimit-reset': String(decision.resetSeconds),
  };
}
