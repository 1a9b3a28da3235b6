/**
 * Validates audit events against the registered schemas (`schemas/events/`, the files
 * `RotationMonitoring` registers) with ajv: each event as EventBridge delivers it, envelope and detail.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { eventSchemaFiles } from '../../infra/constructs/rotation-monitoring.js';
import type { RecordedEvent } from '../../local/standins/aws/index.js';

/** Draft 4 as registered; ajv reads it as draft 7 (`id` is draft 4's `$id`). */
// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = ((formatsModule as { default?: unknown }).default ?? formatsModule) as unknown as (
  ajv: Ajv,
) => Ajv;

function compile(content: string): ValidateFunction {
  const { $schema: _draft, id, ...schema } = JSON.parse(content) as Record<string, unknown>;
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile({ ...schema, $id: String(id) });
}

export interface ContractViolation {
  readonly detailType: string;
  readonly problem: string;
}

/** The rotation machine's events by default; `fleetEventSchemaFiles()` for the fleet machine's. */
export function eventContract(files: ReadonlyMap<string, { content: string }> = eventSchemaFiles()) {
  const validators = new Map(
    [...files].map(([detailType, { content }]) => [detailType, compile(content)] as const),
  );
  return {
    detailTypes: [...validators.keys()],
    /** What is wrong with each event (none: every event validates against its detail type's schema). */
    violations(events: readonly RecordedEvent[]): ContractViolation[] {
      const violations: ContractViolation[] = [];
      for (const event of events) {
        const validate = validators.get(event.detailType);
        if (validate === undefined) {
          violations.push({ detailType: event.detailType, problem: 'no registered schema' });
          continue;
        }
        const envelope = {
          version: '0',
          id: event.eventId,
          'detail-type': event.detailType,
          source: event.source,
          time: event.time.toISOString(),
          resources: event.resources,
          detail: event.detail,
        };
        if (!validate(envelope)) {
          violations.push({
            detailType: event.detailType,
            problem: (validate.errors ?? [])
              .map((error) => `${error.instancePath} ${error.message}`)
              .join('; '),
          });
        }
      }
      return violations;
    },
  };
}
