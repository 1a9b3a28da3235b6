import { randomUUID } from 'node:crypto';
import { MS_PER_DAY } from './clock.js';
import { badRequest } from './errors.js';

/** genesys-cloud-api.md §1.4: `ApiUsageClientQuery` vocabulary. */
export const USAGE_METRICS = [
  'Requests',
  'Status200',
  'Status300',
  'Status400',
  'Status500',
  'Status429',
] as const;
export const USAGE_GROUP_BY = ['OAuthClientId', 'OrganizationId', 'TemplateUri', 'HttpMethod'] as const;
export const USAGE_GRANULARITIES = ['Day', 'Week', 'Month'] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];
export type UsageGroupBy = (typeof USAGE_GROUP_BY)[number];
export type UsageGranularity = (typeof USAGE_GRANULARITIES)[number];

/** genesys-cloud-api.md §1.4: `ApiUsageRow`. */
export interface ApiUsageRow {
  date: string;
  clientId: string;
  clientName: string;
  organizationId: string;
  templateUri?: string;
  httpMethod?: string;
  requests?: number;
  status200?: number;
  status300?: number;
  status400?: number;
  status500?: number;
  status429?: number;
}

interface Counters {
  requests: number;
  status200: number;
  status300: number;
  status400: number;
  status500: number;
  status429: number;
}

interface UsageCell extends Counters {
  clientId: string;
  /** UTC midnight of the day the requests were made. */
  dayStartMs: number;
  templateUri: string;
  httpMethod: string;
}

const METRIC_FIELDS: Record<UsageMetric, keyof Counters> = {
  Requests: 'requests',
  Status200: 'status200',
  Status300: 'status300',
  Status400: 'status400',
  Status500: 'status500',
  Status429: 'status429',
};

function statusField(status: number): keyof Counters {
  if (status === 429) return 'status429';
  if (status >= 500) return 'status500';
  if (status >= 400) return 'status400';
  if (status >= 300) return 'status300';
  return 'status200';
}

export function utcDayStart(at: Date): number {
  return Math.floor(at.getTime() / MS_PER_DAY) * MS_PER_DAY;
}

export interface UsageCalendarOptions {
  /** Length of one usage day; MS_PER_DAY (the default) is Genesys' UTC day. */
  readonly dayLengthMs?: number;
  /** How long after a day ends its row first appears. */
  readonly reportLagMs?: number;
  /** Where compressed days are counted from (the stand-in clock's start); ignored for real days. */
  readonly epochMs?: number;
}

/**
 * The usage API's calendar (help.mypurecloud.com, API Usage report): usage is "an aggregate of all
 * API requests made between 00:00:00 and 23:59:59" UTC, "This report does not include data for the
 * current day", and a completed day shows only after `reportLagMs`. Real days are UTC days; a
 * shorter `dayLengthMs` (local demos) counts days of that length from `epochMs`.
 */
export class UsageCalendar {
  readonly dayLengthMs: number;
  readonly reportLagMs: number;
  readonly epochMs: number;

  constructor(options: UsageCalendarOptions = {}) {
    this.dayLengthMs = options.dayLengthMs ?? MS_PER_DAY;
    this.reportLagMs = options.reportLagMs ?? 0;
    if (!Number.isInteger(this.dayLengthMs) || this.dayLengthMs < 1 || this.dayLengthMs > MS_PER_DAY)
      throw new Error(`usage dayLengthMs must be an integer in 1..${MS_PER_DAY}, got ${this.dayLengthMs}`);
    if (!(this.reportLagMs >= 0)) throw new Error(`usage reportLagMs must be >= 0, got ${this.reportLagMs}`);
    this.epochMs = this.compressed ? (options.epochMs ?? 0) : 0;
  }

  get compressed(): boolean {
    return this.dayLengthMs !== MS_PER_DAY;
  }

  dayStart(atMs: number): number {
    return this.epochMs + Math.floor((atMs - this.epochMs) / this.dayLengthMs) * this.dayLengthMs;
  }

  /** A day is reported once it has ended and the lag has passed; the current day never is. */
  isReported(dayStartMs: number, nowMs: number): boolean {
    return dayStartMs + this.dayLengthMs + this.reportLagMs <= nowMs;
  }

  bucketStart(dayStartMs: number, granularity: UsageGranularity): number {
    if (this.compressed) {
      // Compressed weeks and months: 7 and 30 days counted from the epoch, like the days themselves.
      const span = granularity === 'Month' ? 30 : granularity === 'Week' ? 7 : 1;
      const index = Math.floor((dayStartMs - this.epochMs) / this.dayLengthMs);
      return this.epochMs + Math.floor(index / span) * span * this.dayLengthMs;
    }
    const day = new Date(dayStartMs);
    if (granularity === 'Month') return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1);
    if (granularity === 'Week') {
      const daysSinceMonday = (day.getUTCDay() + 6) % 7;
      return dayStartMs - daysSinceMonday * MS_PER_DAY;
    }
    return dayStartMs;
  }
}

export interface UsageQuerySpec {
  clientId: string;
  from: Date;
  to: Date;
  granularity: UsageGranularity;
  metrics: readonly UsageMetric[];
  groupBy: readonly UsageGroupBy[];
}

/**
 * Counts the stand-in's own /api/v2 traffic per calling client, usage day, template URI and method.
 * Like the real usage API it is day-granular (a query whose interval touches a day sees all of it),
 * and answers only for reported days: never the current one, a completed one after the lag.
 */
export class UsageLedger {
  private readonly cells = new Map<string, UsageCell>();

  constructor(readonly calendar: UsageCalendar = new UsageCalendar()) {}

  record(
    clientId: string,
    at: Date,
    templateUri: string,
    httpMethod: string,
    status: number,
    count = 1,
  ): void {
    const dayStartMs = this.calendar.dayStart(at.getTime());
    const key = `${clientId}|${dayStartMs}|${httpMethod}|${templateUri}`;
    let cell = this.cells.get(key);
    if (!cell) {
      cell = {
        clientId,
        dayStartMs,
        templateUri,
        httpMethod,
        requests: 0,
        status200: 0,
        status300: 0,
        status400: 0,
        status500: 0,
        status429: 0,
      };
      this.cells.set(key, cell);
    }
    cell.requests += count;
    cell[statusField(status)] += count;
  }

  /** Rows of the days reported at `now` that the interval touches. */
  rows(spec: UsageQuerySpec, clientName: string, organizationId: string, now: Date): ApiUsageRow[] {
    const { calendar } = this;
    const fromMs = spec.from.getTime();
    const toMs = spec.to.getTime();
    const metrics = spec.metrics.length > 0 ? spec.metrics : USAGE_METRICS;
    const byTemplate = spec.groupBy.includes('TemplateUri');
    const byMethod = spec.groupBy.includes('HttpMethod');
    const groups = new Map<
      string,
      { bucketMs: number; templateUri?: string; httpMethod?: string; counters: Counters }
    >();
    for (const cell of this.cells.values()) {
      if (cell.clientId !== spec.clientId) continue;
      if (cell.dayStartMs + calendar.dayLengthMs <= fromMs || cell.dayStartMs >= toMs) continue;
      if (!calendar.isReported(cell.dayStartMs, now.getTime())) continue;
      const bucketMs = calendar.bucketStart(cell.dayStartMs, spec.granularity);
      const templateUri = byTemplate ? cell.templateUri : undefined;
      const httpMethod = byMethod ? cell.httpMethod : undefined;
      const key = `${bucketMs}|${templateUri ?? ''}|${httpMethod ?? ''}`;
      let group = groups.get(key);
      if (!group) {
        group = {
          bucketMs,
          templateUri,
          httpMethod,
          counters: { requests: 0, status200: 0, status300: 0, status400: 0, status500: 0, status429: 0 },
        };
        groups.set(key, group);
      }
      for (const field of Object.values(METRIC_FIELDS)) group.counters[field] += cell[field];
    }
    return [...groups.values()]
      .sort((a, b) => a.bucketMs - b.bucketMs)
      .map((group) => {
        const row: ApiUsageRow = {
          date: new Date(group.bucketMs).toISOString(),
          clientId: spec.clientId,
          clientName,
          organizationId,
        };
        if (group.templateUri !== undefined) row.templateUri = group.templateUri;
        if (group.httpMethod !== undefined) row.httpMethod = group.httpMethod;
        for (const metric of metrics) row[METRIC_FIELDS[metric]] = group.counters[METRIC_FIELDS[metric]];
        return row;
      });
  }
}

interface UsageExecution {
  id: string;
  clientId: string;
  completesAt: number;
  results: ApiUsageRow[];
}

/** The asynchronous half of §1.4: a query is `Running` for a while, then `Complete` with its rows. */
export class UsageExecutions {
  private readonly executions = new Map<string, UsageExecution>();

  constructor(private readonly runningMs: () => number) {}

  start(clientId: string, results: ApiUsageRow[], now: Date): string {
    const id = randomUUID();
    this.executions.set(id, { id, clientId, completesAt: now.getTime() + this.runningMs(), results });
    return id;
  }

  result(
    clientId: string,
    executionId: string,
    now: Date,
  ): { results: ApiUsageRow[]; queryStatus: 'Running' | 'Complete' } | undefined {
    const execution = this.executions.get(executionId);
    if (!execution || execution.clientId !== clientId) return undefined;
    if (now.getTime() < execution.completesAt) return { results: [], queryStatus: 'Running' };
    return { results: execution.results, queryStatus: 'Complete' };
  }
}

function isMember<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

function parseList<T extends string>(input: unknown, allowed: readonly T[], field: string): T[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) throw badRequest(`${field} must be an array.`);
  return input.map((value) => {
    if (!isMember(allowed, value)) {
      throw badRequest(`${field} contains '${String(value)}'; allowed values: ${allowed.join(', ')}.`);
    }
    return value;
  });
}

/** Validates an `ApiUsageClientQuery` body (genesys-cloud-api.md §1.4). */
export function parseUsageQuery(clientId: string, body: unknown): UsageQuerySpec {
  if (typeof body !== 'object' || body === null) throw badRequest('A query body is required.');
  const record = body as Record<string, unknown>;
  const interval = record.interval;
  if (typeof interval !== 'string' || interval.length === 0) throw badRequest('interval is required.');
  const [start, end, ...rest] = interval.split('/');
  const from = new Date(start ?? '');
  const to = new Date(end ?? '');
  if (rest.length > 0 || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    throw badRequest(`interval '${interval}' is not an ISO-8601 'start/end' interval.`);
  }
  if (from.getTime() >= to.getTime()) throw badRequest(`interval '${interval}' ends before it starts.`);
  const granularity = record.granularity ?? 'Day';
  if (!isMember(USAGE_GRANULARITIES, granularity)) {
    throw badRequest(`granularity must be one of ${USAGE_GRANULARITIES.join(', ')}.`);
  }
  return {
    clientId,
    from,
    to,
    granularity,
    metrics: parseList(record.metrics, USAGE_METRICS, 'metrics'),
    groupBy: parseList(record.groupBy, USAGE_GROUP_BY, 'groupBy'),
  };
}
