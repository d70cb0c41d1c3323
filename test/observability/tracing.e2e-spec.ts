/**
 * OpenTelemetry through a real gateway into a real OTLP/HTTP receiver: the incoming W3C
 * traceparent is continued, the upstream receives the CLIENT span as its parent, the spans arrive
 * in order with their parentage, the trace id is in the access line, and nothing is recorded or
 * exported without OTEL_EXPORTER_OTLP_ENDPOINT. Each RequestPhase runs in a span of its own: the
 * auth phase's `auth` span is checked here on real traffic, accepted and refused (the runner
 * itself in src/proxy/phase-runner.spec.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { eventually, GatewayProcess } from '../helpers/gateway.js';
import { OtlpReceiver, type ReceivedSpan, SPAN_KIND } from '../helpers/otlp-receiver.js';
import { Upstream } from '../helpers/upstream.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

async function accessLine(gateway: GatewayProcess, requestId: string): Promise<Record<string, any>> {
  let line: Record<string, any> | undefined;
  await eventually(() => (line = gateway.logs().find((l) => l.req_id === requestId && l.msg === 'request completed')) !== undefined, 5_000);
  return line!;
}

const nanos = (value: string) => BigInt(value);

describe('tracing', () => {
  let db: TestDatabase;
  let upstream: Upstream;
  let receiver: OtlpReceiver;
  let gateway: GatewayProcess;

  before(async () => {
    db = await createTestDatabase('tracing');
    upstream = await new Upstream('alpha').start();
    receiver = await new OtlpReceiver().start();
    gateway = await GatewayProcess.start({ databaseUrl: db.url, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'edge-gateway' } });
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'alpha', url: upstream.url })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'down', url: 'http://127.0.0.1:9', retries: 1 })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'traced', service: 'alpha', paths: ['/api/v1/traced/*'], strip_prefix: true, auth: { required: false } })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'guarded', service: 'alpha', paths: ['/api/v1/guarded/*'] })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'broken', service: 'down', paths: ['/api/v1/broken/*'], auth: { required: false } })).status, 201);
    await gateway.waitFor(async () => (await gateway.get('/api/v1/traced/ready')).status === 200, 'route served');
  });

  after(async () => {
    await gateway?.stop();
    await receiver?.stop();
    await upstream?.stop();
    await db?.drop();
  });

  it('continues the incoming trace: request span, the auth phase, then the upstream call, the upstream seeing the CLIENT span as parent', async () => {
    const traceId = hex(16);
    const parentId = hex(8);
    upstream.reset();
    const reply = await gateway.get('/api/v1/traced/orders?limit=5', { traceparent: `00-${traceId}-${parentId}-01`, tracestate: 'vendor=abc', 'x-request-id': 'traced-1' });
    assert.equal(reply.status, 200);

    const sentUpstream = TRACEPARENT.exec(String(upstream.requests[0].headers.traceparent));
    assert.ok(sentUpstream, `upstream got traceparent ${upstream.requests[0].headers.traceparent}`);
    assert.equal(sentUpstream[1], traceId, 'same trace upstream');
    assert.notEqual(sentUpstream[2], parentId, "the upstream's parent is the gateway's span, not the caller's");
    assert.equal(sentUpstream[3], '01');
    assert.equal(upstream.requests[0].headers.tracestate, 'vendor=abc');

    let spans: ReceivedSpan[] = [];
    await eventually(() => (spans = receiver.trace(traceId)).length >= 3, 20_000, 100);
    assert.deepEqual(receiver.requests.map((r) => r.path).filter((p) => p !== '/v1/traces'), []);
    const server = spans.find((s) => s.kind === SPAN_KIND.SERVER)!;
    const client = spans.find((s) => s.kind === SPAN_KIND.CLIENT)!;
    const auth = spans.find((s) => s.kind === SPAN_KIND.INTERNAL)!;
    assert.equal(spans.length, 3, JSON.stringify(spans.map((s) => s.name)));
    assert.equal(auth.name, 'auth', 'the phase span is named after the phase');
    assert.equal(auth.parentSpanId, server.spanId, 'the phase runs inside the request span');
    assert.ok(!auth.status.code, 'status UNSET: nothing refused');
    assert.equal(server.name, 'GET traced');
    assert.equal(server.parentSpanId, parentId, 'the request span is a child of the incoming traceparent');
    assert.equal(client.name, 'upstream alpha');
    assert.equal(client.parentSpanId, server.spanId, 'the upstream call is a child of the request span');
    assert.equal(client.spanId, sentUpstream[2], 'the traceparent sent upstream names the CLIENT span');
    // In order: the request span encloses the upstream call. The SDK anchors each span's clock on
    // Date.now() (millisecond steps), so two spans' times may disagree by up to a millisecond.
    const SKEW = 1_000_000n;
    assert.ok(nanos(server.startTimeUnixNano) <= nanos(client.startTimeUnixNano) + SKEW, 'request span starts first');
    assert.ok(nanos(client.endTimeUnixNano) <= nanos(server.endTimeUnixNano) + SKEW, 'upstream span ends first');
    assert.ok(nanos(client.startTimeUnixNano) < nanos(client.endTimeUnixNano));
    assert.ok(nanos(auth.endTimeUnixNano) <= nanos(client.startTimeUnixNano) + SKEW, 'auth ends before the upstream call starts');
    assert.equal(server.serviceName, 'edge-gateway');
    assert.equal(server.attributes['http.request.method'], 'GET');
    assert.equal(server.attributes['http.response.status_code'], 200);
    assert.equal(server.attributes['gateway.route'], 'traced');
    assert.equal(server.attributes['url.path'], '/api/v1/traced/orders');
    assert.equal(client.attributes['http.response.status_code'], 200);
    assert.equal(client.attributes['url.path'], '/orders', 'the upstream path, without the query');
    assert.equal(client.attributes['server.port'], upstream.port);

    assert.equal((await accessLine(gateway, 'traced-1')).trace_id, traceId);
  });

  it('starts a trace when the request has none, and puts its id in the access line', async () => {
    upstream.reset();
    assert.equal((await gateway.get('/api/v1/traced/fresh', { 'x-request-id': 'traced-2' })).status, 200);
    const line = await accessLine(gateway, 'traced-2');
    assert.match(line.trace_id, /^[0-9a-f]{32}$/);
    assert.equal(TRACEPARENT.exec(String(upstream.requests[0].headers.traceparent))?.[1], line.trace_id);
    await eventually(() => receiver.trace(line.trace_id).length === 3, 20_000, 100);
    assert.equal(receiver.trace(line.trace_id).find((s) => s.kind === SPAN_KIND.SERVER)?.parentSpanId, '');
  });

  it('marks the spans of a failed upstream call, one CLIENT span per attempt', async () => {
    const traceId = hex(16);
    const reply = await gateway.get('/api/v1/broken/x', { traceparent: `00-${traceId}-${hex(8)}-01` });
    assert.equal(reply.status, 502);
    await eventually(() => receiver.trace(traceId).length === 4, 20_000, 100);
    const spans = receiver.trace(traceId);
    const clients = spans.filter((s) => s.kind === SPAN_KIND.CLIENT);
    assert.equal(clients.length, 2, 'the attempt and its retry');
    for (const client of clients) assert.equal(client.status.code, 2, 'ERROR');
    assert.equal(clients.filter((c) => c.attributes['http.request.resend_count'] === 1).length, 1);
    const server = spans.find((s) => s.kind === SPAN_KIND.SERVER)!;
    assert.equal(server.status.code, 2);
    assert.equal(server.attributes['http.response.status_code'], 502);
  });

  it('marks the auth span of a refused request, and makes no upstream call', async () => {
    const traceId = hex(16);
    upstream.reset();
    const reply = await gateway.get('/api/v1/guarded/x', { traceparent: `00-${traceId}-${hex(8)}-01`, 'x-request-id': 'traced-refused' });
    assert.equal(reply.status, 401);
    assert.equal(upstream.requests.length, 0);
    await eventually(() => receiver.trace(traceId).length === 2, 20_000, 100);
    const spans = receiver.trace(traceId);
    const server = spans.find((s) => s.kind === SPAN_KIND.SERVER)!;
    const auth = spans.find((s) => s.kind === SPAN_KIND.INTERNAL)!;
    assert.deepEqual(spans.filter((s) => s.kind === SPAN_KIND.CLIENT), []);
    assert.equal(auth.name, 'auth');
    assert.equal(auth.parentSpanId, server.spanId);
    assert.equal(auth.status.code, 2, 'ERROR');
    assert.equal(server.attributes['http.response.status_code'], 401);
    const line = await accessLine(gateway, 'traced-refused');
    assert.equal(line.trace_id, traceId);
    assert.equal(line.auth_failure, 'missing');
  });

  it('follows an unsampled caller: nothing exported, the decision passed upstream', async () => {
    const traceId = hex(16);
    upstream.reset();
    assert.equal((await gateway.get('/api/v1/traced/quiet', { traceparent: `00-${traceId}-${hex(8)}-00`, 'x-request-id': 'traced-3' })).status, 200);
    const sent = TRACEPARENT.exec(String(upstream.requests[0].headers.traceparent));
    assert.equal(sent?.[1], traceId);
    assert.equal(sent?.[3], '00');
    assert.equal((await accessLine(gateway, 'traced-3')).trace_id, traceId);
    // A sampled request sent afterwards arrives; the unsampled one never does.
    const later = hex(16);
    await gateway.get('/api/v1/traced/after', { traceparent: `00-${later}-${hex(8)}-01` });
    await eventually(() => receiver.trace(later).length === 3, 20_000, 100);
    assert.equal(receiver.trace(traceId).length, 0);
  });

  it('sends the spans still batched when the gateway stops', async () => {
    const traceId = hex(16);
    assert.equal((await gateway.get('/api/v1/traced/last', { traceparent: `00-${traceId}-${hex(8)}-01` })).status, 200);
    assert.equal(await gateway.stop('SIGTERM'), 0);
    assert.equal(receiver.trace(traceId).length, 3, 'flushed on shutdown');
  });
});

describe('tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  let db: TestDatabase;
  let upstream: Upstream;
  let gateway: GatewayProcess;

  before(async () => {
    db = await createTestDatabase('tracing_off');
    upstream = await new Upstream('alpha').start();
    gateway = await GatewayProcess.start({ databaseUrl: db.url });
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'alpha', url: upstream.url })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'plain', service: 'alpha', paths: ['/api/v1/plain/*'], auth: { required: false } })).status, 201);
    await gateway.waitFor(async () => (await gateway.get('/api/v1/plain/ready')).status === 200, 'route served');
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.stop();
    await db?.drop();
  });

  it('passes the caller\'s traceparent upstream untouched and logs its trace id', async () => {
    const traceparent = `00-${hex(16)}-${hex(8)}-01`;
    upstream.reset();
    assert.equal((await gateway.get('/api/v1/plain/x', { traceparent, tracestate: 'a=b', 'x-request-id': 'plain-1' })).status, 200);
    assert.equal(upstream.requests[0].headers.traceparent, traceparent);
    assert.equal(upstream.requests[0].headers.tracestate, 'a=b');
    assert.equal((await accessLine(gateway, 'plain-1')).trace_id, traceparent.slice(3, 35));
    assert.ok(!gateway.logs().some((l) => /exporting traces/.test(String(l.msg))));
  });

  it('logs no trace id for a request without a valid traceparent, and makes none up', async () => {
    upstream.reset();
    assert.equal((await gateway.get('/api/v1/plain/y', { traceparent: 'garbage', 'x-request-id': 'plain-2' })).status, 200);
    assert.equal((await accessLine(gateway, 'plain-2')).trace_id, null);
    assert.equal(upstream.requests[0].headers.traceparent, 'garbage');
  });
});
