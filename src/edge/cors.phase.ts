import { Injectable } from '@nestjs/common';
import { GatewayError } from '../common/gateway-error.js';
import type { RequestContext, RequestPhase } from '../proxy/request-context.js';
import { allowOriginValue, allowsOrigin, type CompiledCors } from './cors-policy.js';

/**
 * CORS for routes that turn it on (route `cors`, or CORS_ORIGINS). Runs first among the phases so
 * that a preflight, which carries no credentials, is answered before auth could refuse it.
 *  - preflight (OPTIONS + Origin + Access-Control-Request-Method): answered here with 204, never
 *    sent upstream; an origin, method or header the route does not allow gets 403 without CORS headers;
 *  - any other request with an allowed Origin: the response gets the CORS headers (edge-headers.ts);
 *    a disallowed origin goes on without them, and the browser withholds the response.
 */
@Injectable()
export class CorsPhase implements RequestPhase {
  readonly name = 'cors';

  /** Only cross-origin requests to routes with CORS on: no span, no call for the rest. */
  appliesTo(context: RequestContext): boolean {
    return context.match!.route.cors !== undefined && context.req.headers.origin !== undefined;
  }

  run(context: RequestContext): void {
    const cors = context.match!.route.cors;
    if (!cors) return;
    const origin = context.req.headers.origin;
    if (origin === undefined) return;
    if (context.preflight) {
      this.answerPreflight(context, cors, origin);
      return;
    }
    if (allowsOrigin(cors, origin)) context.corsOrigin = allowOriginValue(cors, origin);
  }

  private answerPreflight(context: RequestContext, cors: CompiledCors, origin: string): void {
    const { req, res } = context;
    if (!allowsOrigin(cors, origin)) throw new GatewayError('FORBIDDEN', `origin ${origin} is not allowed on this route`);
    const method = String(req.headers['access-control-request-method']).toUpperCase();
    if (!cors.methods.has(method)) throw new GatewayError('FORBIDDEN', `method ${method} is not allowed from other origins on this route`);
    const requested = req.headers['access-control-request-headers'];
    if (requested && cors.headers) {
      for (const name of requested.split(',')) {
        const header = name.trim().toLowerCase();
        if (header && !cors.headers.has(header)) throw new GatewayError('FORBIDDEN', `header ${header} is not allowed from other origins on this route`);
      }
    }
    const headers: Record<string, string> = {
      'access-control-allow-origin': allowOriginValue(cors, origin),
      'access-control-allow-methods': cors.allowMethods,
      'access-control-max-age': cors.maxAge,
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      'x-request-id': context.requestId,
      'content-length': '0',
    };
    const allowHeaders = cors.allowHeaders ?? requested;
    if (allowHeaders) headers['access-control-allow-headers'] = allowHeaders;
    if (cors.credentials) headers['access-control-allow-credentials'] = 'true';
    for (const [name, value] of context.match!.route.responseHeaders) headers[name] = value;
    res.writeHead(204, headers);
    res.end();
    context.answered = true;
  }
}
