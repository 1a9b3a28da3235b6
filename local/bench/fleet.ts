/**
 * `npm run bench -- --fleet [--secrets N] [--orgs K]`: rotates N managed secrets with the
 * synthesized fleet machine on the stand-ins and prints the makespan against the rate-limit bound
 * and the Genesys calls per rotation, by route, against the minimal set one rotation needs. The
 * secrets are spread over K orgs on the Genesys stand-in's one host: with K > 1 the rotator is
 * synthesized with an admin credential per org (`orgAdminSecrets`), so each org's rotations call
 * Genesys with their own org's credential, and the bound is per admin token (300 a minute): the
 * busiest org's admin calls.
 */

import { rotationExecutionName } from '../../functions/core/fleet.js';
import type { FleetSummary } from '../../functions/shared/fleet-contract.js';
import { parsePolicy } from '../../functions/shared/policy.js';
import { fleetConcurrency } from '../../infra/constructs/fleet-budget.js';
import { FLEET_DETAIL_TYPE } from '../../infra/constructs/fleet-rotation.js';
import { FLEET_LOCAL_POLICY, maxInFlight, rotationExecutions, runFleet, seedFleetSecrets } from '../fleet.js';
import { LOCAL_POLICY, startLocalEnvironment } from '../harness.js';
import type { GenesysRequestRecord } from '../standins/genesys/index.js';

/**
 * What one oauth-client rotation minimally asks of Genesys (docs/ARCHITECTURE.md, "Fleet rotation"):
 * admin calls with one token, one adoption check of both clients, deactivation as GET + full PUT (no
 * PATCH, genesys-cloud-api.md §1.1) and the delete; and the new credential's own verification.
 */
export const MINIMAL_CALLS_PER_ROTATION: Readonly<Record<string, number>> = {
  'POST /oauth/token': 2,
  'GET /api/v2/tokens/me': 2,
  'GET /api/v2/oauth/clients/{clientId}': 2,
  'GET /api/v2/oauth/clients': 1,
  'GET /api/v2/oauth/clients/{clientId}/usage/summary': 1,
  'POST /api/v2/oauth/clients/{clientId}/usage/query': 2,
  'GET /api/v2/oauth/clients/{clientId}/usage/query/results/{executionId}': 3,
  'POST /api/v2/oauth/clients': 1,
  'PUT /api/v2/oauth/clients/{clientId}': 1,
  'DELETE /api/v2/oauth/clients/{clientId}': 1,
  'DELETE /api/v2/tokens/me': 1,
};

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const pad = (text: string | number, width: number) => `${String(text).padEnd(width - 1)} `;

/**
 * The fleet's policy: the local fleet policy, and room in each org for every legacy client and its
 * successor. The org's OAuth client limit is unconfirmed (genesys-cloud-api.md §1.3), so Validate
 * uses the policy's `maxOAuthClients` (default 50); an org here holds up to N/K legacy clients, which
 * linger 7 days after their delete (restorable, still counted), plus the new ones.
 */
const BENCH_POLICY = { ...FLEET_LOCAL_POLICY, maxOAuthClients: 1000 } as const;

export async function benchFleet(): Promise<void> {
  const secrets = argument('secrets', 200);
  const orgs = argument('orgs', 1);
  const names = Array.from({ length: secrets }, (_, i) => `genesys/fleet/svc-${String(i).padStart(4, '0')}`);
  // Org 0 is the demo org; the others are more orgs on the stand-in, each with its admin credential.
  const extraOrgIds = Array.from(
    { length: orgs - 1 },
    (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
  );
  const perOrgCredentials = orgs > 1;
  const policy = { ...LOCAL_POLICY, ...BENCH_POLICY };
  const sizing = fleetConcurrency(
    { policy: parsePolicy(policy), ...(perOrgCredentials ? { adminCredentialsPerOrg: true } : {}) },
    orgs,
  );
  console.log(
    `${secrets} secrets over ${orgs} org(s), ${perOrgCredentials ? 'an admin credential per org' : 'one admin credential'}; ` +
      `budget: ${sizing.explanation}`,
  );

  const setupStarted = Date.now();
  const env = await startLocalEnvironment({
    consumer: false,
    policy: BENCH_POLICY,
    // Room for every legacy client and its successor in each org (the limit create enforces).
    genesys: { oauthClientLimit: 1000 },
    fleet: { maxOrgsInParallel: orgs },
    extraManagedSecretNames: names,
    ...(perOrgCredentials ? { extraOrgs: extraOrgIds.map((orgId) => ({ orgId })) } : {}),
  });
  try {
    const genesys = env.genesys;
    if (genesys === null) throw new Error('The benchmark needs the embedded Genesys stand-in');
    const orgIds = env.orgs.map((org) => org.orgId);
    const seeded = await seedFleetSecrets(
      env,
      names.map((name, i) => ({ name, extraTags: { bench: 'fleet' }, orgId: orgIds[i % orgs] as string })),
    );
    console.log(
      `setup (synth, stand-ins, ${seeded.length} secrets): ${((Date.now() - setupStarted) / 1000).toFixed(1)} s`,
    );

    const logStart = genesys.requestLog.length;
    const started = Date.now();
    const run = await runFleet(env, { batchId: 'bench', tags: { bench: 'fleet' } });
    const makespanSeconds = (Date.now() - started) / 1000;
    const log: GenesysRequestRecord[] = genesys.requestLog.slice(logStart);
    const adminOf = new Map(env.orgs.map((org) => [org.adminClientId, org.orgId] as const));
    const adminCalls = log.filter((entry) => adminOf.has(entry.callerClientId ?? ''));
    // An admin credential acts in its own org only (the stand-in routes a token to its client's org).
    const crossOrg = adminCalls.filter((entry) => adminOf.get(entry.callerClientId ?? '') !== entry.orgId);
    const throttled = log.filter((entry) => entry.status === 429).length;
    const executions = await rotationExecutions(env.clients.sfn, env.stateMachineArn);
    const succeeded = executions.filter((e) => e.status === 'SUCCEEDED').length;
    // A failed fleet execution has no output; its summary is the audit event's detail.
    const summaryEvent = env.aws.eventBridge.events.find((event) => event.detailType === FLEET_DETAIL_TYPE);
    const summary =
      run.summary ?? (summaryEvent?.detail as { summary?: FleetSummary } | undefined)?.summary ?? null;

    // The bound: each admin credential's calls at 300 a minute on one token; the credentials run side
    // by side, so the busiest one bounds the fleet (one credential: all the fleet's admin calls).
    const adminCallsByOrg = new Map<string, number>();
    for (const entry of adminCalls) {
      const orgId = adminOf.get(entry.callerClientId ?? '') as string;
      adminCallsByOrg.set(orgId, (adminCallsByOrg.get(orgId) ?? 0) + 1);
    }
    const busiest = Math.max(0, ...adminCallsByOrg.values());
    const boundSeconds = (busiest / 300) * 60;
    console.log(`\nfleet execution: ${run.status}${run.error ? ` (${run.error})` : ''}`);
    if (summary)
      console.log(`outcomes: ${JSON.stringify(summary.outcomes)}; by org: ${JSON.stringify(summary.byOrg)}`);
    const orgOfExecution = new Map(
      seeded.map(
        (secret) => [rotationExecutionName('bench', secret.arn, secret.name), secret.orgId] as const,
      ),
    );
    const perOrgInFlight = orgIds.map((orgId) =>
      maxInFlight(executions.filter((execution) => orgOfExecution.get(execution.name) === orgId)),
    );
    console.log(
      `rotations: ${executions.length} started, ${succeeded} succeeded; max in flight ${maxInFlight(executions)}, ` +
        `per org ${perOrgInFlight.join('/')} (budget: ${sizing.total}, per org ${sizing.perOrg})`,
    );
    console.log(`\n${pad('figure', 48)}value`);
    console.log(`${pad('makespan', 48)}${makespanSeconds.toFixed(1)} s`);
    console.log(`${pad('Genesys calls (all / admin tokens)', 48)}${log.length} / ${adminCalls.length}`);
    console.log(
      `${pad('admin calls per org (credential)', 48)}${[...adminCallsByOrg.values()].join(' / ')}` +
        (crossOrg.length > 0 ? ` (${crossOrg.length} in another org!)` : ''),
    );
    console.log(`${pad('rate-limit bound (busiest token / 300 per min)', 48)}${boundSeconds.toFixed(1)} s`);
    console.log(
      `${pad('makespan / bound', 48)}${(makespanSeconds / Math.max(boundSeconds, 0.001)).toFixed(2)}`,
    );
    console.log(`${pad('429 answers', 48)}${throttled}`);
    console.log(
      `${pad('admin calls per minute (mean)', 48)}${(adminCalls.length / (makespanSeconds / 60)).toFixed(0)}`,
    );

    if (succeeded > 0) {
      const byRoute = new Map<string, number>();
      for (const entry of log) byRoute.set(entry.route, (byRoute.get(entry.route) ?? 0) + 1);
      const routes = [...new Set([...Object.keys(MINIMAL_CALLS_PER_ROTATION), ...byRoute.keys()])].sort();
      console.log(
        `\nGenesys calls per rotation (all calls / ${succeeded} succeeded rotations) against the minimal set`,
      );
      console.log(`${pad('route', 78)}${pad('observed', 10)}minimal`);
      let observedTotal = 0;
      let minimalTotal = 0;
      for (const route of routes) {
        const observed = (byRoute.get(route) ?? 0) / succeeded;
        const minimal = MINIMAL_CALLS_PER_ROTATION[route] ?? 0;
        observedTotal += observed;
        minimalTotal += minimal;
        console.log(`${pad(route, 78)}${pad(observed.toFixed(1), 10)}${minimal}`);
      }
      console.log(`${pad('total', 78)}${pad(observedTotal.toFixed(1), 10)}${minimalTotal}`);
      // The minimal set holds one adoption check; the policy polls every adoptionPollSeconds.
      const usageRoutes = [
        'POST /api/v2/oauth/clients/{clientId}/usage/query',
        'GET /api/v2/oauth/clients/{clientId}/usage/query/results/{executionId}',
      ];
      const polling = usageRoutes.reduce(
        (sum, route) =>
          sum + (byRoute.get(route) ?? 0) / succeeded - (MINIMAL_CALLS_PER_ROTATION[route] ?? 0),
        0,
      );
      console.log(
        `of the ${(observedTotal - minimalTotal).toFixed(1)} above the minimal set, ${polling.toFixed(1)} are the policy's usage polling ` +
          `(the gate and the retirement re-check query both clients every ${policy.adoptionPollSeconds} s)`,
      );
    }
  } finally {
    await env.close();
  }
}
