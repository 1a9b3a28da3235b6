/**
 * Writes the audit events' JSON Schemas (one per detail type) to `schemas/events/`, from the
 * synthesized state machine and the execution state's zod schema (see `event-schemas.ts`):
 *
 *   npm run schemas
 *
 * The files are committed: consumers read them, `RotationMonitoring` registers them, and a test
 * fails when they drift from what this script would write.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RotationStateSchema } from '../../functions/shared/contract.js';
import { FleetSummarySchema } from '../../functions/shared/fleet-contract.js';
import { WebhookResultsSchema } from '../../functions/shared/webhook-contract.js';
import { PREVIOUS_EVENT_SCHEMA_VERSIONS } from '../../functions/shared/workflow.js';
import * as z from '../../functions/shared/zod.js';
import { loadStateMachine } from '../../local/engine/template.js';
import { buildApp, EVERY_FUNCTION_OPTIONS } from '../app.js';
import { FLEET_EVENT_SCHEMA_VERSION } from '../constructs/fleet-rotation.js';
import { EVENT_SCHEMAS_DIR } from '../constructs/rotation-monitoring.js';
import { EVENT_SCHEMA_VERSION } from '../constructs/rotation-state-machine.js';
import { eventSchemas, extendState, fileNameOf, toRegistryJsonSchema } from './event-schemas.js';

const SCHEMA_ID_BASE = 'https://github.com/genesys-credential-rotator/schemas/events/';

/** The files `npm run schemas` writes: name -> content. */
export function generatedEventSchemaFiles(): Map<string, string> {
  // With every optional part (webhook targets), so their events get schemas too.
  const { app, stack } = buildApp({ bundling: false, nag: false, ...EVERY_FUNCTION_OPTIONS });
  const template = app.synth().getStackArtifact(stack.artifactId).template;
  const account = { region: 'eu-west-1', accountId: '000000000000' };
  const { definition } = loadStateMachine(template, account);
  const files = new Map<string, string>();
  const write = (schemas: ReturnType<typeof eventSchemas>, version: string) => {
    for (const [detailType, schema] of schemas) {
      const name = fileNameOf(detailType, version);
      files.set(
        name,
        `${JSON.stringify(toRegistryJsonSchema(schema, `${SCHEMA_ID_BASE}${name}`), null, 2)}\n`,
      );
    }
  };
  const state = extendState(RotationStateSchema, { webhooks: z.optional(WebhookResultsSchema) });
  write(eventSchemas(definition, state), EVENT_SCHEMA_VERSION);
  // The fleet machine's event: its state at EmitFleetSummary is Summarize's result.
  const fleet = loadStateMachine(template, account, { fleet: true });
  write(eventSchemas(fleet.definition, FleetSummarySchema), FLEET_EVENT_SCHEMA_VERSION);
  return files;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = generatedEventSchemaFiles();
  mkdirSync(EVENT_SCHEMAS_DIR, { recursive: true });
  // The previous versions' files are kept as they were: consumers of those versions still read them.
  const kept = (name: string) =>
    PREVIOUS_EVENT_SCHEMA_VERSIONS.some((version) => name.endsWith(`.v${version}.json`));
  for (const stale of readdirSync(EVENT_SCHEMAS_DIR)) {
    if (!files.has(stale) && !kept(stale)) rmSync(join(EVENT_SCHEMAS_DIR, stale));
  }
  for (const [name, content] of files) writeFileSync(join(EVENT_SCHEMAS_DIR, name), content);
  process.stdout.write(`${files.size} event schemas in ${EVENT_SCHEMAS_DIR}\n`);
}
