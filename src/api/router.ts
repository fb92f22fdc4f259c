/**
 * A tiny method + path-template router for the management API and the page
 * (Probot 14 has no Express). Templates use `{name}` segments; each segment is
 * matched whole and URI-decoded, so `{name}` never spans a `/`.
 */

/** A route: method, path template like `/api/prebuilds/{id}`, and its handler. */
export interface Route<C> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  template: string;
  handle: (ctx: C, params: Record<string, string>) => Promise<unknown>;
}

/** What {@link matchRoute} found: the route and its decoded parameters, or the allowed methods of the path. */
export type RouteMatch<C> = { route: Route<C>; params: Record<string, string> } | { allowed: string[] } | null;

function matchTemplate(template: string, path: string): Record<string, string> | null {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    if (seg.startsWith('{') && seg.endsWith('}')) {
      let value: string;
      try {
        value = decodeURIComponent(p[i]!);
      } catch {
        return null;
      }
      if (value === '') return null;
      params[seg.slice(1, -1)] = value;
    } else if (seg !== p[i]) {
      return null;
    }
  }
  return params;
}

/**
 * Finds the route for a request. Literal templates win over templated ones.
 * @returns the match; `{ allowed }` when the path exists under other methods (405); null (404)
 */
export function matchRoute<C>(routes: Route<C>[], method: string, path: string): RouteMatch<C> {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchTemplate(route.template, path);
    if (!params) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length ? { allowed } : null;
}
