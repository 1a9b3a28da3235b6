import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAdvanceableClock } from '../../local/standins/genesys/clock.js';
import {
  type GenesysStandIn,
  StandInClock,
  startGenesysStandIn,
} from '../../local/standins/genesys/index.js';
import { loggedInSdkClient } from '../../local/standins/genesys/sdk-session.js';

const HOUR_MS = 60 * 60 * 1000;
const QUERY_RUNNING_MS = 30_000;
const REPORT_LAG_MS = 2 * HOUR_MS;
/** A Tuesday, so the Week bucket (Monday) differs from the Day bucket. */
const START = new Date('2026-03-10T10:00:00.000Z');

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be rejected');
}

describe('Genesys stand-in usage API (genesys-cloud-api.md §1.4)', () => {
  let standIn: GenesysStandIn;
  let adminCredentials: { clientId: string; clientSecret: string };
  let workload: { clientId: string; clientSecret: string };

  /** Starts a query, checks it is Running, moves the clock past the running time and reads the result. */
  async function completedQuery(start: () => Promise<platformClient.Models.UsageExecutionResult>) {
    const oauth = await adminOauth();
    const execution = await start();
    const running = await oauth.getOauthClientUsageQueryResult(
      execution.executionId ?? '',
      workload.clientId,
    );
    standIn.clock.advance(QUERY_RUNNING_MS);
    const complete = await oauth.getOauthClientUsageQueryResult(
      execution.executionId ?? '',
      workload.clientId,
    );
    return { execution, running, complete };
  }

  async function adminOauth(): Promise<platformClient.OAuthApi> {
    return new platformClient.OAuthApi(
      await loggedInSdkClient(standIn.gateway, adminCredentials.clientId, adminCredentials.clientSecret),
    );
  }

  beforeAll(async () => {
    standIn = await startGenesysStandIn({
      clock: new StandInClock(START),
      usageQueryRunningMs: QUERY_RUNNING_MS,
      usageReportLagMs: REPORT_LAG_MS,
    });
    adminCredentials = standIn.seed.adminClient();
    const viewerRole = standIn.seed.role('OAuth viewer', ['oauth:client:view']);
    workload = standIn.seed.client({
      name: 'svc-workload',
      roleDivisions: [{ roleId: viewerRole, divisionId: standIn.seed.homeDivisionId }],
    });
  });
  afterAll(async () => {
    await standIn.close();
  });

  it("omits the current day, then counts a client's own /api/v2 calls per UTC day by status class once the day is reported (help.mypurecloud.com API Usage report: 'does not include data for the current day'; §1.4)", async () => {
    // Prepare
    const sdk = await loggedInSdkClient(standIn.gateway, workload.clientId, workload.clientSecret);
    const tokens = new platformClient.TokensApi(sdk);
    const oauth = new platformClient.OAuthApi(sdk);
    await tokens.getTokensMe();
    await tokens.getTokensMe();
    await rejectionOf(oauth.getOauthClient('missing'));
    await rejectionOf(oauth.postOauthClients({ name: 'x', authorizedGrantType: 'CLIENT-CREDENTIALS' }));
    const adminApi = await adminOauth();
    const query = () =>
      adminApi.postOauthClientUsageQuery(workload.clientId, {
        interval: '2026-03-10T00:00:00.000Z/2026-03-11T00:00:00.000Z',
        granularity: 'Day',
      });

    // Act
    const today = await completedQuery(query);
    standIn.clock.advance(Date.parse('2026-03-11T01:00:00.000Z') - standIn.clock.now().getTime());
    const withinLag = await completedQuery(query);
    standIn.clock.advance(Date.parse('2026-03-11T02:30:00.000Z') - standIn.clock.now().getTime());
    const { execution, running, complete } = await completedQuery(query);

    // Assess
    expect(today.complete).toEqual({ queryStatus: 'Complete', results: [] });
    expect(withinLag.complete).toEqual({ queryStatus: 'Complete', results: [] });
    expect(execution.resultsUri).toBe(
      `/api/v2/oauth/clients/${workload.clientId}/usage/query/results/${execution.executionId}`,
    );
    expect(running).toEqual({ results: [], queryStatus: 'Running' });
    expect(complete).toEqual({
      queryStatus: 'Complete',
      results: [
        {
          date: '2026-03-10T00:00:00.000Z',
          clientId: workload.clientId,
          clientName: 'svc-workload',
          organizationId: standIn.orgId,
          requests: 4,
          status200: 2,
          status300: 0,
          status400: 2,
          status429: 0,
          status500: 0,
        },
      ],
    });
  });

  it('filters metrics and groups by TemplateUri and HttpMethod (§1.4 ApiUsageClientQuery)', async () => {
    // Prepare
    const adminApi = await adminOauth();

    // Act
    const { complete } = await completedQuery(() =>
      adminApi.postOauthClientUsageQuery(workload.clientId, {
        interval: '2026-03-10T00:00:00.000Z/2026-03-11T00:00:00.000Z',
        metrics: ['Requests'],
        groupBy: ['TemplateUri', 'HttpMethod'],
      }),
    );

    // Assess
    expect(complete.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ templateUri: 'api/v2/tokens/me', httpMethod: 'GET', requests: 2 }),
        expect.objectContaining({
          templateUri: 'api/v2/oauth/clients/{clientId}',
          httpMethod: 'GET',
          requests: 1,
        }),
        expect.objectContaining({ templateUri: 'api/v2/oauth/clients', httpMethod: 'POST', requests: 1 }),
      ]),
    );
    expect(complete.results).toHaveLength(3);
    for (const row of complete.results ?? []) expect(row).not.toHaveProperty('status200');
  });

  it("puts calls after UTC midnight in the next day's row, reported only after that day plus the lag; summary?days=1 is yesterday (API Usage report: 00:00:00-23:59:59 UTC; §1.4)", async () => {
    // Prepare
    const sdk = await loggedInSdkClient(standIn.gateway, workload.clientId, workload.clientSecret);
    for (let call = 0; call < 3; call++) await new platformClient.TokensApi(sdk).getTokensMe();
    // A fresh admin token for each query: the clock jumps past the admin token's validity.
    const twoDaysQuery = async () =>
      (await adminOauth()).postOauthClientUsageQuery(workload.clientId, {
        interval: '2026-03-10T00:00:00.000Z/2026-03-12T00:00:00.000Z',
        granularity: 'Day',
        metrics: ['Requests'],
      });

    // Act
    const sameDay = await completedQuery(twoDaysQuery);
    standIn.clock.advance(Date.parse('2026-03-12T03:00:00.000Z') - standIn.clock.now().getTime());
    const twoDays = await completedQuery(twoDaysQuery);
    const adminApi = await adminOauth();
    const summary = await completedQuery(() =>
      adminApi.getOauthClientUsageSummary(workload.clientId, { days: '1' }),
    );

    // Assess
    expect(sameDay.complete.results?.map((row) => [row.date, row.requests])).toEqual([
      ['2026-03-10T00:00:00.000Z', 4],
    ]);
    expect(twoDays.complete.results?.map((row) => [row.date, row.requests])).toEqual([
      ['2026-03-10T00:00:00.000Z', 4],
      ['2026-03-11T00:00:00.000Z', 3],
    ]);
    expect(summary.complete.results).toEqual([
      expect.objectContaining({ date: '2026-03-11T00:00:00.000Z', requests: 3, status200: 3 }),
    ]);
  });

  it('buckets by the Monday of the week for Week granularity (§1.4)', async () => {
    // Prepare
    const adminApi = await adminOauth();

    // Act
    const { complete } = await completedQuery(() =>
      adminApi.postOauthClientUsageQuery(workload.clientId, {
        interval: '2026-03-01T00:00:00.000Z/2026-03-31T00:00:00.000Z',
        granularity: 'Week',
        metrics: ['Requests'],
      }),
    );

    // Assess
    expect(complete.results).toEqual([
      expect.objectContaining({ date: '2026-03-09T00:00:00.000Z', requests: 7 }),
    ]);
  });

  it.each([
    [{}, 'interval'],
    [{ interval: 'yesterday' }, 'interval'],
    [{ interval: '2026-03-11T00:00:00Z/2026-03-10T00:00:00Z' }, 'interval'],
    [{ interval: '2026-03-10T00:00:00Z/2026-03-11T00:00:00Z', granularity: 'Hour' }, 'granularity'],
    [{ interval: '2026-03-10T00:00:00Z/2026-03-11T00:00:00Z', metrics: ['Latency'] }, 'metrics'],
  ])('rejects the query %j with a 400 ErrorBody naming %s (§1.4)', async (body, field) => {
    // Prepare
    const adminApi = await adminOauth();

    // Act
    const error = await rejectionOf(
      adminApi.postOauthClientUsageQuery(
        workload.clientId,
        body as platformClient.Models.ApiUsageClientQuery,
      ),
    );

    // Assess
    expect(error).toMatchObject({
      status: 400,
      code: 'bad.request',
      message: expect.stringContaining(field),
    });
  });

  it("answers 404 for an unknown execution id or another client's execution (§1.4)", async () => {
    // Prepare
    const adminApi = await adminOauth();
    const execution = await adminApi.getOauthClientUsageSummary(workload.clientId, { days: '7' });

    // Act
    const unknown = await rejectionOf(
      adminApi.getOauthClientUsageQueryResult('no-such-execution', workload.clientId),
    );
    const foreign = await rejectionOf(
      adminApi.getOauthClientUsageQueryResult(execution.executionId ?? '', adminCredentials.clientId),
    );

    // Assess
    expect(unknown).toMatchObject({ status: 404 });
    expect(foreign).toMatchObject({ status: 404 });
  });
});

describe('Genesys stand-in usage of rate-limited calls (genesys-cloud-api.md §1.4, §3)', () => {
  let standIn: GenesysStandIn;

  beforeAll(async () => {
    standIn = await startGenesysStandIn({
      rateLimitPerMinute: 2,
      usageQueryRunningMs: 0,
    });
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('counts refused calls as status429', async () => {
    // Prepare
    const admin = standIn.seed.adminClient();
    const burst = new platformClient.TokensApi(
      await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret),
    );
    await burst.getTokensMe();
    await burst.getTokensMe();
    await rejectionOf(burst.getTokensMe());
    const reader = new platformClient.OAuthApi(
      await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret),
    );
    // Into the next UTC day (the report never holds the current one), inside the tokens' validity.
    const now = standIn.clock.now().getTime();
    standIn.clock.advance((Math.floor(now / (24 * HOUR_MS)) + 1) * 24 * HOUR_MS + 60_000 - now);

    // Act
    const execution = await reader.getOauthClientUsageSummary(admin.clientId, { days: '1' });
    const result = await reader.getOauthClientUsageQueryResult(execution.executionId ?? '', admin.clientId);

    // Assess
    expect(result.queryStatus).toBe('Complete');
    expect(result.results).toEqual([
      expect.objectContaining({ clientId: admin.clientId, requests: 3, status200: 2, status429: 1 }),
    ]);
  });
});

describe('Genesys stand-in usage in compressed days (local demos; API Usage report semantics kept)', () => {
  let standIn: GenesysStandIn;
  const DAY_MS = 1_000;

  beforeAll(async () => {
    standIn = await startGenesysStandIn({
      // Still between advances: with 1 s days, a flowing clock moves calls across day boundaries when
      // the machine is slow (and the day count's origin by the milliseconds start-up takes).
      clock: toAdvanceableClock({ now: () => START }),
      usageQueryRunningMs: 0,
      usageDayLengthMs: DAY_MS,
      usageReportLagMs: 250,
    });
  });
  afterAll(async () => {
    await standIn.close();
  });

  it("counts days of usageDayLengthMs from the clock's start, omits the current day and honours the lag (API Usage report: 'does not include data for the current day')", async () => {
    // Prepare
    const admin = standIn.seed.adminClient();
    const sdk = await loggedInSdkClient(standIn.gateway, admin.clientId, admin.clientSecret);
    const oauth = new platformClient.OAuthApi(sdk);
    await new platformClient.TokensApi(sdk).getTokensMe(); // day 0
    standIn.clock.advance(DAY_MS);
    await new platformClient.TokensApi(sdk).getTokensMe(); // day 1
    await new platformClient.TokensApi(sdk).getTokensMe();
    const interval = `${START.toISOString()}/${new Date(START.getTime() + 10 * DAY_MS).toISOString()}`;
    const query = async () => {
      const execution = await oauth.postOauthClientUsageQuery(admin.clientId, {
        interval,
        granularity: 'Day',
        metrics: ['Requests'],
      });
      const result = await oauth.getOauthClientUsageQueryResult(execution.executionId ?? '', admin.clientId);
      return (result.results ?? []).map((row) => [row.date, row.requests]);
    };

    // Act
    const withinLag = await query();
    standIn.clock.advance(300);
    const dayZeroReported = await query();
    standIn.clock.advance(DAY_MS);
    const bothReported = await query();

    // Assess
    expect(withinLag).toEqual([]);
    // Usage queries of the admin itself count too (they are /api/v2 calls of day 1 and later).
    expect(dayZeroReported).toEqual([[START.toISOString(), 1]]);
    expect(bothReported[0]).toEqual([START.toISOString(), 1]);
    expect(bothReported[1]?.[0]).toBe(new Date(START.getTime() + DAY_MS).toISOString());
    expect(bothReported).toHaveLength(2);
  });
});
