/**
 * Schemas of the fleet rotation (docs/ARCHITECTURE.md, "Fleet rotation"): the fleet execution's
 * input, the selection the Select step hands the Distributed Map, each secret's outcome and the
 * summary. Ids, names and error names only: no secret value ever crosses these boundaries.
 */
import { TAG_KIND, TAG_ORG_ID } from './contract.js';
import * as z from './zod.js';

/** The tag that groups a fleet into orgs: per-org concurrency applies within one value. */
export const FLEET_GROUP_TAG = TAG_ORG_ID;
/** Group of managed secrets that carry no org tag (they are still rotated; Validate decides). */
export const UNTAGGED_ORG = '(untagged)';

/** Longest batch id: execution names are at most 80 characters (`<batch>-<secret key>`). */
export const MAX_BATCH_ID_LENGTH = 40;
/** Characters Step Functions accepts in an execution name (a subset: no spaces, no wildcards). */
const BATCH_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Exact tag matches a managed secret must carry to be selected; the kind tag is always required. */
export const FleetTagFilterSchema = z.record(
  z.string().check(z.minLength(1), z.maxLength(128)),
  z.string().check(z.minLength(1), z.maxLength(256)),
);

/** Input of a fleet execution. */
export const FleetInputSchema = z.strictObject({
  /**
   * Names the rotation executions (`<batchId>-<secret key>`): a re-run with the same batch id starts
   * nothing twice. Default: the fleet execution's own name.
   */
  batchId: z.optional(
    z.string().check(z.minLength(1), z.maxLength(MAX_BATCH_ID_LENGTH), z.regex(BATCH_ID_PATTERN)),
  ),
  /** Tags every selected secret must carry, on top of `genesys:kind = oauth-client`. */
  tags: z._default(FleetTagFilterSchema, {}),
  /** Only these orgs (values of `genesys:org-id`); default every org. */
  orgIds: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1), z.maxLength(100))),
  /** Passed to each rotation: plan only. */
  dryRun: z._default(z.boolean(), false),
  reason: z._default(z.string().check(z.maxLength(400)), ''),
});
export type FleetInput = z.infer<typeof FleetInputSchema>;

/** What the Select task receives from the state machine. */
export const FleetSelectTaskInputSchema = z.strictObject({
  fleetTask: z.literal('select'),
  input: z.unknown(),
  executionName: z.string().check(z.minLength(1)),
});

/** One secret as the per-org Map iterates it. */
export const FleetItemSchema = z.object({
  secretArn: z.string(),
  secretName: z.string(),
  orgId: z.string(),
  /** `<batchId>-<key>`: the rotation execution's name, stable for (batch, secret). */
  executionName: z.string().check(z.minLength(1), z.maxLength(80)),
});
export type FleetItem = z.infer<typeof FleetItemSchema>;

export const FleetOrgGroupSchema = z.object({
  orgId: z.string(),
  secrets: z.array(FleetItemSchema),
});
export type FleetOrgGroup = z.infer<typeof FleetOrgGroupSchema>;

/** Output of Select. */
export const FleetSelectionSchema = z.object({
  batchId: z.string(),
  dryRun: z.boolean(),
  reason: z.string(),
  total: z.int(),
  groups: z.array(FleetOrgGroupSchema),
});
export type FleetSelection = z.infer<typeof FleetSelectionSchema>;

/**
 * How one secret's rotation ended. `already-started`: this batch had started it before (a re-run);
 * it is not started again, whatever its outcome was.
 */
export const FLEET_OUTCOMES = ['succeeded', 'failed', 'already-started'] as const;
export type FleetOutcome = (typeof FLEET_OUTCOMES)[number];

/** One item's record, as the item processor leaves it (the Catch keeps the error's name and cause). */
export const FleetItemResultSchema = z.object({
  secretArn: z.string(),
  secretName: z.string(),
  orgId: z.string(),
  executionName: z.string(),
  outcome: z.enum(FLEET_OUTCOMES),
  /** Present on `failed`/`already-started`: what Step Functions reported. */
  error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});
export type FleetItemResult = z.infer<typeof FleetItemResultSchema>;

export const FleetSummarizeTaskInputSchema = z.strictObject({
  fleetTask: z.literal('summarize'),
  batchId: z.string(),
  total: z.int(),
  /** One entry per org group: the inner Map's results. */
  results: z.array(z.array(FleetItemResultSchema)),
});

/** Secrets per outcome (every outcome present, zero or more): named fields, so the event's schema lists them. */
export const FleetOutcomeCountsSchema = z.object({
  succeeded: z.int(),
  failed: z.int(),
  'already-started': z.int(),
});

export const FleetSummarySchema = z.object({
  batchId: z.string(),
  selected: z.int(),
  /** Results the Map returned; fewer than `selected` means an org's child workflow failed as a whole. */
  reported: z.int(),
  outcomes: FleetOutcomeCountsSchema,
  byOrg: z.record(z.string(), FleetOutcomeCountsSchema),
  /** Failed secrets by name with the rotation's error name: never a value. */
  failed: z.array(
    z.object({ secretName: z.string(), orgId: z.string(), executionName: z.string(), error: z.string() }),
  ),
  /** Percentage of selected secrets that failed or were not reported. */
  failedPercentage: z.number(),
});
export type FleetSummary = z.infer<typeof FleetSummarySchema>;

/** Tags the Select step always requires, besides the caller's. */
export const FLEET_REQUIRED_TAGS: Readonly<Record<string, string>> = { [TAG_KIND]: 'oauth-client' };
