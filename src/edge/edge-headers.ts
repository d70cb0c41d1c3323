import type { OutgoingHttpHeader } from 'node:http';
import type { RequestContext } from '../proxy/request-context.js';

/**
 * Adds the route's security headers (where the upstream set none of its own) and, for an allowed
 * cross-origin request, the CORS headers (the gateway's, replacing the upstream's: two
 * Access-Control-Allow-Origin values would make the browser refuse the response).
 */
export function addEdgeHeaders(out: Record<string, OutgoingHttpHeader | undefined>, context: RequestContext): void {
  const added = context.phaseHeaders;
  if (added !== undefined) for (const name in added) out[name] = added[name];
  const route = context.match?.route;
  if (!route) return;
  for (const [name, value] of route.responseHeaders) if (out[name] === undefined) out[name] = value;
  const cors = route.cors;
  if (!cors) return;
  for (const name in out) if (name.startsWith('access-control-')) delete out[name];
  const vary = out.vary;
  out.vary = vary === undefined || vary === '' ? 'Origin' : /\borigin\b|\*/i.test(String(vary)) ? vary : `${String(vary)}, Origin`;
  if (context.corsOrigin === undefined) return;
  out['access-control-allow-origin'] = context.corsOrigin;
  if (cors.credentials) out['access-control-allow-credentials'] = 'true';
  if (cors.exposeHeaders) out['access-control-expose-headers'] = cors.exposeHeaders;
}
