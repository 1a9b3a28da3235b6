/**
 * The audit events' JSON Schemas, derived from their one source: the state machine's definition
 * says which facts each detail type carries (its `events:putEvents` entries) and where each comes
 * from in the execution state; `RotationStateSchema` (zod) says what is there. So a fact added to an
 * emit state, or a field added to a step's result, changes the schema without a hand copy to update.
 * `npm run schemas` writes them to `schemas/events/`; `RotationMonitoring` registers those files.
 */
import * as z from 'zod';
import * as zm from 'zod/mini';
import {
  CaughtErrorSchema,
  HoldSchema,
  PartnerKeyHoldSchema,
  RotationStateSchema,
} from '../../functions/shared/contract.js';

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
const EmittedErrorSchema = z.union([HoldSchema, PartnerKeyHoldSchema, CaughtErrorSchema]);

/** Values the state machine's context object provides. */
const CONTEXT_PATHS: Record<string, z.ZodType> = {
  '$$.Execution.Id': z.string().describe('ARN of the Step Functions execution.'),
};

interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.core.$ZodType>;
  readonly innerType?: z.core.$ZodType;
  readonly options?: readonly z.core.$ZodType[];
}

const defOf = (schema: z.core.$ZodType) => schema._zod.def as unknown as SchemaDef;

const unwrapOptional = (schema: z.core.$ZodType) => {
  let inner = schema;
  while (defOf(inner).type === 'optional') inner = defOf(inner).innerType as z.core.$ZodType;
  return inner;
};

/**
 * The field `segment` of an object schema; of a union (the state is one per credential kind), the
 * union of the field in every option that has it. A path present in no option is an error.
 */
function fieldOf(schema: z.core.$ZodType, segment: string): z.core.$ZodType | undefined {
  const def = defOf(unwrapOptional(schema));
  if (def.type === 'object') return def.shape?.[segment];
  if (def.type === 'union') {
    const found = (def.options ?? [])
      .map((option) => fieldOf(option, segment))
      .filter((field): field is z.core.$ZodType => field !== undefined)
      .map(unwrapOptional);
    const distinct = [...new Set(found)];
    if (distinct.length === 0) return undefined;
    const [only] = distinct;
    return distinct.length === 1 ? only : z.union(distinct);
  }
  return undefined;
}

/**
 * The schema of what a JSONPath (`$.a.b`) selects in the execution state. `state` is the state's
 * schema; a feature that keeps results outside `RotationStateSchema` (webhook receipts at
 * `$.webhooks`, say) passes it extended with them.
 */
export function schemaAtPath(path: string, state: z.core.$ZodType = RotationStateSchema): z.core.$ZodType {
  const fromContext = CONTEXT_PATHS[path];
  if (fromContext) return fromContext;
  // The whole state (the fleet's summary event carries the Summarize result as it is).
  if (path === '$') return state;
  if (path === '$.error') return EmittedErrorSchema;
  if (!path.startsWith('$.')) throw new Error(`Cannot derive a schema for the path ${path}`);
  let schema: z.core.$ZodType = state;
  for (const segment of path.slice(2).split('.')) {
    // A path the state does not hold fails the emit task, so a fact that is emitted is present.
    const field = fieldOf(schema, segment);
    if (field === undefined) throw new Error(`The execution state schema has no ${path} (at "${segment}")`);
    schema = field;
  }
  return unwrapOptional(schema);
}

/** The detail of one emit entry: literal facts as constants, paths as what they select. */
export function detailSchemaOf(detail: Json, state: z.core.$ZodType = RotationStateSchema): z.ZodObject {
  const shape: Record<string, z.core.$ZodType> = {};
  for (const [key, value] of Object.entries(detail)) {
    if (key.endsWith('.$')) shape[key.slice(0, -2)] = schemaAtPath(String(value), state);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      shape[key] = z.literal(value);
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      // A nested block of facts (`credential: {kind, legacyId, newId}`).
      shape[key] = detailSchemaOf(value as Json, state);
    } else throw new Error(`Cannot derive a schema for the literal fact ${key}`);
  }
  return z.strictObject(shape);
}

/** One schema per detail type: the EventBridge event (envelope) with its typed detail. */
export function eventSchemas(
  definition: Json,
  state: z.core.$ZodType = RotationStateSchema,
): Map<string, z.ZodType> {
  const schemas = new Map<string, z.ZodType>();
  for (const [detailType, { detail, sources, states }] of eventDetails(definition, state)) {
    schemas.set(
      detailType,
      z
        .looseObject({
          'detail-type': z.literal(detailType),
          source: z.literal(sources),
          detail,
        })
        .describe(
          `EventBridge event "${detailType}" of the Genesys credential rotator, emitted by ${states.join(', ')}. Its detail holds ids, counts, names and error names, never a secret value.`,
        ),
    );
  }
  return schemas;
}

/** The `detail` of any of the definition's events: `anyOf` the detail types' details. */
export function anyEventDetail(definition: Json, state: z.core.$ZodType = RotationStateSchema): z.ZodType {
  return z.union([...eventDetails(definition, state).values()].map((entry) => entry.detail));
}

/** Per detail type, sorted: the `detail` schema, the sources and the states that emit it. */
export function eventDetails(
  definition: Json,
  state: z.core.$ZodType = RotationStateSchema,
): Map<string, { detail: z.ZodType; sources: string[]; states: string[] }> {
  const byType = new Map<string, EmitEntry[]>();
  for (const entry of emitEntries(definition)) {
    byType.set(entry.detailType, [...(byType.get(entry.detailType) ?? []), entry]);
  }
  const result = new Map<string, { detail: z.ZodType; sources: string[]; states: string[] }>();
  for (const [detailType, entries] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    const details = entries.map((entry) => detailSchemaOf(entry.detail, state));
    const [first, ...others] = details;
    result.set(detailType, {
      detail: others.length === 0 ? (first as z.ZodObject) : z.union(details),
      sources: [...new Set(entries.map((entry) => entry.source))],
      states: [...new Set(entries.map((entry) => entry.state))],
    });
  }
  return result;
}

/**
 * JSON Schema draft 4: the registry's `JSONSchemaDraft4` schema type (AWS::EventSchemas::Schema).
 * Ajv validates it as draft 7 once `$schema` is dropped (draft 4 is a subset it reads the same here).
 */
export function toRegistryJsonSchema(schema: z.ZodType, id: string): Json {
  return { ...(z.toJSONSchema(schema, { target: 'draft-04', io: 'output' }) as Json), id };
}

/** The state schema with more top-level fields (e.g. webhook receipts), in every kind's option. */
export function extendState(state: z.core.$ZodType, extra: Record<string, z.core.$ZodType>): z.core.$ZodType {
  const def = defOf(state);
  if (def.type === 'union') return z.union((def.options ?? []).map((option) => extendState(option, extra)));
  return zm.extend(state as zm.ZodMiniObject, extra);
}

/** `Rotation Succeeded` -> `rotation-succeeded`: file names. */
export const fileNameOf = (detailType: string, version: string) =>
  `${detailType.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.v${version}.json`;

/** `Rotation Succeeded` -> `genesys.credential-rotator@RotationSucceeded`: EventBridge's naming. */
export const registryNameOf = (source: string, detailType: string) =>
  `${source}@${detailType.replace(/[^A-Za-z0-9]+/g, '')}`;
