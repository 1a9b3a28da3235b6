import type { AwsFaultRule, AwsServiceName } from './types.js';

const SERVICE_ALIASES: Readonly<Record<string, AwsServiceName>> = {
  secretsmanager: 'secretsmanager',
  events: 'events',
  awsevents: 'events',
  eventbridge: 'events',
  states: 'states',
  awsstepfunctions: 'states',
  stepfunctions: 'states',
  sfn: 'states',
  sqs: 'sqs',
  amazonsqs: 'sqs',
  lambda: 'lambda',
};

/** What the server must do with one request, decided before it handles it. */
export interface FaultDecision {
  readonly latencyMs: number;
  readonly drop: boolean;
  readonly afterApply: boolean;
  /** Set when the request must be answered with an error. */
  readonly error: { status: number; errorType: string | undefined; message: string | undefined } | null;
}

interface ActiveRule {
  readonly rule: AwsFaultRule;
  readonly service: AwsServiceName | null;
  readonly operation: string;
  readonly first: number;
  readonly last: number;
  matchingCalls: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  add(rule: AwsFaultRule): void {
    const { service, operation } = parseOperation(rule.operation);
    if (rule.nth !== undefined && (!Number.isInteger(rule.nth) || rule.nth < 1)) {
      throw new Error(`Fault rule nth must be a positive integer, got ${rule.nth}`);
    }
    if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) {
      throw new Error(`Fault rule times must be a positive integer, got ${rule.times}`);
    }
    const first = rule.nth ?? 1;
    const times = rule.times ?? (rule.nth === undefined ? Number.POSITIVE_INFINITY : 1);
    this.rules.push({ rule, service, operation, first, last: first + times - 1, matchingCalls: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Counts this call against every rule naming the operation; the first rule whose window it falls in applies. */
  decide(service: AwsServiceName, operation: string): FaultDecision | null {
    let chosen: ActiveRule | null = null;
    for (const active of this.rules) {
      if (active.operation !== operation || (active.service !== null && active.service !== service)) continue;
      active.matchingCalls += 1;
      if (chosen === null && active.matchingCalls >= active.first && active.matchingCalls <= active.last) {
        chosen = active;
      }
    }
    if (chosen === null) return null;
    const { rule } = chosen;
    const answersError = rule.status !== undefined || rule.errorType !== undefined;
    return {
      latencyMs: rule.latencyMs ?? 0,
      drop: rule.drop === true,
      afterApply: rule.afterApply === true,
      error: answersError
        ? {
            status: rule.status ?? defaultStatusFor(rule.errorType),
            errorType: rule.errorType,
            message: rule.message,
          }
        : null,
    };
  }
}

function parseOperation(spec: string): { service: AwsServiceName | null; operation: string } {
  const dot = spec.lastIndexOf('.');
  if (dot === -1) return { service: null, operation: spec };
  const prefix = spec.slice(0, dot).toLowerCase();
  const service = SERVICE_ALIASES[prefix];
  if (service === undefined) {
    throw new Error(
      `Fault rule names an unknown service '${spec.slice(0, dot)}' (use secretsmanager, events, states or sqs)`,
    );
  }
  return { service, operation: spec.slice(dot + 1) };
}

const SERVER_SIDE_ERROR_TYPES = new Set([
  'InternalServiceError',
  'InternalException',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
]);

function defaultStatusFor(errorType: string | undefined): number {
  if (errorType === undefined || SERVER_SIDE_ERROR_TYPES.has(errorType)) return 500;
  return 400;
}

/** The `__type` answered when a rule gives only a status. */
export function defaultErrorTypeFor(status: number, internalErrorType: string): string {
  if (status === 429) return 'ThrottlingException';
  if (status >= 500) return internalErrorType;
  return 'ValidationException';
}
