import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { GatewayError } from '../common/gateway-error.js';
import { ROOT_LOGGER } from '../common/logger.js';
import { problem, sendProblem } from '../common/problem.js';
import { requestIdOf } from '../common/request-id.js';
import { bytesReadBefore, markRequestEnd } from '../common/socket-bytes.js';
import { RequestMetrics, type RequestOutcome } from '../metrics/request-metrics.js';
import { requestHost } from '../routing/table/host-pattern.js';
import { RouteTableService } from '../routing/table/route-table.service.js';
import { traceIdOf } from '../tracing/trace-parent.js';
import { TracingService } from '../tracing/tracing.service.js';
import { clientAddress } from './headers.js';
import { runPhases } from './phase-runner.js';
import { REQUEST_PHASES } from './pipeline.js';
import type { RequestContext, RequestPhase } from './request-context.js';
import { UpstreamForwarder } from './upstream-forwarder.js';

// A dot segment or NUL could step out of the matched route once the upstream normalises the path.
const UNSAFE_PATH = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)|%00|\0/i;

/**
 * The data plane: every request under a proxied prefix, outside Express and Nest's router (see
 * pipeline.ts for the order and the reason). Route resolution, the phases, then the upstream call.
 */
@Injectable()
export class DataPlane {
  constructor(
    private readonly routes: RouteTableService,
    private readonly forwarder: UpstreamForwarder,
    @Inject(REQUEST_PHASES) private readonly phases: RequestPhase[],
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly metrics: RequestMetrics,
    private readonly tracing: TracingService,
  ) {}

  handle(req: IncomingMessage, res: ServerResponse, path: string, query: string): void {
    // Every field up front, so that all contexts share one shape (one hidden class for V8).
    const socket = req.socket;
    const context: RequestContext = {
      req,
      res,
      socket,
      requestId: requestIdOf(req),
      startedAt: performance.now(),
      path,
      query,
      clientIp: clientAddress(req),
      bytesReadBefore: bytesReadBefore(socket),
      bytesWrittenBefore: socket.bytesWritten,
      match: undefined,
      identity: undefined,
      authFailure: undefined,
      withheldHeaders: undefined,
      target: undefined,
      upstreamMs: undefined,
      attempts: 0,
      span: undefined,
      upstreamSpan: undefined,
      traceId: undefined,
    };
    this.metrics.begin();
    const tracer = this.tracing.tracer;
    if (tracer) tracer.startRequest(context);
    else context.traceId = traceIdOf(req.headers.traceparent);
    res.once('close', () => this.finish(context));
    this.run(context).catch((error: unknown) => this.fail(context, error));
  }

  private async run(context: RequestContext): Promise<void> {
    if (UNSAFE_PATH.test(context.path)) throw new GatewayError('INVALID_REQUEST', 'the path holds dot segments or NUL bytes');
    const { req } = context;
    const match = this.routes.current.match(req.method!, requestHost(req.headers.host), context.path);
    if (!match) throw new GatewayError('ROUTE_NOT_FOUND', `no route for ${req.method} ${context.path}`);
    context.match = match;
    const tracer = this.tracing.tracer;
    if (tracer) tracer.routeMatched(context);
    if (this.phases.length > 0) await runPhases(this.phases, context, tracer);
    if (context.answered) return;
    await this.forwarder.forward(context);
  }

  private fail(context: RequestContext, error: unknown): void {
    const { res, requestId, path } = context;
    if (res.destroyed) return;
    if (error instanceof GatewayError) {
      const { retryAfterSeconds, extensions } = error.extras;
      sendProblem(res, problem(error.code, error.detail, requestId, { instance: path, retryAfterSeconds, extensions }), {
        'x-request-id': requestId,
        ...error.extras.headers,
      });
      return;
    }
    this.logger.error({ err: error, req_id: requestId }, 'data plane failure');
    sendProblem(res, problem('INTERNAL_ERROR', 'the gateway failed to handle this request', requestId, { instance: path }), { 'x-request-id': requestId });
  }

  /** Once per request, when its response closes: metrics, the server span, the access line. */
  private finish(context: RequestContext): void {
    const now = performance.now();
    const { socket } = context;
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
        status: res.writableFinished ? res.statusCode : null,
        aborted: !res.writableFinished || undefined,
        attempts: context.attempts || undefined,
        cache: context.cacheStatus,
        retries: context.attempts > 1 ? context.attempts - 1 : 0,
        duration_ms: Math.round(outcome.durationMs * 100) / 100,
        upstream_ms: context.upstreamMs === undefined ? null : Math.round(context.upstreamMs * 100) / 100,
        bytes_in: outcome.bytesIn,
        bytes_out: outcome.bytesOut,
        client_ip: context.clientIp,
      },
      'request completed',
    );
  }
}
