import {
  type Attributes,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { RequestContext } from '../proxy/request-context.js';
import type { UpstreamTarget } from '../routing/table/compiled-route.js';

/**
 * The spans of one proxied request, with the parent passed explicitly (the data plane holds the
 * server span in its RequestContext), so no async context manager runs on the hot path:
 *
 *   SERVER   "{method} {route}"        the whole request, child of the incoming traceparent
 *   INTERNAL "{phase.name}"            one per RequestPhase (auth, rate_limit, ...), in order
 *   CLIENT   "upstream {service}"      one per upstream attempt; its context goes upstream as traceparent
 */
export class RequestTracer {
  private readonly propagator = new W3CTraceContextPropagator();
  /** Host and port of each target, parsed once per compiled target. */
  private readonly addresses = new WeakMap<UpstreamTarget, { hostname: string; port: number }>();

  constructor(private readonly tracer: Tracer) {}

  startRequest(context: RequestContext): void {
    const { req } = context;
    const parent = this.propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const span = this.tracer.startSpan(
      req.method ?? 'HTTP',
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: req.method,
          [ATTR_URL_PATH]: context.path,
          [ATTR_CLIENT_ADDRESS]: context.clientIp,
          'gateway.request_id': context.requestId,
        },
      },
      parent,
    );
    context.span = span;
    context.traceId = span.spanContext().traceId;
  }

  /** Names the server span after the route, as `{method} {http.route}` would be. */
  routeMatched(context: RequestContext): void {
    const route = context.match!.route;
    context.span!.updateName(`${context.req.method} ${route.name}`);
    context.span!.setAttributes({ 'gateway.route': route.name, 'gateway.service': route.service.name });
  }

  /** Runs one phase inside its own span; a phase that throws marks its span failed and rethrows. */
  async runPhase(context: RequestContext, name: string, run: () => void | Promise<void>): Promise<void> {
    const span = this.tracer.startSpan(name, { kind: SpanKind.INTERNAL }, trace.setSpan(ROOT_CONTEXT, context.span!));
    try {
      const pending = run();
      if (pending) await pending;
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  startUpstream(context: RequestContext, target: UpstreamTarget, attempt: number, path: string): Span {
    const { hostname, port } = this.addressOf(target);
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: context.req.method,
      [ATTR_SERVER_ADDRESS]: hostname,
      [ATTR_SERVER_PORT]: port,
      [ATTR_URL_PATH]: path.split('?', 1)[0],
      'gateway.target': target.origin,
    };
    if (attempt > 1) attributes[ATTR_HTTP_REQUEST_RESEND_COUNT] = attempt - 1;
    return this.tracer.startSpan(
      `upstream ${context.match!.route.service.name}`,
      { kind: SpanKind.CLIENT, attributes },
      trace.setSpan(ROOT_CONTEXT, context.span!),
    );
  }

  private addressOf(target: UpstreamTarget): { hostname: string; port: number } {
    let address = this.addresses.get(target);
    if (!address) {
      const url = new URL(target.origin);
      address = { hostname: url.hostname, port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
      this.addresses.set(target, address);
    }
    return address;
  }

  /** Sets `traceparent` (and `tracestate`) of the upstream request to the CLIENT span's context. */
  inject(span: Span, headers: Record<string, string | string[]>): void {
    this.propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  }

  upstreamAnswered(span: Span, status: number): void {
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR }).setAttribute(ATTR_ERROR_TYPE, String(status));
  }

  /** Ends an upstream attempt's span, unless the request's end already did. */
  endUpstream(span: Span, error?: unknown): void {
    if (!span.isRecording()) return;
    if (error !== undefined) failed(span, error);
    span.end();
  }

  endRequest(context: RequestContext): void {
    const span = context.span!;
    // The upstream call's promise settles a few ticks after the client's response closes; its
    // span ends here so that it never outlives the request span that encloses it.
    if (context.upstreamSpan?.isRecording()) context.upstreamSpan.end();
    const { res } = context;
    if (res.headersSent) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
    if (!res.writableFinished) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the response did not complete' }).setAttribute(ATTR_ERROR_TYPE, 'aborted');
    } else if (res.statusCode >= 500) {
      span.setStatus({ code: SpanStatusCode.ERROR }).setAttribute(ATTR_ERROR_TYPE, String(res.statusCode));
    }
    span.end();
  }
}

function failed(span: Span, error: unknown): void {
  const name = error instanceof Error ? ((error as { code?: unknown }).code ?? error.name) : 'error';
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.setAttribute(ATTR_ERROR_TYPE, String(name));
}
