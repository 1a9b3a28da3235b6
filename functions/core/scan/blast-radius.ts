/**
 * Blast radius of a credential: credential -> integrations whose `config/current` references it ->
 * Data Actions of those integrations (`integrationId`) -> flows consuming those actions (Architect
 * dependency tracking, `objectType=DATAACTION`). Ids and counts only, capped, never a value.
 */
import type * as z from 'zod/mini';
import type { BlastRadiusSchema } from '../../shared/blast-radius-schema.js';
import { allPages, MAX_PAGE_SIZE, mapWithConcurrency } from './paging.js';
import type { ActionDocument, ScanSourcePort } from './ports.js';

/** Ids listed per level in a plan or an event (the counts are always exact). */
export const DEFAULT_BLAST_RADIUS_ID_CAP = 20;

/** Per level: the exact count and at most the cap of ids, sorted. */
export type BlastRadiusLevel = z.infer<typeof BlastRadiusSchema>['integrations'];

/** `complete` is false when a listing was cut short by `maxPages`: the counts are then lower bounds. */
export type BlastRadius = z.infer<typeof BlastRadiusSchema>;

export interface BlastRadiusOptions {
  readonly idCap?: number;
  readonly concurrency?: number;
  readonly pageSize?: number;
  readonly maxPages?: number;
  /** Actions already listed (a scan has them): saves listing them again. */
  readonly actions?: readonly ActionDocument[];
}

function level(ids: Iterable<string>, cap: number): BlastRadiusLevel {
  const sorted = [...new Set(ids)].sort();
  return { count: sorted.length, ids: sorted.slice(0, cap), truncated: sorted.length > cap };
}

export async function computeBlastRadius(
  source: ScanSourcePort,
  credentialIds: readonly string[],
  options: BlastRadiusOptions = {},
): Promise<BlastRadius> {
  const cap = options.idCap ?? DEFAULT_BLAST_RADIUS_ID_CAP;
  const concurrency = options.concurrency ?? 4;
  const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const maxPages = options.maxPages ?? 1000;
  const wanted = new Set(credentialIds);
  if (wanted.size === 0) {
    const none = level([], cap);
    return { credentialIds: [], integrations: none, actions: none, flows: none, complete: true };
  }

  const integrations = await allPages((page) => source.listIntegrations(page), pageSize, maxPages);
  const references = await mapWithConcurrency(integrations.entities, concurrency, async (integration) => ({
    id: integration.id,
    credentialIds: Object.values((await source.integrationCredentialIds(integration.id)) ?? {}),
  }));
  const integrationIds = new Set(
    references.filter((ref) => ref.credentialIds.some((id) => wanted.has(id))).map((ref) => ref.id),
  );

  let actionsComplete = true;
  let actions = options.actions;
  if (actions === undefined) {
    const listed = await allPages((page) => source.listActions(page), pageSize, maxPages);
    actions = listed.entities;
    actionsComplete = listed.complete;
  }
  const actionIds = new Set(
    actions
      .filter((action) => action.integrationId !== null && integrationIds.has(action.integrationId))
      .map((action) => action.id),
  );

  const consumers = await mapWithConcurrency([...actionIds], concurrency, (actionId) =>
    allPages((page) => source.flowsConsumingAction(actionId, page), pageSize, maxPages),
  );
  const flowIds = consumers.flatMap((listing) => listing.entities.map((flow) => flow.id));

  return {
    credentialIds: [...wanted].sort(),
    integrations: level(integrationIds, cap),
    actions: level(actionIds, cap),
    flows: level(flowIds, cap),
    complete: integrations.complete && actionsComplete && consumers.every((listing) => listing.complete),
  };
}
