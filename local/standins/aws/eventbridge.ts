import { randomUUID } from 'node:crypto';
import {
  type AuthorizationTarget,
  AwsServiceError,
  type AwsServiceHandler,
  epochSeconds,
  InputReader,
  isJsonObject,
  type JsonObject,
  type Operation,
  OperationTable,
} from './protocol.js';
import type { Clock, EventBridgeTargetEvent, RecordedEvent } from './types.js';

const MAX_ENTRIES = 10;
const MAX_ENTRY_BYTES = 256 * 1024;

interface EventBus {
  readonly name: string;
  readonly arn: string;
  readonly createdDate: Date;
}

export interface EventBridgeOptions {
  readonly region: string;
  readonly accountId: string;
  readonly clock: Clock;
}

/**
 * EventBridge PutEvents plus minimal bus management. PutEvents accepts any bus name (the stack's bus
 * is not created in local mode), so events are never lost to a missing CreateEventBus.
 */
export class EventBridgeStandIn extends OperationTable implements AwsServiceHandler {
  readonly service = 'events';
  readonly targetPrefix = 'AWSEvents';
  readonly contentType = 'application/x-amz-json-1.1';
  readonly internalErrorType = 'InternalException';
  readonly events: RecordedEvent[] = [];

  private readonly buses = new Map<string, EventBus>();
  private readonly targets = new Set<(event: EventBridgeTargetEvent) => void>();
  protected readonly invalidParameterType = 'ValidationException';
  protected readonly operations: Readonly<Record<string, Operation>> = {
    PutEvents: (input) => this.putEvents(input),
    CreateEventBus: (input) => this.createEventBus(input),
    DescribeEventBus: (input) => this.describeEventBus(input),
    ListEventBuses: (input) => this.listEventBuses(input),
    DeleteEventBus: (input) => this.deleteEventBus(input),
  };

  constructor(private readonly options: EventBridgeOptions) {
    super();
    this.addBus('default');
  }

  /**
   * Stands in for a rule whose target is `listener`: every event put on any bus is delivered to it as
   * EventBridge delivers to a target (the envelope below), after PutEvents has answered. Returns the
   * unsubscribe function. Filtering is the listener's (the kit's handler ignores what it does not want).
   */
  subscribe(listener: (event: EventBridgeTargetEvent) => void): () => void {
    this.targets.add(listener);
    return () => this.targets.delete(listener);
  }

  /** `events:<Operation>` on the bus: for PutEvents, on each bus its entries name. */
  authorizationTargets(operation: string, input: JsonObject): AuthorizationTarget[] {
    const action = `events:${operation}`;
    if (operation === 'ListEventBuses') return [{ action, resource: '*' }];
    const references =
      operation === 'PutEvents'
        ? (Array.isArray(input.Entries) ? input.Entries : []).map((entry) =>
            isJsonObject(entry) && typeof entry.EventBusName === 'string' ? entry.EventBusName : 'default',
          )
        : [typeof input.Name === 'string' ? input.Name : 'default'];
    return [...new Set(references.map((reference) => this.busArn(reference)))].map((resource) => ({
      action,
      resource,
    }));
  }

  private busArn(reference: string): string {
    if (reference.startsWith('arn:')) return reference;
    return `arn:aws:events:${this.options.region}:${this.options.accountId}:event-bus/${reference}`;
  }

  private putEvents(input: InputReader): JsonObject {
    const entries = input.objectList('Entries') ?? [];
    if (entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new AwsServiceError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES} and greater than or equal to 1`,
      );
    }
    const results = entries.map((entry) =>
      this.putEntry(new InputReader(entry, 'ValidationException'), entry),
    );
    return {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    };
  }

  /** Per-entry problems fail that entry only, as AWS reports them in Entries[] and FailedEntryCount. */
  private putEntry(entry: InputReader, raw: JsonObject): JsonObject {
    const source = entry.string('Source');
    const detailType = entry.string('DetailType');
    const detailText = entry.string('Detail');
    if (!source) return requiredArgumentMissing('Source');
    if (!detailType) return requiredArgumentMissing('DetailType');
    if (detailText === undefined) return requiredArgumentMissing('Detail');
    let detail: unknown;
    try {
      detail = JSON.parse(detailText);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (Buffer.byteLength(JSON.stringify(raw)) > MAX_ENTRY_BYTES) {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Total size of the entries in the request is over the limit.',
      };
    }
    const busReference = entry.string('EventBusName') ?? 'default';
    const eventBusName = busReference.startsWith('arn:')
      ? (busReference.split('/').pop() ?? busReference)
      : busReference;
    const time = entry.number('Time');
    const eventId = randomUUID();
    const recorded: RecordedEvent = {
      eventId,
      eventBusName,
      source,
      detailType,
      detail,
      resources: entry.stringList('Resources') ?? [],
      time: time === undefined ? this.options.clock.now() : new Date(time * 1000),
    };
    this.events.push(recorded);
    if (this.targets.size > 0) {
      const delivered = this.toTargetEvent(recorded);
      for (const target of this.targets) setImmediate(() => target(delivered));
    }
    return { EventId: eventId };
  }

  private toTargetEvent(event: RecordedEvent): EventBridgeTargetEvent {
    return {
      version: '0',
      id: event.eventId,
      'detail-type': event.detailType,
      source: event.source,
      account: this.options.accountId,
      time: event.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.options.region,
      resources: [...event.resources],
      detail: event.detail,
    };
  }

  private createEventBus(input: InputReader): JsonObject {
    const name = input.requiredString('Name');
    if (this.buses.has(name)) {
      throw new AwsServiceError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    }
    return { EventBusArn: this.addBus(name).arn };
  }

  private describeEventBus(input: InputReader): JsonObject {
    const reference = input.string('Name') ?? 'default';
    const name = reference.startsWith('arn:') ? (reference.split('/').pop() ?? reference) : reference;
    const bus = this.buses.get(name);
    if (bus === undefined)
      throw new AwsServiceError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return describeBus(bus);
  }

  private listEventBuses(input: InputReader): JsonObject {
    const prefix = input.string('NamePrefix') ?? '';
    return {
      EventBuses: [...this.buses.values()].filter((bus) => bus.name.startsWith(prefix)).map(describeBus),
    };
  }

  private deleteEventBus(input: InputReader): JsonObject {
    const name = input.requiredString('Name');
    if (name === 'default')
      throw new AwsServiceError('ValidationException', 'Cannot delete event bus default.');
    this.buses.delete(name);
    return {};
  }

  private addBus(name: string): EventBus {
    const bus = {
      name,
      arn: this.busArn(name),
      createdDate: this.options.clock.now(),
    };
    this.buses.set(name, bus);
    return bus;
  }
}

function requiredArgumentMissing(member: string): JsonObject {
  return {
    ErrorCode: 'InvalidArgument',
    ErrorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.`,
  };
}

function describeBus(bus: EventBus): JsonObject {
  return {
    Name: bus.name,
    Arn: bus.arn,
    CreationTime: epochSeconds(bus.createdDate),
    LastModifiedTime: epochSeconds(bus.createdDate),
  };
}
