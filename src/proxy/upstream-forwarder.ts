import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { GatewayError } from '../common/gateway-error.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { HealthRegistry } from '../discovery/health-registry.service.js';
import { BodyLimit } from '../edge/body-limit.js';
import type { TrustedProxies } from '../edge/trusted-proxies.js';
import type { ServiceTarget } from '../routing/table/compiled-route.js';
import { TracingService } from '../tracing/tracing.service.js';
import { Outcome, REFUSED } from './circuit-breaker.js';
import { upstreamRequestHeaders } from './headers.js';
import type { RequestContext } from './request-context.js';
import { readBody } from './request-body.js';
import { backoffMs, isRetryableStatus, maxAttempts, RequestBody, requestBodyOf } from './retry-policy.js';
import type { ServiceRuntime } from './service-runtime.js';
import { breakerClock, ServiceRuntimes } from './service-runtimes.service.js';
import { isRetryableConnectError, isUpstreamFault, upstreamFailure } from './upstream-errors.js';
import { UpstreamExchange } from './upstream-exchange.js';
import { upstreamPath } from './upstream-path.js';
import { UpstreamPools } from './upstream-pools.js';

/** The upstream's own error status, as the gateway's error when it was discarded for a retry that could not happen. */
const STATUS_CODE = { 502: 'BAD_GATEWAY', 503: 'SERVICE_UNAVAILABLE', 504: 'GATEWAY_TIMEOUT' } as const;

/** The client's connection closed before its response was complete: no attempt is worth making for it. */
const clientGone = (res: ServerResponse) => res.destroyed && !res.writableFinished;

/** An answer that reports the upstream's failure (the circuit breaker counts it), whatever its code. */
class UpstreamFailed extends GatewayError {}

function outcomeOf(error: unknown): Outcome {
  if (error instanceof UpstreamFailed) return Outcome.Failure;
  if (error instanceof GatewayError && (error.code === 'BAD_GATEWAY' || error.code === 'GATEWAY_TIMEOUT')) return Outcome.Failure;
  return Outcome.Neutral;
}

/**
 * The proxy step, in the order of DESIGN.md: circuit breaker → bulkhead → a healthy target from
 * the service's balancer → the upstream call with its timeouts, streamed both ways → retries on
 * connect errors and 502/503/504 with backoff, each on another target when there is one.
 * Every attempt reports to passive health; the request's final outcome to the breaker.
 */
@Injectable()
export class UpstreamForwarder {
  private readonly maxBodyBytes: number;
  private readonly trustedProxies: TrustedProxies;

  constructor(
    private readonly pools: UpstreamPools,
    private readonly runtimes: ServiceRuntimes,
    private readonly health: HealthRegistry,
    private readonly tracing: TracingService,
    config: GatewayConfig,
  ) {
    this.maxBodyBytes = config.maxRequestSize;
    this.trustedProxies = config.trustedProxies;
  }

  async forward(context: RequestContext): Promise<void> {
    const service = context.match!.route.service;
    const runtime = this.runtimes.get(service.id);
    if (runtime === undefined || runtime.targets.length === 0) throw new GatewayError('SERVICE_UNAVAILABLE', `service "${service.name}" has no targets`);
    const breaker = runtime.breaker;
    let ticket = 0;
    if (breaker !== null) {
      const now = breakerClock();
      ticket = breaker.admit(now);
      if (ticket === REFUSED) {
        throw new GatewayError('CIRCUIT_OPEN', `the circuit of service "${service.name}" is open`, { retryAfterSeconds: breaker.retryAfterSeconds(now) });
      }
    }
    if (!runtime.bulkhead.tryAcquire()) {
      breaker?.record(ticket, Outcome.Neutral, breakerClock());
      throw new GatewayError('SERVICE_UNAVAILABLE', `service "${service.name}" has its limit of ${runtime.bulkhead.limit} requests in flight`);
    }
    let outcome = Outcome.Neutral;
    try {
      outcome = await this.send(context, runtime);
    } catch (error) {
      outcome = outcomeOf(error);
      throw error;
    } finally {
      runtime.bulkhead.release();
      breaker?.record(ticket, outcome, breakerClock());
    }
  }

  /** The attempts; resolves with how the request ended for the circuit breaker. */
  private async send(context: RequestContext, runtime: ServiceRuntime): Promise<Outcome> {
    const { req, res } = context;
    const route = context.match!.route;
    const service = route.service;
    const passive = service.passiveCheck;
    const bodyKind = requestBodyOf(req.headers, service.retryBufferBytes);
    const attempts = maxAttempts(req.method!, bodyKind, route);
    // A body that may be sent more than once is read whole first; any other streams through once.
    const body: Buffer | Readable | null =
      bodyKind === RequestBody.None ? null : attempts > 1 ? await readBody(req, Number(req.headers['content-length'])) : this.bodyOf(req);

    let tried: number[] | undefined;
    let lastError: unknown;
    let lastStatus = 0;
    for (let attempt = 1; ; attempt++) {
      // Gone while the phases ran, the body was read or the backoff waited: nobody is left to answer.
      if (clientGone(res)) return Outcome.Neutral;
      const index = runtime.balancer.pick(runtime, context, tried);
      if (index === -1) {
        if (attempt === 1) throw new GatewayError('SERVICE_UNAVAILABLE', `service "${service.name}" has no healthy target`);
        throw this.nothingLeft(service.name, lastError, lastStatus, route);
      }
      const target = runtime.targets[index];
      const state = runtime.states[index];
      const last = attempt >= attempts;
      context.target = target;
      context.attempts = attempt;
      const started = performance.now();
      state.inFlight++;
      try {
        // DataPlane.finish aborts it if the client goes away meanwhile.
        context.exchange = this.attempt(context, target, attempt, started, body, last);
        lastStatus = await context.exchange.done;
        lastError = undefined;
      } catch (error) {
        lastError = error;
        context.upstreamMs = performance.now() - started;
      } finally {
        state.inFlight--;
      }
      context.exchange = undefined;
      if (clientGone(res)) return Outcome.Neutral;
      const failed = lastError !== undefined ? isUpstreamFault(lastError) : lastStatus >= 500;
      if (passive !== null && (lastError === undefined || failed)) this.health.recordTraffic(state, !failed, passive);

      if (lastError === undefined) {
        if (last || !isRetryableStatus(lastStatus)) return failed ? Outcome.Failure : Outcome.Success;
      } else {
        // The response had begun: all that is left is to cut it, so the client sees it incomplete.
        if (res.headersSent) {
          res.destroy();
          return failed ? Outcome.Failure : Outcome.Neutral;
        }
        if (last || !isRetryableConnectError(lastError)) {
          const failure = upstreamFailure(lastError, service.name, route);
          if (failure) throw failure;
          return Outcome.Neutral;
        }
      }
      (tried ??= []).push(index);
      await sleep(backoffMs(attempt - 1));
    }
  }

  /** One upstream call, under way; its `done` settles with the upstream's status (a retryable one, when not the last attempt, is discarded). */
  private attempt(context: RequestContext, target: ServiceTarget, attempt: number, started: number, body: Buffer | Readable | null, last: boolean): UpstreamExchange {
    const { req, match } = context;
    const route = match!.route;
    const path = upstreamPath(context.path, context.query, match!, target);
    const headers = this.headersFor(context, target);
    // With tracing on, the upstream sees this attempt's CLIENT span as its parent; off, the
    // caller's traceparent passes through untouched.
    const tracer = context.span ? this.tracing.tracer : undefined;
    const span = tracer?.startUpstream(context, target, attempt, path);
    if (span) {
      tracer!.inject(span, headers);
      context.upstreamSpan = span;
    }
    // Without a body the exchange keeps the timeouts (see UpstreamExchange); with one, undici's headers timeout follows the upload.
    const ownTimeouts = body === null;
    const exchange = new UpstreamExchange(context, started, !last, span, tracer, ownTimeouts ? route : undefined);
    this.pools.get(target, route.connectTimeoutMs).dispatch(
      {
        path,
        method: req.method!,
        headers,
        body,
        headersTimeout: ownTimeouts ? 0 : route.headersTimeoutMs,
        bodyTimeout: ownTimeouts ? 0 : route.bodyTimeoutMs,
      },
      exchange,
    );
    return exchange;
  }

  /** A retry found no healthy target left: say what the last attempt met. */
  private nothingLeft(serviceName: string, lastError: unknown, lastStatus: number, route: Parameters<typeof upstreamFailure>[2]): GatewayError {
    if (lastError !== undefined) return upstreamFailure(lastError, serviceName, route) ?? new GatewayError('BAD_GATEWAY', `service "${serviceName}" could not be reached`);
    const code = STATUS_CODE[lastStatus as keyof typeof STATUS_CODE] ?? 'BAD_GATEWAY';
    return new UpstreamFailed(code, `service "${serviceName}" answered ${lastStatus} and no other healthy target is left to retry on`);
  }

  /** A healthy target from the service's balancer, as for a proxied request (WebSocket handshakes use it). */
  pickTarget(context: RequestContext): ServiceTarget | undefined {
    const runtime = this.runtimes.get(context.match!.route.service.id);
    if (runtime === undefined) return undefined;
    const index = runtime.balancer.pick(runtime, context, undefined);
    return index === -1 ? undefined : runtime.targets[index];
  }

  headersFor(context: RequestContext, target: ServiceTarget): Record<string, string | string[]> {
    const { req } = context;
    const route = context.match!.route;
    return upstreamRequestHeaders(req.headers, {
      requestId: context.requestId,
      peerIp: context.peerIp,
      trustedPeer: this.trustedProxies.trusts(context.peerIp),
      proto: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
      upstreamHost: route.preserveHost && req.headers.host ? req.headers.host : target.hostHeader,
      identity: context.identity,
      withheld: context.withheldHeaders,
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
