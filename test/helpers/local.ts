/**
 * Helpers for the end-to-end tests that run the synthesized state machine through the local
 * harness: a fast policy, snapshots of the world (Genesys clients and secret versions) for
 * before/after comparison, waits, readers of events and execution history through the real SDK
 * clients. Secret values read here are for assertions only and are never printed.
 */

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetExecutionHistoryCommand, type HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { afterEach } from 'vitest';
import type { RotationPolicyInput } from '../../functions/shared/policy.js';
import type { SimulatedConsumer } from '../../local/consumer.js';
import {
  DEMO_STAGE,
  type ExecutionResult,
  type LocalEnvironment,
  type LocalEnvironmentOptions,
  startLocalEnvironment,
} from '../../local/harness.js';
import type { RecordedEvent } from '../../local/standins/aws/index.js';
import type { GenesysStandIn } from '../../local/standins/genesys/index.js';

/**
 * A rotation in about ten seconds: over LOCAL_POLICY's 2 s usage days (the stand-in's too), two
 * evidence days, grace 15 s; the engine compresses the other waits.
 */
export const FAST_POLICY: RotationPolicyInput = {
  stage: DEMO_STAGE,
  gracePeriodSeconds: 15,
  adoptionPollSeconds: 1,
  retireObserveSeconds: 1,
  usageLookbackDays: 30,
};

/** The adoption gate's own 1 s waits stay real: usage days are 2 s, and each check costs Genesys calls. */
export const FAST_WAITS: Readonly<Record<string, number>> = { ObserveInactive: 10 };
/**
 * A consumer inside Genesys' per-token rate limit (300 requests a minute, genesys-cloud-api.md §3):
 * rotations take as long as the synthesized retries make them, and a faster one would be throttled.
 */
export const FAST_CONSUMER = { callIntervalMs: 250, refreshIntervalMs: 100 } as const;

/** Options of `startFastEnvironment`: the harness's, with a policy merged over the fast one. */
export type FastEnvironmentOptions = Omit<LocalEnvironmentOptions, 'policy'> & {
  policy?: RotationPolicyInput;
};

/** Starts the local environment with the fast policy (merged under `policy`), waits and consumer. */
export async function startFastEnvironment(options: FastEnvironmentOptions = {}): Promise<LocalEnvironment> {
  return startLocalEnvironment({
    waitOverridesMs: FAST_WAITS,
    consumer: FAST_CONSUMER,
    ...options,
    policy: { ...FAST_POLICY, ...options.policy },
  });
}

/** The environments of one test file: each test starts its own, closed after the test. */
export interface TestEnvironments<Options, Started> {
  /** Starts the running test's environment. */
  start(options?: Options): Promise<Started>;
  /** The environment the running test started (for interceptors that run inside it). */
  running(): LocalEnvironment;
}

/**
 * Registers an `afterEach` that closes the environment the test started with `open`, and returns
 * `start` (open, then `prepare` what the test gets) and `running`. Call it at the top of a test file.
 */
export function closeEachEnvironment<Options, Started>(
  open: (options: Options | undefined) => Promise<LocalEnvironment>,
  prepare: (env: LocalEnvironment) => Started,
): TestEnvironments<Options, Started> {
  let env: LocalEnvironment | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });
  return {
    async start(options) {
      env = await open(options);
      return prepare(env);
    },
    running() {
      if (env === undefined) throw new Error('No environment is open');
      return env;
    },
  };
}

/** Fast environments (see `startFastEnvironment`), one per test, closed after it. */
export function useFastEnvironments(): TestEnvironments<FastEnvironmentOptions, LocalEnvironment> {
  return closeEachEnvironment(startFastEnvironment, (env) => env);
}

/** The Genesys stand-in of an environment that runs one (every test here does). */
export function genesysOf(env: LocalEnvironment): GenesysStandIn {
  if (env.genesys === null) throw new Error('This test needs the embedded Genesys stand-in');
  return env.genesys;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 25 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * Starts the consumer and waits until it has made `calls` successful calls with the legacy
 * credential: Validate refuses a legacy client without recorded use.
 */
export async function startConsumer(env: LocalEnvironment, calls = 3): Promise<SimulatedConsumer> {
  const consumer = consumerOf(env);
  consumer.start();
  await waitForConsumerCalls(env, calls);
  return consumer;
}

function consumerOf(env: LocalEnvironment): SimulatedConsumer {
  if (env.consumer === null) throw new Error('This environment has no consumer');
  return env.consumer;
}

/** Waits until the consumer has made `calls` more successful calls than it had made so far in total. */
export async function waitForConsumerCalls(env: LocalEnvironment, calls: number): Promise<void> {
  const consumer = consumerOf(env);
  await waitUntil(
    `${calls} successful consumer call(s)`,
    () => consumer.stats.calls - consumer.stats.failedCalls >= calls,
  );
}

/**
 * Lets the consumer make `calls` more calls, successful or not, on the current state: a failure
 * right after a promotion or a retirement shows up in its stats.
 */
export async function letConsumerRun(env: LocalEnvironment, calls = 4): Promise<void> {
  const consumer = env.consumer;
  if (consumer === null) return;
  const target = consumer.stats.calls + calls;
  await waitUntil(`${calls} more consumer call(s)`, () => consumer.stats.calls >= target);
}

/** Starts a manual execution for the managed secret (unless `input` names another) and waits for its end. */
export async function runRotation(
  env: LocalEnvironment,
  input: Record<string, unknown> = {},
): Promise<{ executionArn: string; result: ExecutionResult }> {
  const executionArn = await env.startExecution({
    secretId: env.managedSecretArn,
    reason: 'integration test',
    ...input,
  });
  return { executionArn, result: await env.waitForExecution(executionArn) };
}

export interface ClientSnapshot {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly deleted: boolean;
  readonly roleDivisions: ReadonlyArray<{ roleId: string; divisionId: string }>;
  readonly accessTokenValiditySeconds: number;
}

export interface VersionSnapshot {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly hasValue: boolean;
}

export interface WorldSnapshot {
  readonly clients: readonly ClientSnapshot[];
  /** Versions of each watched secret, by ARN. */
  readonly versions: Readonly<Record<string, readonly VersionSnapshot[]>>;
}

/**
 * Genesys clients (secrets excluded: the stand-in never returns them) and the versions of the
 * given secrets (default: the managed secret and the admin secret), in a stable order.
 */
export function snapshotWorld(env: LocalEnvironment, secretArns?: readonly string[]): WorldSnapshot {
  const arns = secretArns ?? [env.managedSecretArn, env.adminSecretArn];
  const clients = genesysOf(env)
    .clients()
    .map((client) => ({
      id: client.id,
      name: client.name,
      state: client.state,
      deleted: client.deleted,
      roleDivisions: client.roleDivisions.map((pair) => ({ ...pair })),
      accessTokenValiditySeconds: client.accessTokenValiditySeconds,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const versions: Record<string, VersionSnapshot[]> = {};
  for (const arn of arns) {
    versions[arn] = env.aws.secretsManager
      .versions(arn)
      .map((version) => ({
        versionId: version.versionId,
        stages: [...version.stages].sort(),
        hasValue: version.hasValue,
      }))
      .sort((a, b) => a.versionId.localeCompare(b.versionId));
  }
  return { clients, versions };
}

/** The snapshot without versions that carry no staging label (deprecated: they hold no live credential). */
export function labelledOnly(snapshot: WorldSnapshot): WorldSnapshot {
  const versions: Record<string, readonly VersionSnapshot[]> = {};
  for (const [arn, list] of Object.entries(snapshot.versions)) {
    versions[arn] = list.filter((version) => version.stages.length > 0);
  }
  return { clients: snapshot.clients, versions };
}

/** Version ids of a secret holding `stage` (AWSCURRENT, AWSPENDING, ...). */
export function versionsWithStage(env: LocalEnvironment, secretArn: string, stage: string): string[] {
  return env.aws.secretsManager
    .versions(secretArn)
    .filter((version) => version.stages.includes(stage))
    .map((version) => version.versionId);
}

/** Route template of the Genesys call that creates an OAuth client. */
export const CREATE_CLIENT_ROUTE = 'POST /api/v2/oauth/clients';

/** Route templates of Genesys calls that change something (usage queries and token grants do not). */
const MUTATING_ROUTES = new Set([
  CREATE_CLIENT_ROUTE,
  'PUT /api/v2/oauth/clients/{clientId}',
  'DELETE /api/v2/oauth/clients/{clientId}',
  'POST /api/v2/oauth/clients/{clientId}/secret',
]);

/** Genesys calls made from `fromIndex` of the request log on that change OAuth clients. */
export function mutatingGenesysCalls(env: LocalEnvironment, fromIndex: number): string[] {
  return genesysOf(env)
    .requestLog.slice(fromIndex)
    .filter((request) => MUTATING_ROUTES.has(request.route) || ['PUT', 'PATCH'].includes(request.method))
    .map((request) => `${request.route} -> ${request.status}`);
}

export interface StoredCredential {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly environment: string;
}

/**
 * Reads a version of a secret with a real Secrets Manager client on the AWS endpoint. The value
 * is for assertions only: never log it or put it in an assertion message.
 */
export async function readCredential(
  env: LocalEnvironment,
  selector: { secretId?: string; stage?: string; versionId?: string } = {},
): Promise<StoredCredential & { versionId: string }> {
  const client = new SecretsManagerClient({
    endpoint: env.awsEndpointUrl,
    region: env.aws.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const answer = await client.send(
      new GetSecretValueCommand({
        SecretId: selector.secretId ?? env.managedSecretArn,
        ...(selector.versionId ? { VersionId: selector.versionId } : {}),
        ...(selector.stage ? { VersionStage: selector.stage } : {}),
      }),
    );
    const value = JSON.parse(answer.SecretString ?? '{}') as StoredCredential;
    return {
      clientId: value.clientId,
      clientSecret: value.clientSecret,
      environment: value.environment,
      versionId: answer.VersionId ?? '',
    };
  } finally {
    client.destroy();
  }
}

/** Every history event of an execution, read with a real Step Functions client on the AWS endpoint. */
export async function executionHistory(env: LocalEnvironment, executionArn: string): Promise<HistoryEvent[]> {
  const client = new SFNClient({
    endpoint: env.aws.url,
    region: env.aws.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  } finally {
    client.destroy();
  }
}

/** Names of the states an execution entered, in order. */
export function enteredStates(history: readonly HistoryEvent[]): string[] {
  return history
    .map((event) => event.stateEnteredEventDetails?.name)
    .filter((name): name is string => name !== undefined);
}

export interface AuditEvent {
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
}

/** Audit events recorded by the EventBridge stand-in for one execution (matched on the executionId). */
export function eventsOf(env: LocalEnvironment, executionArn: string): AuditEvent[] {
  return env.aws.eventBridge.events
    .filter((event: RecordedEvent) => detailOf(event).executionId === executionArn)
    .map((event: RecordedEvent) => ({ detailType: event.detailType, detail: detailOf(event) }));
}

function detailOf(event: RecordedEvent): Record<string, unknown> {
  return typeof event.detail === 'object' && event.detail !== null
    ? (event.detail as Record<string, unknown>)
    : {};
}

/** The single event of a type; fails listing what was emitted otherwise. */
export function onlyEvent(events: readonly AuditEvent[], detailType: string): AuditEvent {
  const matching = events.filter((event) => event.detailType === detailType);
  if (matching.length !== 1) {
    throw new Error(
      `Expected one "${detailType}" event, got ${matching.length} among: ${events.map((event) => event.detailType).join(', ')}`,
    );
  }
  return matching[0] as AuditEvent;
}

/** The caught error an event detail carries (`{Error, Cause}`), with the cause's message parsed. */
export function caughtError(detail: Record<string, unknown>): { name: string; message: string } {
  const error = detail.error as { Error?: unknown; Cause?: unknown } | undefined;
  const name = typeof error?.Error === 'string' ? error.Error : '';
  const cause = typeof error?.Cause === 'string' ? error.Cause : '';
  return { name, message: messageOfCause(cause) };
}

/** A Lambda task failure's cause is `{"errorType", "errorMessage"}` JSON; anything else is the message. */
export function messageOfCause(cause: string | null): string {
  if (cause === null) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
}

/** Whether a token grant with this credential succeeds at the Genesys gateway (HTTP, never logged). */
export async function genesysAccepts(env: LocalEnvironment, credential: StoredCredential): Promise<boolean> {
  const basic = Buffer.from(`${credential.clientId}:${credential.clientSecret}`).toString('base64');
  const response = await fetch(`${env.genesysGatewayUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  await response.arrayBuffer();
  return response.ok;
}

/** Whether any of `needles` occurs in `haystack` (JSON of events, outputs, history). No value is echoed. */
export function containsAny(haystack: string, needles: readonly string[]): boolean {
  return needles.some((needle) => needle.length > 0 && haystack.includes(needle));
}
