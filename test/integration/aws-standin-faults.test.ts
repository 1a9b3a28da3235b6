import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AwsStandIn, startAwsStandIn } from '../../local/standins/aws/index.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let standIn: AwsStandIn;
let secrets: SecretsManagerClient;
let events: EventBridgeClient;
let secretCounter = 0;

beforeAll(async () => {
  standIn = await startAwsStandIn();
  const config = { endpoint: standIn.url, region: standIn.region, credentials, maxAttempts: 1 };
  secrets = new SecretsManagerClient(config);
  events = new EventBridgeClient(config);
});

afterAll(async () => {
  secrets.destroy();
  events.destroy();
  await standIn.close();
});

afterEach(() => {
  standIn.faults.clear();
});

async function createSecret(): Promise<string> {
  secretCounter += 1;
  const name = `genesys/faults-${secretCounter}`;
  await secrets.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
  return name;
}

function logSince(index: number) {
  return standIn.requestLog.slice(index).map(({ service, operation, status, errorType }) => ({
    service,
    operation,
    status,
    errorType,
  }));
}

describe('AWS stand-in faults', () => {
  it('answers only the nth call with the injected typed error and logs every call (aws-rotation-and-local-tooling.md §3.7)', async () => {
    // Prepare
    const name = await createSecret();
    standIn.faults.add({
      operation: 'secretsmanager.GetSecretValue',
      nth: 2,
      errorType: 'InternalServiceError',
    });
    const logStart = standIn.requestLog.length;
    const read = () => secrets.send(new GetSecretValueCommand({ SecretId: name }));

    // Act
    const first = await read();
    const second = await read().catch((error: unknown) => error);
    const third = await read();

    // Assess
    expect(first.SecretString).toBe('v1');
    expect(second).toBeInstanceOf(InternalServiceError);
    expect(second).toMatchObject({ $metadata: { httpStatusCode: 500 } });
    expect(third.SecretString).toBe('v1');
    expect(logSince(logStart)).toEqual([
      { service: 'secretsmanager', operation: 'GetSecretValue', status: 200, errorType: null },
      {
        service: 'secretsmanager',
        operation: 'GetSecretValue',
        status: 500,
        errorType: 'InternalServiceError',
      },
      { service: 'secretsmanager', operation: 'GetSecretValue', status: 200, errorType: null },
    ]);
  });

  it('applies the write before failing with afterApply, so a replay with the same token is a no-op (aws-rotation-and-local-tooling.md §1.3)', async () => {
    // Prepare
    const name = await createSecret();
    const token = 'f0f0f0f0-0000-4000-8000-000000000001';
    standIn.faults.add({ operation: 'PutSecretValue', afterApply: true, status: 500 });
    const put = () =>
      secrets.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: 'v2',
          ClientRequestToken: token,
          VersionStages: ['AWSPENDING'],
        }),
      );

    // Act
    const failed = await put().catch((error: unknown) => error);
    standIn.faults.clear();
    const replay = await put();

    // Assess
    expect(failed).toBeInstanceOf(InternalServiceError);
    expect(replay.VersionId).toBe(token);
    expect(
      standIn.secretsManager.versions(name).map((version) => [version.versionId, version.stages]),
    ).toContainEqual([token, ['AWSPENDING']]);
    expect(standIn.secretsManager.versions(name)).toHaveLength(2);
  });

  it('drops the connection without answering and logs status 0 (DESIGN.md §7; aws-rotation-and-local-tooling.md §1.5)', async () => {
    // Prepare
    const name = await createSecret();
    standIn.faults.add({ operation: 'GetSecretValue', drop: true, times: 1 });
    const logStart = standIn.requestLog.length;

    // Act
    const dropped = await secrets
      .send(new GetSecretValueCommand({ SecretId: name }))
      .catch((error: unknown) => error);
    const after = await secrets.send(new GetSecretValueCommand({ SecretId: name }));

    // Assess
    expect(dropped).toBeInstanceOf(Error);
    expect(
      (dropped as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
    ).toBeUndefined();
    expect(after.SecretString).toBe('v1');
    expect(logSince(logStart).map((entry) => [entry.status, entry.errorType])).toEqual([
      [0, 'ConnectionDropped'],
      [200, null],
    ]);
  });

  it('delays the real answer by latencyMs (DESIGN.md §7; aws-rotation-and-local-tooling.md §1.12)', async () => {
    // Prepare
    const name = await createSecret();
    standIn.faults.add({ operation: 'GetSecretValue', latencyMs: 150 });

    // Act
    const startedAt = performance.now();
    const value = await secrets.send(new GetSecretValueCommand({ SecretId: name }));
    const elapsed = performance.now() - startedAt;

    // Assess
    expect(value.SecretString).toBe('v1');
    expect(elapsed).toBeGreaterThanOrEqual(140);
  });

  it('throttles EventBridge with status 429 alone and records nothing for the refused call (DESIGN.md §7; aws-rotation-and-local-tooling.md §3.7)', async () => {
    // Prepare
    standIn.faults.add({ operation: 'AWSEvents.PutEvents', status: 429 });
    const recordedBefore = standIn.eventBridge.events.length;
    const put = () =>
      events.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }));

    // Act
    const throttled = await put().catch((error: unknown) => error);
    standIn.faults.clear();
    const accepted = await put();

    // Assess
    expect(throttled).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    expect(accepted.FailedEntryCount).toBe(0);
    expect(standIn.eventBridge.events.length).toBe(recordedBefore + 1);
  });

  it('refuses a fault rule naming an unknown service (DESIGN.md §7)', () => {
    // Act
    const add = () => standIn.faults.add({ operation: 'dynamodb.GetItem', status: 500 });

    // Assess
    expect(add).toThrow(/unknown service/);
  });
});
