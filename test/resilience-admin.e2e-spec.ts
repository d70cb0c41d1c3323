import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertProblem, badFields } from './helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { GatewayProcess } from './helpers/gateway.js';
import { Upstream } from './helpers/upstream.js';

const SERVICE = { name: 'orders', url: 'http://127.0.0.1:9/v1' };
const HEALTH = { path: '/health' };
const DEFAULTS = {
  headers_timeout_ms: null,
  body_timeout_ms: null,
  retry_buffer_bytes: 65_536,
  load_balancing: 'weighted',
  hash_on: 'ip',
  hash_on_header: null,
  health_check: null,
  passive_health_check: null,
  circuit_breaker: null,
  max_concurrent_requests: null,
};

describe('admin API: resilience settings', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;

  before(async () => {
    db = await createTestDatabase('resil_admin');
    gateway = await GatewayProcess.start({ databaseUrl: db.url });
    assert.equal((await gateway.admin('POST', '/admin/services', SERVICE)).status, 201);
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
  });

  const BAD_SERVICES: Array<[string, Record<string, unknown>, string[]]> = [
    ['an unknown load_balancing', { load_balancing: 'random' }, ['load_balancing']],
    ['an unknown hash_on', { hash_on: 'cookie' }, ['hash_on']],
    ['hash_on header without hash_on_header', { load_balancing: 'consistent_hash', hash_on: 'header' }, ['hash_on_header']],
    ['a hash_on_header that is not a header name', { hash_on: 'header', hash_on_header: 'x user' }, ['hash_on_header']],
    ['a health_check without a path', { health_check: { interval_s: 5 } }, ['health_check.path']],
    ['a health_check path without a leading slash', { health_check: { path: 'health' } }, ['health_check.path']],
    ['a health_check path with dot segments', { health_check: { path: '/a/../admin' } }, ['health_check.path']],
    ['a health_check interval of 0', { health_check: { ...HEALTH, interval_s: 0 } }, ['health_check.interval_s']],
    ['a fractional health_check interval', { health_check: { ...HEALTH, interval_s: 2.5 } }, ['health_check.interval_s']],
    ['a health_check timeout longer than its interval', { health_check: { ...HEALTH, interval_s: 1, timeout_ms: 1_500 } }, ['health_check.timeout_ms']],
    ['a health_check timeout longer than the default interval', { health_check: { ...HEALTH, timeout_ms: 11_000 } }, ['health_check.timeout_ms']],
    ['zero thresholds', { health_check: { ...HEALTH, healthy_threshold: 0, unhealthy_threshold: 0 } }, ['health_check.healthy_threshold', 'health_check.unhealthy_threshold']],
    ['an unknown health_check field', { health_check: { ...HEALTH, method: 'HEAD' } }, ['health_check.method']],
    ['a health_check that is a string', { health_check: '/health' }, ['health_check']],
    ['a health_check that is a list', { health_check: [HEALTH] }, ['health_check']],
    ['a passive threshold of 0', { passive_health_check: { unhealthy_threshold: 0 } }, ['passive_health_check.unhealthy_threshold']],
    ['a passive cooldown as a string', { passive_health_check: { cooldown_s: '30' } }, ['passive_health_check.cooldown_s']],
    ['a circuit failure_threshold of 0', { circuit_breaker: { failure_threshold: 0 } }, ['circuit_breaker.failure_threshold']],
    ['a negative circuit window', { circuit_breaker: { failure_window_s: -1 } }, ['circuit_breaker.failure_window_s']],
    ['a circuit min_throughput of 0', { circuit_breaker: { min_throughput: 0 } }, ['circuit_breaker.min_throughput']],
    ['a fractional recovery timeout', { circuit_breaker: { recovery_timeout_s: 0.5 } }, ['circuit_breaker.recovery_timeout_s']],
    ['a half_open_max_requests of 0', { circuit_breaker: { half_open_max_requests: 0 } }, ['circuit_breaker.half_open_max_requests']],
    ['an unknown circuit field', { circuit_breaker: { error_percentage: 50 } }, ['circuit_breaker.error_percentage']],
    ['a max_concurrent_requests of 0', { max_concurrent_requests: 0 }, ['max_concurrent_requests']],
    ['a retry_buffer_bytes over 1 MiB', { retry_buffer_bytes: 1_048_577 }, ['retry_buffer_bytes']],
    ['a negative retry_buffer_bytes', { retry_buffer_bytes: -1 }, ['retry_buffer_bytes']],
    ['a headers_timeout_ms as a string', { headers_timeout_ms: '100' }, ['headers_timeout_ms']],
    ['a body_timeout_ms of 0', { body_timeout_ms: 0 }, ['body_timeout_ms']],
  ];

  for (const [label, fields, named] of BAD_SERVICES) {
    it(`refuses a service with ${label}, naming ${named.join(', ')} (POST and PATCH)`, async () => {
      const created = await gateway.admin('POST', '/admin/services', { ...SERVICE, name: 'refused', ...fields });
      assertProblem(created, 400, 'INVALID_REQUEST');
      for (const field of named) assert.ok(badFields(created).includes(field), `${field} in ${JSON.stringify(created.body.errors)}`);
      const patched = await gateway.admin('PATCH', '/admin/services/orders', fields);
      assertProblem(patched, 400, 'INVALID_REQUEST');
      for (const field of named) assert.ok(badFields(patched).includes(field), `${field} in ${JSON.stringify(patched.body.errors)}`);
      assertProblem(await gateway.admin('GET', '/admin/services/refused'), 404, 'NOT_FOUND');
      const orders = await gateway.admin('GET', '/admin/services/orders');
      for (const [key, value] of Object.entries(DEFAULTS)) assert.deepEqual(orders.body[key], value, `${key} unchanged`);
    });
  }

  const ROUTE = { name: 'r', service: 'orders', paths: ['/api/v1/orders/*'] };
  const BAD_ROUTES: Array<[string, Record<string, unknown>, string[]]> = [
    ['a retry_non_idempotent that is not a boolean', { retry_non_idempotent: 'yes' }, ['retry_non_idempotent']],
    ['a connect_timeout_ms of 0', { connect_timeout_ms: 0 }, ['connect_timeout_ms']],
    ['a connect_timeout_ms over 10 minutes', { connect_timeout_ms: 600_001 }, ['connect_timeout_ms']],
    ['a headers_timeout_ms as a string', { headers_timeout_ms: '5' }, ['headers_timeout_ms']],
    ['a fractional body_timeout_ms', { body_timeout_ms: 1.5 }, ['body_timeout_ms']],
  ];
  for (const [label, fields, named] of BAD_ROUTES) {
    it(`refuses a route with ${label}, naming ${named.join(', ')}`, async () => {
      const reply = await gateway.admin('POST', '/admin/routes', { auth: { required: false }, ...ROUTE, ...fields });
      assertProblem(reply, 400, 'INVALID_REQUEST');
      for (const field of named) assert.ok(badFields(reply).includes(field), `${field} in ${JSON.stringify(reply.body.errors)}`);
      assert.equal((await gateway.admin('GET', '/admin/routes')).body.total, 0);
    });
  }

  it('stores the settings with their defaults filled in, replaces a nested one whole on PATCH, and PUT returns to the defaults', async () => {
    const created = await gateway.admin('POST', '/admin/services', {
      name: 'settled',
      url: 'http://127.0.0.1:9',
      load_balancing: 'consistent_hash',
      hash_on: 'header',
      hash_on_header: 'X-User-Id',
      health_check: { path: '/healthz', interval_s: 5 },
      passive_health_check: {},
      circuit_breaker: { failure_threshold: 7 },
      max_concurrent_requests: 200,
      headers_timeout_ms: 2_000,
      retry_buffer_bytes: 0,
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.hash_on_header, 'X-User-Id');
    assert.deepEqual(created.body.health_check, { path: '/healthz', interval_s: 5, timeout_ms: 1_000, healthy_threshold: 2, unhealthy_threshold: 3 });
    assert.deepEqual(created.body.passive_health_check, { unhealthy_threshold: 5, cooldown_s: 30 });
    assert.deepEqual(created.body.circuit_breaker, { failure_threshold: 7, failure_window_s: 10, min_throughput: 10, recovery_timeout_s: 30, half_open_max_requests: 1 });
    assert.equal(created.body.max_concurrent_requests, 200);
    assert.equal(created.body.headers_timeout_ms, 2_000);
    assert.equal(created.body.body_timeout_ms, null);
    assert.equal(created.body.retry_buffer_bytes, 0);
    assert.deepEqual((await gateway.admin('GET', '/admin/services/settled')).body, created.body);

    const patched = await gateway.admin('PATCH', '/admin/services/settled', { circuit_breaker: { recovery_timeout_s: 5 }, passive_health_check: null });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.circuit_breaker, { failure_threshold: 5, failure_window_s: 10, min_throughput: 10, recovery_timeout_s: 5, half_open_max_requests: 1 }, 'replaced whole');
    assert.equal(patched.body.passive_health_check, null);
    assert.deepEqual(patched.body.health_check.path, '/healthz', 'fields not given stay');
    assert.equal(patched.body.load_balancing, 'consistent_hash');

    assertProblem(await gateway.admin('PATCH', '/admin/services/settled', { hash_on_header: null }), 400, 'INVALID_REQUEST');
    const replaced = await gateway.admin('PUT', '/admin/services/settled', { url: 'http://127.0.0.1:9' });
    assert.equal(replaced.status, 200);
    for (const [key, value] of Object.entries(DEFAULTS)) assert.deepEqual(replaced.body[key], value, `${key} back to its default`);
    assert.equal((await gateway.admin('DELETE', '/admin/services/settled')).status, 204);
  });

  it('shows route overrides, which a PUT returns to null', async () => {
    const created = await gateway.admin('POST', '/admin/routes', { auth: { required: false }, ...ROUTE, name: 'overrides', connect_timeout_ms: 100, headers_timeout_ms: 200, body_timeout_ms: 300, retry_non_idempotent: true });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(
      [created.body.connect_timeout_ms, created.body.headers_timeout_ms, created.body.body_timeout_ms, created.body.retry_non_idempotent],
      [100, 200, 300, true],
    );
    const replaced = await gateway.admin('PUT', '/admin/routes/overrides', { service: 'orders', paths: ['/api/v1/orders/*'] });
    assert.deepEqual(
      [replaced.body.connect_timeout_ms, replaced.body.headers_timeout_ms, replaced.body.body_timeout_ms, replaced.body.retry_non_idempotent],
      [null, null, null, false],
    );
    assert.equal((await gateway.admin('DELETE', '/admin/routes/overrides')).status, 204);
  });

  it('answers 404 for the health and circuit of an unknown service', async () => {
    for (const path of ['/admin/services/nope/health', '/admin/services/nope/circuit']) assertProblem(await gateway.admin('GET', path), 404, 'NOT_FOUND');
    const health = await gateway.admin('GET', '/admin/services/orders/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'up');
    assert.equal(health.body.targets[0].active_checks, false);
  });
});

describe('declarative configuration with resilience settings', () => {
  let db: TestDatabase;
  let scratch: string;
  const upstream = new Upstream('declared');

  before(async () => {
    await upstream.start();
    db = await createTestDatabase('resil_decl');
    scratch = mkdtempSync(path.join(tmpdir(), 'gateway-resilience-'));
  });

  after(async () => {
    await db?.drop();
    await upstream.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('applies them, and applying the same file again changes nothing, registered targets notwithstanding', async () => {
    const file = path.join(scratch, 'gateway.yaml');
    writeFileSync(
      file,
      [
        'services:',
        '  - name: stock',
        `    targets: [{ url: "${upstream.url}" }]`,
        '    load_balancing: least_connections',
        '    health_check: { path: /health, interval_s: 2 }',
        '    circuit_breaker: { failure_threshold: 4 }',
        '    max_concurrent_requests: 50',
        'routes:',
        '  - name: stock',
        '    service: stock',
        '    paths: [/api/v1/stock/*]',
        '    auth: { required: false }',
        '    retry_non_idempotent: true',
        '    headers_timeout_ms: 1500',
      ].join('\n'),
    );
    const first = await GatewayProcess.start({ databaseUrl: db.url, env: { GATEWAY_CONFIG: file } });
    try {
      const service = await first.admin('GET', '/admin/services/stock');
      assert.equal(service.body.load_balancing, 'least_connections');
      assert.equal(service.body.health_check.interval_s, 2);
      assert.equal(service.body.circuit_breaker.failure_threshold, 4);
      assert.equal((await first.get('/api/v1/stock/x')).status, 200);
      // A self-registered instance joins the service; the file does not describe it.
      assert.equal((await first.admin('POST', '/discovery/register', { service_name: 'stock', host: '127.0.0.1', port: 9 })).status, 201);
    } finally {
      await first.stop();
    }
    const [{ config_version: before }] = await db.query<{ config_version: string }>('SELECT config_version FROM gateway_state');
    const second = await GatewayProcess.start({ databaseUrl: db.url, env: { GATEWAY_CONFIG: file } });
    await second.stop();
    const [{ config_version: afterSecond }] = await db.query<{ config_version: string }>('SELECT config_version FROM gateway_state');
    assert.equal(afterSecond, before, 'no write the second time');
    assert.deepEqual(second.logs().find((entry) => entry.msg === 'declarative configuration applied')?.unchanged, ['service:stock', 'route:stock']);
  });
});
