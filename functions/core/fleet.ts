/**
 * The fleet rotation's two pure-ish steps: select the managed secrets to rotate (by tag, grouped by
 * org, each with a stable rotation execution name) and summarize what the per-org Maps reported.
 */
import { createHash } from 'node:crypto';
import { TAG_KIND } from '../shared/contract.js';
import { InvalidInputError } from '../shared/errors.js';
import {
  FLEET_GROUP_TAG,
  FLEET_OUTCOMES,
  FLEET_REQUIRED_TAGS,
  type FleetInput,
  FleetInputSchema,
  type FleetItemResult,
  type FleetOrgGroup,
  type FleetOutcome,
  type FleetSelection,
  type FleetSummary,
  MAX_BATCH_ID_LENGTH,
  UNTAGGED_ORG,
} from '../shared/fleet-contract.js';
import type { SecretListingPort } from '../shared/fleet-ports.js';
import * as z from '../shared/zod.js';

/** Execution names: at most 80 characters of `[A-Za-z0-9_-]`. */
const MAX_EXECUTION_NAME = 80;
const HASH_LENGTH = 12;

/**
 * `<batchId>-<name slug>-<hash of the ARN>`: the same for the same batch and secret (a re-run starts
 * nothing twice), different for two secrets whose names slug alike.
 */
export function rotationExecutionName(batchId: string, secretArn: string, secretName: string): string {
  const hash = createHash('sha256').update(secretArn).digest('hex').slice(0, HASH_LENGTH);
  const room = MAX_EXECUTION_NAME - batchId.length - HASH_LENGTH - 2;
  const slug = secretName
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, Math.max(0, room))
    .replace(/-+$/, '');
  return slug === '' ? `${batchId}-${hash}` : `${batchId}-${slug}-${hash}`;
}

/** A fleet execution's own name as a batch id: Step Functions names may be longer or hold more characters. */
function batchIdFromExecutionName(executionName: string): string {
  const cleaned = executionName.replace(/[^A-Za-z0-9_-]+/g, '-');
  if (cleaned.length <= MAX_BATCH_ID_LENGTH) return cleaned;
  const hash = createHash('sha256').update(executionName).digest('hex').slice(0, 8);
  return `${cleaned.slice(0, MAX_BATCH_ID_LENGTH - 9)}-${hash}`;
}

export function parseFleetInput(raw: unknown): FleetInput {
  const parsed = z.safeParse(FleetInputSchema, raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `unexpected field(s) ${issue.keys.join(', ')}`
        : `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new InvalidInputError(`Invalid fleet input: ${problems.join('; ')}`);
  }
  if (parsed.data.tags[TAG_KIND] !== undefined && parsed.data.tags[TAG_KIND] !== 'oauth-client') {
    throw new InvalidInputError(`Invalid fleet input: tags.${TAG_KIND} can only be "oauth-client"`);
  }
  return parsed.data;
}

/**
 * Select: every managed secret carrying the required and requested tags (exact pairs), not scheduled
 * for deletion, in the requested orgs; grouped by `genesys:org-id`, groups and secrets in name order
 * so a re-run walks the same order.
 */
export async function selectFleet(
  deps: { readonly listing: SecretListingPort },
  rawInput: unknown,
  executionName: string,
): Promise<FleetSelection> {
  const input = parseFleetInput(rawInput);
  const batchId = input.batchId ?? batchIdFromExecutionName(executionName);
  const wanted: Record<string, string> = { ...input.tags, ...FLEET_REQUIRED_TAGS };
  const listed = await deps.listing.listByTags(wanted);
  const orgFilter = input.orgIds === undefined ? null : new Set(input.orgIds);
  const groups = new Map<string, FleetOrgGroup>();
  const seen = new Set<string>();
  for (const secret of listed) {
    if (secret.deleted || seen.has(secret.arn)) continue;
    if (!Object.entries(wanted).every(([key, value]) => secret.tags[key] === value)) continue;
    const orgId = secret.tags[FLEET_GROUP_TAG] ?? UNTAGGED_ORG;
    if (orgFilter !== null && !orgFilter.has(orgId)) continue;
    seen.add(secret.arn);
    let group = groups.get(orgId);
    if (group === undefined) {
      group = { orgId, secrets: [] };
      groups.set(orgId, group);
    }
    group.secrets.push({
      secretArn: secret.arn,
      secretName: secret.name,
      orgId,
      executionName: rotationExecutionName(batchId, secret.arn, secret.name),
    });
  }
  const ordered = [...groups.values()].sort((a, b) => a.orgId.localeCompare(b.orgId));
  for (const group of ordered) group.secrets.sort((a, b) => a.secretName.localeCompare(b.secretName));
  return {
    batchId,
    dryRun: input.dryRun,
    reason: input.reason,
    total: seen.size,
    groups: ordered,
  };
}

function emptyCounts(): Record<FleetOutcome, number> {
  return Object.fromEntries(FLEET_OUTCOMES.map((outcome) => [outcome, 0])) as Record<FleetOutcome, number>;
}

/**
 * The rotation's own error name, from what Step Functions reported: a failed `.sync` child is
 * `States.TaskFailed` whose cause is the child's DescribeExecution JSON (`{"Error": ...}`).
 */
export function rotationErrorName(error: FleetItemResult['error']): string {
  const reported = error?.Error ?? 'UnknownError';
  const cause = error?.Cause;
  if (cause?.startsWith('{')) {
    try {
      const described = JSON.parse(cause) as { Error?: unknown };
      if (typeof described.Error === 'string' && described.Error !== '') return described.Error;
    } catch {
      // Not the DescribeExecution JSON: keep the task's own error name.
    }
  }
  return reported;
}

/** Summary: counts per outcome and per org, failed secrets by name with the error's name. */
export function summarizeFleet(input: {
  readonly batchId: string;
  readonly total: number;
  readonly results: ReadonlyArray<ReadonlyArray<FleetItemResult>>;
}): FleetSummary {
  const outcomes = emptyCounts();
  const byOrg: Record<string, Record<FleetOutcome, number>> = {};
  const failed: FleetSummary['failed'] = [];
  let reported = 0;
  for (const item of input.results.flat()) {
    reported += 1;
    outcomes[item.outcome] += 1;
    byOrg[item.orgId] ??= emptyCounts();
    (byOrg[item.orgId] as Record<FleetOutcome, number>)[item.outcome] += 1;
    if (item.outcome === 'failed') {
      failed.push({
        secretName: item.secretName,
        orgId: item.orgId,
        executionName: item.executionName,
        error: rotationErrorName(item.error),
      });
    }
  }
  const unreported = Math.max(0, input.total - reported);
  const failedPercentage =
    input.total === 0 ? 0 : Math.round(((outcomes.failed + unreported) / input.total) * 10_000) / 100;
  return {
    batchId: input.batchId,
    selected: input.total,
    reported,
    outcomes,
    byOrg,
    failed,
    failedPercentage,
  };
}
