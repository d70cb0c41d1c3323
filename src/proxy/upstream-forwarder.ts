import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { GatewayError } from '../common/gateway-error.js';
import type { UpstreamTarget } from '../routing/table/compiled-route.js';
import { TracingService } from '../tracing/tracing.service.js';
import { downstreamResponseHeaders, hasRequestBody, upstreamRequestHeaders } from './headers.js';
import type { RequestContext } from './request-context.js';
import { isRetryableConnectError, upstreamFailure } from './upstream-errors.js';
import { upstreamPath } from './upstream-path.js';
import { TargetPicker } from './target-picker.js';
import { UpstreamPools } from './upstream-pools.js';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const RETRYABLE_STATUS = new Set([502, 503, 504]);
const BACKOFF_BASE_MS = 25;
const BACKOFF_CAP_MS = 1_000;

/** Exponential backoff with full jitter (uniform in [0, min(cap, base·2^n)]). */
const backoffMs = (retry: number) => Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retry);

class Discard extends Writable {
  override _write(_chunk: unknown, _encoding: BufferEncoding, done: () => void): void {
    done();
  }
}

/**
 * Streams a matched request to one of the service's targets and the answer back, both ways
 * without buffering. A request without a body and with an idempotent method is retried on a
 * connect error or a 502/503/504, on another target when there is one, with backoff.
 */
@Injectable()
export class UpstreamForwarder {
  private readonly picker = new TargetPicker();

  constructor(
    private readonly pools: UpstreamPools,
    private readonly tracing: TracingService,
  ) {}

  async forward(context: RequestContext): Promise<void> {
    const { route } = context.match!;
    const service = route.service;
    if (service.targets.length === 0) throw new GatewayError('SERVICE_UNAVAILABLE', `service "${service.name}" has no targets`);
    const method = context.req.method!;
    const withBody = hasRequestBody(context.req.headers);
    // A streamed body cannot be sent twice, and a non-idempotent request must not be.
    const maxAttempts = !withBody && IDEMPOTENT.has(method) ? 1 + route.retries : 1;
    const abort = new AbortController();
    context.res.once('close', () => {
      if (!context.res.writableFinished) abort.abort();
    });

    let target: UpstreamTarget | undefined;
    for (let attempt = 1; ; attempt++) {
      target = this.picker.pick(service, target)!;
      context.target = target;
      context.attempts = attempt;
      const last = attempt >= maxAttempts;
      const started = performance.now();
      try {
        const retry = await this.attempt(context, target, attempt, started, withBody, last, abort.signal);
        if (!retry) return;
      } catch (error) {
        context.upstreamMs = performance.now() - started;
        if (abort.signal.aborted) return;
        // The response had begun: all that is left is to cut it, so the client sees it incomplete.
        if (context.res.headersSent) {
          context.res.destroy();
          return;
        }
        if (last || !isRetryableConnectError(error)) {
          const failure = upstreamFailure(error, service.name, route.timeoutMs, service.connectTimeoutMs);
          if (failure) throw failure;
          return;
        }
      }
      await sleep(backoffMs(attempt - 1));
      if (abort.signal.aborted) return;
    }
  }

  /** One upstream call; resolves true when its answer was a retryable status that was discarded. */
  private async attempt(
    context: RequestContext,
    target: UpstreamTarget,
    attempt: number,
    started: number,
    withBody: boolean,
    last: boolean,
    signal: AbortSignal,
  ): Promise<boolean> {
    const { req, res, match } = context;
    const route = match!.route;
    const path = upstreamPath(context.path, context.query, match!, target);
    const headers = upstreamRequestHeaders(req.headers, {
      requestId: context.requestId,
      clientIp: context.clientIp,
      proto: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
      upstreamHost: route.preserveHost && req.headers.host ? req.headers.host : target.hostHeader,
    });
    // With tracing on, the upstream sees this attempt's CLIENT span as its parent; off, the
    // caller's traceparent passes through untouched.
    const tracer = context.span ? this.tracing.tracer : undefined;
    const span = tracer?.startUpstream(context, target, attempt, path);
    if (span) {
      tracer!.inject(span, headers);
      context.upstreamSpan = span;
    }
    let retry = false;
    let status: number | undefined;
    try {
      await this.pools.get(target, route.service).stream(
        {
          path,
          method: req.method as 'GET',
          headers,
          body: withBody ? req : null,
          headersTimeout: route.timeoutMs,
          bodyTimeout: route.timeoutMs,
          signal,
        },
        ({ statusCode, headers: upstreamHeaders }) => {
          // Upstream time ends at the response headers (time to first byte, as Kong's upstream
          // latency): set here, it is known before the client's response can close.
          context.upstreamMs = performance.now() - started;
          status = statusCode;
          if (span) tracer!.upstreamAnswered(span, statusCode);
          if (!last && RETRYABLE_STATUS.has(statusCode)) {
            retry = true;
            return new Discard();
          }
          res.writeHead(statusCode, downstreamResponseHeaders(upstreamHeaders, context.requestId));
          return res;
        },
      );
    } catch (error) {
      if (span) tracer!.endUpstream(span, error);
      throw error;
    }
    if (span) tracer!.endUpstream(span);
    return retry;
  }
}
