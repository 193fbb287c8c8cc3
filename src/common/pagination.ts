export const PAGE_SIZE = 25;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageCount: number;
  from: number;
  to: number;
}

export function toPage<T>(items: T[], total: number, page: number, size = PAGE_SIZE): Page<T> {
  const pageCount = Math.max(1, Math.ceil(total / size));
  const from = total === 0 ? 0 : (page - 1) * size + 1;
  return { items, total, page, pageCount, from, to: from === 0 ? 0 : from + items.length - 1 };
}

/** Links for a pager that keep the other query parameters. */
export function pageLinks(
  basePath: string,
  query: Record<string, string | number | undefined>,
  page: Page<unknown>,
): { previous?: string; next?: string } {
  const href = (n: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '' && key !== 'page') params.set(key, String(value));
    }
    params.set('page', String(n));
    return `${basePath}?${params.toString()}`;
  };
  return {
    previous: page.page > 1 ? href(page.page - 1) : undefined,
    next: page.page < page.pageCount ? href(page.page + 1) : undefined,
  };
}
