import type { IncomingMessage } from 'node:http';
import { type Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { GatewayError } from '../common/gateway-error.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { BodyLimit } from '../edge/body-limit.js';
import { addEdgeHeaders } from '../edge/edge-headers.js';
import type { TrustedProxies } from '../edge/trusted-proxies.js';
import type { CompiledService, UpstreamTarget } from '../routing/table/compiled-route.js';
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

  private readonly maxBodyBytes: number;
  private readonly trustedProxies: TrustedProxies;

  constructor(
    private readonly pools: UpstreamPools,
    config: GatewayConfig,
  ) {
    this.maxBodyBytes = config.maxRequestSize;
    this.trustedProxies = config.trustedProxies;
  }

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
        const retry = await this.attempt(context, target, withBody, last, abort.signal);
        context.upstreamMs = performance.now() - started;
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
  private async attempt(context: RequestContext, target: UpstreamTarget, withBody: boolean, last: boolean, signal: AbortSignal): Promise<boolean> {
    const { req, res, match } = context;
    const route = match!.route;
    let retry = false;
    await this.pools.get(target, route.service).stream(
      {
        path: upstreamPath(context.path, context.query, match!, target),
        method: req.method as 'GET',
        headers: this.headersFor(context, target),
        body: withBody ? this.bodyOf(req) : null,
        headersTimeout: route.timeoutMs,
        bodyTimeout: route.timeoutMs,
        signal,
      },
      ({ statusCode, headers }) => {
        if (!last && RETRYABLE_STATUS.has(statusCode)) {
          retry = true;
          return new Discard();
        }
        const out = downstreamResponseHeaders(headers, context.requestId);
        addEdgeHeaders(out, context);
        res.writeHead(statusCode, out);
        return res;
      },
    );
    return retry;
  }

  /** The next target of a service, balanced together with the proxied requests (WebSocket handshakes use it). */
  pickTarget(service: CompiledService): UpstreamTarget | undefined {
    return this.picker.pick(service);
  }

  headersFor(context: RequestContext, target: UpstreamTarget): Record<string, string | string[]> {
    const { req } = context;
    const route = context.match!.route;
    return upstreamRequestHeaders(req.headers, {
      requestId: context.requestId,
      peerIp: context.peerIp,
      trustedPeer: this.trustedProxies.trusts(context.peerIp),
      proto: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
      upstreamHost: route.preserveHost && req.headers.host ? req.headers.host : target.hostHeader,
    });
  }

  /** A Content-Length body was judged before reading; a chunked one is counted on its way through. */
  private bodyOf(req: IncomingMessage): Readable {
    if (req.headers['transfer-encoding'] === undefined) return req;
    const limited = new BodyLimit(this.maxBodyBytes);
    req.once('error', (error) => limited.destroy(error));
    return req.pipe(limited);
  }
}
