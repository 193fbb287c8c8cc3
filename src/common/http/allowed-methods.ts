import type { Request } from 'express';

interface RouteLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): unknown;
}

/** Nest mounts module middleware as a catch-all route answering every method; it is not a route. */
export const isMiddleware = (methods: Record<string, boolean>) => Object.keys(methods).length > 8;

/** The methods registered for this path, so a GET to a POST-only route can say 405, not 404. */
export function allowedMethods(req: Request): string[] {
  const router = (req.app as unknown as { router?: { stack: RouteLayer[] } }).router;
  const methods = new Set<string>();
  for (const layer of router?.stack ?? []) {
    if (layer.route && !isMiddleware(layer.route.methods) && layer.match(req.path)) {
      Object.keys(layer.route.methods).forEach((m) => methods.add(m.toUpperCase()));
    }
  }
  return [...methods].sort();
}
