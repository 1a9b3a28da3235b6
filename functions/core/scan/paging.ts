import type { Page, PageRequest } from './ports.js';

/** Largest page Genesys' listings accept (`pageSize` up to 100 on actions and flows). */
export const MAX_PAGE_SIZE = 100;

/** Every entity of a paged listing, page by page, stopping at `maxPages` (then `complete: false`). */
export async function allPages<T>(
  fetchPage: (page: PageRequest) => Promise<Page<T>>,
  pageSize: number,
  maxPages: number,
): Promise<{ entities: T[]; pages: number; complete: boolean }> {
  const entities: T[] = [];
  let pageCount = 1;
  let pages = 0;
  while (pages < pageCount && pages < maxPages) {
    const page = await fetchPage({ pageNumber: pages + 1, pageSize });
    pages += 1;
    entities.push(...page.entities);
    pageCount = Math.max(1, page.pageCount);
    if (page.entities.length === 0) break;
  }
  return { entities, pages, complete: pages >= pageCount || entities.length === 0 };
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the results in order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
