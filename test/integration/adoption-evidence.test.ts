/**
 * End to end: the legacy client is retired only on evidence from the usage API, as Genesys reports it
 * (help.mypurecloud.com, API Usage report: usage "daily, as an aggregate of all API requests made
 * between 00:00:00 and 23:59:59" UTC; "This report does not include data for the current day").
 * Synthesized state machine, local engine, Genesys and AWS stand-ins, real SDK clients.
 */
import platformClient from 'purecloud-platform-client-v2';
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPE, STATE } from '../../infra/constructs/rotation-state-machine.js';
import { SimulatedConsumer } from '../../local/consumer.js';
import type { LocalEnvironment } from '../../local/harness.js';
import { loggedInSdkClient } from '../../local/standins/genesys/sdk-session.js';
import {
  enteredStates,
  eventsOf,
  executionHistory,
  genesysOf,
  letConsumerRun,
  onlyEvent,
  readCredential,
  runRotation,
  startConsumer,
  useFastEnvironments,
} from '../helpers/local.js';

const { start, running } = useFastEnvironments();

function legacyState(env: LocalEnvironment): string {
  const legacy = genesysOf(env)
    .clients()
    .find((client) => client.id === env.demo.legacyClientId);
  return legacy === undefined ? 'gone' : legacy.deleted ? 'deleted' : legacy.state;
}

/** A consumer that read the secret once and never again (a service nobody redeployed). */
function staleConsumer(env: LocalEnvironment): SimulatedConsumer {
  return new SimulatedConsumer({
    secrets: env.clients.secretsManager,
    secretId: env.managedSecretArn,
    gatewayUrl: env.genesysGatewayUrl,
    callIntervalMs: 100,
    refreshIntervalMs: 24 * 3_600_000,
  });
}

describe('adoption on evidence, end to end (help.mypurecloud.com API Usage report)', () => {
  it('in real UTC days, a rotation within one day never disables or deletes the legacy client: it holds, NeedsAttention, with the figures ("does not include data for the current day")', async () => {
    // Prepare: the stand-in reports real days; the product's (compressed) policy cannot change that.
    const env = await start({ genesys: { usageDayLengthMs: 86_400_000, usageReportLagMs: 0 } });
    await startConsumer(env);

    // Act
    const { executionArn, result } = await runRotation(env);
    await letConsumerRun(env);
    const consumerStats = await env.consumer?.stop();

    // Assess
    expect(result.terminalState, `${result.error}: ${result.cause}`).toBe(STATE.NeedsAttention);
    expect(result.error).toBe('NeedsAttentionError');
    expect(result.cause).toContain('0 of 2 reported usage days');
    expect(legacyState(env)).toBe('active');
    expect(consumerStats?.failedCalls).toBe(0);
    const states = enteredStates(await executionHistory(env, executionArn));
    expect(states).not.toContain(STATE.DeactivateLegacy);
    expect(states).not.toContain(STATE.DeleteLegacy);
    const attention = onlyEvent(eventsOf(env, executionArn), DETAIL_TYPE.needsAttention);
    expect(attention.detail.error).toMatchObject({
      Error: 'AdoptionNotEvidenced',
      reason: 'no-evidence',
      daysObserved: 0,
      legacyRequestsSincePromotion: 0,
    });
  });

  it('holds while a consumer that never re-reads Secrets Manager keeps using the legacy client, which stays usable: that consumer never fails', async () => {
    // Prepare
    const env = await start();
    await startConsumer(env);
    const stale = staleConsumer(env);
    stale.start();

    // Act
    const { executionArn, result } = await runRotation(env);
    await letConsumerRun(env);
    const staleStats = await stale.stop();
    const consumerStats = await env.consumer?.stop();

    // Assess
    expect(result.terminalState, `${result.error}: ${result.cause}`).toBe(STATE.NeedsAttention);
    expect(result.cause).toMatch(/made \d+ requests on usage days after promotion/);
    expect(legacyState(env)).toBe('active');
    expect(staleStats.calls).toBeGreaterThan(10);
    expect(staleStats.failedCalls).toBe(0);
    expect(staleStats.clientsUsed).toEqual([env.demo.legacyClientId]);
    expect(consumerStats?.failedCalls).toBe(0);
    const attention = onlyEvent(eventsOf(env, executionArn), DETAIL_TYPE.needsAttention);
    expect(attention.detail.error).toMatchObject({
      Error: 'LegacyClientStillUsed',
      reason: 'legacy-traffic',
    });
    expect(
      (attention.detail.error as { legacyRequestsSincePromotion: number }).legacyRequestsSincePromotion,
    ).toBeGreaterThan(0);
  });

  it('in compressed days, retires on evidence: reported days with new-client requests and zero legacy, then an observed inactive period, then delete', async () => {
    // Prepare
    const env = await start();
    await startConsumer(env);

    // Act
    const { executionArn, result } = await runRotation(env);
    await letConsumerRun(env);
    const consumerStats = await env.consumer?.stop();

    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    expect(legacyState(env)).toBe('deleted');
    expect(consumerStats?.failedCalls).toBe(0);
    const events = eventsOf(env, executionArn);
    const succeeded = onlyEvent(events, DETAIL_TYPE.succeeded);
    expect(succeeded.detail.adoption).toMatchObject({
      adopted: true,
      decidedBy: 'evidence',
      legacyRequestsSinceDrain: 0,
    });
    expect((succeeded.detail.adoption as { daysObserved: number }).daysObserved).toBeGreaterThanOrEqual(2);
    const retired = onlyEvent(events, DETAIL_TYPE.legacyRetired);
    expect(retired.detail.retired).toMatchObject({ action: 'deleted', irreversible: false });
    expect(retired.detail.retirement).toMatchObject({ verdict: 'clean', legacyRequestsSinceDeactivation: 0 });
  });

  it('re-activates the legacy client and alerts when legacy traffic appears after it was set inactive', async () => {
    // Prepare: a legacy token minted just before deactivation keeps calling afterwards (Genesys:
    // an inactive client mints no new tokens, but live ones keep working).
    let stopStaleCalls = () => {};
    let staleCalls = 0;
    const env = await start({
      interceptor: async (call, invoke) => {
        if (call.stateName !== STATE.DeactivateLegacy) return invoke();
        const env = running();
        const legacy = await readCredential(env, { stage: 'AWSPREVIOUS' });
        const sdk = await loggedInSdkClient(genesysOf(env).gateway, legacy.clientId, legacy.clientSecret);
        const result = await invoke();
        const timer = setInterval(() => {
          staleCalls += 1;
          new platformClient.OrganizationApi(sdk).getOrganizationsMe().catch(() => undefined);
        }, 100);
        stopStaleCalls = () => clearInterval(timer);
        return result;
      },
    });
    await startConsumer(env);

    // Act
    const { executionArn, result } = await runRotation(env);
    stopStaleCalls();
    const consumerStats = await env.consumer?.stop();

    // Assess
    expect(result.terminalState, `${result.error}: ${result.cause}`).toBe(STATE.NeedsAttention);
    expect(staleCalls).toBeGreaterThan(0);
    expect(legacyState(env)).toBe('active');
    expect(consumerStats?.failedCalls).toBe(0);
    const states = enteredStates(await executionHistory(env, executionArn));
    expect(states).toContain(STATE.ReactivateLegacy);
    expect(states).not.toContain(STATE.DeleteLegacy);
    const attention = onlyEvent(eventsOf(env, executionArn), DETAIL_TYPE.needsAttention);
    expect(attention.detail.error).toMatchObject({
      Error: 'LegacyClientStillUsed',
      reason: 'legacy-traffic',
    });
    expect(result.cause).toContain('was used after it was set inactive');
  });
});
