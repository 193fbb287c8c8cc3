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

/**
 * Links for a pager that keep the other query parameters. `param` names the page parameter (a page
 * with several pagers gives each its own), `fragment` the part of the page to show (`#program-3`).
 */
export function pageLinks(
  basePath: string,
  query: Record<string, string | number | undefined>,
  page: Page<unknown>,
  { param = 'page', fragment = '' }: { param?: string; fragment?: string } = {},
): { previous?: string; next?: string } {
  const href = (n: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '' && key !== param) params.set(key, String(value));
    }
    params.set(param, String(n));
    return `${basePath}?${params.toString()}${fragment}`;
  };
  return {
    previous: page.page > 1 ? href(page.page - 1) : undefined,
    next: page.page < page.pageCount ? href(page.page + 1) : undefined,
  };
}
