import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { GatewayError } from '../common/gateway-error.js';
import { RequestTracer } from '../tracing/request-tracer.js';
import { runPhases } from './phase-runner.js';
import type { RequestContext, RequestPhase } from './request-context.js';

const INCOMING_TRACE = '0af7651916cd43dd8448eb211c80319c';

function setup() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = new RequestTracer(provider.getTracer('test'));
  const context = {
    req: { method: 'GET', headers: { traceparent: `00-${INCOMING_TRACE}-b7ad6b7169203331-01` } } as unknown as IncomingMessage,
    res: { headersSent: true, statusCode: 200, writableFinished: true } as unknown as ServerResponse,
    requestId: 'req-1',
    startedAt: 0,
    path: '/api/v1/things',
    query: '',
    clientIp: '127.0.0.1',
    socket: {},
    bytesReadBefore: 0,
    bytesWrittenBefore: 0,
    attempts: 0,
    match: { route: { name: 'things', service: { name: 'things-svc' } } },
  } as unknown as RequestContext;
  return { exporter, tracer, context };
}

describe('runPhases', () => {
  it('runs the phases in order, each in a span named after it under the request span', async () => {
    const { exporter, tracer, context } = setup();
    const order: string[] = [];
    const phases: RequestPhase[] = [
      { name: 'auth', run: () => void order.push('auth') },
      { name: 'rate_limit', run: async () => void order.push('rate_limit') },
    ];
    tracer.startRequest(context);
    tracer.routeMatched(context);
    await runPhases(phases, context, tracer);
    tracer.endRequest(context);

    assert.deepEqual(order, ['auth', 'rate_limit']);
    const spans = exporter.getFinishedSpans();
    assert.deepEqual(spans.map((s) => s.name), ['auth', 'rate_limit', 'GET things']);
    const [auth, rateLimit, request] = spans;
    assert.equal(request.kind, SpanKind.SERVER);
    assert.equal(request.spanContext().traceId, INCOMING_TRACE, 'the request span continues the incoming trace');
    assert.equal(request.parentSpanContext?.spanId, 'b7ad6b7169203331');
    assert.equal(context.traceId, INCOMING_TRACE);
    for (const phase of [auth, rateLimit]) {
      assert.equal(phase.kind, SpanKind.INTERNAL);
      assert.equal(phase.parentSpanContext?.spanId, request.spanContext().spanId);
      assert.equal(phase.spanContext().traceId, INCOMING_TRACE);
    }
    // The SDK anchors each span's clock on Date.now() (millisecond steps): allow a millisecond of skew.
    const ns = ([seconds, nanos]: [number, number]) => seconds * 1e9 + nanos;
    assert.ok(ns(auth.endTime) <= ns(rateLimit.startTime) + 1e6, 'auth ends before rate_limit starts');
    assert.equal(request.attributes['gateway.route'], 'things');
    assert.equal(request.attributes['http.response.status_code'], 200);
  });

  it('stops at the phase that throws, marking its span failed', async () => {
    const { exporter, tracer, context } = setup();
    const ran: string[] = [];
    const phases: RequestPhase[] = [
      {
        name: 'auth',
        run: () => {
          ran.push('auth');
          throw new GatewayError('AUTH_ERROR', 'no credential');
        },
      },
      { name: 'rate_limit', run: () => void ran.push('rate_limit') },
    ];
    tracer.startRequest(context);
    await assert.rejects(async () => runPhases(phases, context, tracer), (error: unknown) => error instanceof GatewayError && error.code === 'AUTH_ERROR');
    assert.deepEqual(ran, ['auth']);
    const [auth] = exporter.getFinishedSpans();
    assert.equal(auth.name, 'auth');
    assert.equal(auth.status.code, SpanStatusCode.ERROR);
    assert.equal(auth.attributes['error.type'], 'AUTH_ERROR');
  });

  it('runs the phases without spans when tracing is off', async () => {
    const { exporter, context } = setup();
    const order: string[] = [];
    await runPhases([{ name: 'a', run: () => void order.push('a') }, { name: 'b', run: async () => void order.push('b') }], context, undefined);
    assert.deepEqual(order, ['a', 'b']);
    assert.equal(exporter.getFinishedSpans().length, 0);
  });

  it('makes no promise when no phase applies, and asks each phase once', () => {
    const { context } = setup();
    const asked: string[] = [];
    const skipped = (name: string): RequestPhase => ({
      name,
      appliesTo: () => (asked.push(name), false),
      run: () => assert.fail(`${name} does not apply`),
    });
    assert.equal(runPhases([skipped('cors'), skipped('auth'), skipped('cache')], context, undefined), undefined);
    assert.deepEqual(asked, ['cors', 'auth', 'cache']);
  });

  it('runs from the first phase that applies, asking it once', async () => {
    const { context } = setup();
    const asked: string[] = [];
    const order: string[] = [];
    const phase = (name: string, applies: boolean): RequestPhase => ({
      name,
      appliesTo: () => (asked.push(name), applies),
      run: () => void order.push(name),
    });
    const pending = runPhases([phase('cors', false), phase('auth', true), phase('rate_limit', false), phase('cache', true)], context, undefined);
    assert.ok(pending instanceof Promise);
    await pending;
    assert.deepEqual(order, ['auth', 'cache']);
    assert.deepEqual(asked, ['cors', 'auth', 'rate_limit', 'cache']);
  });
});
