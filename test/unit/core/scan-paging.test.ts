import { describe, expect, it } from 'vitest';
import { computeBlastRadius } from '../../../functions/core/scan/blast-radius.js';
import { allPages, mapWithConcurrency } from '../../../functions/core/scan/paging.js';
import type { Page, PageRequest, ScanSourcePort } from '../../../functions/core/scan/ports.js';
import { RequestPacer } from '../../../functions/shared/genesys/scan-source.js';
import { fixedClock } from '../../helpers/fakes.js';

function paged<T>(items: readonly T[], page: PageRequest): Page<T> {
  const start = (page.pageNumber - 1) * page.pageSize;
  return {
    entities: items.slice(start, start + page.pageSize),
    pageCount: Math.max(1, Math.ceil(items.length / page.pageSize)),
  };
}

describe('scan paging, concurrency and pacing (genesys-cloud-api.md §3)', () => {
  it('reads every page and stops at maxPages, saying the listing is incomplete', async () => {
    const items = Array.from({ length: 7 }, (_, index) => index);
    expect(await allPages(async (page) => paged(items, page), 3, 10)).toEqual({
      entities: items,
      pages: 3,
      complete: true,
    });
    expect(await allPages(async (page) => paged(items, page), 3, 2)).toMatchObject({
      pages: 2,
      complete: false,
    });
    expect(await allPages(async (page) => paged([], page), 3, 10)).toEqual({
      entities: [],
      pages: 1,
      complete: true,
    });
  });

  it('never has more than the limit in flight and keeps the order', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0, 6], 3, async (value) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, value));
      inFlight -= 1;
      return value * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(peak).toBe(3);
  });

  it('paces request starts to the limit in any sliding minute', async () => {
    // Prepare
    const clock = fixedClock('2026-03-04T10:00:00.000Z');
    const pacer = new RequestPacer(2, clock);

    // Act
    await pacer.take();
    await pacer.take();
    const before = clock.now().getTime();
    await pacer.take();

    // Assess: the third start waited for the first to leave the minute.
    expect(clock.now().getTime() - before).toBe(60_000);
  });
});

describe('blast radius (issue #10 part 6)', () => {
  it('follows credential -> integrations -> actions -> flows, capping ids and counting exactly', async () => {
    // Prepare
    const integrations: Array<{
      id: string;
      name: string;
      integrationType: null;
      credentials: Record<string, string>;
    }> = [
      { id: 'i1', name: 'one', integrationType: null, credentials: { basicAuth: 'c1' } },
      { id: 'i2', name: 'two', integrationType: null, credentials: { userDefined: 'c2' } },
      { id: 'i3', name: 'three', integrationType: null, credentials: { basicAuth: 'c1' } },
    ];
    const actions = [
      { id: 'a1', name: 'a1', integrationId: 'i1', category: null, config: null },
      { id: 'a2', name: 'a2', integrationId: 'i2', category: null, config: null },
      { id: 'a3', name: 'a3', integrationId: 'i3', category: null, config: null },
    ];
    const consumers: Record<string, string[]> = { a1: ['f1', 'f2', 'f3'], a2: ['f9'], a3: ['f3', 'f4'] };
    const source: ScanSourcePort = {
      listActions: async (page) => paged(actions, page),
      listActionDrafts: async () => ({ entities: [], pageCount: 1 }),
      getActionDraft: async () => null,
      listFlows: async () => ({ entities: [], pageCount: 1 }),
      flowConfiguration: async () => null,
      listIntegrations: async (page) => paged(integrations, page),
      integrationCredentialIds: async (id) => integrations.find((i) => i.id === id)?.credentials ?? null,
      flowsConsumingAction: async (id, page) =>
        paged(
          (consumers[id] ?? []).map((flow) => ({ id: flow, name: flow, type: 'INBOUNDCALLFLOW' })),
          page,
        ),
    };

    // Act
    const radius = await computeBlastRadius(source, ['c1'], { idCap: 2, pageSize: 1 });

    // Assess
    expect(radius).toEqual({
      credentialIds: ['c1'],
      integrations: { count: 2, ids: ['i1', 'i3'], truncated: false },
      actions: { count: 2, ids: ['a1', 'a3'], truncated: false },
      flows: { count: 4, ids: ['f1', 'f2'], truncated: true },
      complete: true,
    });
  });
});
