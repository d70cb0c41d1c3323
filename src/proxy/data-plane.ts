import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { GatewayError } from '../common/gateway-error.js';
import { ROOT_LOGGER } from '../common/logger.js';
import { problem, sendProblem } from '../common/problem.js';
import { requestIdOf } from '../common/request-id.js';
import { bytesReadBefore, markRequestEnd } from '../common/socket-bytes.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { addEdgeHeaders } from '../edge/edge-headers.js';
import { RequestLimits } from '../edge/request-limits.js';
import type { TrustedProxies } from '../edge/trusted-proxies.js';
import { RequestMetrics, type RequestOutcome } from '../metrics/request-metrics.js';
import type { RouteMatch } from '../routing/table/compiled-route.js';
import { requestHost } from '../routing/table/host-pattern.js';
import { requestedVersion } from '../routing/table/route-table.js';
import { RouteTableService } from '../routing/table/route-table.service.js';
import { traceIdOf } from '../tracing/trace-parent.js';
import { TracingService } from '../tracing/tracing.service.js';
import { clientAddress } from './headers.js';
import { runPhases } from './phase-runner.js';
import { REQUEST_PHASES } from './pipeline.js';
import type { RequestContext, RequestPhase } from './request-context.js';
import { UpstreamForwarder } from './upstream-forwarder.js';

/**
 * The data plane: every request under a proxied prefix, outside Express and Nest's router (see
 * pipeline.ts for the order and the reason). Limits, route resolution, the phases, then the
 * upstream call; metrics, the request span and the access line when the response closes.
 */
@Injectable()
export class DataPlane {
  private readonly limits: RequestLimits;
  private readonly trustedProxies: TrustedProxies;

  constructor(
    private readonly routes: RouteTableService,
    private readonly forwarder: UpstreamForwarder,
    @Inject(REQUEST_PHASES) private readonly phases: RequestPhase[],
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly metrics: RequestMetrics,
    private readonly tracing: TracingService,
    config: GatewayConfig,
  ) {
    this.limits = new RequestLimits(config);
    this.trustedProxies = config.trustedProxies;
  }

  handle(req: IncomingMessage, res: ServerResponse, path: string, query: string): void {
    const context = this.contextFor(req, res, path, query);
    res.once('close', () => this.finish(context));
    let pending: Promise<void> | undefined;
    try {
      pending = this.run(context);
    } catch (error) {
      this.fail(context, error);
      return;
    }
    pending?.catch((error: unknown) => this.fail(context, error));
  }

  /** The request's context, its metrics and span begun (a WebSocket handshake starts here too). */
  contextFor(req: IncomingMessage, res: ServerResponse, path: string, query: string): RequestContext {
    const socket = req.socket;
    const peerIp = clientAddress(req);
    // Every field up front, so that all contexts share one shape (one hidden class for V8).
    const context: RequestContext = {
      req,
      res,
      socket,
      requestId: requestIdOf(req),
      startedAt: performance.now(),
      path,
      query,
      clientIp: this.trustedProxies.isEmpty ? peerIp : this.trustedProxies.clientOf(peerIp, req.headers['x-forwarded-for']),
      peerIp,
      bytesReadBefore: bytesReadBefore(socket),
      bytesWrittenBefore: socket.bytesWritten,
      match: undefined,
      identity: undefined,
      apiKeyId: undefined,
      phaseHeaders: undefined,
      authFailure: undefined,
      withheldHeaders: undefined,
      target: undefined,
      upstreamMs: undefined,
      attempts: 0,
      exchange: undefined,
      span: undefined,
      upstreamSpan: undefined,
      traceId: undefined,
    };
    this.metrics.begin();
    const tracer = this.tracing.tracer;
    if (tracer) tracer.startRequest(context);
    else context.traceId = traceIdOf(req.headers.traceparent);
    return context;
  }

  /**
   * Admission, then the upstream call. Synchronous as far as it can be: a request no phase applies
   * to goes to the forwarder without a promise of its own (see runPhases). Throws or rejects.
   */
  private run(context: RequestContext): Promise<void> | undefined {
    const admitted = this.admit(context, false);
    if (admitted === true) return this.forwarder.forward(context);
    if (admitted === false) return undefined;
    return admitted.then((go) => (go ? this.forwarder.forward(context) : undefined));
  }

  /**
   * Limits, route resolution and the phases; false when a phase answered the request itself. For a
   * WebSocket handshake (`upgrade`), the route must allow upgrades. A promise only when a phase
   * applies; a refusal before the phases is thrown synchronously.
   */
  admit(context: RequestContext, upgrade: boolean): boolean | Promise<boolean> {
    const { req } = context;
    const refused = this.limits.checkProxied(req, context.path);
    if (refused) throw refused;
    const match = this.resolve(context);
    if (!match) throw new GatewayError('ROUTE_NOT_FOUND', `no route for ${req.method} ${context.path}`);
    context.match = match;
    if (upgrade && !match.route.websocket) throw new GatewayError('INVALID_REQUEST', `route ${match.route.name} does not accept WebSocket upgrades`);
    const tracer = this.tracing.tracer;
    if (tracer) tracer.routeMatched(context);
    const pending = runPhases(this.phases, context, tracer);
    return pending === undefined ? !context.answered : pending.then(() => !context.answered);
  }

  private resolve(context: RequestContext): RouteMatch | null {
    const { req } = context;
    const table = this.routes.current;
    const host = requestHost(req.headers.host);
    const version = requestedVersion(req.headers);
    // A CORS preflight is routed by the method it asks about, so that a GET-only route with CORS on
    // still has its preflight answered; a route without CORS gets the OPTIONS itself, as sent.
    if (req.method === 'OPTIONS' && req.headers.origin !== undefined) {
      const asked = req.headers['access-control-request-method'];
      const match = asked ? table.match(asked.toUpperCase(), host, context.path, version) : null;
      if (match?.route.cors) {
        context.preflight = true;
        return match;
      }
    }
    return table.match(req.method!, host, context.path, version);
  }

  fail(context: RequestContext, error: unknown): void {
    const { res, requestId, path } = context;
    if (res.destroyed) return;
    const headers: Record<string, string | string[]> = { 'x-request-id': requestId };
    // Security headers, and CORS so that a browser may read the gateway's own errors (401, 429, ...).
    addEdgeHeaders(headers, context);
    if (error instanceof GatewayError) {
      // The rest of an oversized body is not worth reading: the connection goes once this is sent.
      if (error.code === 'PAYLOAD_TOO_LARGE') res.shouldKeepAlive = false;
      const { retryAfterSeconds, extensions } = error.extras;
      sendProblem(res, problem(error.code, error.detail, requestId, { instance: path, retryAfterSeconds, extensions }), {
        ...headers,
        ...error.extras.headers,
      });
      return;
    }
    this.logger.error({ err: error, req_id: requestId }, 'data plane failure');
    sendProblem(res, problem('INTERNAL_ERROR', 'the gateway failed to handle this request', requestId, { instance: path }), headers);
  }

  /** Once per request, when its response (or WebSocket tunnel) closes: an unfinished upstream call stopped, metrics, the server span, the access line. */
  finish(context: RequestContext): void {
    const now = performance.now();
    const { socket, res } = context;
    // The client went away first: the upstream call has nobody left to answer (the forwarder makes no retry either).
    if (!res.writableFinished) context.exchange?.abort();
    markRequestEnd(socket);
    const outcome: RequestOutcome = {
      nowMs: now,
      durationMs: now - context.startedAt,
      bytesIn: socket.bytesRead - context.bytesReadBefore,
      bytesOut: socket.bytesWritten - context.bytesWrittenBefore,
    };
    this.metrics.end(context, outcome);
    if (context.span) this.tracing.tracer?.endRequest(context);
    this.logAccess(context, outcome);
  }

  private logAccess(context: RequestContext, outcome: RequestOutcome): void {
    const { req, res, match, target, identity } = context;
    this.logger.info(
      {
        req_id: context.requestId,
        trace_id: context.traceId ?? null,
        method: req.method,
        path: context.path,
        route: match?.route.name ?? null,
        service: match?.route.service.name ?? null,
        consumer: identity?.consumerId ?? null,
        user_id: identity?.subject ?? null,
        auth_failure: context.authFailure,
        target: target?.origin ?? null,
        status: res.writableFinished || context.upgraded ? res.statusCode : null,
        aborted: (!res.writableFinished && !context.upgraded) || undefined,
        attempts: context.attempts || undefined,
        cache: context.cacheStatus,
        retries: context.attempts > 1 ? context.attempts - 1 : 0,
        duration_ms: Math.round(outcome.durationMs * 100) / 100,
        upstream_ms: context.upstreamMs === undefined ? null : Math.round(context.upstreamMs * 100) / 100,
        bytes_in: outcome.bytesIn,
        bytes_out: outcome.bytesOut,
        client_ip: context.clientIp,
        upgraded: context.upgraded || undefined,
      },
      'request completed',
    );
  }
}
