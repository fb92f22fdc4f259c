/**
 * GitHub's page-based pagination: `per_page` (default 30, at most 100) and `page`
 * (1-based), with a `Link` header carrying `next`/`last`/`prev`/`first`.
 */

/**
 * One page of `items`.
 * @param url the request URL without query (absolute), used in the `Link` header
 */
export function paginate<T>(items: T[], query: URLSearchParams, url: string): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams(query);
    q.set('per_page', String(perPage));
    q.set('page', String(p));
    return `<${url}?${q.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  return { page: slice, headers: links.length ? { link: links.join(', ') } : {} };
}
