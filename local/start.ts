/**
 * `npm start`: one real rotation on this machine. Stand-ins for Genesys Cloud and AWS, a demo org
 * with a consumer that keeps calling Genesys with whatever AWSCURRENT holds, and the synthesized
 * state machine on the local engine. `PARTNER_KEYS=1`: the same machine rotates a partner API key
 * instead (local/start-partner-keys.ts), with a simulated Architect flow executing the Data Action. Prints one line per state and a summary; `--json` prints the
 * summary as one JSON object on the last line. Exit codes: 0 succeeded or dry run; 3 held (no evidence
 * that consumers left the legacy client, or legacy traffic: the legacy client stays active); 2 a bad
 * option; 1 anything else.
 */
import './polyfills.js';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { getGenesysAdmin } from '../functions/shared/genesys-runtime.js';
import { DETAIL_TYPE, outcomeOf, type RotationOutcome } from '../functions/shared/workflow.js';
import type { EventLog } from './engine/runner.js';
import {
  describeFollowDemo,
  type FollowDemo,
  followIntegrationsRequested,
  seedFollowDemo,
} from './follow-demo.js';
import { type LocalEnvironment, startLocalEnvironment } from './harness.js';
import { partnerKeysRequested } from './partner-demo.js';
import { type PartnerKeyDemo, type PartnerKeySummary, preparePartnerKeyDemo } from './start-partner-keys.js';

/** `npm start`'s exit code when the rotation held: distinct, so scripts can tell it from a failure. */
const EXIT_HELD = 3;

/** The figures of a hold, from the execution's `Rotation Needs Attention` event. */
interface HoldSummary {
  reason: string;
  legacyRequestsSincePromotion: number;
  daysObserved: number;
  evidenceDaysRequired: number;
  cause: string;
}

interface Summary {
  outcome: Exclude<RotationOutcome, 'running'>;
  /** Set when the outcome is `held`: why, with the usage figures. */
  hold: HoldSummary | null;
  trigger: 'manual' | 'secretsmanager';
  executionStatus: string;
  error: string | null;
  /**
   * What was rotated, whatever its kind (as the v2 events name it): `retired` is the legacy client
   * deactivated or deleted, or the old partner key revoked.
   */
  credential: {
    kind: 'oauth-client' | 'integration-credential';
    legacyId: string;
    newId: string | null;
    retired: boolean;
  };
  /** OAuth client rotations only (null with PARTNER_KEYS=1, whose figures are `partnerKey`'s). */
  newClientId: string | null;
  legacyClientId: string | null;
  legacyRetired: boolean | null;
  legacyClientState: string | null;
  events: number;
  eventTypes: string[];
  consumerCalls: number;
  consumerFailedCalls: number;
  consumerClients: string[];
  /** `PARTNER_KEYS=1`: the partner key's rotation. */
  partnerKey: PartnerKeySummary | null;
  genesysCalls: number;
  genesysCallsByRoute: Record<string, number>;
  awsCalls: number;
  awsCallsByOperation: Record<string, number>;
  wallMs: number;
}

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    trigger: { type: 'string', default: 'manual' },
    'dry-run': { type: 'boolean', default: false },
    reason: { type: 'string', default: 'npm start demo rotation' },
    'activation-delay': { type: 'string', default: '0' },
  },
});
function parseActivationDelaySeconds(value: string | undefined): number {
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  process.stderr.write(`--activation-delay must be a number of seconds, got "${value}"\n`);
  process.exit(2);
}
/** The embedded Genesys accepts a new client only this long after create (its eventual consistency). */
const activationDelaySeconds = parseActivationDelaySeconds(args['activation-delay']);
function parseTrigger(value: string | undefined): Summary['trigger'] {
  if (value === 'manual' || value === 'secretsmanager') return value;
  process.stderr.write(`--trigger must be "manual" or "secretsmanager", got "${value}"\n`);
  process.exit(2);
}
const trigger = parseTrigger(args.trigger);
const partnerKeys = partnerKeysRequested();
if (partnerKeys && trigger !== 'manual') {
  process.stderr.write(
    'PARTNER_KEYS=1 rotates with a manual execution: partner keys have no native rotation yet\n',
  );
  process.exit(2);
}
const json = args.json === true;
const print = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
  else process.stderr.write(`${line}\n`);
};

const stateStarted = new Map<string, number>();
function onEngineEvent(executionName: string, event: EventLog): void {
  if (!('state' in event)) return;
  const key = `${executionName}/${event.state.name}`;
  if (event.type === 'StateEntered') stateStarted.set(key, Date.now());
  const took = () => `${Date.now() - (stateStarted.get(key) ?? Date.now())} ms`;
  if (event.type === 'StateExited')
    print(`  ${event.state.name.padEnd(28)} ${event.state.type.padEnd(8)} ok   ${took()}`);
  if (event.type === 'StateFailed')
    print(`  ${event.state.name.padEnd(28)} ${event.state.type.padEnd(8)} FAIL ${event.Error}`);
  if (event.type === 'StateRetried')
    print(`  ${event.state.name.padEnd(28)} ${event.state.type.padEnd(8)} retry #${event.retry.attempt}`);
}

function count<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

async function waitForConsumerUsage(env: LocalEnvironment, calls: number): Promise<void> {
  const consumer = env.consumer;
  if (!consumer) return;
  const deadline = Date.now() + 15_000;
  while (consumer.stats.calls - consumer.stats.failedCalls < calls) {
    if (Date.now() > deadline)
      throw new Error('The simulated consumer could not call Genesys before the rotation');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function latestExecutionArn(env: LocalEnvironment): Promise<string> {
  const listed = await env.clients.sfn.send(
    new ListExecutionsCommand({ stateMachineArn: env.stateMachineArn }),
  );
  const latest = listed.executions?.[0]?.executionArn;
  if (!latest) throw new Error('Secrets Manager did not start a rotation execution');
  return latest;
}

/** The legacy client as Genesys now reports it: the stand-in's own view, or the admin API's. */
async function legacyClientState(env: LocalEnvironment): Promise<string> {
  if (env.genesys) {
    const legacy = env.genesys.clients().find((client) => client.id === env.demo.legacyClientId);
    return legacy === undefined ? 'gone' : legacy.deleted ? 'deleted (restorable)' : legacy.state;
  }
  const admin = await getGenesysAdmin();
  const legacy = await admin.getClient(env.demo.legacyClientId);
  return legacy === null ? 'gone' : legacy.state;
}

/** A hold's figures: the needs-attention event whose error is a hold (it carries `reason`). */
function holdOf(events: ReadonlyArray<{ detailType: string; detail: unknown }>): HoldSummary | null {
  for (const event of events) {
    if (event.detailType !== DETAIL_TYPE.needsAttention) continue;
    const error = (event.detail as { error?: Record<string, unknown> } | null)?.error;
    if (!error || typeof error.reason !== 'string') continue;
    return {
      reason: error.reason,
      legacyRequestsSincePromotion: Number(error.legacyRequestsSincePromotion ?? 0),
      daysObserved: Number(error.daysObserved ?? 0),
      evidenceDaysRequired: Number(error.evidenceDaysRequired ?? 0),
      cause: String(error.Cause ?? ''),
    };
  }
  return null;
}

async function main(): Promise<number> {
  const started = Date.now();
  const env = await startLocalEnvironment({
    genesys: { newClientActivationDelayMs: activationDelaySeconds * 1000 },
    ...(followIntegrationsRequested() ? { followIntegrationCredentials: true } : {}),
    // The partner key's consumer is the simulated Architect flow, not the OAuth consumer.
    ...(partnerKeys ? { partnerKeys: true, consumer: false as const } : {}),
    onEngineEvent,
    // Secrets Manager's calls to the rotation function, shown beside the states they wait for.
    interceptor: async (call, invoke) => {
      if (!call.stateName.startsWith('hook:')) return invoke();
      const step = call.stateName.slice('hook:'.length);
      const started = Date.now();
      try {
        const result = await invoke();
        print(`  ${`secretsmanager:${step}`.padEnd(28)} Hook     ok   ${Date.now() - started} ms`);
        return result;
      } catch (error) {
        print(
          `  ${`secretsmanager:${step}`.padEnd(28)} Hook     FAIL ${error instanceof Error ? error.name : 'error'}`,
        );
        throw error;
      }
    },
    external: {
      ...(process.env.GENESYS_GATEWAY_URL ? { genesysGatewayUrl: process.env.GENESYS_GATEWAY_URL } : {}),
      ...(process.env.GENESYS_ADMIN_CLIENT_ID ? { adminClientId: process.env.GENESYS_ADMIN_CLIENT_ID } : {}),
      ...(process.env.GENESYS_ADMIN_CLIENT_SECRET
        ? { adminClientSecret: process.env.GENESYS_ADMIN_CLIENT_SECRET }
        : {}),
      ...(process.env.GENESYS_TARGET_CLIENT_ID
        ? { targetClientId: process.env.GENESYS_TARGET_CLIENT_ID }
        : {}),
      ...(process.env.GENESYS_TARGET_CLIENT_SECRET
        ? { targetClientSecret: process.env.GENESYS_TARGET_CLIENT_SECRET }
        : {}),
      ...(process.env.AWS_ENDPOINT_URL ? { awsEndpointUrl: process.env.AWS_ENDPOINT_URL } : {}),
    },
  });
  try {
    print(`Genesys: ${env.genesysGatewayUrl}${env.genesys ? ' (embedded stand-in)' : ''}`);
    print(
      `AWS:     ${env.awsEndpointUrl}${env.awsEndpointUrl === env.aws.url ? ' (embedded stand-in)' : ''}`,
    );
    print(`Secret:  ${env.managedSecretArn} (client ${env.demo.legacyClientId})`);
    const followDemo: FollowDemo | null = followIntegrationsRequested() ? await seedFollowDemo(env) : null;
    if (followDemo)
      print(`Follows: integration ${followDemo.integrationId} (pureCloudOAuthClient credential)`);
    const partnerDemo: PartnerKeyDemo | null = partnerKeys ? await preparePartnerKeyDemo(env) : null;
    if (partnerDemo) {
      print(`Partner: ${partnerDemo.secretArn}: ${partnerDemo.describe()}`);
      print('A simulated Architect flow is executing the Data Action; rotating the partner key...');
    }
    env.consumer?.start();
    await waitForConsumerUsage(env, 3);
    if (!partnerDemo) {
      print(
        `Consumer is calling Genesys with AWSCURRENT; rotating via ${trigger === 'manual' ? 'a manual execution' : 'Secrets Manager RotateSecret'}...`,
      );
    }
    const genesysBefore = env.genesys?.requestLog.length ?? 0;
    const proxiedBefore = env.rotatorGenesysRequests().length;
    const awsBefore = env.aws.requestLog.length;
    const eventsBefore = env.aws.eventBridge.events.length;
    const consumerBefore = { ...(env.consumer?.stats ?? { calls: 0, secretReads: 0, logins: 0 }) };

    let executionArn: string;
    if (trigger === 'manual') {
      // A name chosen before the call makes an SDK retry of a lost StartExecution answer idempotent.
      executionArn = await env.startExecution(
        {
          secretId: partnerDemo?.secretArn ?? env.managedSecretArn,
          dryRun: args['dry-run'],
          reason: args.reason,
        },
        `npm-start-${randomUUID()}`,
      );
    } else {
      await env.rotateNatively();
      executionArn = await latestExecutionArn(env);
    }
    const result = await env.waitForExecution(executionArn);
    // Let the consumer run a moment on the final state: a failure right after retirement would show here.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const consumerStats = env.consumer ? await env.consumer.stop() : null;
    const partnerKey = partnerDemo ? await partnerDemo.finish() : null;

    const output = result.output ?? {};
    const created = output.created as { newClientId?: string } | undefined;
    // (A partner key's Create names `keyId`; its summary is `partnerKey`.)
    const legacyState = await legacyClientState(env);
    const genesysRequests = (env.genesys?.requestLog ?? []).slice(genesysBefore);
    const consumerClients = new Set(consumerStats?.clientsUsed ?? []);
    // The consumer only logs in and calls GET /organizations/me; the rotator never calls that route.
    // (A probe's token grant with the new client is indistinguishable from the consumer's, so it is not counted.)
    const rotatorGenesys = env.genesys
      ? genesysRequests.filter(
          (request) =>
            request.route !== 'GET /api/v2/organizations/me' &&
            !(
              request.route === 'POST /oauth/token' &&
              request.callerClientId !== null &&
              consumerClients.has(request.callerClientId)
            ) &&
            // The simulated Architect flow's calls (PARTNER_KEYS=1) are not the rotator's.
            !(request.callerClientId !== null && partnerDemo?.otherClientIds.has(request.callerClientId)),
        )
      : // An external Genesys: the functions reach it through the harness's counting proxy.
        env.rotatorGenesysRequests().slice(proxiedBefore);
    const awsRequests = env.aws.requestLog.slice(awsBefore);
    const consumerSecretReads = (consumerStats?.secretReads ?? 0) - consumerBefore.secretReads;
    const rotatorAws = awsRequests.length - consumerSecretReads;
    const events = env.aws.eventBridge.events.slice(eventsBefore);
    const hold = holdOf(events);
    const outcome = outcomeOf({
      status: result.status,
      terminalState: result.terminalState,
      held: hold !== null,
      dryRun: args['dry-run'] === true,
    });

    const summary: Summary = {
      // The engine waited for the end, so the execution is never still running here.
      outcome: outcome === 'running' ? 'failed' : outcome,
      hold,
      trigger,
      executionStatus: result.status,
      error: result.error,
      credential: partnerKey
        ? {
            kind: 'integration-credential',
            legacyId: partnerKey.legacyKeyId,
            newId: partnerKey.newKeyId,
            retired: partnerKey.legacyKeyState === 'revoked',
          }
        : {
            kind: 'oauth-client',
            legacyId: env.demo.legacyClientId,
            newId: created?.newClientId ?? null,
            retired: legacyState !== 'active',
          },
      newClientId: partnerKey ? null : (created?.newClientId ?? null),
      legacyClientId: partnerKey ? null : env.demo.legacyClientId,
      legacyRetired: partnerKey ? null : legacyState !== 'active',
      legacyClientState: partnerKey ? null : legacyState,
      events: events.length,
      eventTypes: events.map((event) => event.detailType),
      consumerCalls: (consumerStats?.calls ?? 0) - consumerBefore.calls,
      consumerFailedCalls: consumerStats?.failedCalls ?? 0,
      consumerClients: [...consumerClients],
      partnerKey,
      genesysCalls: rotatorGenesys.length,
      genesysCallsByRoute: count(rotatorGenesys, (request) => request.route),
      awsCalls: rotatorAws,
      awsCallsByOperation: count(awsRequests, (request) => `${request.service}.${request.operation}`),
      wallMs: Date.now() - started,
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      print('');
      print(
        `Outcome:              ${summary.outcome} (${summary.executionStatus}${summary.error ? `, ${summary.error}` : ''})`,
      );
      if (summary.hold) {
        print(
          `Held:                 ${summary.hold.reason}: ${summary.hold.legacyRequestsSincePromotion} legacy requests since promotion, ${summary.hold.daysObserved} of ${summary.hold.evidenceDaysRequired} reported days observed`,
        );
      }
      if (partnerKey) {
        print(
          `New key:              ${partnerKey.newKeyId ?? '-'} (${partnerKey.credentialType}, from the ${partnerKey.source})`,
        );
        print(
          `Old key:              ${partnerKey.legacyKeyId} -> ${partnerKey.legacyKeyState} at the partner`,
        );
        print(
          `Credential object:    ${partnerKey.legacyCredentialId} -> ${partnerKey.currentCredentialId ?? '-'}${partnerKey.legacyCredentialDeleted ? ' (old object deleted)' : ''}`,
        );
      } else {
        print(`New client:           ${summary.newClientId ?? '-'}`);
        if (followDemo) print(`Integration followed: ${describeFollowDemo(followDemo, output)}`);
        print(`Legacy client:        ${summary.legacyClientId} -> ${summary.legacyClientState}`);
      }
      print(`Events emitted:       ${summary.events} (${summary.eventTypes.join(', ')})`);
      if (partnerKey) {
        print(
          `Flow calls:           ${partnerKey.flowCalls}, failed: ${partnerKey.flowFailedCalls} (keys seen: ${partnerKey.flowKeyIds.join(' -> ')})`,
        );
      } else {
        print(`Consumer calls:       ${summary.consumerCalls}, failed: ${summary.consumerFailedCalls}`);
      }
      print(`Genesys calls:        ${summary.genesysCalls} by the rotator`);
      print(`AWS calls:            ${summary.awsCalls} by the rotator`);
      print(`Wall time:            ${summary.wallMs} ms`);
    }
    if (summary.outcome === 'held') return EXIT_HELD;
    return summary.outcome === 'succeeded' || summary.outcome === 'dry-run' ? 0 : 1;
  } finally {
    await env.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `npm start failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
    process.exit(1);
  },
);
