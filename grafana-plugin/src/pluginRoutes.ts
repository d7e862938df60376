// Grafana's plugin route matching (plugin.json `routes`): the first route whose method and path match a proxy path.
// Pure; the permissions, the test Grafana and the preview host all match routes through it.

export interface PluginRoute {
  path: string;
  method?: string;
  reqRole?: string;
  url?: string;
  headers?: Array<{ name: string; content: string }>;
}

/** Grafana's route path syntax: static segments, `:name` for one segment, `*` for the rest. Anchored at both ends. */
function routePattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment === '*' ? '(.*)' : segment.startsWith(':') ? '([^/]+)' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * The route Grafana takes for `method` on `proxyPath` (e.g. `gateway/api/v1/servers`), with `rest`: what its `*`
 * matched, which Grafana appends to the route's url ('' for a route without one).
 */
export function matchRoute<R extends PluginRoute>(routes: readonly R[], method: string, proxyPath: string): { route: R; rest: string } | undefined {
  for (const route of routes) {
    if (route.method && route.method !== '*' && route.method !== method) continue;
    const match = routePattern(route.path).exec(proxyPath);
    if (match) return { route, rest: route.path.endsWith('*') ? (match[match.length - 1] ?? '') : '' };
  }
  return undefined;
}
