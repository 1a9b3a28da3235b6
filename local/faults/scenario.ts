/**
 * Runs one fault scenario on a fresh local environment: the simulated consumer warms up, the faults
 * are armed, the rotation is triggered, everything settles, the faults are lifted, and the end
 * state is collected and checked against DESIGN.md §7.
 */
import { GetSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import platformClient from 'purecloud-platform-client-v2';
import { createIsolatedApiClient } from '../../functions/shared/genesys/index.js';
import type { LambdaCall, LambdaInterceptor } from '../engine/runner.js';
import { type FollowDemo, seedFlowRunner, seedFollowDemo, simulateFlow } from '../follow-demo.js';
import { type LocalEnvironment, startLocalEnvironment, terminalStateOf } from '../harness.js';
import type { AwsFaultRule } from '../standins/aws/types.js';
import type { GenesysFaultRule, GenesysRequestRecord } from '../standins/genesys/index.js';
import { CanaryVault, findLeaks, type TextSource } from './canary.js';
import { captureOutput } from './capture.js';
import {
  checkInvariants,
  type DependentsEndState,
  type EndState,
  type ExecutionSnapshot,
  type Outcome,
} from './invariants.js';

/**
 * Waits compressed so one scenario takes a few seconds: 1 s usage days (the stand-in's are set to match
 * in `FAST_USAGE`), one evidence day; grace is the least the policy check allows plus a second.
 */
export const FAST_POLICY = {
  gracePeriodSeconds: 4,
  adoptionEvidenceDays: 1,
  usageDayLengthSeconds: 1,
  usageReportLagSeconds: 1,
  adoptionPollSeconds: 1,
  retireObserveSeconds: 1,
} as const;
/** The stand-in's usage calendar matching FAST_POLICY: 1 s days reported 0.2 s after they end. */
export const FAST_USAGE = { usageDayLengthMs: 1_000, usageReportLagMs: 200, usageQueryRunningMs: 0 } as const;
// The adoption gate's 1 s waits stay real: usage days are 1 s, and each check costs Genesys calls.
export const WAIT_OVERRIDES_MS = { ObserveInactive: 10 } as const;
/** The Genesys adapter's per-request timeout for the matrix (GENESYS_HTTP_TIMEOUT_MILLIS). */
export const GENESYS_TIMEOUT_MS = 1_000;
/** Wait before retrying a retryable answer without Retry-After (GENESYS_HTTP_RETRY_AFTER_MILLIS). */
export const GENESYS_RETRY_AFTER_MS = 100;
const SETTLE_TIMEOUT_MS = 120_000;
const WARM_UP_TIMEOUT_MS = 60_000;

export type Trigger = 'manual' | 'secretsmanager';
export type Drive =
  | 'single'
  /** The same execution (same name, same input) started twice at once. */
  | 'same-name-twice'
  /** Two manual executions for the secret at once. */
  | 'manual-twice'
  /** RotateSecret twice at once. */
  | 'native-twice'
  /** A manual execution and RotateSecret at once. */
  | 'manual-and-native'
  /** One rotation, then the same trigger again once it finished. */
  | 'again-after-finish';

export interface ScenarioIds {
  readonly adminClientId: string;
  readonly legacyClientId: string;
}

export interface ScenarioRuntime {
  /** The running environment (available once the scenario started). */
  env(): LocalEnvironment;
}

export interface ScenarioSpec {
  readonly id: string;
  /** e.g. `genesys POST /api/v2/oauth/clients`, `aws secretsmanager.PutSecretValue`, `task Create`. */
  readonly site: string;
  /** e.g. `429 Retry-After 1s`, `drop`, `applied, then Lambda died`. */
  readonly fault: string;
  readonly trigger: Trigger;
  /** `succeeded`: a transient fault the rotation must ride out; `clean`: any clean ending will do. */
  readonly expect: 'succeeded' | 'clean';
  readonly drive?: Drive;
  readonly genesysFaults?: (ids: ScenarioIds) => GenesysFaultRule[];
  readonly awsFaults?: readonly AwsFaultRule[];
  readonly interceptor?: (runtime: ScenarioRuntime) => LambdaInterceptor;
  readonly newClientActivationDelayMs?: number;
  /** Policy on top of FAST_POLICY (e.g. a quiet period that outlasts a slow request, as in production). */
  readonly policy?: Readonly<Record<string, number>>;
  /** An execution error this scenario expects instead of a clean ending (see EndState.expectedFailure). */
  readonly expectedFailure?: string;
  /** The token of Secrets Manager's retry of a failed rotation (stand-in default: 'same'). */
  readonly rotationRetryToken?: 'same' | 'new';
  /**
   * Dependents follow the rotation: the stack follows integration credentials, a Data Actions
   * integration holds the legacy client (`seedFollowDemo`, as `FOLLOW_INTEGRATIONS=1 npm start`),
   * and a simulated flow keeps executing its action throughout.
   */
  readonly follow?: boolean;
}

export interface ScenarioResult {
  readonly id: string;
  readonly site: string;
  readonly fault: string;
  readonly trigger: Trigger;
  readonly expect: ScenarioSpec['expect'];
  readonly outcome: Outcome;
  /** No violation, and a transient fault ended in success. */
  readonly survived: boolean;
  readonly violations: readonly string[];
  readonly executions: number;
  readonly wallMs: number;
  /** Requests the stand-ins saw, for call-site discovery. */
  readonly observed?: Observed;
}

export interface Observed {
  /** The run had dependents that follow (ScenarioSpec.follow). */
  readonly follow: boolean;
  readonly genesys: ReadonlyArray<{ route: string; callerClientId: string | null; at: number }>;
  readonly aws: readonly string[];
  readonly lambdaStates: readonly string[];
  readonly adminClientId: string;
  readonly legacyClientId: string;
  readonly newClientIds: readonly string[];
  readonly promotedAt: number | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `Lambda.ServiceException` as the Lambda service reports a failed invoke (CDK's default retrier retries it). */
export function lambdaServiceException(message: string): Error {
  const error = new Error(message);
  error.name = 'Lambda.ServiceException';
  return error;
}

function setEnvironment(variables: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function executionArnOf(env: LocalEnvironment, name: string): string {
  return `${env.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

async function rotateSecret(env: LocalEnvironment): Promise<void> {
  await env.clients.secretsManager.send(
    new RotateSecretCommand({
      SecretId: env.managedSecretArn,
      RotationLambdaARN: env.rotatorFunctionArn,
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediately: true,
    }),
  );
}

/** Starts the trigger(s); errors a trigger's caller would see are returned, not thrown. */
async function drive(
  env: LocalEnvironment,
  spec: ScenarioSpec,
  executionNames: ReadonlySet<string>,
): Promise<string[]> {
  const input = { secretId: env.managedSecretArn, reason: `fault matrix: ${spec.id}` };
  const refusals: string[] = [];
  const attempt = async (start: () => Promise<unknown>) => {
    try {
      await start();
    } catch (error) {
      refusals.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  };
  const one = (trigger: Trigger) =>
    attempt(() => (trigger === 'manual' ? env.startExecution(input) : rotateSecret(env)));
  switch (spec.drive ?? 'single') {
    case 'single':
      await one(spec.trigger);
      break;
    case 'same-name-twice':
      await Promise.all([
        attempt(() => env.startExecution(input, 'fault-matrix-duplicate')),
        attempt(() => env.startExecution(input, 'fault-matrix-duplicate')),
      ]);
      break;
    case 'manual-twice':
      await Promise.all([one('manual'), one('manual')]);
      break;
    case 'native-twice':
      await Promise.all([one('secretsmanager'), one('secretsmanager')]);
      break;
    case 'manual-and-native':
      await Promise.all([one('manual'), one('secretsmanager')]);
      break;
    case 'again-after-finish':
      await one(spec.trigger);
      await settle(env, executionNames, SETTLE_TIMEOUT_MS);
      await one(spec.trigger);
      break;
  }
  return refusals;
}

/** Waits until no rotation runs and every execution the engine started has stopped. */
async function settle(env: LocalEnvironment, names: ReadonlySet<string>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; round < 3; round += 1) {
    if (env.aws.secretsManager.rotations().length > 0) {
      await env.aws.secretsManager.waitForRotation(env.managedSecretArn, Math.max(1, deadline - Date.now()));
    }
    for (const name of names) {
      await env.aws.stepFunctions.waitForExecution(
        executionArnOf(env, name),
        Math.max(1, deadline - Date.now()),
      );
    }
    await sleep(50);
  }
}

async function listExecutionArns(env: LocalEnvironment): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await env.clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: env.stateMachineArn, nextToken }),
    );
    for (const execution of page.executions ?? [])
      if (execution.executionArn) arns.push(execution.executionArn);
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

async function history(env: LocalEnvironment, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await env.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** Logs in with AWSCURRENT through the real SDK and makes one API call with the token. */
async function probeCurrent(env: LocalEnvironment): Promise<EndState['current']> {
  let versionId: string | null = null;
  let clientId: string | null = null;
  try {
    const read = await env.clients.secretsManager.send(
      new GetSecretValueCommand({ SecretId: env.managedSecretArn }),
    );
    versionId = read.VersionId ?? null;
    const value = JSON.parse(read.SecretString ?? '{}') as {
      clientId?: string;
      clientSecret?: string;
      environment?: string;
    };
    clientId = value.clientId ?? null;
    const api = createIsolatedApiClient({
      environment: value.environment ?? 'mypurecloud.ie',
      gatewayUrl: env.genesysGatewayUrl,
    });
    await api.loginClientCredentialsGrant(value.clientId ?? '', value.clientSecret ?? '');
    const me = await new platformClient.TokensApi(api).getTokensMe();
    if (me.OAuthClient?.id !== undefined && me.OAuthClient.id !== clientId) {
      return { versionId, clientId, accepted: false, problem: 'the token names another client' };
    }
    return { versionId, clientId, accepted: true, problem: null };
  } catch (error) {
    const problem = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    return { versionId, clientId, accepted: false, problem };
  }
}

/** Credential routes whose payload carries a secret value, in `credentialFields.clientSecret`. */
const CREDENTIAL_PAYLOAD_ROUTES = new Set([
  'POST /api/v2/integrations/credentials',
  'PUT /api/v2/integrations/credentials/{credentialId}',
]);

/**
 * What the rotator sent to the integration routes, for the leak search: a credential payload's one
 * legitimate secret field is taken out (and checked to be a canary, so the search covers it); the
 * rest of every payload (names, config PUTs, test inputs) is searched like any other output.
 */
function rotatorPayloads(
  log: readonly GenesysRequestRecord[],
  adminClientId: string,
  vault: CanaryVault,
): { texts: TextSource[]; sent: DependentsEndState['sentCredentials'] } {
  const texts: TextSource[] = [];
  const sent: Array<DependentsEndState['sentCredentials'][number]> = [];
  for (const record of log) {
    if (record.body === undefined || record.callerClientId !== adminClientId) continue;
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      texts.push({ where: `integration payload ${record.route}`, text: record.body });
      continue;
    }
    const fields = (body as { credentialFields?: Record<string, unknown> } | null)?.credentialFields;
    if (CREDENTIAL_PAYLOAD_ROUTES.has(record.route) && fields && typeof fields === 'object') {
      const { clientSecret, ...rest } = fields;
      sent.push({
        route: record.route,
        clientId: typeof rest.clientId === 'string' ? rest.clientId : null,
        secretIsCanary: typeof clientSecret === 'string' && vault.secrets.includes(clientSecret),
      });
      body = { ...(body as object), credentialFields: rest };
    }
    texts.push({ where: `integration payload ${record.route}`, text: JSON.stringify(body) });
  }
  return { texts, sent };
}

/** Runs one scenario; never throws for what the product did (that is what violations are for). */
export async function runScenario(
  spec: ScenarioSpec,
  options: { observe?: boolean } = {},
): Promise<ScenarioResult> {
  const started = Date.now();
  const vault = new CanaryVault();
  const functionEnvironment = {
    GENESYS_HTTP_TIMEOUT_MILLIS: String(GENESYS_TIMEOUT_MS),
    GENESYS_HTTP_RETRY_AFTER_MILLIS: String(GENESYS_RETRY_AFTER_MS),
  };
  const restoreEnvironment = setEnvironment(functionEnvironment);
  const capture = captureOutput();
  const executionNames = new Set<string>();
  const lambdaStates = new Set<string>();
  let env: LocalEnvironment | undefined;
  const runtime: ScenarioRuntime = {
    env: () => {
      if (!env) throw new Error('the environment is not started yet');
      return env;
    },
  };
  const specInterceptor = spec.interceptor?.(runtime);
  const interceptorErrors: string[] = [];
  let lambdaInvocations = 0;
  const interceptor: LambdaInterceptor = async (call: LambdaCall, invoke) => {
    lambdaStates.add(call.stateName);
    lambdaInvocations += 1;
    if (!specInterceptor) return invoke();
    try {
      return await specInterceptor(call, invoke);
    } catch (error) {
      interceptorErrors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      throw error;
    }
  };
  let harnessProblem: string | null = null;
  let endState: EndState | undefined;
  let observed: Observed | undefined;
  let following:
    | { demo: FollowDemo; flowRunnerClientId: string; flow: ReturnType<typeof simulateFlow> }
    | undefined;
  const texts: TextSource[] = [];
  try {
    env = await startLocalEnvironment({
      policy: { ...FAST_POLICY, ...spec.policy },
      genesys: {
        ...FAST_USAGE,
        secretFactory: vault.next,
        ...(spec.newClientActivationDelayMs
          ? { newClientActivationDelayMs: spec.newClientActivationDelayMs }
          : {}),
      },
      // Inside Genesys' per-token rate limit (300 a minute): a scenario lasts as long as its retries.
      consumer: { callIntervalMs: 250, refreshIntervalMs: 60 },
      functionEnvironment,
      ...(spec.rotationRetryToken ? { aws: { rotationRetryToken: spec.rotationRetryToken } } : {}),
      waitOverridesMs: WAIT_OVERRIDES_MS,
      hookMaxWaitSeconds: 60,
      interceptor,
      onEngineEvent: (name) => executionNames.add(name),
      ...(spec.follow ? { followIntegrationCredentials: true } : {}),
    });
    const genesys = env.genesys;
    if (!genesys) throw new Error('the fault matrix needs the Genesys stand-in');
    const consumer = env.consumer;
    if (!consumer) throw new Error('the fault matrix needs the simulated consumer');
    consumer.start();
    // Warm-ups before any fault or trigger: generous, so a busy machine is not mistaken for a failure.
    await waitFor(
      () => consumer.stats.calls - consumer.stats.failedCalls >= 3,
      WARM_UP_TIMEOUT_MS,
      'the consumer',
    );
    if (spec.follow) {
      const demo = await seedFollowDemo(env);
      if (demo === null) throw new Error('the follow scenarios need the Genesys stand-in');
      const runner = await seedFlowRunner(env);
      const flow = simulateFlow(runner.api, demo.actionId);
      following = { demo, flowRunnerClientId: runner.clientId, flow };
      await waitFor(
        () => flow.stats.calls - flow.stats.failedCalls >= 3,
        WARM_UP_TIMEOUT_MS,
        'the simulated flow',
      );
    }
    const initial = await env.clients.secretsManager.send(
      new GetSecretValueCommand({ SecretId: env.managedSecretArn }),
    );
    const ids: ScenarioIds = {
      adminClientId: env.demo.adminClientId,
      legacyClientId: env.demo.legacyClientId,
    };
    const genesysFrom = genesys.requestLog.length;
    const awsFrom = env.aws.requestLog.length;

    for (const rule of spec.genesysFaults?.(ids) ?? []) genesys.faults.add(rule);
    for (const rule of spec.awsFaults ?? []) env.aws.faults.add(rule);
    const refusals = await drive(env, spec, executionNames);
    try {
      await settle(env, executionNames, SETTLE_TIMEOUT_MS);
    } catch (error) {
      harnessProblem = error instanceof Error ? error.message : String(error);
    }
    const genesysTo = genesys.requestLog.length;
    const awsTo = env.aws.requestLog.length;
    // The consumer keeps going a moment on the final state: a failure right after retirement shows here.
    await sleep(300);
    genesys.faults.clear();
    env.aws.faults.clear();
    const consumerStats = await consumer.stop();
    const flowStats = following ? await following.flow.stop() : null;

    const current = await probeCurrent(env);
    const arns = [
      ...new Set([
        ...(await listExecutionArns(env)),
        ...[...executionNames].map((n) => executionArnOf(env as LocalEnvironment, n)),
      ]),
    ];
    const executions: ExecutionSnapshot[] = [];
    for (const arn of arns) {
      const described = await env.clients.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      const events = await history(env, arn);
      const create = events.find(
        (event) => event.type === 'TaskStateEntered' && event.stateEnteredEventDetails?.name === 'Create',
      );
      executions.push({
        arn,
        status: described.status ?? 'UNKNOWN',
        error: described.error ?? null,
        terminalState: terminalStateOf(events),
        rotationWindow: create?.timestamp
          ? {
              start: create.timestamp.getTime(),
              end: (described.stopDate ?? new Date()).getTime(),
            }
          : null,
      });
      texts.push({
        where: `execution ${arn.split(':').pop()}`,
        text: JSON.stringify({ described, events }),
      });
    }
    const recorded = env.aws.eventBridge.events;
    for (const event of recorded)
      texts.push({ where: `event '${event.detailType}'`, text: JSON.stringify(event) });
    texts.push({ where: 'rotation records', text: JSON.stringify(env.aws.secretsManager.rotations()) });
    texts.push({ where: 'trigger errors', text: refusals.join('\n') });
    texts.push({ where: 'interceptor errors', text: interceptorErrors.join('\n') });
    texts.push({ where: 'consumer failures', text: consumerStats.failures.join('\n') });
    let dependents: DependentsEndState | null = null;
    if (following && flowStats) {
      const payloads = rotatorPayloads(genesys.requestLog, env.demo.adminClientId, vault);
      texts.push(...payloads.texts);
      texts.push({ where: 'simulated flow failures', text: flowStats.failures.join('\n') });
      dependents = {
        integrationId: following.demo.integrationId,
        legacyCredentialId: following.demo.legacyCredentialId,
        flowRunnerClientId: following.flowRunnerClientId,
        credentials: genesys.integrationCredentials(),
        integrations: genesys.integrations(),
        flow: { calls: flowStats.calls, failedCalls: flowStats.failedCalls, failures: flowStats.failures },
        sentCredentials: payloads.sent,
      };
    }
    texts.push({ where: 'genesys request paths', text: genesys.requestLog.map((r) => r.path).join('\n') });
    texts.push({ where: 'final probe', text: current.problem ?? '' });

    const clients = genesys.clients();
    let pendingClientId: string | null = null;
    try {
      const pending = await env.clients.secretsManager.send(
        new GetSecretValueCommand({ SecretId: env.managedSecretArn, VersionStage: 'AWSPENDING' }),
      );
      pendingClientId = (JSON.parse(pending.SecretString ?? '{}') as { clientId?: string }).clientId ?? null;
    } catch {
      pendingClientId = null; // no AWSPENDING, or one without a value
    }
    endState = {
      adminClientId: ids.adminClientId,
      legacyClientId: ids.legacyClientId,
      initialCurrentVersionId: initial.VersionId ?? '',
      clients,
      current,
      pendingClientId,
      versions: env.aws.secretsManager.versions(env.managedSecretArn).map((version) => ({
        versionId: version.versionId,
        stages: version.stages,
        hasValue: version.hasValue,
      })),
      failedNativeTokens: env.aws.secretsManager
        .rotations()
        .filter((rotation) => rotation.outcome === 'failed')
        .flatMap((rotation) => [rotation.token, ...rotation.attempts.map((attempt) => attempt.token)]),
      lambdaInvocations,
      expectedFailure: spec.expectedFailure ?? null,
      executions,
      events: recorded.map((event) => ({ detailType: event.detailType, resources: event.resources })),
      consumer: consumerStats,
      rotationOpen: env.aws.secretsManager.rotations().some((rotation) => rotation.outcome === 'running'),
      leaks: [],
      capturedLogLines: 0,
      harnessProblem,
      dependents,
    };
    if (options.observe) {
      const consumerOnly = new Set(['GET /api/v2/organizations/me']);
      const promoted = recorded.find((event) => event.detailType === 'Secret Promoted');
      observed = {
        follow: spec.follow === true,
        genesys: genesys.requestLog
          .slice(genesysFrom, genesysTo)
          .filter((record) => !consumerOnly.has(record.route))
          .map((record) => ({
            route: record.route,
            callerClientId: record.callerClientId,
            at: record.at.getTime(),
          })),
        aws: env.aws.requestLog
          .slice(awsFrom, awsTo)
          .map((record) => `${record.service}.${record.operation}`),
        lambdaStates: [...lambdaStates],
        adminClientId: ids.adminClientId,
        legacyClientId: ids.legacyClientId,
        newClientIds: clients
          .filter((client) => client.createdByClientId === ids.adminClientId)
          .map((client) => client.id),
        promotedAt: promoted ? promoted.time.getTime() : null,
      };
    }
  } catch (error) {
    harnessProblem = `scenario crashed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  } finally {
    // A crashed scenario still stops its flow (its loop would outlive the stand-in).
    if (following) await following.flow.stop().catch(() => undefined);
    if (env) await env.close().catch(() => undefined);
    capture.restore();
    restoreEnvironment();
  }
  texts.push({ where: 'log output', text: capture.text() });
  const clientIds = endState?.clients.map((client) => client.id) ?? [];
  const leaks = findLeaks(texts, vault, clientIds);
  const state: EndState = endState
    ? { ...endState, leaks, capturedLogLines: capture.lines() }
    : crashedState(harnessProblem ?? 'no end state', leaks, capture.lines());
  const { outcome, violations } = checkInvariants(state);
  // What the CLI prints of this scenario is output too: search it before anyone prints it.
  const row = [spec.site, spec.fault, outcome, ...violations].join('\n');
  for (const leak of findLeaks([{ where: 'CLI row', text: row }], vault, clientIds)) {
    violations.push(`leak: ${leak.what} in ${leak.where}`);
  }
  return {
    id: spec.id,
    site: spec.site,
    fault: spec.fault,
    trigger: spec.trigger,
    expect: spec.expect,
    outcome,
    survived: violations.length === 0 && (spec.expect === 'clean' || outcome === 'succeeded'),
    violations,
    executions: state.executions.length,
    wallMs: Date.now() - started,
    ...(observed ? { observed } : {}),
  };
}

function crashedState(problem: string, leaks: EndState['leaks'], capturedLogLines: number): EndState {
  return {
    adminClientId: '',
    legacyClientId: '',
    initialCurrentVersionId: '',
    clients: [],
    current: { versionId: null, clientId: null, accepted: false, problem },
    pendingClientId: null,
    versions: [],
    failedNativeTokens: [],
    lambdaInvocations: 0,
    expectedFailure: null,
    executions: [],
    events: [],
    consumer: { calls: 0, failedCalls: 0, failures: [] },
    rotationOpen: false,
    leaks,
    capturedLogLines,
    harnessProblem: problem,
  };
}
