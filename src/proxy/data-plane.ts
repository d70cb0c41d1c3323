import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { GatewayError } from '../common/gateway-error.js';
import { ROOT_LOGGER } from '../common/logger.js';
import { problem, sendProblem } from '../common/problem.js';
import { requestIdOf } from '../common/request-id.js';
import { requestHost } from '../routing/table/host-pattern.js';
import { RouteTableService } from '../routing/table/route-table.service.js';
import { clientAddress } from './headers.js';
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
  ) {}

  handle(req: IncomingMessage, res: ServerResponse, path: string, query: string): void {
    const context: RequestContext = {
      req,
      res,
      requestId: requestIdOf(req),
      startedAt: performance.now(),
      path,
      query,
      clientIp: clientAddress(req),
      attempts: 0,
    };
    res.once('close', () => this.logAccess(context));
    this.run(context).catch((error: unknown) => this.fail(context, error));
  }

  private async run(context: RequestContext): Promise<void> {
    if (UNSAFE_PATH.test(context.path)) throw new GatewayError('INVALID_REQUEST', 'the path holds dot segments or NUL bytes');
    const { req } = context;
    const match = this.routes.current.match(req.method!, requestHost(req.headers.host), context.path);
    if (!match) throw new GatewayError('ROUTE_NOT_FOUND', `no route for ${req.method} ${context.path}`);
    context.match = match;
    for (const phase of this.phases) {
      const pending = phase.run(context);
      if (pending) await pending;
      if (context.answered) return;
    }
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

  private logAccess(context: RequestContext): void {
    const { req, res, match, target } = context;
    this.logger.info(
      {
        req_id: context.requestId,
        method: req.method,
        path: context.path,
        route: match?.route.name ?? null,
        service: match?.route.service.name ?? null,
        target: target?.origin ?? null,
        status: res.writableFinished ? res.statusCode : null,
        aborted: !res.writableFinished || undefined,
        attempts: context.attempts || undefined,
        cache: context.cacheStatus,
        duration_ms: Math.round((performance.now() - context.startedAt) * 100) / 100,
        upstream_ms: context.upstreamMs === undefined ? undefined : Math.round(context.upstreamMs * 100) / 100,
        client_ip: context.clientIp,
        consumer: context.identity?.consumerId ?? null,
        auth_failure: context.authFailure,
      },
      'request completed',
    );
  }
}
