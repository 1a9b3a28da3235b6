/**
 * The blast radius as it crosses a boundary (Fetch's inventory, Validate's plan, the `Rotation
 * Planned` event): ids and counts, capped, never a value. Computed by functions/core/scan/blast-radius.ts.
 * On `zod/mini`, as the contract that embeds it (Validate's bundle budget).
 */
import * as z from 'zod/mini';

/** Tag on a managed secret: the Genesys integration credential id(s) it feeds, comma-separated. */
export const TAG_CREDENTIAL_IDS = 'genesys:credential-ids';

const LevelSchema = z.object({
  count: z.number().check(z.int(), z.minimum(0)),
  ids: z.array(z.string()),
  truncated: z.boolean(),
});

export const BlastRadiusSchema = z.object({
  credentialIds: z.array(z.string()),
  integrations: LevelSchema,
  actions: LevelSchema,
  flows: LevelSchema,
  complete: z.boolean(),
});
