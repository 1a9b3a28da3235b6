/**
 * The fault matrix, derived from what real rotations did: clean discovery runs (manual, native,
 * and one forced onto the rollback path) record every Genesys route the rotator called, every AWS
 * operation the rotation used and every Lambda step it ran; each becomes a call site, and each call
 * site gets every fault that applies to it. Two more runs have dependents that follow (an
 * integration credential holding the client, a flow executing its action): their integration
 * routes and follow tasks become the `follow ...` call sites, each run with followers.
 */
import { FOLLOW_STATE } from '../../functions/shared/workflow.js';
import type { LambdaInterceptor } from '../engine/runner.js';
import type { AwsFaultRule } from '../standins/aws/types.js';
import type { GenesysFaultRule } from '../standins/genesys/index.js';
import {
  GENESYS_TIMEOUT_MS,
  lambdaServiceException,
  type Observed,
  runScenario,
  type ScenarioIds,
  type ScenarioRuntime,
  type ScenarioSpec,
  type Trigger,
} from './scenario.js';

/** Who made a Genesys call: the rotator's admin identity, or Verify's probe with the new client. */
export type CallerRole = 'admin' | 'probe';

export interface CallSites {
  readonly genesys: ReadonlyArray<{ readonly route: string; readonly caller: CallerRole }>;
  readonly aws: readonly string[];
  readonly tasks: readonly string[];
  readonly hookSteps: readonly string[];
  readonly rollbackTasks: readonly string[];
  /** What the runs with dependents that follow added: the integration routes and the follow tasks. */
  readonly follow: FollowCallSites | null;
}

export interface FollowCallSites {
  /** Integration routes the rotator called (`/api/v2/integrations...`). */
  readonly genesys: readonly string[];
  /** FollowDependents tasks of a clean rotation. */
  readonly tasks: readonly string[];
  /** FollowDependents tasks only the rollback path runs (a failed action test forces it). */
  readonly rollbackTasks: readonly string[];
}

/** A newly created client that Genesys refuses for longer than Verify waits: forces the rollback path. */
export const NEVER_ACTIVE_MS = 600_000;

/** The consumer's own calls: it logs in and calls this; never a rotator call site. */
const CONSUMER_ROUTES = new Set(['GET /api/v2/organizations/me']);

const FOLLOW_TASKS: ReadonlySet<string> = new Set(Object.values(FOLLOW_STATE));
const isIntegrationRoute = (route: string) => / \/api\/v2\/integrations(\/|$)/.test(route);

/**
 * A failed test of the integration's action on the new credential: the flip flips back and the
 * rotation rolls back (RollbackDependents first). Only the rotator's tests: the flow executes.
 */
export function failedActionTest(ids: ScenarioIds): GenesysFaultRule {
  return {
    route: 'POST /api/v2/integrations/actions/{actionId}/test',
    status: 200,
    body: {
      success: false,
      error: { message: 'fault matrix: the backend refused the request' },
      operations: [],
    },
    callerClientIds: [ids.adminClientId],
  };
}

/** Follow call sites from the runs with dependents: what they added to the plain runs (exported for tests). */
export function followCallSitesFrom(runs: { manual: Observed; rollback: Observed }): FollowCallSites {
  const routes = new Set<string>();
  for (const observed of [runs.manual, runs.rollback]) {
    for (const call of observed.genesys) {
      if (call.callerClientId === observed.adminClientId && isIntegrationRoute(call.route))
        routes.add(call.route);
    }
  }
  const tasks = (observed: Observed) => observed.lambdaStates.filter((state) => FOLLOW_TASKS.has(state));
  const normal = new Set(tasks(runs.manual));
  return {
    genesys: [...routes].sort(),
    tasks: [...normal],
    rollbackTasks: tasks(runs.rollback).filter((state) => !normal.has(state)),
  };
}

/** Call sites from discovery runs' observations (exported for tests). */
export function callSitesFrom(runs: {
  manual: Observed;
  native: Observed;
  rollback: Observed;
  follow?: { manual: Observed; rollback: Observed };
}): CallSites {
  const genesys = new Map<string, { route: string; caller: CallerRole }>();
  const aws = new Set<string>();
  for (const observed of [runs.manual, runs.native, runs.rollback]) {
    for (const call of observed.genesys) {
      if (CONSUMER_ROUTES.has(call.route)) continue;
      let caller: CallerRole | null = null;
      if (call.callerClientId === observed.adminClientId) caller = 'admin';
      // Before promotion no consumer holds the new client: its calls are Verify's probe.
      else if (
        call.callerClientId !== null &&
        observed.newClientIds.includes(call.callerClientId) &&
        (observed.promotedAt === null || call.at < observed.promotedAt)
      )
        caller = 'probe';
      if (caller) genesys.set(`${caller} ${call.route}`, { route: call.route, caller });
    }
    for (const operation of observed.aws) aws.add(operation);
  }
  const states = (observed: Observed) => observed.lambdaStates.filter((state) => !state.startsWith('hook:'));
  const normal = new Set([...states(runs.manual), ...states(runs.native)]);
  return {
    genesys: [...genesys.values()].sort((a, b) =>
      `${a.caller}${a.route}`.localeCompare(`${b.caller}${b.route}`),
    ),
    aws: [...aws].sort(),
    tasks: [...normal],
    hookSteps: runs.native.lambdaStates.filter((state) => state.startsWith('hook:')),
    rollbackTasks: states(runs.rollback).filter((state) => !normal.has(state)),
    follow: runs.follow ? followCallSitesFrom(runs.follow) : null,
  };
}

/**
 * Runs the discovery rotations (clean manual, clean native, forced rollback; with `follow`, a clean
 * manual and a forced rollback with dependents that follow) and derives the call sites. They run
 * side by side like the matrix's scenarios (`concurrency`, default 3): each has its own stand-ins.
 */
export async function discoverCallSites(
  options: { follow?: boolean; concurrency?: number } = {},
): Promise<CallSites> {
  const base = { site: 'discovery', fault: 'none' } as const;
  const runs: Array<[ScenarioSpec, string]> = [
    [{ ...base, id: 'discover-manual', trigger: 'manual', expect: 'succeeded' }, 'succeeded'],
    [{ ...base, id: 'discover-native', trigger: 'secretsmanager', expect: 'succeeded' }, 'succeeded'],
    [
      {
        ...base,
        id: 'discover-rollback',
        trigger: 'manual',
        expect: 'clean',
        newClientActivationDelayMs: NEVER_ACTIVE_MS,
      },
      'rolled-back',
    ],
  ];
  if (options.follow !== false) {
    runs.push(
      [
        { ...base, id: 'discover-follow-manual', trigger: 'manual', expect: 'succeeded', follow: true },
        'succeeded',
      ],
      [
        {
          ...base,
          id: 'discover-follow-rollback',
          trigger: 'manual',
          expect: 'clean',
          follow: true,
          genesysFaults: (ids) => [failedActionTest(ids)],
        },
        'rolled-back',
      ],
    );
  }
  const observed: Observed[] = new Array(runs.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < runs.length; index = next++) {
      const [spec, outcome] = runs[index] as [ScenarioSpec, string];
      const result = await runScenario(spec, { observe: true });
      if (!result.observed || result.violations.length > 0 || result.outcome !== outcome) {
        throw new Error(
          `discovery run ${spec.id} did not end as expected: ${result.outcome} ${result.violations.join('; ')}`,
        );
      }
      observed[index] = result.observed;
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 3, runs.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  const [manual, native, rollback, followManual, followRollback] = observed as [
    Observed,
    Observed,
    Observed,
    Observed | undefined,
    Observed | undefined,
  ];
  return callSitesFrom({
    manual,
    native,
    rollback,
    ...(followManual && followRollback ? { follow: { manual: followManual, rollback: followRollback } } : {}),
  });
}

const MUTATING_GENESYS = /^(POST|PUT|DELETE) /;
const NON_MUTATING_POSTS = new Set(['POST /oauth/token']);
const isMutatingRoute = (route: string) =>
  MUTATING_GENESYS.test(route) && !NON_MUTATING_POSTS.has(route) && !route.endsWith('/usage/query');
const MUTATING_AWS = new Set([
  'secretsmanager.PutSecretValue',
  'secretsmanager.UpdateSecretVersionStage',
  'secretsmanager.RotateSecret',
  'secretsmanager.CancelRotateSecret',
  'events.PutEvents',
  'states.StartExecution',
  'states.StopExecution',
]);
/** The consumer reads AWSCURRENT with this: a permanent outage of it is an outage of the consumer. */
const CONSUMER_AWS = new Set(['secretsmanager.GetSecretValue']);

function callerFilter(caller: CallerRole, ids: ScenarioIds): Partial<GenesysFaultRule> {
  return caller === 'admin'
    ? { callerClientIds: [ids.adminClientId] }
    : { exceptCallerClientIds: [ids.adminClientId, ids.legacyClientId] };
}

interface FaultKind<Rule> {
  readonly name: string;
  readonly rule: Omit<Rule, 'route' | 'operation'>;
  readonly expect: ScenarioSpec['expect'];
}

const GENESYS_TRANSIENT: readonly FaultKind<GenesysFaultRule>[] = [
  {
    name: '429 Retry-After 1s',
    rule: { status: 429, headers: { 'retry-after': '1' }, nth: 1, times: 1 },
    expect: 'succeeded',
  },
  { name: '500 x1', rule: { status: 500, nth: 1, times: 1 }, expect: 'succeeded' },
  { name: '503 x2', rule: { status: 503, nth: 1, times: 2 }, expect: 'succeeded' },
  {
    name: `slow ${GENESYS_TIMEOUT_MS + 500} ms (past timeout)`,
    rule: { latencyMs: GENESYS_TIMEOUT_MS + 500, nth: 1, times: 1 },
    expect: 'succeeded',
  },
  { name: 'connection dropped', rule: { drop: true, nth: 1, times: 1 }, expect: 'succeeded' },
];
const GENESYS_APPLIED: readonly FaultKind<GenesysFaultRule>[] = [
  {
    name: 'applied, then 500',
    rule: { status: 500, afterApply: true, nth: 1, times: 1 },
    expect: 'succeeded',
  },
  {
    name: 'applied, then dropped',
    rule: { drop: true, afterApply: true, nth: 1, times: 1 },
    expect: 'succeeded',
  },
];
const GENESYS_PERMANENT: FaultKind<GenesysFaultRule> = {
  name: 'permanent 500',
  rule: { status: 500 },
  expect: 'clean',
};

const AWS_TRANSIENT: readonly FaultKind<AwsFaultRule>[] = [
  { name: '429 throttled x2', rule: { status: 429, nth: 1, times: 2 }, expect: 'succeeded' },
  { name: '500 x2', rule: { status: 500, nth: 1, times: 2 }, expect: 'succeeded' },
  { name: '503 x2', rule: { status: 503, nth: 1, times: 2 }, expect: 'succeeded' },
  { name: 'slow 1500 ms', rule: { latencyMs: 1_500, nth: 1, times: 1 }, expect: 'succeeded' },
  { name: 'connection dropped', rule: { drop: true, nth: 1, times: 1 }, expect: 'succeeded' },
];
const AWS_APPLIED: readonly FaultKind<AwsFaultRule>[] = [
  {
    name: 'applied, then 500',
    rule: { status: 500, afterApply: true, nth: 1, times: 1 },
    expect: 'succeeded',
  },
  {
    name: 'applied, then dropped',
    rule: { drop: true, afterApply: true, nth: 1, times: 1 },
    expect: 'succeeded',
  },
];
const AWS_PERMANENT: FaultKind<AwsFaultRule> = {
  name: 'permanent 500',
  rule: { status: 500 },
  expect: 'clean',
};

type TaskFault = {
  readonly name: string;
  readonly make: (state: string) => (runtime: ScenarioRuntime) => LambdaInterceptor;
};

/** Fires once, on the first invocation of `state`. */
function once(
  state: string,
  act: (runtime: ScenarioRuntime, invoke: () => Promise<unknown>) => Promise<unknown>,
): (runtime: ScenarioRuntime) => LambdaInterceptor {
  return (runtime) => {
    let fired = false;
    return async (call, invoke) => {
      if (fired || call.stateName !== state) return invoke();
      fired = true;
      return act(runtime, invoke);
    };
  };
}

const TASK_FAULTS: readonly TaskFault[] = [
  {
    name: 'applied, then Lambda died',
    make: (state) =>
      once(state, async (_runtime, invoke) => {
        await invoke();
        throw lambdaServiceException(`fault matrix: the ${state} invocation died after it ran`);
      }),
  },
  {
    name: 'Lambda failed before running',
    make: (state) =>
      once(state, async () => {
        throw lambdaServiceException(`fault matrix: the ${state} invocation failed before it ran`);
      }),
  },
  {
    name: 'admin token expired before step',
    make: (state) =>
      once(state, async (runtime, invoke) => {
        const env = runtime.env();
        env.genesys?.expireTokens(env.demo.adminClientId);
        return invoke();
      }),
  },
];

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * The scenarios with dependents that follow (site `follow ...`, so `--filter follow` runs them all):
 * every integration route gets every fault that applies, every follow task its Lambda faults (the
 * rollback path's under a failed action test), each on a run whose flow keeps executing the action.
 */
function buildFollowMatrix(sites: FollowCallSites, add: (spec: Omit<ScenarioSpec, 'id'>) => void): void {
  for (const route of sites.genesys) {
    const site = `follow genesys admin ${route}`;
    const kinds = [
      ...GENESYS_TRANSIENT,
      ...(isMutatingRoute(route) ? GENESYS_APPLIED : []),
      GENESYS_PERMANENT,
    ];
    for (const kind of kinds) {
      add({
        site,
        fault: kind.name,
        trigger: 'manual',
        expect: kind.expect,
        follow: true,
        genesysFaults: (ids) => [{ ...kind.rule, route, ...callerFilter('admin', ids) }],
        // As above; a run with followers has more steps and a flow, so more room to gather evidence.
        ...(kind.rule.latencyMs && isMutatingRoute(route)
          ? { policy: { adoptionEvidenceDays: 2, gracePeriodSeconds: 8 } }
          : {}),
      });
    }
    for (const kind of [GENESYS_TRANSIENT[1], GENESYS_TRANSIENT[4]]) {
      if (!kind) continue;
      add({
        site,
        fault: kind.name,
        trigger: 'secretsmanager',
        expect: kind.expect,
        follow: true,
        genesysFaults: (ids) => [{ ...kind.rule, route, ...callerFilter('admin', ids) }],
      });
    }
  }
  for (const trigger of ['manual', 'secretsmanager'] as const) {
    for (const state of sites.tasks) {
      for (const fault of TASK_FAULTS) {
        add({
          site: `follow task ${state}`,
          fault: fault.name,
          trigger,
          expect: 'succeeded',
          follow: true,
          interceptor: fault.make(state),
        });
      }
    }
  }
  // The rollback path: the action test fails on the new credential, the flip flips back, the saga
  // deletes what was made. Its own steps, and the writes it repeats (the flip back, the delete).
  for (const state of sites.rollbackTasks) {
    for (const fault of TASK_FAULTS) {
      add({
        site: `follow task ${state} (rollback path)`,
        fault: fault.name,
        trigger: 'manual',
        expect: 'clean',
        follow: true,
        genesysFaults: (ids) => [failedActionTest(ids)],
        interceptor: fault.make(state),
      });
    }
  }
  const rollbackWrites: Array<[string, number, string]> = [
    ['PUT /api/v2/integrations/{integrationId}/config/current', 2, 'the flip back'],
    ['DELETE /api/v2/integrations/credentials/{credentialId}', 1, 'the rollback delete'],
  ];
  for (const [route, nth, what] of rollbackWrites) {
    if (!sites.genesys.includes(route)) continue;
    for (const kind of [GENESYS_TRANSIENT[1], GENESYS_TRANSIENT[4], ...GENESYS_APPLIED]) {
      if (!kind) continue;
      add({
        site: `follow genesys admin ${route} (rollback path, ${what})`,
        fault: kind.name,
        trigger: 'manual',
        expect: 'clean',
        follow: true,
        genesysFaults: (ids) => [
          failedActionTest(ids),
          { ...kind.rule, nth, route, ...callerFilter('admin', ids) },
        ],
      });
    }
  }
}

/** Every scenario of the full matrix, in a stable order. */
export function buildMatrix(sites: CallSites): ScenarioSpec[] {
  const specs: ScenarioSpec[] = [];
  const add = (spec: Omit<ScenarioSpec, 'id'>) =>
    specs.push({
      ...spec,
      id: slug(`${spec.site} ${spec.fault} ${spec.trigger}${spec.drive ? ` ${spec.drive}` : ''}`),
    });

  for (const { route, caller } of sites.genesys) {
    const site = `genesys ${caller} ${route}`;
    const kinds = [
      ...GENESYS_TRANSIENT,
      ...(isMutatingRoute(route) ? GENESYS_APPLIED : []),
      GENESYS_PERMANENT,
    ];
    for (const kind of kinds) {
      add({
        site,
        fault: kind.name,
        trigger: 'manual',
        expect: kind.expect,
        genesysFaults: (ids) => [{ ...kind.rule, route, ...callerFilter(caller, ids) }],
        // A slow write lands after the caller gave up. In production the adoption gate's evidence days
        // far outlast any request; keep that order here (two 1 s days against 1.5 s).
        ...(kind.rule.latencyMs && isMutatingRoute(route)
          ? { policy: { adoptionEvidenceDays: 2, gracePeriodSeconds: 5 } }
          : {}),
      });
    }
    // The native trigger runs the same steps inside the hook's bounded waits.
    for (const kind of [GENESYS_TRANSIENT[1], GENESYS_TRANSIENT[4]]) {
      if (!kind) continue;
      add({
        site,
        fault: kind.name,
        trigger: 'secretsmanager',
        expect: kind.expect,
        genesysFaults: (ids) => [{ ...kind.rule, route, ...callerFilter(caller, ids) }],
      });
    }
  }

  for (const operation of sites.aws) {
    const site = `aws ${operation}`;
    const kinds = [
      ...AWS_TRANSIENT,
      ...(MUTATING_AWS.has(operation) ? AWS_APPLIED : []),
      ...(CONSUMER_AWS.has(operation) ? [] : [AWS_PERMANENT]),
    ];
    // RotateSecret and the hook's calls only happen under the native trigger.
    const triggers: Trigger[] =
      operation === 'states.StartExecution' ? ['manual', 'secretsmanager'] : ['manual'];
    if (
      operation === 'secretsmanager.RotateSecret' ||
      operation.startsWith('states.DescribeExecution') ||
      operation === 'states.GetExecutionHistory'
    ) {
      triggers.splice(0, triggers.length, 'secretsmanager');
    }
    for (const trigger of triggers) {
      for (const kind of kinds) {
        add({
          site,
          fault: kind.name,
          trigger,
          expect: kind.expect,
          awsFaults: [{ ...kind.rule, operation }],
          // With the audit bus down no ending can be announced: the execution fails on it, loudly,
          // and everything else must still hold.
          ...(operation === 'events.PutEvents' && kind === AWS_PERMANENT
            ? { expectedFailure: 'InternalException' }
            : {}),
        });
      }
    }
  }

  for (const trigger of ['manual', 'secretsmanager'] as const) {
    for (const state of sites.tasks) {
      for (const fault of TASK_FAULTS) {
        add({
          site: `task ${state}`,
          fault: fault.name,
          trigger,
          expect: 'succeeded',
          interceptor: fault.make(state),
        });
      }
    }
  }
  for (const step of sites.hookSteps) {
    for (const fault of TASK_FAULTS) {
      add({
        site: step,
        fault: fault.name,
        trigger: 'secretsmanager',
        expect: 'succeeded',
        interceptor: fault.make(step),
      });
    }
  }
  // The rollback path's own steps, reached by a client Genesys never activates.
  for (const state of sites.rollbackTasks) {
    for (const fault of TASK_FAULTS) {
      add({
        site: `task ${state} (rollback path)`,
        fault: fault.name,
        trigger: 'manual',
        expect: 'clean',
        newClientActivationDelayMs: NEVER_ACTIVE_MS,
        interceptor: fault.make(state),
      });
    }
  }

  for (const trigger of ['manual', 'secretsmanager'] as const) {
    for (const [delayMs, expect] of [
      [1_000, 'succeeded'],
      [3_000, 'succeeded'],
      [NEVER_ACTIVE_MS, 'clean'],
    ] as const) {
      add({
        site: 'genesys new client activation',
        fault:
          delayMs === NEVER_ACTIVE_MS
            ? 'refused for 10 min (longer than Verify waits)'
            : `refused for ${delayMs / 1000} s after create`,
        trigger,
        expect,
        newClientActivationDelayMs: delayMs,
      });
    }
  }

  // Secrets Manager retries a failed rotation, with the same or a new token (unconfirmed): the new
  // client's first grant (Verify's probe) is refused once (the retry must succeed) or always (every
  // attempt fails: the pending value and its client are kept for the reattempt, nothing orphaned).
  for (const rotationRetryToken of ['same', 'new'] as const) {
    for (const [fault, times, expect] of [
      ['new client refused once, then retried', 1, 'succeeded'],
      ['new client refused on every attempt', 1_000, 'clean'],
    ] as const) {
      add({
        site: `secretsmanager retry (${rotationRetryToken} token)`,
        fault,
        trigger: 'secretsmanager',
        expect,
        rotationRetryToken,
        genesysFaults: (ids) => [
          {
            route: 'POST /oauth/token',
            nth: 1,
            times,
            status: 400,
            body: {
              error: 'unauthorized_client',
              description: 'client is not authorized',
              error_description: 'client is not authorized',
            },
            exceptCallerClientIds: [ids.adminClientId, ids.legacyClientId],
          },
        ],
      });
    }
  }

  if (sites.follow) buildFollowMatrix(sites.follow, add);

  const drives: Array<[ScenarioSpec['drive'], Trigger]> = [
    ['same-name-twice', 'manual'],
    ['manual-twice', 'manual'],
    ['native-twice', 'secretsmanager'],
    ['manual-and-native', 'manual'],
    ['again-after-finish', 'manual'],
    ['again-after-finish', 'secretsmanager'],
  ];
  for (const [drive, trigger] of drives) {
    add({ site: 'trigger', fault: drive ?? 'single', trigger, expect: 'clean', drive });
  }
  return specs;
}

/**
 * The follow scenarios CI runs (a handful: each starts a stack with dependents and a flow): the
 * writes that must not duplicate or conflict when their answer is lost, a follow task that died
 * after its side effect, and the rollback saga's own step dying.
 */
const REDUCED_FOLLOW: ReadonlyArray<readonly [site: string, fault: string]> = [
  ['follow genesys admin POST /api/v2/integrations/credentials', 'applied, then 500'],
  ['follow genesys admin PUT /api/v2/integrations/{integrationId}/config/current', 'applied, then dropped'],
  ['follow task FlipDependents', 'applied, then Lambda died'],
  ['follow task RollbackDependents (rollback path)', 'applied, then Lambda died'],
];

/**
 * A deterministic subset for CI: every call site once, its fault kinds taken in turn; of the
 * follow scenarios only REDUCED_FOLLOW (manual trigger).
 */
export function reduceMatrix(specs: readonly ScenarioSpec[]): ScenarioSpec[] {
  const bySite = new Map<string, ScenarioSpec[]>();
  const follow = specs.filter(
    (spec) =>
      spec.follow === true &&
      spec.trigger === 'manual' &&
      REDUCED_FOLLOW.some(([site, fault]) => spec.site === site && spec.fault === fault),
  );
  for (const spec of specs) {
    if (spec.follow === true) continue;
    const key = `${spec.site} ${spec.trigger}`;
    bySite.set(key, [...(bySite.get(key) ?? []), spec]);
  }
  const picked: ScenarioSpec[] = [];
  let turn = 0;
  for (const [key, group] of bySite) {
    const always =
      key.startsWith('trigger') ||
      key.startsWith('genesys new client') ||
      key.startsWith('secretsmanager retry');
    if (always) picked.push(...group);
    else {
      const chosen = group[turn % group.length];
      if (chosen) picked.push(chosen);
      turn += 1;
    }
  }
  // The follow scenarios are the longest (a stack with dependents, a flow): first, so they pack.
  return [...follow, ...picked];
}
