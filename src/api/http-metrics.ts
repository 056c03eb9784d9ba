// Counts HTTP answers by route pattern and status in `release_guard_http_requests_total` on the injected registry.
import type { Request, RequestHandler } from 'express';
import { Counter, type Registry } from 'prom-client';

export const HTTP_REQUESTS_METRIC = 'release_guard_http_requests_total';

type HttpCounter = Counter<'route' | 'status'>;

/** The counter on this registry, created once (several apps may share a registry in tests). */
function counterOn(registry: Registry): HttpCounter {
  const existing = registry.getSingleMetric(HTTP_REQUESTS_METRIC);
  if (existing) return existing as HttpCounter;
  return new Counter({
    name: HTTP_REQUESTS_METRIC,
    help: 'HTTP requests answered by the release-guard API, by route pattern and status code.',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
}

/** The route pattern (e.g. "/v1/deploys/:id"), never the raw path, so label cardinality stays bounded. */
function routeLabel(req: Request): string {
  const route: unknown = req.route;
  if (typeof route === 'object' && route !== null && 'path' in route && typeof route.path === 'string') return route.path;
  return 'unmatched';
}

/** Middleware that counts each finished response. */
export function countHttpRequests(registry: Registry): RequestHandler {
  const counter = counterOn(registry);
  return (req, res, next) => {
    res.on('finish', () => counter.inc({ route: routeLabel(req), status: String(res.statusCode) }));
    next();
  };
}
