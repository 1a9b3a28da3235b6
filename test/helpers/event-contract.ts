/**
 * Validates audit events against the registered schemas (`schemas/events/`, the files
 * `RotationMonitoring` registers) with ajv: each event as EventBridge delivers it, envelope and detail;
 * the rotation machine's details also against the union of every detail (`schemas/rotation-event.v2.json`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { eventSchemaFiles } from '../../infra/constructs/rotation-monitoring.js';
import { UNION_SCHEMA_DIR, UNION_SCHEMA_FILE } from '../../infra/events/generate.js';
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
export function eventContract(files?: ReadonlyMap<string, { content: string }>) {
  const validators = new Map(
    [...(files ?? eventSchemaFiles())].map(
      ([detailType, { content }]) => [detailType, compile(content)] as const,
    ),
  );
  const anyDetail =
    files === undefined ? compile(readFileSync(join(UNION_SCHEMA_DIR, UNION_SCHEMA_FILE), 'utf8')) : null;
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
        if (anyDetail !== null && !anyDetail(event.detail)) {
          violations.push({ detailType: event.detailType, problem: `detail not in ${UNION_SCHEMA_FILE}` });
        }
      }
      return violations;
    },
  };
}

/** Names a state path would have if it held a secret value (the values only ever live in Secrets Manager). */
export const VALUE_BEARING_PATH = /clientSecret|password|secretString|\.fields\b|\.value\b|apiKey/i;

/** Every JSONPath (`$...`) an ASL Parameters block (an emit's `Detail`) reads, however deep. */
export function jsonPathsIn(node: unknown): string[] {
  if (typeof node === 'string') return node.startsWith('$') ? [node] : [];
  if (typeof node !== 'object' || node === null) return [];
  return Object.values(node).flatMap(jsonPathsIn);
}
