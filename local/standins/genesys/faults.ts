/** A failure to inject on calls to one route (see GenesysStandIn.faults). */
export interface GenesysFaultRule {
  /** Route template, e.g. 'POST /api/v2/oauth/clients' or 'POST /oauth/token'. */
  route: string;
  /** 1-based index of the matching call to fault (default: every matching call). */
  nth?: number;
  /** How many matching calls to fault starting at nth (default 1 when nth given, else unlimited). */
  times?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Delay before answering (alone, or combined with status or drop). */
  latencyMs?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** Apply the real side effect, then answer with the fault: the server did it but the caller saw an error. */
  afterApply?: boolean;
  /** Only calls by these clients (bearer token's client, or the token endpoint's client id) match. */
  callerClientIds?: readonly string[];
  /** Calls by these clients never match (e.g. a consumer sharing the route with the rotator). */
  exceptCallerClientIds?: readonly string[];
}

interface ArmedRule {
  rule: GenesysFaultRule;
  /** Calls to the rule's route seen since the rule was added. */
  seen: number;
}

/** What the server should do differently for one call. */
export interface FaultDecision {
  rule: GenesysFaultRule;
  /** True when the rule replaces the answer (status or drop), false when it only adds latency. */
  replacesAnswer: boolean;
}

export class FaultInjector {
  private rules: ArmedRule[] = [];

  add(rule: GenesysFaultRule): void {
    if (rule.nth !== undefined && (!Number.isInteger(rule.nth) || rule.nth < 1)) {
      throw new Error(`fault rule nth must be a positive integer, got ${rule.nth}`);
    }
    if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) {
      throw new Error(`fault rule times must be a positive integer, got ${rule.times}`);
    }
    this.rules.push({ rule: { ...rule }, seen: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Counts this call against every rule for the route (and caller) and returns the first rule that fires. */
  decide(route: string, callerClientId: string | null = null): FaultDecision | undefined {
    let fired: GenesysFaultRule | undefined;
    for (const armed of this.rules) {
      if (armed.rule.route !== route || !matchesCaller(armed.rule, callerClientId)) continue;
      armed.seen += 1;
      if (!fired && firesOn(armed.rule, armed.seen)) fired = armed.rule;
    }
    if (!fired) return undefined;
    return { rule: fired, replacesAnswer: fired.drop === true || fired.status !== undefined };
  }
}

function matchesCaller(rule: GenesysFaultRule, callerClientId: string | null): boolean {
  if (rule.callerClientIds && (callerClientId === null || !rule.callerClientIds.includes(callerClientId)))
    return false;
  return !(callerClientId !== null && rule.exceptCallerClientIds?.includes(callerClientId));
}

function firesOn(rule: GenesysFaultRule, callIndex: number): boolean {
  const first = rule.nth ?? 1;
  const times = rule.times ?? (rule.nth !== undefined ? 1 : Number.POSITIVE_INFINITY);
  return callIndex >= first && callIndex < first + times;
}
