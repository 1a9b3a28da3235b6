/**
 * Helpers for the tests of Secrets Manager native rotation and of concurrent rotations: environments
 * with the native test policy (one warm-up synth per file, one environment per test), and readers of
 * executions, rotations, secret versions and Genesys clients through the stand-ins and the real SDK
 * clients. Secret values read here are for assertions only and are never printed.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { type ExecutionListItem, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { beforeAll } from 'vitest';
import {
  type ExecutionResult,
  type LocalEnvironment,
  type LocalEnvironmentOptions,
  startLocalEnvironment,
} from '../../local/harness.js';
import type { RotationRecord } from '../../local/standins/aws/index.js';
import type { GenesysStandIn } from '../../local/standins/genesys/index.js';
import { stagesByVersion as stagesOfSecret } from './aws-standin.js';
import {
  CREATE_CLIENT_ROUTE,
  closeEachEnvironment,
  FAST_CONSUMER,
  FAST_WAITS,
  genesysOf,
  type TestEnvironments,
  versionsWithStage,
} from './local.js';

const POLICY = { adoptionPollSeconds: 1, gracePeriodSeconds: 30 } as const;

/** The steps Secrets Manager calls the rotation function (the hook) with, in order. */
export const HOOK_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

/** The name of the managed secret of the local environment. */
export const SECRET_NAME = 'genesys/demo/reporting-service';

/** An environment of a test, with its Genesys stand-in (every environment here runs one). */
export interface NativeEnvironment {
  readonly env: LocalEnvironment;
  readonly genesys: GenesysStandIn;
}

/**
 * Environments with the native test policy, fast waits and a consumer (not started), one per test,
 * closed after it. Synthesizes the stack once for the file first (the harness caches it per policy),
 * outside any test's timeout. Call it at the top of a test file.
 */
export function useLocalEnvironments(): TestEnvironments<
  Pick<LocalEnvironmentOptions, 'interceptor' | 'aws'>,
  NativeEnvironment
> {
  beforeAll(async () => {
    const warm = await startLocalEnvironment({ policy: POLICY, consumer: false });
    await warm.close();
  }, 180_000);
  return closeEachEnvironment(
    (options) =>
      startLocalEnvironment({
        policy: POLICY,
        waitOverridesMs: FAST_WAITS,
        consumer: FAST_CONSUMER,
        ...options,
      }),
    (env) => ({ env, genesys: genesysOf(env) }),
  );
}

/** Every execution of the environment's state machine, oldest first. */
export async function listExecutions(env: LocalEnvironment): Promise<ExecutionListItem[]> {
  const items: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await env.clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: env.stateMachineArn, nextToken }),
    );
    items.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return items.reverse();
}

/** Executions the hook started for a token: `sm-<token>`, `sm-<token>-a2`..., oldest first. */
export async function executionsForToken(env: LocalEnvironment, token: string): Promise<ExecutionListItem[]> {
  return (await listExecutions(env)).filter(
    (item) => item.name === `sm-${token}` || item.name?.startsWith(`sm-${token}-a`),
  );
}

/** Waits for each execution to end; returns their names and final descriptions, in the same order. */
export async function settle(
  env: LocalEnvironment,
  executions: readonly ExecutionListItem[],
): Promise<Array<ExecutionResult & { name: string }>> {
  const results: Array<ExecutionResult & { name: string }> = [];
  for (const execution of executions) {
    if (execution.executionArn === undefined || execution.name === undefined) throw new Error('no ARN');
    results.push({ name: execution.name, ...(await env.waitForExecution(execution.executionArn)) });
  }
  return results;
}

/** Waits for every execution of the token to end (see `settle`). */
export async function settleExecutions(
  env: LocalEnvironment,
  token: string,
): Promise<Array<ExecutionResult & { name: string }>> {
  return settle(env, await executionsForToken(env, token));
}

/** The last rotation the Secrets Manager stand-in recorded; fails if there is none. */
export function latestRotation(env: LocalEnvironment): RotationRecord {
  const rotation = env.aws.secretsManager.rotations().at(-1);
  if (rotation === undefined) throw new Error('no rotation was recorded');
  return rotation;
}

/** The staging labels of each version of the managed secret, sorted, by version id. */
export function stagesByVersion(env: LocalEnvironment): Record<string, string[]> {
  return stagesOfSecret(env.aws, env.managedSecretArn);
}

/** The version of the managed secret holding `stage`, if any. */
export function versionWith(env: LocalEnvironment, stage: string): string | undefined {
  return versionsWithStage(env, env.managedSecretArn, stage)[0];
}

/** AWSPENDING may only sit with AWSCURRENT: anywhere else it blocks the next rotation. */
export function strandedPending(env: LocalEnvironment): string[] {
  return env.aws.secretsManager
    .versions(env.managedSecretArn)
    .filter((version) => version.stages.includes('AWSPENDING') && !version.stages.includes('AWSCURRENT'))
    .map((version) => version.versionId);
}

/** How many OAuth clients Genesys created successfully. */
export function clientsCreated(genesys: GenesysStandIn): number {
  return genesys.requestLog.filter(
    (request) => request.route === CREATE_CLIENT_ROUTE && request.status >= 200 && request.status < 300,
  ).length;
}

/** Ids of the Genesys clients not deleted, sorted. */
export function liveClientIds(genesys: GenesysStandIn): string[] {
  return genesys
    .clients()
    .filter((client) => !client.deleted)
    .map((client) => client.id)
    .sort();
}

/** The client id AWSCURRENT of the managed secret holds, read with the real Secrets Manager client. */
export async function currentClientId(env: LocalEnvironment): Promise<string> {
  const value = await env.clients.secretsManager.send(
    new GetSecretValueCommand({ SecretId: env.managedSecretArn }),
  );
  return (JSON.parse(value.SecretString ?? '{}') as { clientId: string }).clientId;
}
