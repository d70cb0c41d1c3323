import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrations } from '../migrations/index.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { eventually, GatewayProcess } from './helpers/gateway.js';
import { Upstream } from './helpers/upstream.js';

describe('two gateway instances on one database', () => {
  let db: TestDatabase;
  let first: GatewayProcess;
  let second: GatewayProcess;
  const upstream = new Upstream('shared');

  before(async () => {
    await upstream.start();
    db = await createTestDatabase('multi');
    // Started together: the migration lock makes them take turns on the schema.
    [first, second] = await Promise.all([GatewayProcess.start({ databaseUrl: db.url }), GatewayProcess.start({ databaseUrl: db.url })]);
  });

  after(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await db?.drop();
    await upstream.stop();
  });

  it('both started on a schema migrated once', async () => {
    const rows = await db.query<{ name: string }>('SELECT name FROM migrations');
    assert.deepEqual(rows.map((r) => r.name).sort(), migrations.map((m) => new m().name).sort());
  });

  it('serves on the second instance, within 1 s, a route created through the first', async (t) => {
    assert.equal((await first.admin('POST', '/admin/services', { name: 'shared', url: upstream.url })).status, 201);
    assert.equal((await second.get('/api/v1/shared/x')).status, 404);
    const created = await first.admin('POST', '/admin/routes', { name: 'shared', service: 'shared', paths: ['/api/v1/shared/*'], strip_prefix: true, auth: { required: false } });
    assert.equal(created.status, 201);
    const took = await eventually(async () => (await second.get('/api/v1/shared/x')).status === 200, 1000, 10);
    t.diagnostic(`route served by the other instance after ${took} ms`);
    assert.equal((await first.get('/api/v1/shared/x')).status, 200, 'the writer serves it at once');
  });

  it('propagates changes and deletions the same way', async () => {
    assert.equal((await second.admin('PATCH', '/admin/routes/shared', { paths: ['/api/v1/moved/*'] })).status, 200);
    await eventually(async () => (await first.get('/api/v1/moved/x')).status === 200 && (await first.get('/api/v1/shared/x')).status === 404, 1000, 10);
    assert.equal((await first.admin('DELETE', '/admin/routes/shared')).status, 204);
    await eventually(async () => (await second.get('/api/v1/moved/x')).status === 404, 1000, 10);
  });

  it('closes an open circuit on every instance, within 1 s, when an admin resets it through one', async (t) => {
    const breaker = { failure_threshold: 2, failure_window_s: 30, min_throughput: 2, recovery_timeout_s: 300, half_open_max_requests: 1 };
    assert.equal((await first.admin('POST', '/admin/services', { name: 'fragile', url: upstream.url, retries: 0, circuit_breaker: breaker })).status, 201);
    const route = await first.admin('POST', '/admin/routes', { name: 'fragile', service: 'fragile', paths: ['/api/v1/fragile/*'], strip_prefix: true, auth: { required: false } });
    assert.equal(route.status, 201);
    await eventually(async () => (await second.get('/api/v1/fragile/ok')).status === 200, 1000, 10);
    const state = async (gateway: GatewayProcess) => (await gateway.admin('GET', '/admin/services/fragile/circuit')).body.state as string;
    // Each instance opens its own circuit on the failures it sees itself.
    for (const gateway of [first, second]) {
      for (let i = 0; i < 2; i++) assert.equal((await gateway.get('/api/v1/fragile/status/500')).status, 500);
      assert.equal(await state(gateway), 'OPEN');
      assert.equal((await gateway.get('/api/v1/fragile/ok')).status, 503);
    }
    const reset = await first.admin('POST', '/admin/services/fragile/circuit/reset');
    assert.equal(reset.status, 200, reset.text);
    assert.equal(reset.body.state, 'CLOSED');
    const took = await eventually(async () => (await state(second)) === 'CLOSED', 1000, 10);
    t.diagnostic(`the other instance closed its circuit after ${took} ms`);
    assert.equal((await second.get('/api/v1/fragile/ok')).status, 200);
    assert.equal(await state(first), 'CLOSED', 'the writer, hearing its own notification, stays closed');
  });

  it('listens again after losing its listening connection: a change made meanwhile arrives, and later ones within 1 s', async () => {
    const listeners = () =>
      db.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'api-gateway-listener' AND datname = current_database()");
    assert.equal(Number((await listeners())[0]!.n), 2, 'one listening connection per instance');
    await db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'api-gateway-listener' AND datname = current_database()");
    // Made while nobody listens: picked up when the listeners are back.
    assert.equal((await first.admin('POST', '/admin/routes', { name: 'missed', service: 'shared', paths: ['/api/v1/missed/*'], strip_prefix: true, auth: { required: false } })).status, 201);
    await eventually(async () => (await second.get('/api/v1/missed/x')).status === 200, 4000, 20);
    await eventually(async () => Number((await listeners())[0]!.n) === 2, 4000, 50);
    // The circuit channel is listened to again as well.
    for (let i = 0; i < 2; i++) await second.get('/api/v1/fragile/status/500');
    assert.equal((await second.admin('GET', '/admin/services/fragile/circuit')).body.state, 'OPEN');
    assert.equal((await first.admin('POST', '/admin/services/fragile/circuit/reset')).status, 200);
    await eventually(async () => (await second.admin('GET', '/admin/services/fragile/circuit')).body.state === 'CLOSED', 1000, 10);
  });
});
