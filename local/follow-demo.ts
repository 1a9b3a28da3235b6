/**
 * The `npm start` demo of integration credentials following their OAuth client
 * (FOLLOW_INTEGRATIONS=1): a Genesys Cloud Data Actions integration whose `pureCloudOAuthClient`
 * credential holds the demo's legacy client, declared on the managed secret's
 * `genesys:follow-integrations` tag. Embedded Genesys stand-in only.
 */
import { GetSecretValueCommand, TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import platformClient from 'purecloud-platform-client-v2';
import { OAuthClientSecretValueSchema } from '../functions/shared/contract.js';
import { TAG_FOLLOW_INTEGRATIONS } from '../functions/shared/dependents-contract.js';
import { createIsolatedApiClient } from '../functions/shared/genesys/index.js';
import { DEMO_ENVIRONMENT, type LocalEnvironment } from './harness.js';

export const followIntegrationsRequested = () => process.env.FOLLOW_INTEGRATIONS === '1';

export interface FollowDemo {
  readonly integrationId: string;
  readonly actionId: string;
  readonly legacyCredentialId: string;
}

export async function seedFollowDemo(env: LocalEnvironment): Promise<FollowDemo | null> {
  if (env.genesys === null) return null;
  // The credential the integration holds is the one consumers hold: AWSCURRENT, read into the seed call only.
  const current = await env.clients.secretsManager.send(
    new GetSecretValueCommand({ SecretId: env.managedSecretArn, VersionStage: 'AWSCURRENT' }),
  );
  const value = OAuthClientSecretValueSchema.parse(JSON.parse(current.SecretString ?? '{}'));
  const seeded = env.genesys.seed.integration({
    name: 'Genesys Cloud Data Actions (demo)',
    credential: {
      name: 'Integration-demo-data-actions',
      type: 'pureCloudOAuthClient',
      fields: { clientId: value.clientId, clientSecret: value.clientSecret },
    },
  });
  await env.clients.secretsManager.send(
    new TagResourceCommand({
      SecretId: env.managedSecretArn,
      Tags: [{ Key: TAG_FOLLOW_INTEGRATIONS, Value: seeded.integrationId }],
    }),
  );
  return {
    integrationId: seeded.integrationId,
    actionId: seeded.actionId,
    legacyCredentialId: seeded.credentialId ?? '',
  };
}

/** One line: which credential object the integration references after the run. */
export function describeFollowDemo(demo: FollowDemo, output: Record<string, unknown>): string {
  const flipped = output.dependentsFlipped as
    | { integrations?: { integrationId: string; toCredentialId: string }[] }
    | undefined;
  const retired = output.dependentsRetired as { deletedIds?: string[] } | undefined;
  const to = flipped?.integrations?.find((i) => i.integrationId === demo.integrationId)?.toCredentialId;
  const deleted = retired?.deletedIds?.includes(demo.legacyCredentialId) ? ', old object deleted' : '';
  return to === undefined
    ? `${demo.integrationId}: still on credential ${demo.legacyCredentialId}`
    : `${demo.integrationId}: credential ${demo.legacyCredentialId} -> ${to}${deleted}`;
}

/**
 * The caller of a flow's Data Action: any client allowed to execute actions (Architect runs them
 * inside Genesys). Its calls are not the rotator's, and it is not rotated.
 */
export async function seedFlowRunner(
  env: LocalEnvironment,
): Promise<{ clientId: string; api: platformClient.IntegrationsApi }> {
  const genesys = env.genesys;
  if (genesys === null) throw new Error('the flow runner needs the embedded Genesys stand-in');
  const role = genesys.seed.role('Flow runner', [
    'integrations:action:execute',
    'integrations:integration:view',
  ]);
  const runner = genesys.seed.client({
    name: 'flow-runner',
    roleDivisions: [{ roleId: role, divisionId: genesys.seed.homeDivisionId }],
  });
  // The project's isolated SDK client, as the simulated consumer's: it resends what is safe to
  // resend (the login included) when a local connection drops.
  const client = createIsolatedApiClient({
    environment: DEMO_ENVIRONMENT,
    gatewayUrl: env.genesysGatewayUrl,
  });
  await client.loginClientCredentialsGrant(runner.clientId, runner.clientSecret);
  return { clientId: runner.clientId, api: new platformClient.IntegrationsApi(client) };
}

export interface SimulatedFlowStats {
  calls: number;
  failedCalls: number;
  failures: string[];
  /** Calls sent again because no answer came back (a dropped local connection, not a verdict). */
  resent: number;
}

/**
 * A flow that keeps executing the action while the rotation runs; every failed execution counts.
 * A flow's Data Action runs inside Genesys: only Genesys' answer is the action's outcome. A call
 * that got no HTTP answer at all (a keep-alive socket the local server closed as it was reused)
 * is resent, at most twice, and counted in `resent`.
 */
export function simulateFlow(
  api: platformClient.IntegrationsApi,
  actionId: string,
  // Under the 300 requests per minute of one token (genesys-cloud-api.md §3).
  intervalMs = 300,
): { readonly stats: SimulatedFlowStats; stop(): Promise<SimulatedFlowStats> } {
  let running = true;
  const stats: SimulatedFlowStats = { calls: 0, failedCalls: 0, failures: [], resent: 0 };
  const execute = async (): Promise<void> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await api.postIntegrationsActionExecute(actionId, {});
        return;
      } catch (error) {
        // Status and message only: the SDK's error objects also carry the request (headers included).
        const { status, message, body } = error as { status?: unknown; message?: unknown; body?: unknown };
        const answered = typeof status === 'number' && status > 0;
        if (!answered && attempt < 3) {
          stats.resent += 1;
          continue;
        }
        const said = (body as { message?: unknown } | undefined)?.message ?? message;
        stats.failedCalls += 1;
        stats.failures.push(
          `call ${stats.calls}: ${answered ? `${status} ` : ''}${typeof said === 'string' ? said : 'failed'}`,
        );
        return;
      }
    }
  };
  const loop = (async () => {
    while (running) {
      stats.calls += 1;
      await execute();
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    stats,
    stop: async () => {
      running = false;
      await loop;
      return stats;
    },
  };
}
