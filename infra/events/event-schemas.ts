/**
 * The audit events' JSON Schemas, derived from their one source: the state machine's definition
 * says which facts each detail type carries (its `events:putEvents` entries) and where each comes
 * from in the execution state; `RotationStateSchema` (zod) says what is there. So a fact added to an
 * emit state, or a field added to a step's result, changes the schema without a hand copy to update.
 * `npm run schemas` writes them to `schemas/events/`; `RotationMonitoring` registers those files.
 */
import * as z from 'zod';
import { CaughtErrorSchema, HoldSchema, RotationStateSchema } from '../../functions/shared/contract.js';

type Json = Record<string, unknown>;

/** One audit event as an emit state defines it. */
export interface EmitEntry {
  readonly state: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: Json;
}

/** Every `events:putEvents` entry of an ASL definition, nested states (Map, Parallel) included. */
export function emitEntries(definition: Json): EmitEntry[] {
  const entries: EmitEntry[] = [];
  const visit = (states: Json) => {
    for (const [name, value] of Object.entries(states)) {
      const state = value as Json;
      if (typeof state.Resource === 'string' && state.Resource.endsWith(':states:::events:putEvents')) {
        for (const entry of ((state.Parameters as Json | undefined)?.Entries ?? []) as Json[]) {
          entries.push({
            state: name,
            source: String(entry.Source),
            detailType: String(entry.DetailType),
            detail: entry.Detail as Json,
          });
        }
      }
      for (const nested of [state.ItemProcessor, state.Iterator, ...((state.Branches as Json[]) ?? [])]) {
        const inner = (nested as Json | undefined)?.States;
        if (inner) visit(inner as Json);
      }
    }
  };
  visit(definition.States as Json);
  return entries;
}

/**
 * What `$.error` holds: what a Catch wrote (`{Error, Cause}`), or a hold (the adoption gate's or
 * the retirement check's figures, put there by a Pass state before the needs-attention event).
 */
const EmittedErrorSchema = z.union([HoldSchema, CaughtErrorSchema]);

/** Values the state machine's context object provides. */
const CONTEXT_PATHS: Record<string, z.ZodType> = {
  '$$.Execution.Id': z.string().describe('ARN of the Step Functions execution.'),
};

interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.core.$ZodType>;
  readonly innerType?: z.core.$ZodType;
}

const defOf = (schema: z.core.$ZodType) => schema._zod.def as unknown as SchemaDef;

/**
 * The schema of what a JSONPath (`$.a.b`) selects in the execution state. `state` is the state's
 * schema; a feature that keeps results outside `RotationStateSchema` (webhook receipts at
 * `$.webhooks`, say) passes it extended with them.
 */
export function schemaAtPath(path: string, state: z.core.$ZodType = RotationStateSchema): z.core.$ZodType {
  const fromContext = CONTEXT_PATHS[path];
  if (fromContext) return fromContext;
  if (path === '$.error') return EmittedErrorSchema;
  if (!path.startsWith('$.')) throw new Error(`Cannot derive a schema for the path ${path}`);
  let schema: z.core.$ZodType = state;
  for (const segment of path.slice(2).split('.')) {
    // A path the state does not hold fails the emit task, so a fact that is emitted is present.
    while (defOf(schema).type === 'optional') schema = defOf(schema).innerType as z.core.$ZodType;
    const field = defOf(schema).type === 'object' ? defOf(schema).shape?.[segment] : undefined;
    if (field === undefined) throw new Error(`The execution state schema has no ${path} (at "${segment}")`);
    schema = field;
  }
  while (defOf(schema).type === 'optional') schema = defOf(schema).innerType as z.core.$ZodType;
  return schema;
}

/** The detail of one emit entry: literal facts as constants, paths as what they select. */
export function detailSchemaOf(detail: Json, state: z.core.$ZodType = RotationStateSchema): z.ZodObject {
  const shape: Record<string, z.core.$ZodType> = {};
  for (const [key, value] of Object.entries(detail)) {
    if (key.endsWith('.$')) shape[key.slice(0, -2)] = schemaAtPath(String(value), state);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      shape[key] = z.literal(value);
    } else throw new Error(`Cannot derive a schema for the literal fact ${key}`);
  }
  return z.strictObject(shape);
}

/** One schema per detail type: the EventBridge event (envelope) with its typed detail. */
export function eventSchemas(
  definition: Json,
  state: z.core.$ZodType = RotationStateSchema,
): Map<string, z.ZodType> {
  const byType = new Map<string, EmitEntry[]>();
  for (const entry of emitEntries(definition)) {
    byType.set(entry.detailType, [...(byType.get(entry.detailType) ?? []), entry]);
  }
  const schemas = new Map<string, z.ZodType>();
  for (const [detailType, entries] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    const sources = [...new Set(entries.map((entry) => entry.source))];
    const details = entries.map((entry) => detailSchemaOf(entry.detail, state));
    const [first, ...others] = details;
    const detail = others.length === 0 ? (first as z.ZodObject) : z.union(details);
    schemas.set(
      detailType,
      z
        .looseObject({
          'detail-type': z.literal(detailType),
          source: z.literal(sources),
          detail,
        })
        .describe(
          `EventBridge event "${detailType}" of the Genesys credential rotator, emitted by ${[
            ...new Set(entries.map((entry) => entry.state)),
          ].join(', ')}. Its detail holds ids, counts, names and error names, never a secret value.`,
        ),
    );
  }
  return schemas;
}

/**
 * JSON Schema draft 4: the registry's `JSONSchemaDraft4` schema type (AWS::EventSchemas::Schema).
 * Ajv validates it as draft 7 once `$schema` is dropped (draft 4 is a subset it reads the same here).
 */
export function toRegistryJsonSchema(schema: z.ZodType, id: string): Json {
  return { ...(z.toJSONSchema(schema, { target: 'draft-04', io: 'output' }) as Json), id };
}

/** `Rotation Succeeded` -> `rotation-succeeded`: file names. */
export const fileNameOf = (detailType: string, version: string) =>
  `${detailType.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.v${version}.json`;

/** `Rotation Succeeded` -> `genesys.credential-rotator@RotationSucceeded`: EventBridge's naming. */
export const registryNameOf = (source: string, detailType: string) =>
  `${source}@${detailType.replace(/[^A-Za-z0-9]+/g, '')}`;
