/**
 * The consumer kit through the real SDKs: AWS SDK v3 (through Powertools Parameters) against the AWS
 * stand-in, the Genesys SDK against the Genesys stand-in's token endpoint and API. A rotation is
 * played the way the rotator's Sync and retire steps do it: a new client, its credential staged as
 * AWSPENDING then moved to AWSCURRENT, the legacy client deactivated, disabled or deleted.
 */
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GenesysAdmin } from '../../functions/shared/genesys/admin.js';
import {
  CredentialMalformedError,
  CredentialRejectedError,
  createGenesysConsumer,
  createRotationEventHandler,
  type GenesysConsumer,
  type GenesysCredential,
  SecretReadFailedError,
  TokenRequestFailedError,
} from '../../kit/consumer/index.js';
import { type AwsStandIn, startAwsStandIn } from '../../local/standins/aws/index.js';
import { type GenesysStandIn, startGenesysStandIn } from '../../local/standins/genesys/index.js';

const ENVIRONMENT = 'mypurecloud.ie';
/** Every client secret the Genesys stand-in issues starts with this: it must show up nowhere. */
const CANARY = 'CANARY-consumer-kit';
const ORG_ME = 'GET /api/v2/organizations/me';

let genesys: GenesysStandIn;
let aws: AwsStandIn;
let secrets: SecretsManagerClient;
let events: EventBridgeClient;
let admin: GenesysAdmin;
let roleDivisions: { roleId: string; divisionId: string }[];
/** Everything the kits of this file logged, and every error a test caught. */
const logged: string[] = [];
const caught: unknown[] = [];
const issuedSecrets: string[] = [];

const logger = {
  info: (message: string, facts?: Record<string, unknown>) => logged.push(JSON.stringify({ message, facts })),
  warn: (message: string, facts?: Record<string, unknown>) => logged.push(JSON.stringify({ message, facts })),
};

beforeAll(async () => {
  genesys = await startGenesysStandIn({
    secretFactory: () => {
      const secret = `${CANARY}-${randomUUID()}`;
      issuedSecrets.push(secret);
      return secret;
    },
  });
  aws = await startAwsStandIn();
  const config = {
    endpoint: aws.url,
    region: aws.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  secrets = new SecretsManagerClient(config);
  events = new EventBridgeClient(config);
  const role = genesys.seed.role('Organization reader', ['organization:view']);
  roleDivisions = [{ roleId: role, divisionId: genesys.seed.homeDivisionId }];
  // The admin must hold the roles it grants (genesys-cloud-api.md §1.2).
  const seededAdmin = genesys.seed.adminClient({ extraRoleDivisions: roleDivisions });
  admin = new GenesysAdmin({
    credential: {
      clientId: seededAdmin.clientId,
      clientSecret: seededAdmin.clientSecret,
      environment: ENVIRONMENT,
    },
    gatewayUrl: genesys.url,
    retry: { maxAttempts: 3, defaultRetryAfterMs: 50 },
  });
});

afterAll(async () => {
  secrets.destroy();
  events.destroy();
  await aws.close();
  await genesys.close();
});

afterEach(() => {
  genesys.faults.clear();
});

/** A seeded consumer client and a managed secret whose AWSCURRENT holds it. */
async function managedSecret(): Promise<{ arn: string; legacy: GenesysCredential }> {
  const seeded = genesys.seed.client({ name: `consumer-${randomUUID()}`, roleDivisions });
  const legacy = { clientId: seeded.clientId, clientSecret: seeded.clientSecret, environment: ENVIRONMENT };
  const created = await secrets.send(
    new CreateSecretCommand({
      Name: `genesys/consumer-${randomUUID()}`,
      SecretString: JSON.stringify(legacy),
    }),
  );
  return { arn: created.ARN as string, legacy };
}

/** As the rotator's Create and Sync do: a clone of the legacy client, staged as AWSPENDING, then promoted. */
async function promoteNewClient(arn: string): Promise<GenesysCredential> {
  const created = await admin.createClient({
    name: `consumer-${randomUUID()}`,
    description: 'rotated',
    roleDivisions,
    accessTokenValiditySeconds: 86_400,
  });
  const credential = { clientId: created.client.id, clientSecret: created.secret, environment: ENVIRONMENT };
  const token = randomUUID();
  await secrets.send(
    new PutSecretValueCommand({
      SecretId: arn,
      ClientRequestToken: token,
      SecretString: JSON.stringify(credential),
      VersionStages: ['AWSPENDING'],
    }),
  );
  const described = await secrets.send(new DescribeSecretCommand({ SecretId: arn }));
  const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) =>
    stages.includes('AWSCURRENT'),
  )?.[0];
  await secrets.send(
    new UpdateSecretVersionStageCommand({
      SecretId: arn,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: token,
      RemoveFromVersionId: current,
    }),
  );
  return credential;
}

function kitFor(arn: string, maxAgeSeconds = 300): GenesysConsumer {
  return createGenesysConsumer({
    secretId: arn,
    secretsManager: secrets,
    gatewayUrl: genesys.url,
    maxAgeSeconds,
    logger,
  });
}

/** The consumer's unit of work: one API call with whatever token the kit hands out. */
function callGenesys(kit: GenesysConsumer): Promise<string> {
  return kit.withToken(async (session) => {
    const org = await new platformClient.OrganizationApi(session.api).getOrganizationsMe();
    expect(org.id).toBe(genesys.orgId);
    return session.clientId;
  });
}

/** Runs `calls`, counting what the caller saw fail (the kit's promise: none). */
async function runCalls(
  kit: GenesysConsumer,
  calls: number,
  concurrency = 1,
): Promise<{ clients: string[]; failed: unknown[] }> {
  const clients: string[] = [];
  const failed: unknown[] = [];
  for (let done = 0; done < calls; done += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, calls - done) }, () => callGenesys(kit));
    for (const outcome of await Promise.allSettled(batch)) {
      if (outcome.status === 'fulfilled') clients.push(outcome.value);
      else failed.push(outcome.reason);
    }
  }
  caught.push(...failed);
  return { clients, failed };
}

/** GetSecretValue calls that reached the stand-in so far (this file's tests run one at a time, and only kits read). */
function secretReads(): number {
  return aws.requestLog.filter((request) => request.operation === 'GetSecretValue').length;
}

function genesysCalls(route: string, clientId: string): number {
  return genesys.requestLog.filter(
    (request) => request.route === route && request.callerClientId === clientId,
  ).length;
}

describe('consumer kit against the stand-ins', () => {
  it('cached: 20 calls read AWSCURRENT once and mint one token (Powertools Parameters maxAge)', async () => {
    // Prepare
    const { arn, legacy } = await managedSecret();
    const kit = kitFor(arn);
    const readsBefore = secretReads();

    // Act
    const { clients, failed } = await runCalls(kit, 20);

    // Assess
    expect(failed).toEqual([]);
    expect(new Set(clients)).toEqual(new Set([legacy.clientId]));
    expect(secretReads() - readsBefore).toBe(1);
    expect(genesysCalls('POST /oauth/token', legacy.clientId)).toBe(1);
    expect(genesysCalls(ORG_ME, legacy.clientId)).toBe(20);
  });

  it('after a promotion, the legacy client disabled (its tokens refused, genesys-cloud-api.md §1.2): the next calls get 401, re-read AWSCURRENT once, move to the new client; the caller sees no failure', async () => {
    // Prepare
    const { arn, legacy } = await managedSecret();
    const kit = kitFor(arn);
    await runCalls(kit, 3);
    const next = await promoteNewClient(arn);
    await admin.setClientState(legacy.clientId, 'disabled');
    const readsBefore = secretReads();
    const genesysBefore = genesys.requestLog.length;

    // Act: ten callers at once, all holding the legacy token.
    const { clients, failed } = await runCalls(kit, 30, 10);

    // Assess
    expect(failed).toEqual([]);
    expect(new Set(clients)).toEqual(new Set([next.clientId]));
    expect(secretReads() - readsBefore).toBe(1);
    expect(genesysCalls('POST /oauth/token', next.clientId)).toBe(1);
    expect(kit.stats.refusalsRecovered).toBe(10);
    const refused = genesys.requestLog
      .slice(genesysBefore)
      .filter((request) => request.route === ORG_ME && request.status === 401);
    expect(refused).toHaveLength(10);
  });

  it('after a promotion, the legacy client deactivated (its tokens still work) then deleted: calls go on with the legacy token, then 401, refresh and succeed', async () => {
    // Prepare
    const { arn, legacy } = await managedSecret();
    const kit = kitFor(arn);
    await runCalls(kit, 2);
    const next = await promoteNewClient(arn);
    await admin.setClientState(legacy.clientId, 'inactive');

    // Act
    const whileInactive = await runCalls(kit, 3);
    await admin.deleteClient(legacy.clientId);
    const afterDelete = await runCalls(kit, 5);

    // Assess
    expect(whileInactive.failed).toEqual([]);
    expect(new Set(whileInactive.clients)).toEqual(new Set([legacy.clientId]));
    expect(afterDelete.failed).toEqual([]);
    expect(new Set(afterDelete.clients)).toEqual(new Set([next.clientId]));
    // A client younger than 30 days is removed outright (genesys-cloud-api.md §1.3).
    const gone = genesys.clients().find((client) => client.id === legacy.clientId);
    expect(gone === undefined || gone.deleted).toBe(true);
  });

  it('a token expired early (revoked): 401, a new token for the same client, no failure', async () => {
    // Prepare
    const { arn, legacy } = await managedSecret();
    const kit = kitFor(arn);
    await runCalls(kit, 1);

    // Act
    expect(genesys.expireTokens(legacy.clientId)).toBeGreaterThan(0);
    const { clients, failed } = await runCalls(kit, 3);

    // Assess
    expect(failed).toEqual([]);
    expect(new Set(clients)).toEqual(new Set([legacy.clientId]));
    expect(genesysCalls('POST /oauth/token', legacy.clientId)).toBe(2);
  });

  it('a Secret Promoted event (delivered as an EventBridge target receives it) invalidates the cache: the next call re-reads and uses the new client while the legacy one is still active', async () => {
    // Prepare
    const { arn, legacy } = await managedSecret();
    const kit = kitFor(arn);
    const other = kitFor((await managedSecret()).arn);
    const handler = createRotationEventHandler(kit, other);
    const outcomes: unknown[] = [];
    const unsubscribe = aws.eventBridge.subscribe(
      (event) => void handler(event).then((o) => outcomes.push(o)),
    );
    await runCalls(kit, 2);
    await runCalls(other, 1);
    const next = await promoteNewClient(arn);
    const stillCached = await runCalls(kit, 2);
    const readsBefore = secretReads();

    // Act: the event the state machine's EmitPromoted state puts (schemas/rotation-event.v2.json).
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'genesys-credential-rotation',
            Source: 'genesys.credential-rotator',
            DetailType: 'Secret Promoted',
            Detail: JSON.stringify({
              schemaVersion: '2',
              secretId: arn,
              executionId: 'arn:aws:states:eu-west-1:000000000000:execution:rotation:test',
              trigger: 'manual',
              credential: { kind: 'oauth-client', legacyId: legacy.clientId, newId: next.clientId },
              synced: {
                currentVersionId: 'v2',
                previousVersionId: 'v1',
                promotedAt: new Date().toISOString(),
              },
            }),
          },
        ],
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const legacyCallsBefore = genesysCalls(ORG_ME, legacy.clientId);
    const afterEvent = await runCalls(kit, 3);
    unsubscribe();

    // Assess
    expect(new Set(stillCached.clients)).toEqual(new Set([legacy.clientId]));
    expect(outcomes).toEqual([{ invalidated: true, secretId: arn, detailType: 'Secret Promoted' }]);
    expect(afterEvent.failed).toEqual([]);
    expect(new Set(afterEvent.clients)).toEqual(new Set([next.clientId]));
    expect(secretReads() - readsBefore).toBe(1);
    expect(genesysCalls(ORG_ME, legacy.clientId)).toBe(legacyCallsBefore);
    expect(kit.stats.refusalsRecovered).toBe(0);
    expect(other.stats.invalidations).toBe(0);
    expect(genesys.clients().find((client) => client.id === legacy.clientId)?.state).toBe('active');
  });
});

describe('consumer kit errors', () => {
  it('AWSCURRENT holding a credential Genesys refuses: CredentialRejectedError after one fresh re-read', async () => {
    // Prepare
    const { arn } = await managedSecret();
    const seeded = genesys.seed.client({ name: `wrong-${randomUUID()}`, roleDivisions });
    const wrong = { clientId: seeded.clientId, clientSecret: `${CANARY}-wrong`, environment: ENVIRONMENT };
    await secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify(wrong) }));
    const kit = kitFor(arn);
    const readsBefore = secretReads();

    // Act
    const act = callGenesys(kit);

    // Assess
    const error = await act.catch((thrown: unknown) => thrown);
    caught.push(error);
    expect(error).toBeInstanceOf(CredentialRejectedError);
    expect((error as CredentialRejectedError).details).toMatchObject({ status: 400, code: 'invalid_client' });
    expect(secretReads() - readsBefore).toBe(2);
  });

  it('AWSCURRENT that is not JSON: CredentialMalformedError; an unknown secret: SecretReadFailedError', async () => {
    // Prepare
    const { arn } = await managedSecret();
    await secrets.send(
      new PutSecretValueCommand({ SecretId: arn, SecretString: `{"clientSecret": "${CANARY}-truncated` }),
    );

    // Act
    const malformed = await callGenesys(kitFor(arn)).catch((thrown: unknown) => thrown);
    const missing = await callGenesys(kitFor(`${arn}-gone`)).catch((thrown: unknown) => thrown);
    caught.push(malformed, missing);

    // Assess
    expect(malformed).toBeInstanceOf(CredentialMalformedError);
    expect(missing).toBeInstanceOf(SecretReadFailedError);
    expect((missing as SecretReadFailedError).details.reason).toBe('ResourceNotFoundException');
  });

  it('the token endpoint failing (503 after the SDK gave up): TokenRequestFailedError, no retry loop', async () => {
    // Prepare
    const { arn } = await managedSecret();
    genesys.faults.add({ route: 'POST /oauth/token', status: 503 });

    // Act
    const error = await callGenesys(kitFor(arn)).catch((thrown: unknown) => thrown);
    caught.push(error);

    // Assess
    expect(error).toBeInstanceOf(TokenRequestFailedError);
    expect((error as TokenRequestFailedError).details.status).toBe(503);
  });

  it('no secret value (canary) and no authorization header in anything the kits logged or threw, however deep (runs last)', () => {
    // Prepare
    const everything = [
      ...logged,
      ...caught.map((error) => inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })),
      ...caught.map((error) => JSON.stringify(error)),
    ].join('\n');

    // Act // Assess
    expect(issuedSecrets.length).toBeGreaterThan(3);
    expect(caught.length).toBeGreaterThan(3);
    expect(logged.length).toBeGreaterThan(3);
    expect(everything).not.toContain(CANARY);
    expect(everything).not.toMatch(/Basic [A-Za-z0-9+/=]{20,}/);
  });
});
