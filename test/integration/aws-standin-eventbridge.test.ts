import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AwsStandIn } from '../../local/standins/aws/index.js';
import { fixedNow, startStandIn, stopStandIn } from '../helpers/aws-standin.js';

let standIn: AwsStandIn;
let client: EventBridgeClient;
let recordedBefore = 0;

beforeAll(async () => {
  ({ standIn, client } = await startStandIn(EventBridgeClient));
});

afterAll(() => stopStandIn({ standIn, client }));

beforeEach(() => {
  recordedBefore = standIn.eventBridge.events.length;
});

function recordedSinceTestStart() {
  return standIn.eventBridge.events.slice(recordedBefore);
}

describe('EventBridge stand-in', () => {
  it('records accepted PutEvents entries with their parsed detail (aws-rotation-and-local-tooling.md §2.3, §3.7)', async () => {
    // Prepare
    const detail = { schemaVersion: '1', secretId: 'genesys/a', executionId: 'exec-1' };

    // Act
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'genesys-credential-rotation',
            Source: 'genesys.credential-rotator',
            DetailType: 'Rotation Started',
            Detail: JSON.stringify(detail),
            Resources: ['arn:aws:states:eu-west-1:123456789012:execution:Rotation:exec-1'],
          },
          {
            Source: 'genesys.credential-rotator',
            DetailType: 'Rotation Planned',
            Detail: '{}',
            Time: new Date('2026-11-20T00:00:00.000Z'),
          },
        ],
      }),
    );

    // Assess
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries?.map((entry) => entry.EventId)).toEqual([expect.any(String), expect.any(String)]);
    expect(recordedSinceTestStart()).toEqual([
      {
        eventId: result.Entries?.[0]?.EventId,
        eventBusName: 'genesys-credential-rotation',
        source: 'genesys.credential-rotator',
        detailType: 'Rotation Started',
        detail,
        resources: ['arn:aws:states:eu-west-1:123456789012:execution:Rotation:exec-1'],
        time: fixedNow,
      },
      {
        eventId: result.Entries?.[1]?.EventId,
        eventBusName: 'default',
        source: 'genesys.credential-rotator',
        detailType: 'Rotation Planned',
        detail: {},
        resources: [],
        time: new Date('2026-11-20T00:00:00.000Z'),
      },
    ]);
  });

  it('fails only the entries with malformed Detail or missing Source/DetailType, counting them in FailedEntryCount (aws-rotation-and-local-tooling.md §2.3)', async () => {
    // Act
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'genesys.credential-rotator', DetailType: 'Rotation Started', Detail: '{"ok":true}' },
          { Source: 'genesys.credential-rotator', DetailType: 'Rotation Started', Detail: '{not json' },
          { DetailType: 'Rotation Started', Detail: '{}' },
          { Source: 'genesys.credential-rotator', Detail: '{}' },
        ],
      }),
    );

    // Assess
    expect(result.FailedEntryCount).toBe(3);
    expect(result.Entries?.[0]?.EventId).toEqual(expect.any(String));
    expect(result.Entries?.slice(1).map((entry) => entry.ErrorCode)).toEqual([
      'MalformedDetail',
      'InvalidArgument',
      'InvalidArgument',
    ]);
    expect(recordedSinceTestStart().map((event) => event.detail)).toEqual([{ ok: true }]);
  });

  it('creates and describes event buses, answering unknown and duplicate ones with typed errors (aws-rotation-and-local-tooling.md §3.6)', async () => {
    // Act
    const created = await client.send(new CreateEventBusCommand({ Name: 'audit-bus' }));
    const described = await client.send(new DescribeEventBusCommand({ Name: 'audit-bus' }));
    const duplicate = client.send(new CreateEventBusCommand({ Name: 'audit-bus' }));
    const unknown = client.send(new DescribeEventBusCommand({ Name: 'no-such-bus' }));

    // Assess
    expect(created.EventBusArn).toBe('arn:aws:events:eu-west-1:123456789012:event-bus/audit-bus');
    expect(described).toMatchObject({ Name: 'audit-bus', Arn: created.EventBusArn, CreationTime: fixedNow });
    await expect(duplicate).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(unknown).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
