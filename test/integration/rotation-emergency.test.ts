/**
 * End to end: an emergency rotation (a leaked secret) regenerates the legacy client's secret in
 * place and promotes it at once: the same client, a new secret, the old one refused by Genesys.
 */
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPE, EVENT_SCHEMA_VERSION, STATE } from '../../infra/constructs/rotation-state-machine.js';
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

describe('emergency rotation, end to end', () => {
  it('regenerates the legacy secret in place, promotes it and makes the old secret useless', async () => {
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
    expect(states).not.toContain(STATE.Create);
    expect(states).not.toContain(STATE.DeactivateLegacy);

    const events = eventsOf(env, executionArn);
    expect(events.map((event) => event.detailType)).toEqual([DETAIL_TYPE.emergencyCompleted]);
    const completed = onlyEvent(events, DETAIL_TYPE.emergencyCompleted).detail;
    expect(completed.schemaVersion).toBe(EVENT_SCHEMA_VERSION);
    expect(completed.secretId).toBe(env.managedSecretArn);
    expect(completed.reason).toBe('secret pasted in a public channel');
    expect((completed.emergency as { clientId?: unknown }).clientId).toBe(leaked.clientId);

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

  it('needs neither room for another client nor recorded use of the leaked one', async () => {
    // Prepare: the org is at its client limit and nobody has called with the client yet.
    const env = await start({ genesys: { oauthClientLimit: 2 }, consumer: false });
    const leaked = await readCredential(env, { stage: 'AWSCURRENT' });

    // Act
    const result = await env.waitForExecution(
      await env.startExecution({ secretId: env.managedSecretArn, mode: 'emergency' }),
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
