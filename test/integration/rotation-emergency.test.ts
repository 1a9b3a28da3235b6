/**
 * End to end: an emergency rotation (a leaked secret). By default a new client, cloned like the
 * standard path, is promoted at once and the leaked client is set `disabled`, so that neither the
 * leaked secret nor a token already minted with it works (genesys-cloud-api.md §1.2). Regenerating
 * the secret in place is only an explicit option (`emergencyStrategy: "regenerate"`).
 */
import platformClient from 'purecloud-platform-client-v2';
import { describe, expect, it } from 'vitest';
import { createIsolatedApiClient } from '../../functions/shared/genesys/sdk.js';
import { DETAIL_TYPE, EVENT_SCHEMA_VERSION, STATE } from '../../infra/constructs/rotation-state-machine.js';
import type { LocalEnvironment } from '../../local/harness.js';
import {
  containsAny,
  enteredStates,
  eventsOf,
  executionHistory,
  genesysAccepts,
  genesysOf,
  messageOfCause,
  onlyEvent,
  readCredential,
  snapshotWorld,
  startConsumer,
  useFastEnvironments,
  versionsWithStage,
} from '../helpers/local.js';

const { start } = useFastEnvironments();

const CREATE_CLIENT = 'POST /api/v2/oauth/clients';
const REGENERATE_SECRET = 'POST /api/v2/oauth/clients/{clientId}/secret';
const RETRY = { maxAttempts: 1, timeoutMs: 5_000 };

/** A token minted with `credential` through the real SDK, as whoever holds a leaked secret would. */
async function mintToken(
  env: LocalEnvironment,
  credential: { clientId: string; clientSecret: string; environment: string },
): Promise<string> {
  const client = createIsolatedApiClient({
    environment: credential.environment,
    gatewayUrl: env.genesysGatewayUrl,
    retry: RETRY,
  });
  const auth = await client.loginClientCredentialsGrant(credential.clientId, credential.clientSecret);
  return auth.accessToken;
}

/** The HTTP status Genesys answers `GET /api/v2/tokens/me` with for `token`, through the real SDK. */
async function tokenStatus(env: LocalEnvironment, token: string): Promise<number> {
  const client = createIsolatedApiClient({
    environment: 'mypurecloud.ie',
    gatewayUrl: env.genesysGatewayUrl,
    retry: RETRY,
  });
  client.setAccessToken(token);
  try {
    await new platformClient.TokensApi(client).getTokensMe();
    return 200;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    return typeof status === 'number' ? status : -1;
  }
}

describe('emergency rotation, end to end', () => {
  it('replaces the leaked client by default: a new client is AWSCURRENT, the leaked one is disabled and its minted token refused (genesys-cloud-api.md §1.2: disabled = "Access tokens created by the client are invalid and new ones cannot be created")', async () => {
    // Prepare: whoever holds the leaked secret has already minted a token with it.
    const env = await start();
    const genesys = genesysOf(env);
    await startConsumer(env);
    const leaked = await readCredential(env, { stage: 'AWSCURRENT' });
    const mintedByLeak = await mintToken(env, leaked);
    expect(await tokenStatus(env, mintedByLeak)).toBe(200);
    const logStart = genesys.requestLog.length;

    // Act
    const executionArn = await env.startExecution({
      secretId: env.managedSecretArn,
      mode: 'emergency',
      reason: 'secret pasted in a public channel',
    });
    const result = await env.waitForExecution(executionArn);

    // Assess: the new secret is AWSCURRENT, names a new client with the leaked one's roles, and works.
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    expect(current.clientId).not.toBe(leaked.clientId);
    expect(current.versionId).not.toBe(leaked.versionId);
    expect(versionsWithStage(env, env.managedSecretArn, 'AWSPREVIOUS')).toEqual([leaked.versionId]);
    expect(versionsWithStage(env, env.managedSecretArn, 'AWSPENDING')).toEqual([]);
    expect(await genesysAccepts(env, current)).toBe(true);
    expect(await tokenStatus(env, await mintToken(env, current))).toBe(200);

    // Assess: the leaked credential cannot get a token, and the token it minted is refused.
    await expect(mintToken(env, leaked)).rejects.toBeDefined();
    expect(await genesysAccepts(env, leaked)).toBe(false);
    expect(await tokenStatus(env, mintedByLeak)).toBe(401);

    // Assess: no orphan: the admin, the disabled leaked client and the one new client.
    const clients = genesys.clients().filter((client) => !client.deleted);
    expect(clients.map((client) => client.id).sort()).toEqual(
      [env.demo.adminClientId, leaked.clientId, current.clientId].sort(),
    );
    expect(clients.find((client) => client.id === leaked.clientId)?.state).toBe('disabled');
    const made = clients.find((client) => client.id === current.clientId);
    expect(made?.roleDivisions).toEqual(
      clients.find((client) => client.id === leaked.clientId)?.roleDivisions,
    );
    const routes = genesys.requestLog
      .slice(logStart)
      .filter((request) => request.callerClientId === env.demo.adminClientId)
      .map((request) => request.route);
    expect(routes.filter((route) => route === CREATE_CLIENT).length).toBe(1);
    expect(routes).not.toContain(REGENERATE_SECRET);

    const states = enteredStates(await executionHistory(env, executionArn));
    expect(states).toContain(STATE.EmergencyReplace);
    expect(states).not.toContain(STATE.EmergencyRegenerate);
    expect(states).not.toContain(STATE.Create);
    const events = eventsOf(env, executionArn);
    expect(events.map((event) => event.detailType)).toEqual([DETAIL_TYPE.emergencyCompleted]);
    const completed = onlyEvent(events, DETAIL_TYPE.emergencyCompleted).detail;
    expect(completed.emergency).toMatchObject({
      strategy: 'replace',
      clientId: current.clientId,
      leakedClientId: leaked.clientId,
      leakedClient: 'disabled',
    });
    const secrets = [leaked.clientSecret, current.clientSecret];
    const history = await executionHistory(env, executionArn);
    expect(containsAny(JSON.stringify(events), secrets), 'a secret value in an audit event').toBe(false);
    expect(containsAny(JSON.stringify(result), secrets), 'a secret value in the execution output').toBe(
      false,
    );
    expect(containsAny(JSON.stringify(history), secrets), 'a secret value in the execution history').toBe(
      false,
    );
  });

  it('refuses a replacement in an org with no room for another client, pointing at regenerate, and changes nothing', async () => {
    // Prepare: admin + legacy = 2 clients, the policy's limit.
    const env = await start({ policy: { maxOAuthClients: 2 }, consumer: false });
    const before = snapshotWorld(env);

    // Act
    const result = await env.waitForExecution(
      await env.startExecution({ secretId: env.managedSecretArn, mode: 'emergency' }),
    );

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('QuotaExceededError');
    expect(messageOfCause(result.cause)).toContain('"emergencyStrategy": "regenerate"');
    expect(snapshotWorld(env)).toEqual(before);
  });

  it('regenerates the legacy secret in place only when asked, promotes it and makes the old secret useless', async () => {
    // Prepare
    const env = await start();
    const genesys = genesysOf(env);
    await startConsumer(env);
    const leaked = await readCredential(env, { stage: 'AWSCURRENT' });
    const clientsBefore = snapshotWorld(env).clients;
    const logStart = genesys.requestLog.length;

    // Act
    const executionArn = await env.startExecution({
      secretId: env.managedSecretArn,
      mode: 'emergency',
      emergencyStrategy: 'regenerate',
      reason: 'secret pasted in a public channel',
    });
    const result = await env.waitForExecution(executionArn);

    // Assess
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    expect(current.clientId).toBe(leaked.clientId);
    expect(current.environment).toBe(leaked.environment);
    expect(current.clientSecret === leaked.clientSecret, 'AWSCURRENT still holds the leaked secret').toBe(
      false,
    );
    expect(current.versionId).not.toBe(leaked.versionId);
    expect(versionsWithStage(env, env.managedSecretArn, 'AWSPREVIOUS')).toEqual([leaked.versionId]);
    expect(versionsWithStage(env, env.managedSecretArn, 'AWSPENDING')).toEqual([]);
    expect(await genesysAccepts(env, current)).toBe(true);
    expect(await genesysAccepts(env, leaked)).toBe(false);

    const routes = genesys.requestLog
      .slice(logStart)
      .filter((request) => request.callerClientId === env?.demo.adminClientId)
      .map((request) => request.route);
    expect(routes).not.toContain(CREATE_CLIENT);
    expect(routes.filter((route) => route === REGENERATE_SECRET).length).toBe(1);
    expect(snapshotWorld(env).clients).toEqual(clientsBefore);

    const states = enteredStates(await executionHistory(env, executionArn));
    expect(states).toContain(STATE.EmergencyRegenerate);
    expect(states).not.toContain(STATE.EmergencyReplace);
    expect(states).not.toContain(STATE.Create);
    expect(states).not.toContain(STATE.DeactivateLegacy);

    const events = eventsOf(env, executionArn);
    expect(events.map((event) => event.detailType)).toEqual([DETAIL_TYPE.emergencyCompleted]);
    const completed = onlyEvent(events, DETAIL_TYPE.emergencyCompleted).detail;
    expect(completed.schemaVersion).toBe(EVENT_SCHEMA_VERSION);
    expect(completed.secretId).toBe(env.managedSecretArn);
    expect(completed.reason).toBe('secret pasted in a public channel');
    expect(completed.emergency).toMatchObject({
      strategy: 'regenerate',
      clientId: leaked.clientId,
      leakedClient: 'regenerated',
    });

    const secrets = [leaked.clientSecret, current.clientSecret];
    const history = await executionHistory(env, executionArn);
    expect(containsAny(JSON.stringify(events), secrets), 'a secret value in an audit event').toBe(false);
    expect(containsAny(JSON.stringify(result), secrets), 'a secret value in the execution output').toBe(
      false,
    );
    expect(containsAny(JSON.stringify(history), secrets), 'a secret value in the execution history').toBe(
      false,
    );
  });

  it('regenerates with neither room for another client nor recorded use of the leaked one', async () => {
    // Prepare: the org is at its client limit and nobody has called with the client yet.
    const env = await start({
      policy: { maxOAuthClients: 2 },
      genesys: { oauthClientLimit: 2 },
      consumer: false,
    });
    const leaked = await readCredential(env, { stage: 'AWSCURRENT' });

    // Act
    const result = await env.waitForExecution(
      await env.startExecution({
        secretId: env.managedSecretArn,
        mode: 'emergency',
        emergencyStrategy: 'regenerate',
      }),
    );

    // Assess
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    expect(current.clientId).toBe(leaked.clientId);
    expect(await genesysAccepts(env, current)).toBe(true);
    expect(await genesysAccepts(env, leaked)).toBe(false);
  });

  it('refuses an emergency rotation that claims Secrets Manager started it, changing nothing', async () => {
    // Prepare
    const env = await start({ consumer: false });
    const before = snapshotWorld(env);

    // Act
    const result = await env.waitForExecution(
      await env.startExecution({
        secretId: env.managedSecretArn,
        mode: 'emergency',
        trigger: 'secretsmanager',
      }),
    );

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidInputError');
    expect(messageOfCause(result.cause)).toMatch(/Emergency rotation is a manual action/);
    expect(snapshotWorld(env)).toEqual(before);
  });
});
