import type { IncomingHttpHeaders } from 'node:http';
import type { Span } from '@opentelemetry/api';
import { type Dispatcher, errors } from 'undici';
import type { BodyCapture } from '../cache/body-capture.js';
import { addEdgeHeaders } from '../edge/edge-headers.js';
import type { RequestTracer } from '../tracing/request-tracer.js';
import { downstreamResponseHeaders } from './headers.js';
import type { RequestContext } from './request-context.js';
import { isRetryableStatus } from './retry-policy.js';

type Controller = Dispatcher.DispatchController;

/** The timeouts an exchange keeps itself (a request without a body); 0 = none. */
export interface ExchangeTimeouts {
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
}

const enum Waiting {
  Headers,
  Body,
}

/** The exchange's timer went off: the upstream took too long for its headers, or paused its body too long. */
function expire(exchange: UpstreamExchange): void {
  exchange.timedOut();
}

/**
 * One upstream attempt as an undici dispatch handler: the upstream's status and headers become
 * the client's response head, and each body chunk goes straight to `res.write`, with no stream in
 * between and no AbortSignal per request (with undici's stream() API, its Writable plumbing and
 * signal cost about a quarter of the gateway's CPU per request in the benchmark). When the client's
 * socket is full, the upstream is paused until it drains, so a slow client holds the upstream back
 * instead of filling memory.
 *
 * `done` settles once the upstream's answer has ended (with its status) or failed (with undici's
 * error, or the request body's own error such as PAYLOAD_TOO_LARGE). It never touches `res` on a
 * failure: the forwarder decides between an error answer and cutting a response already begun.
 *
 * For a request without a body, the exchange keeps the headers and body timeouts itself, on one
 * Node.js timer that is refreshed, and fails with undici's own timeout errors. undici's timers for
 * them are objects it keeps in a list until its next sweep, half a second later: every request
 * left two of them to the old generation, and their garbage set off a mark-compact every few
 * seconds under load (bench/RESULTS.md). A request with a body keeps undici's timers, whose
 * headers timeout follows the upload.
 */
export class UpstreamExchange implements Dispatcher.DispatchHandler {
  readonly done: Promise<number>;
  private resolve!: (status: number) => void;
  private reject!: (error: Error) => void;
  private controller: Controller | undefined;
  private abortRequested = false;
  private settled = false;
  private status = 0;
  /** False until the answer goes to the client; stays false for an answer thrown away for a retry. */
  private forwarding = false;
  private capture: BodyCapture | undefined;
  private resumeOnDrain: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private armedMs = 0;
  private waiting = Waiting.Headers;

  constructor(
    private readonly context: RequestContext,
    /** performance.now() when the attempt began: upstream time runs to the response headers. */
    private readonly started: number,
    /** Not the last attempt: a 502/503/504 is read to its end and dropped, and another attempt follows. */
    private readonly discardRetryable: boolean,
    private readonly span: Span | undefined,
    private readonly tracer: RequestTracer | undefined,
    /** Undefined when undici keeps the timeouts (a request with a body). */
    private readonly timeouts: ExchangeTimeouts | undefined,
  ) {
    this.done = new Promise<number>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** The client went away: stops the upstream request wherever it is (queued, sending, or answering). */
  abort(): void {
    if (this.settled || this.abortRequested) return;
    this.abortRequested = true;
    // Before the request reached a connection there is no controller yet: onRequestStart aborts it.
    this.controller?.abort(new errors.RequestAbortedError());
  }

  onRequestStart(controller: Controller): void {
    this.controller = controller;
    if (this.abortRequested) controller.abort(new errors.RequestAbortedError());
    else if (this.timeouts) this.arm(this.timeouts.headersTimeoutMs);
  }

  /** Called by the exchange's timer. A body paused because the client is slow is not the upstream's delay. */
  timedOut(): void {
    if (this.settled) return;
    const controller = this.controller!;
    if (this.waiting === Waiting.Body && controller.paused) {
      this.timer!.refresh();
      return;
    }
    controller.abort(this.waiting === Waiting.Headers ? new errors.HeadersTimeoutError() : new errors.BodyTimeoutError());
  }

  /** The timer runs `ms` from now (none for 0); it is refreshed, not remade, when the duration stays. */
  private arm(ms: number): void {
    if (this.timer !== undefined && ms === this.armedMs) {
      this.timer.refresh();
      return;
    }
    this.disarm();
    if (ms <= 0) return;
    this.timer = setTimeout(expire, ms, this);
    this.armedMs = ms;
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  onResponseStart(controller: Controller, statusCode: number, headers: IncomingHttpHeaders): void {
    // An interim answer (1xx): the final one follows on the same exchange.
    if (statusCode < 200) return;
    const context = this.context;
    // Upstream time ends at the response headers (time to first byte, as Kong's upstream latency):
    // set here, it is known before the client's response can close.
    context.upstreamMs = performance.now() - this.started;
    this.status = statusCode;
    if (this.timeouts) {
      this.waiting = Waiting.Body;
      this.arm(this.timeouts.bodyTimeoutMs);
    }
    if (this.span) this.tracer!.upstreamAnswered(this.span, statusCode);
    if (this.discardRetryable && isRetryableStatus(statusCode)) return;
    this.forwarding = true;
    const outgoing = downstreamResponseHeaders(headers, context.requestId);
    // The cache keeps the upstream's answer; CORS and security headers are per request (a HIT adds them again).
    const fill = context.cacheFill;
    const sent = fill === undefined ? outgoing : { ...outgoing };
    addEdgeHeaders(sent, context);
    context.res.writeHead(statusCode, sent);
    // Response caching (src/cache): on a MISS the body is copied into the store as it streams.
    if (fill !== undefined) this.capture = fill.capture(statusCode, outgoing);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    this.timer?.refresh();
    if (!this.forwarding) return;
    this.capture?.add(chunk);
    const res = this.context.res;
    if (res.write(chunk) || controller.paused) return;
    controller.pause();
    if (res.destroyed) {
      // A closed response never drains: nobody is left to read the rest. Aborted once undici's
      // parser has stopped at the pause, rather than from inside its callback.
      queueMicrotask(() => this.abort());
      return;
    }
    res.once('drain', (this.resumeOnDrain ??= () => this.resume()));
  }

  private resume(): void {
    this.timer?.refresh();
    this.controller?.resume();
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    this.disarm();
    if (this.forwarding) {
      this.context.res.end();
      this.capture?.complete();
    }
    if (this.span) this.tracer!.endUpstream(this.span);
    this.resolve(this.status);
  }

  /** May come before onRequestStart (a closed pool, an invalid request): there is no controller then. */
  onResponseError(_controller: Controller | undefined, error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.disarm();
    this.capture = undefined;
    if (this.span) this.tracer!.endUpstream(this.span, error);
    this.reject(error);
  }
}
