/**
 * GET /metrics and the JSON views, after real traffic through a real gateway: per-request series
 * with exact counts, bytes that match the wire, bounded labels, the state gauges, dependency
 * reachability against a Redis that the test cuts off, auth refusals by reason, the reset of the JSON views, and every
 * metric and label the Grafana dashboard and the alert rules rely on.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { assertProblem } from '../helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { eventually, GatewayProcess } from '../helpers/gateway.js';
import { type Exposition, familyOf, parseExposition, samplesOf, valueOf } from '../helpers/prometheus-text.js';
import { dashboardExpressions, metricUses, ruleExpressions } from '../helpers/promql.js';
import { RawConnection } from '../helpers/raw-http.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { Upstream } from '../helpers/upstream.js';
import { repoPath } from '../deploy/support.js';
import { METRIC_SPECS } from '../../src/metrics/metric-definitions.js';

/** Metrics fed only by modules not built yet (rate limiting): registered, no samples. */
export const AWAITING_THEIR_MODULES = new Set(['gateway_rate_limited_requests_total']);
/** Labels Prometheus adds to every scraped series. */
const TARGET_LABELS = new Set(['job', 'instance']);
/** Series Prometheus makes itself, not the gateway. */
const SYNTHETIC = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'ALERTS', 'ALERTS_FOR_STATE']);

const redisUrl = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

describe('metrics', () => {
  let db: TestDatabase;
  let upstream: Upstream;
  let redis: TcpProxy;
  let gateway: GatewayProcess;
  let scrape: () => Promise<Exposition>;
  const sent = { ok: 0, serverError: 0, unmatched: 0, other: 0, posts: 0, noCredential: 0, unknownKey: 0 };

  before(async () => {
    db = await createTestDatabase('metrics');
    upstream = await new Upstream('alpha').start();
    redis = await new TcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379)).start();
    gateway = await GatewayProcess.start({
      databaseUrl: db.url,
      env: { REDIS_URL: `redis://127.0.0.1:${redis.port}`, REDIS_KEY_PREFIX: `test-metrics-${randomBytes(4).toString('hex')}:`, DEPENDENCY_CHECK_INTERVAL_MS: '500' },
    });
    scrape = async () => {
      const reply = await gateway.get('/metrics');
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /^text\/plain/);
      return parseExposition(reply.text);
    };
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'alpha', url: upstream.url, retries: 0 })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'gone', url: 'http://127.0.0.1:9', retries: 2, connect_timeout_ms: 500 })).status, 201);
    for (const [name, service, path] of [['jobs', 'alpha', '/api/v1/jobs/*'], ['bytes', 'alpha', '/api/v1/bytes/*'], ['gone', 'gone', '/api/v1/gone/*']]) {
      assert.equal((await gateway.admin('POST', '/admin/routes', { name, service, paths: [path], methods: ['GET', 'POST'], strip_prefix: true, auth: { required: false } })).status, 201);
    }
    // A route with the default policy: a credential is required.
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'guarded', service: 'alpha', paths: ['/api/v1/guarded/*'], strip_prefix: true })).status, 201);
    await gateway.waitFor(async () => (await gateway.get('/api/v1/gone/x')).status === 502, 'routes served');

    // The traffic every test below reads.
    for (let i = 0; i < 7; i++) assert.equal((await gateway.get('/api/v1/jobs/search')).status, 200), sent.ok++;
    for (let i = 0; i < 3; i++) assert.equal((await gateway.get('/api/v1/jobs/status/503')).status, 503), sent.serverError++;
    for (let i = 0; i < 2; i++) {
      const reply = await gateway.fetch('/api/v1/jobs/upload', { method: 'POST', body: 'x'.repeat(10_000), headers: { 'content-type': 'text/plain' } });
      assert.equal(reply.status, 200);
      sent.posts++;
    }
    // No route serves a non-standard method: unmatched, and its method label is OTHER.
    assertProblem(await gateway.fetch('/api/v1/jobs/dav', { method: 'PROPFIND' }), 404, 'ROUTE_NOT_FOUND');
    sent.other++;
    // Twenty distinct paths no route claims: still one series.
    for (let i = 0; i < 20; i++) assertProblem(await gateway.get(`/api/v1/nowhere/${randomBytes(6).toString('hex')}`), 404, 'ROUTE_NOT_FOUND');
    sent.unmatched += 20;
    // Refused by the auth phase, before the upstream: no credential, and an API key no consumer holds.
    const seenByUpstream = upstream.requests.length;
    for (let i = 0; i < 2; i++) assertProblem(await gateway.get('/api/v1/guarded/orders'), 401, 'AUTH_ERROR'), sent.noCredential++;
    assertProblem(await gateway.fetch('/api/v1/guarded/orders', { headers: { 'x-api-key': `not-a-key-${randomBytes(8).toString('hex')}` } }), 401, 'AUTH_ERROR');
    sent.unknownKey++;
    assert.equal(upstream.requests.length, seenByUpstream, 'the upstream saw none of the refused requests');
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.stop();
    await redis?.cut();
    await db?.drop();
  });

  it('counts requests by route, service, method and status class', async () => {
    const m = await scrape();
    const count = (labels: Record<string, string>) => valueOf(m, 'gateway_requests_total', labels);
    assert.equal(count({ route: 'jobs', service: 'alpha', method: 'GET', status_class: '2xx' }), sent.ok);
    assert.equal(count({ route: 'jobs', service: 'alpha', method: 'GET', status_class: '5xx' }), sent.serverError);
    assert.equal(count({ route: 'jobs', service: 'alpha', method: 'POST', status_class: '2xx' }), sent.posts);
    assert.equal(count({ route: '_unmatched', service: '_unmatched', method: 'OTHER', status_class: '4xx' }), sent.other);
    assert.equal(count({ route: '_unmatched', service: '_unmatched', method: 'GET', status_class: '4xx' }), sent.unmatched);
    // Connect errors: the first attempt and two retries, then 502.
    assert.ok(count({ route: 'gone', service: 'gone', method: 'GET', status_class: '5xx' }) >= 1);
  });

  it('counts auth refusals of real traffic by reason and route, and as 4xx requests of the route', async () => {
    const m = await scrape();
    assert.equal(valueOf(m, 'gateway_auth_failures_total', { reason: 'missing', route: 'guarded' }), sent.noCredential);
    assert.equal(valueOf(m, 'gateway_auth_failures_total', { reason: 'unknown_api_key', route: 'guarded' }), sent.unknownKey);
    assert.deepEqual(samplesOf(m, 'gateway_auth_failures_total').map((s) => s.labels.reason).sort(), ['missing', 'unknown_api_key']);
    assert.equal(valueOf(m, 'gateway_requests_total', { route: 'guarded', service: 'alpha', method: 'GET', status_class: '4xx' }), sent.noCredential + sent.unknownKey);
  });

  it('keeps labels bounded: no path, id or method a client invents becomes a label value', async () => {
    const m = await scrape();
    const values = m.samples.filter((s) => s.name.startsWith('gateway_')).flatMap((s) => Object.values(s.labels));
    assert.deepEqual(values.filter((v) => v.includes('/api/') || v.includes('nowhere') || v === 'PROPFIND'), []);
    assert.deepEqual(samplesOf(m, 'gateway_requests_total', { route: '_unmatched' }).map((s) => s.labels.method).sort(), ['GET', 'OTHER']);
  });

  it('observes request and upstream latency in seconds, and counts retries', async () => {
    const m = await scrape();
    const jobs = { route: 'jobs', service: 'alpha' };
    const total = sent.ok + sent.serverError + sent.posts;
    assert.equal(valueOf(m, 'gateway_request_duration_seconds_count', jobs), total, 'request duration count');
    assert.equal(valueOf(m, 'gateway_upstream_duration_seconds_count', jobs), total, 'upstream duration count');
    assert.equal(valueOf(m, 'gateway_request_duration_seconds_bucket', { ...jobs, le: '+Inf' }), total, '+Inf bucket');
    const buckets = samplesOf(m, 'gateway_request_duration_seconds_bucket', jobs).map((s) => s.labels.le);
    assert.deepEqual(buckets, ['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '+Inf']);
    const sum = valueOf(m, 'gateway_request_duration_seconds_sum', jobs);
    assert.ok(sum > 0 && sum < total * 5, `sum ${sum} s is in seconds`);
    const failed = valueOf(m, 'gateway_requests_total', { route: 'gone', method: 'GET', status_class: '5xx' });
    assert.equal(valueOf(m, 'gateway_upstream_retries_total', { route: 'gone', service: 'gone' }), failed * 2, `retries of ${failed} failed requests`);
    assert.equal(valueOf(m, 'gateway_upstream_retries_total', jobs), 0);
  });

  it('counts the bytes of each request and response exactly as they crossed the wire', async () => {
    const before = await scrape();
    const bytes = { route: 'bytes', service: 'alpha' };
    const connection = await RawConnection.open(gateway.port);
    // A control-plane request first on the same connection: its bytes are not the data plane's.
    const probe = await connection.exchange('GET /health HTTP/1.1\r\nHost: gw\r\n\r\n');
    assert.equal(probe.status, 200);
    const body = 'y'.repeat(5_000);
    const first = await connection.exchange(`POST /api/v1/bytes/a HTTP/1.1\r\nHost: gw\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const second = await connection.exchange('GET /api/v1/bytes/b?q=1 HTTP/1.1\r\nHost: gw\r\nX-Padding: zzzzzzzzzzzzzzzzzzzzzzzz\r\n\r\n');
    connection.close();
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    await eventually(async () => valueOf(await scrape(), 'gateway_requests_total', { route: 'bytes', method: 'GET', status_class: '2xx' }) === 1, 5_000);
    const after = await scrape();
    const delta = (name: string) => valueOf(after, name, bytes) - valueOf(before, name, bytes);
    assert.equal(delta('gateway_request_bytes_total'), first.sent + second.sent);
    assert.equal(delta('gateway_response_bytes_total'), first.received + second.received);
    // And per request, in the access lines.
    const lines = gateway.logs().filter((l) => l.route === 'bytes');
    assert.deepEqual(lines.map((l) => [l.bytes_in, l.bytes_out]), [[first.sent, first.received], [second.sent, second.received]]);
  });

  it('shows requests in flight while they are served', async () => {
    const slow = gateway.get('/api/v1/jobs/delay/1500');
    await eventually(async () => valueOf(await scrape(), 'gateway_requests_in_flight') === 1, 5_000);
    assert.equal((await slow).status, 200);
    assert.equal(valueOf(await scrape(), 'gateway_requests_in_flight'), 0);
  });

  it('reports the configuration, each target as healthy and each circuit as closed', async () => {
    const m = await scrape();
    assert.equal(valueOf(m, 'gateway_routes'), 4);
    assert.equal(valueOf(m, 'gateway_services'), 2);
    const version = valueOf(m, 'gateway_config_version');
    assert.ok(version >= 5, `version ${version}`);
    assert.ok(Math.abs(valueOf(m, 'gateway_config_last_applied_timestamp_seconds') - Date.now() / 1000) < 600);
    assert.equal(valueOf(m, 'gateway_upstream_target_healthy', { service: 'alpha', target: upstream.url }), 1);
    assert.equal(valueOf(m, 'gateway_circuit_state', { service: 'alpha' }), 0);
    assert.equal(valueOf(m, 'gateway_rate_limit_store_degraded'), 0);
    assert.equal(samplesOf(m, 'gateway_build_info').length, 1);

    // A new service: its series appear; a deleted one: its series go.
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'temp', url: 'http://127.0.0.1:7' })).status, 201);
    await eventually(async () => valueOf(await scrape(), 'gateway_circuit_state', { service: 'temp' }) === 0 && valueOf(await scrape(), 'gateway_services') === 3, 10_000);
    assert.equal((await gateway.admin('DELETE', '/admin/services/temp')).status, 204);
    await eventually(async () => samplesOf(await scrape(), 'gateway_circuit_state', { service: 'temp' }).length === 0, 10_000);
    const last = await scrape();
    assert.equal(samplesOf(last, 'gateway_upstream_target_healthy', { service: 'temp' }).length, 0);
    assert.ok(valueOf(last, 'gateway_config_version') > version);
  });

  it('follows the circuit breaker and the passive health checks of real traffic', async () => {
    const breaker = { failure_threshold: 3, failure_window_s: 30, min_throughput: 3, recovery_timeout_s: 120, half_open_max_requests: 1 };
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'fragile', url: upstream.url, retries: 0, circuit_breaker: breaker })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'flaky', url: upstream.url, retries: 0, passive_health_check: { unhealthy_threshold: 2, cooldown_s: 120 } })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'fragile', service: 'fragile', paths: ['/api/v1/fragile/*'], strip_prefix: true, auth: { required: false } })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'flaky', service: 'flaky', paths: ['/api/v1/flaky/*'], strip_prefix: true, auth: { required: false } })).status, 201);
    await gateway.waitFor(async () => (await gateway.get('/api/v1/flaky/ok')).status === 200 && (await gateway.get('/api/v1/fragile/ok')).status === 200, 'routes served');
    let m = await scrape();
    assert.equal(valueOf(m, 'gateway_circuit_state', { service: 'fragile' }), 0);
    assert.equal(valueOf(m, 'gateway_upstream_target_healthy', { service: 'flaky', target: upstream.url }), 1);

    for (let i = 0; i < 3; i++) assert.equal((await gateway.get('/api/v1/fragile/status/500')).status, 500);
    assertProblem(await gateway.get('/api/v1/fragile/ok'), 503, 'CIRCUIT_OPEN');
    for (let i = 0; i < 2; i++) assert.equal((await gateway.get('/api/v1/flaky/status/500')).status, 500);
    assertProblem(await gateway.get('/api/v1/flaky/ok'), 503, 'SERVICE_UNAVAILABLE');

    m = await scrape();
    assert.equal(valueOf(m, 'gateway_circuit_state', { service: 'fragile' }), 2, 'open');
    assert.equal(valueOf(m, 'gateway_circuit_opened_total', { service: 'fragile' }), 1);
    assert.equal(valueOf(m, 'gateway_upstream_target_healthy', { service: 'flaky', target: upstream.url }), 0, 'out of rotation');
    assert.equal(samplesOf(m, 'gateway_upstream_target_healthy', { service: 'flaky' }).length, 1, 'one series per target, whatever reported it');
    assert.equal(valueOf(m, 'gateway_requests_total', { route: 'fragile', method: 'GET', status_class: '5xx' }), 4, 'three 500s and the 503');

    const parts = Object.fromEntries((await gateway.get('/metrics/health-score')).body.parts.map((p: { name: string }) => [p.name, p]));
    assert.match(parts.circuits.detail, /1 open/);
    assert.ok(parts.upstream_targets.score < 1, JSON.stringify(parts.upstream_targets));

    // Reset the breaker through the admin API: closed again.
    assert.equal((await gateway.admin('POST', '/admin/services/fragile/circuit/reset')).status, 200);
    await eventually(async () => valueOf(await scrape(), 'gateway_circuit_state', { service: 'fragile' }) === 0, 5_000);
  });

  it('registers every gateway metric with HELP and TYPE, and the default process metrics', async () => {
    const m = await scrape();
    for (const spec of METRIC_SPECS) {
      assert.equal(m.type.get(spec.name), spec.type, `TYPE of ${spec.name}`);
      assert.ok((m.help.get(spec.name) ?? '').length > 20, `HELP of ${spec.name}`);
    }
    assert.match(m.help.get('gateway_circuit_state') ?? '', /0 closed, 1 half-open, 2 open/);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
      assert.ok(m.type.has(name), `${name} missing`);
    }
    for (const name of AWAITING_THEIR_MODULES) assert.equal(samplesOf(m, name).length, 0, `${name} has no samples until its module emits`);
  });

  it('has every metric and label the dashboard and the alert rules use', async () => {
    const m = await scrape();
    const expressions = [
      ...dashboardExpressions(repoPath('deploy/grafana/dashboards/gateway.json')),
      ...ruleExpressions(repoPath('deploy/prometheus/alerts.yml')),
    ];
    assert.ok(expressions.length >= 30, `only ${expressions.length} expressions found`);
    const uses = expressions.flatMap(({ expr, source }) => metricUses(expr, source));
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const use of uses) {
      if (SYNTHETIC.has(use.metric)) continue;
      seen.add(use.metric);
      const family = familyOf(m, use.metric);
      if (!family) {
        problems.push(`${use.source}: ${use.metric} is not in /metrics`);
        continue;
      }
      const wanted = [...use.labels].filter((label) => !TARGET_LABELS.has(label));
      const samples = samplesOf(m, use.metric);
      if (samples.length === 0) {
        if (!AWAITING_THEIR_MODULES.has(family)) problems.push(`${use.source}: ${use.metric} has no samples after traffic`);
        const declared = METRIC_SPECS.find((spec) => spec.name === family)?.labelNames ?? [];
        for (const label of wanted) if (!declared.includes(label)) problems.push(`${use.source}: ${use.metric} is not declared with label ${label}`);
        continue;
      }
      for (const label of wanted) if (!samples.some((s) => label in s.labels)) problems.push(`${use.source}: ${use.metric} has no label ${label}`);
    }
    assert.deepEqual(problems, []);
    for (const name of ['gateway_requests_total', 'gateway_request_duration_seconds_bucket', 'gateway_upstream_target_healthy', 'gateway_circuit_state', 'gateway_rate_limited_requests_total', 'gateway_auth_failures_total']) {
      assert.ok(seen.has(name), `the dashboard or the rules should use ${name}`);
    }
  });

  it('reports Redis unreachable within a few checks when it is cut off, and back when restored', async () => {
    const up = async () => valueOf(await scrape(), 'gateway_dependency_up', { dependency: 'redis' });
    assert.equal(valueOf(await scrape(), 'gateway_dependency_up', { dependency: 'database' }), 1);
    await eventually(async () => (await up()) === 1, 10_000);
    await redis.cut();
    await eventually(async () => (await up()) === 0, 15_000);
    const score = (await gateway.get('/metrics/health-score')).body;
    const dependencies = score.parts.find((p: { name: string }) => p.name === 'dependencies');
    assert.equal(dependencies.score, 0.5);
    assert.match(dependencies.detail, /unreachable: redis/);
    assert.ok(score.score <= 95);
    await redis.restore();
    await eventually(async () => (await up()) === 1, 20_000);
    assert.ok(gateway.logs().some((l) => /redis unreachable/.test(String(l.msg))), 'the loss was logged');
  });

  it('serves the JSON views: totals, the last minute and each route', async () => {
    const reply = await gateway.get('/metrics/json');
    assert.equal(reply.status, 200);
    const view = reply.body;
    const jobs = view.routes.find((r: { route: string }) => r.route === 'jobs');
    assert.ok(jobs, JSON.stringify(view.routes.map((r: { route: string }) => r.route)));
    assert.equal(jobs.service, 'alpha');
    // The in-flight test added one slow request to jobs.
    const jobRequests = sent.ok + sent.serverError + sent.posts + 1;
    assert.equal(jobs.totals.requests, jobRequests);
    assert.equal(jobs.totals.by_status_class['5xx'], sent.serverError);
    assert.equal(jobs.totals.success_rate, Math.round(((jobRequests - sent.serverError) / jobRequests) * 10_000) / 10_000);
    assert.equal(jobs.last_minute.requests, jobRequests);
    for (const p of ['p50_ms', 'p95_ms', 'p99_ms', 'avg_ms']) assert.equal(typeof jobs.last_minute.latency[p], 'number', p);
    assert.ok(jobs.last_minute.latency.p99_ms >= 1000, 'the 1.5 s request is the p99');
    assert.ok(jobs.last_minute.requests_per_second > 0);
    const unmatched = view.routes.find((r: { route: string }) => r.route === '_unmatched');
    assert.equal(unmatched.totals.by_status_class['4xx'], sent.unmatched + sent.other);
    assert.ok(view.totals.requests >= jobRequests + sent.unmatched + sent.other);
    assert.equal(view.in_flight, 0);

    const performance = (await gateway.get('/metrics/performance')).body;
    assert.equal(typeof performance.process.memory.rss_bytes, 'number');
    assert.ok(performance.last_minute.requests > 0);
    assert.equal(performance.slowest_routes[0].route, 'jobs');

    const score = (await gateway.get('/metrics/health-score')).body;
    assert.equal(typeof score.score, 'number');
    assert.deepEqual(score.parts.map((p: { name: string }) => p.name), ['error_rate', 'latency', 'upstream_targets', 'circuits', 'dependencies', 'event_loop']);
    assert.equal(score.parts.reduce((sum: number, p: { weight: number }) => sum + p.weight, 0), 100);
  });

  it('resets the JSON views with the admin key only, and leaves the Prometheus counters alone', async () => {
    assertProblem(await gateway.fetch('/admin/reset-metrics', { method: 'POST' }), 401, 'AUTH_ERROR');
    assertProblem(await gateway.fetch('/admin/reset-metrics', { method: 'POST', headers: { 'x-api-key': 'wrong-key-0123456789' } }), 401, 'AUTH_ERROR');
    const counterBefore = valueOf(await scrape(), 'gateway_requests_total', { route: 'jobs', method: 'GET', status_class: '2xx' });
    assert.ok((await gateway.get('/metrics/json')).body.totals.requests > 0, 'the 401s did not reset');

    const reset = await gateway.admin('POST', '/admin/reset-metrics');
    assert.equal(reset.status, 200);
    assert.ok(Math.abs(Date.parse(reset.body.reset_at) - Date.now()) < 60_000);
    const view = (await gateway.get('/metrics/json')).body;
    assert.equal(view.totals.requests, 0, JSON.stringify(view.totals));
    assert.equal(view.last_minute.requests, 0, JSON.stringify(view.last_minute));
    assert.deepEqual(view.routes, []);
    assert.equal(view.since, reset.body.reset_at);
    assert.equal(valueOf(await scrape(), 'gateway_requests_total', { route: 'jobs', method: 'GET', status_class: '2xx' }), counterBefore);

    assert.equal((await gateway.get('/api/v1/jobs/again')).status, 200);
    await eventually(async () => (await gateway.get('/metrics/json')).body.totals.requests === 1, 5_000);
    assert.equal(valueOf(await scrape(), 'gateway_requests_total', { route: 'jobs', method: 'GET', status_class: '2xx' }), counterBefore + 1);
  });

  it('documents every metrics endpoint in the OpenAPI document', async () => {
    const doc = (await gateway.get('/docs-json')).body;
    for (const path of ['/metrics', '/metrics/json', '/metrics/performance', '/metrics/health-score']) assert.ok(doc.paths[path]?.get, `GET ${path}`);
    const reset = doc.paths['/admin/reset-metrics']?.post;
    assert.ok(reset, 'POST /admin/reset-metrics');
    // The admin key, or a consumer credential holding the admin scope (@AdminAuth).
    assert.deepEqual(reset.security, [{ 'admin-key': [] }, { oauth2: ['admin'] }]);
    // Like the probes, the metrics endpoints take no credential at all.
    for (const path of ['/metrics', '/metrics/json', '/metrics/performance', '/metrics/health-score']) assert.equal(doc.paths[path].get.security, undefined, path);
    assert.ok(reset.responses['401']);
    assert.ok(doc.paths['/metrics/health-score'].get.responses['200'].content['application/json'].schema);
  });
});
