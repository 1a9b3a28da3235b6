/**
 * End to end: a manual execution of the synthesized state machine, run by the local engine against
 * the Genesys and AWS stand-ins through the real SDK clients, with a consumer calling Genesys with
 * whatever AWSCURRENT holds all along.
 */
import { describe, expect, it } from 'vitest';
import { CHECK_NAMES } from '../../functions/shared/contract.js';
import { DETAIL_TYPE, EVENT_SCHEMA_VERSION } from '../../infra/constructs/rotation-state-machine.js';
import {
  containsAny,
  eventsOf,
  executionHistory,
  genesysAccepts,
  genesysOf,
  letConsumerRun,
  mutatingGenesysCalls,
  onlyEvent,
  readCredential,
  runRotation,
  snapshotWorld,
  startConsumer,
  useFastEnvironments,
  versionsWithStage,
} from '../helpers/local.js';

const { start } = useFastEnvironments();

describe('manual rotation, end to end', () => {
  it('replaces the legacy client by a clone, promotes it, retires the legacy client and leaks nothing', async () => {
    // Prepare
    const env = await start();
    const genesys = genesysOf(env);
    await startConsumer(env);
    const legacyCredential = await readCredential(env, { stage: 'AWSCURRENT' });
    const legacyClient = genesys.clients().find((client) => client.id === legacyCredential.clientId);
    const clientIdsBefore = new Set(genesys.clients().map((client) => client.id));

    // Act
    const { executionArn, result } = await runRotation(env);
    await letConsumerRun(env);
    const consumerStats = await env.consumer?.stop();

    // Assess
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    expect(legacyClient).toBeDefined();
    const current = await readCredential(env, { stage: 'AWSCURRENT' });
    expect(current.clientId).not.toBe(legacyCredential.clientId);
    expect(current.environment).toBe(legacyCredential.environment);
    expect(await genesysAccepts(env, current)).toBe(true);

    const clientsAfter = genesys.clients();
    const newClients = clientsAfter.filter((client) => !clientIdsBefore.has(client.id));
    expect(newClients.map((client) => client.id)).toEqual([current.clientId]);
    const newClient = newClients[0];
    expect(newClient?.state).toBe('active');
    expect(newClient?.authorizedGrantType).toBe('CLIENT-CREDENTIALS');
    expect(newClient?.roleDivisions).toEqual(legacyClient?.roleDivisions);
    expect(newClient?.accessTokenValiditySeconds).toBe(legacyClient?.accessTokenValiditySeconds);
    expect(newClient?.name.startsWith(`${legacyClient?.name} [`)).toBe(true);

    const legacyAfter = clientsAfter.find((client) => client.id === legacyCredential.clientId);
    expect(legacyAfter === undefined || legacyAfter.deleted).toBe(true);
    expect(await genesysAccepts(env, legacyCredential)).toBe(false);

    expect(versionsWithStage(env, env.managedSecretArn, 'AWSPREVIOUS')).toEqual([legacyCredential.versionId]);
    expect(versionsWithStage(env, env.managedSecretArn, 'AWSCURRENT')).toEqual([current.versionId]);
    const pendingElsewhere = versionsWithStage(env, env.managedSecretArn, 'AWSPENDING').filter(
      (versionId) => versionId !== current.versionId,
    );
    expect(pendingElsewhere).toEqual([]);

    expect(consumerStats?.failedCalls, consumerStats?.failures.join('; ')).toBe(0);
    expect(consumerStats?.clientsUsed).toEqual([legacyCredential.clientId, current.clientId]);

    const events = eventsOf(env, executionArn);
    const types = events.map((event) => event.detailType);
    for (const expected of [
      DETAIL_TYPE.started,
      DETAIL_TYPE.promoted,
      DETAIL_TYPE.legacyRetired,
      DETAIL_TYPE.succeeded,
    ]) {
      expect(types).toContain(expected);
    }
    expect(types).not.toContain(DETAIL_TYPE.rolledBack);
    expect(types).not.toContain(DETAIL_TYPE.needsAttention);
    expect(types.indexOf(DETAIL_TYPE.started)).toBeLessThan(types.indexOf(DETAIL_TYPE.promoted));
    expect(types.indexOf(DETAIL_TYPE.promoted)).toBeLessThan(types.indexOf(DETAIL_TYPE.legacyRetired));
    for (const event of events) {
      expect(event.detail.schemaVersion, event.detailType).toBe(EVENT_SCHEMA_VERSION);
      expect(event.detail.secretId, event.detailType).toBe(env.managedSecretArn);
    }
    expect(onlyEvent(events, DETAIL_TYPE.promoted).detail.credential).toEqual({
      kind: 'oauth-client',
      legacyId: legacyCredential.clientId,
      newId: current.clientId,
    });
    expect(onlyEvent(events, DETAIL_TYPE.succeeded).detail.credential).toMatchObject({
      legacyId: legacyCredential.clientId,
    });

    const secrets = [legacyCredential.clientSecret, current.clientSecret];
    const history = await executionHistory(env, executionArn);
    expect(history.length).toBeGreaterThan(0);
    expect(containsAny(JSON.stringify(events), secrets), 'a secret value in an audit event').toBe(false);
    expect(containsAny(JSON.stringify(result), secrets), 'a secret value in the execution output').toBe(
      false,
    );
    expect(containsAny(JSON.stringify(history), secrets), 'a secret value in the execution history').toBe(
      false,
    );
  });

  it('rotates again right after, the new client becoming the legacy one, without growing its name', async () => {
    // Prepare
    const env = await start();
    const genesys = genesysOf(env);
    await startConsumer(env);
    const original = await readCredential(env, { stage: 'AWSCURRENT' });
    const countBefore = genesys.clients().filter((client) => !client.deleted).length;

    // Act
    const first = await runRotation(env);
    const afterFirst = await readCredential(env, { stage: 'AWSCURRENT' });
    const firstName = genesys.clients().find((client) => client.id === afterFirst.clientId)?.name ?? '';
    await letConsumerRun(env);
    const second = await runRotation(env);
    const afterSecond = await readCredential(env, { stage: 'AWSCURRENT' });
    await letConsumerRun(env);
    const consumerStats = await env.consumer?.stop();

    // Assess
    expect(first.result.status, `first: ${first.result.error}: ${first.result.cause}`).toBe('SUCCEEDED');
    expect(second.result.status, `second: ${second.result.error}: ${second.result.cause}`).toBe('SUCCEEDED');
    expect(new Set([original.clientId, afterFirst.clientId, afterSecond.clientId]).size).toBe(3);
    expect(
      onlyEvent(eventsOf(env, second.executionArn), DETAIL_TYPE.succeeded).detail.credential,
    ).toMatchObject({
      legacyId: afterFirst.clientId,
    });

    const clients = genesys.clients();
    const live = clients.filter((client) => !client.deleted);
    expect(live.length).toBe(countBefore);
    expect(live.map((client) => client.id)).toContain(afterSecond.clientId);
    expect(live.map((client) => client.id)).not.toContain(afterFirst.clientId);
    expect(live.map((client) => client.id)).not.toContain(original.clientId);

    const secondName = clients.find((client) => client.id === afterSecond.clientId)?.name ?? '';
    expect(secondName.length).toBe(firstName.length);
    expect(secondName.startsWith('reporting-service [')).toBe(true);
    expect(secondName.match(/\[/g)?.length).toBe(1);

    expect(versionsWithStage(env, env.managedSecretArn, 'AWSPREVIOUS')).toEqual([afterFirst.versionId]);
    expect(await genesysAccepts(env, afterSecond)).toBe(true);
    expect(consumerStats?.failedCalls, consumerStats?.failures.join('; ')).toBe(0);
    expect(consumerStats?.clientsUsed).toEqual([
      original.clientId,
      afterFirst.clientId,
      afterSecond.clientId,
    ]);
  });

  it('plans a dry run, reporting every check, and changes nothing', async () => {
    // Prepare
    const env = await start();
    await startConsumer(env);
    const before = snapshotWorld(env);
    const logStart = genesysOf(env).requestLog.length;

    // Act
    const { executionArn, result } = await runRotation(env, { dryRun: true });

    // Assess
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    expect(snapshotWorld(env)).toEqual(before);
    expect(mutatingGenesysCalls(env, logStart)).toEqual([]);
    const events = eventsOf(env, executionArn);
    expect(events.map((event) => event.detailType)).toEqual([DETAIL_TYPE.planned]);
    const planned = onlyEvent(events, DETAIL_TYPE.planned).detail;
    expect(planned.schemaVersion).toBe(EVENT_SCHEMA_VERSION);
    expect(planned.secretId).toBe(env.managedSecretArn);
    expect(planned.ok).toBe(true);
    const checks = planned.checks as Array<{ check: string; passed: unknown; code: unknown }>;
    expect(checks.map((check) => check.check).sort()).toEqual([...CHECK_NAMES].sort());
    for (const check of checks) {
      expect(check.passed, check.check).toBe(true);
      expect(check.code, check.check).toBeNull();
    }
    expect((planned.plan as { legacyClientId?: unknown }).legacyClientId).toBe(env.demo.legacyClientId);
    // help.mypurecloud.com: clients older than 30 days stay restorable for 7 days after delete; the
    // demo's legacy client is 90 days old. The plan says which applies before anything happens.
    expect(planned.plan).toMatchObject({
      legacyDeleteIrreversible: false,
      legacyDeleteNote: expect.stringContaining('restorable for 7 days'),
      adoptionEvidenceDays: 2,
      retireWithoutEvidence: false,
    });
    expect(env.consumer?.stats.clientsUsed).toEqual([env.demo.legacyClientId]);
  });

  it('reports a failing check in a dry run as a plan, without refusing or changing anything', async () => {
    // Prepare: the org is at its OAuth client limit (admin + legacy = 2): the policy's, since Genesys
    // documents no limit key (genesys-cloud-api.md §1.3).
    const env = await start({ policy: { maxOAuthClients: 2 } });
    await startConsumer(env);
    const before = snapshotWorld(env);
    const logStart = genesysOf(env).requestLog.length;

    // Act
    const { executionArn, result } = await runRotation(env, { dryRun: true });

    // Assess
    expect(result.status, `execution ${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    expect(snapshotWorld(env)).toEqual(before);
    expect(mutatingGenesysCalls(env, logStart)).toEqual([]);
    const planned = onlyEvent(eventsOf(env, executionArn), DETAIL_TYPE.planned).detail;
    expect(planned.ok).toBe(false);
    const checks = planned.checks as Array<{
      check: string;
      passed: unknown;
      code: unknown;
      detail: unknown;
    }>;
    expect(checks.map((check) => check.check).sort()).toEqual([...CHECK_NAMES].sort());
    const failed = checks.filter((check) => check.passed === false);
    expect(failed.map((check) => [check.check, check.code])).toEqual([['quota', 'QUOTA_EXCEEDED']]);
    expect(String(failed[0]?.detail)).toContain('2 of 2');
  });
});
