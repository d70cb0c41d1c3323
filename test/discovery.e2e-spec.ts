import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertProblem, badFields } from './helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { eventually, GatewayProcess } from './helpers/gateway.js';
import { sleep } from './helpers/load.js';
import { Upstream } from './helpers/upstream.js';

const GRACE_S = 2;
const UNKNOWN_ID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

describe('service discovery', () => {
  let db: TestDatabase;
  let first: GatewayProcess;
  let second: GatewayProcess;
  const one = new Upstream('one');
  const two = new Upstream('two');

  const register = (gateway: GatewayProcess, upstream: Upstream, extra: Record<string, unknown> = {}) =>
    gateway.admin('POST', '/discovery/register', { service_name: 'inventory', host: '127.0.0.1', port: upstream.port, ...extra });
  const discovered = async (gateway: GatewayProcess, name: string) => {
    const list = await gateway.admin('GET', '/discovery/services');
    assert.equal(list.status, 200, list.text);
    return list.body.data.find((s: { name: string }) => s.name === name);
  };
  const targetOf = async (gateway: GatewayProcess, name: string, id: string) => (await discovered(gateway, name))?.targets.find((t: { id: string }) => t.id === id);

  before(async () => {
    await one.start();
    await two.start();
    db = await createTestDatabase('discovery');
    const env = { DISCOVERY_GRACE_PERIOD_S: String(GRACE_S) };
    [first, second] = await Promise.all([GatewayProcess.start({ databaseUrl: db.url, env }), GatewayProcess.start({ databaseUrl: db.url, env })]);
  });

  after(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await db?.drop();
    await one.stop();
    await two.stop();
  });

  beforeEach(() => {
    one.reset();
    two.reset();
  });

  const ENDPOINTS: Array<[string, string]> = [
    ['POST', '/discovery/register'],
    ['PUT', `/discovery/heartbeat/${UNKNOWN_ID}`],
    ['DELETE', `/discovery/register/${UNKNOWN_ID}`],
    ['GET', '/discovery/services'],
    ['GET', '/admin/services/inventory/health'],
    ['GET', '/admin/services/inventory/circuit'],
    ['POST', '/admin/services/inventory/circuit/reset'],
    ['GET', '/health/services'],
  ];
  for (const [method, path] of ENDPOINTS) {
    it(`refuses ${method} ${path} without the admin key or with a wrong one`, async () => {
      for (const headers of [{}, { 'x-api-key': 'wrong-key-wrong-key-wrong' }] as Array<Record<string, string>>) {
        const reply = await first.fetch(path, {
          method,
          headers: { 'content-type': 'application/json', ...headers },
          body: method === 'POST' ? JSON.stringify({ service_name: 'sneaky', host: '127.0.0.1', port: one.port }) : undefined,
        });
        assertProblem(reply, 401, 'AUTH_ERROR');
      }
      assert.equal((await db.query(`SELECT id FROM services WHERE name = 'sneaky'`)).length, 0);
    });
  }

  it('registers an instance, creating its service, and every instance routes to it', async () => {
    const reply = await register(first, one, { weight: 50, metadata: { zone: 'eu-1', version: '2.4.1' } });
    assert.equal(reply.status, 201, reply.text);
    assert.match(reply.body.id, /^[0-9a-f-]{36}$/);
    assert.equal(reply.body.service.name, 'inventory');
    assert.equal(reply.body.url, `http://127.0.0.1:${one.port}`);
    assert.equal(reply.body.host, '127.0.0.1');
    assert.equal(reply.body.port, one.port);
    assert.equal(reply.body.weight, 50);
    assert.equal(reply.body.ttl_seconds, null);
    assert.equal(reply.body.expires_at, null);
    assert.deepEqual(reply.body.metadata, { zone: 'eu-1', version: '2.4.1' });

    const service = await first.admin('GET', '/admin/services/inventory');
    assert.equal(service.status, 200);
    assert.deepEqual(service.body.targets.map((t: { source: string; url: string }) => [t.source, t.url]), [['registration', reply.body.url]]);
    assert.equal((await first.admin('POST', '/admin/routes', { auth: { required: false }, name: 'inventory', service: 'inventory', paths: ['/api/v1/inventory/*'] })).status, 201);
    assert.equal((await first.get('/api/v1/inventory/items')).body.upstream, 'one');
    await eventually(async () => (await second.get('/api/v1/inventory/items')).status === 200, 2_000, 20);

    const listed = await discovered(second, 'inventory');
    assert.equal(listed.status, 'up');
    assert.equal(listed.healthy_targets, 1);
    assert.deepEqual(
      listed.targets.map((t: Record<string, unknown>) => [t.id, t.source, t.status, t.weight, (t.metadata as Record<string, unknown>).zone]),
      [[reply.body.id, 'registration', 'healthy', 50, 'eu-1']],
    );
    assert.equal((await first.admin('DELETE', `/discovery/register/${reply.body.id}`)).status, 204);
  });

  it('registering the same address again updates it and keeps its id (200)', async () => {
    const created = await register(first, two, { weight: 10 });
    assert.equal(created.status, 201);
    const again = await register(second, two, { weight: 30, metadata: { v: 2 } });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.id, created.body.id);
    assert.equal(again.body.weight, 30);
    assert.deepEqual(again.body.metadata, { v: 2 });
    const rows = await db.query<{ n: string }>(`SELECT count(*) AS n FROM targets WHERE url = $1`, [created.body.url]);
    assert.equal(Number(rows[0].n), 1);
    assert.equal((await first.admin('DELETE', `/discovery/register/${created.body.id}`)).status, 204);
  });

  it('refuses to register an address the admin API configured, and the admin API refuses a registered one', async () => {
    assert.equal((await first.admin('POST', '/admin/services', { name: 'configured', url: one.url })).status, 201);
    assertProblem(await first.admin('POST', '/discovery/register', { service_name: 'configured', host: '127.0.0.1', port: one.port }), 409, 'CONFLICT');
    const registered = await first.admin('POST', '/discovery/register', { service_name: 'configured', host: '127.0.0.1', port: two.port });
    assert.equal(registered.status, 201);
    const refused = await first.admin('PATCH', '/admin/services/configured', { targets: [{ url: one.url }, { url: two.url }] });
    assertProblem(refused, 400, 'INVALID_REQUEST');
    assert.deepEqual(badFields(refused), ['targets']);
    // Replacing the admin targets leaves the registered one alone.
    const patched = await first.admin('PATCH', '/admin/services/configured', { targets: [{ url: `http://127.0.0.1:${one.port}/v2` }] });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(patched.body.targets.map((t: { source: string }) => t.source).sort(), ['admin', 'registration']);
    assert.equal((await first.admin('DELETE', '/admin/services/configured')).status, 204);
  });

  it('deregistering takes the target out of rotation on every instance', async () => {
    const a = await register(first, one);
    const b = await register(first, two);
    assert.equal((await first.admin('POST', '/admin/routes', { auth: { required: false }, name: 'inv-dereg', service: 'inventory', paths: ['/api/v1/dereg/*'] })).status, 201);
    await eventually(async () => (await second.get('/api/v1/dereg/x')).status === 200, 2_000, 20);
    assert.equal((await second.admin('DELETE', `/discovery/register/${b.body.id}`)).status, 204);
    await eventually(async () => (await discovered(first, 'inventory')).targets.length === 1, 2_000, 20);
    // The admin view reads the database; the data plane of the other instance follows within a second.
    await eventually(async () => {
      for (let i = 0; i < 4; i++) if ((await first.get('/api/v1/dereg/x')).body.upstream !== 'one') return false;
      return true;
    }, 2_000, 20);
    two.reset();
    for (let i = 0; i < 6; i++) {
      assert.equal((await first.get('/api/v1/dereg/x')).body.upstream, 'one');
      assert.equal((await second.get('/api/v1/dereg/x')).body.upstream, 'one');
    }
    assert.equal(two.requests.length, 0);
    assertProblem(await first.admin('DELETE', `/discovery/register/${b.body.id}`), 404, 'NOT_FOUND');
    assertProblem(await first.admin('PUT', `/discovery/heartbeat/${b.body.id}`), 404, 'NOT_FOUND');
    assert.equal((await first.admin('DELETE', `/discovery/register/${a.body.id}`)).status, 204);
    assert.equal((await first.admin('DELETE', '/admin/routes/inv-dereg')).status, 204);
  });

  it('a registration kept alive by heartbeats stays; a silent one leaves rotation at its TTL and is deleted after the grace period', async (t) => {
    assert.equal((await first.admin('POST', '/admin/routes', { auth: { required: false }, name: 'inv-ttl', service: 'inventory', paths: ['/api/v1/ttl/*'] })).status, 201);
    const steady = await register(first, one, { ttl_seconds: 2 });
    const silent = await register(first, two, { ttl_seconds: 2 });
    assert.equal(silent.status, 201);
    assert.ok(Date.parse(silent.body.expires_at) - Date.parse(silent.body.last_heartbeat_at) === 2_000);

    // Heartbeats for the first on one instance, for the second on the other, for 3 s (past the TTL).
    let lastBeat = 0;
    for (let i = 0; i < 6; i++) {
      const beat = await first.admin('PUT', `/discovery/heartbeat/${steady.body.id}`);
      assert.equal(beat.status, 200);
      assert.equal(beat.body.ttl_seconds, 2);
      assert.ok(Date.parse(beat.body.expires_at) > Date.now());
      assert.equal((await second.admin('PUT', `/discovery/heartbeat/${silent.body.id}`)).status, 200);
      lastBeat = Date.now();
      await sleep(500);
    }
    for (const gateway of [first, second]) {
      for (const id of [steady.body.id, silent.body.id]) assert.equal((await targetOf(gateway, 'inventory', id)).status, 'healthy');
    }

    // The second falls silent: out of rotation on both instances once its TTL lapses.
    const beating = setInterval(() => void first.admin('PUT', `/discovery/heartbeat/${steady.body.id}`), 500);
    try {
      await Promise.all(
        [first, second].map((gateway) => eventually(async () => (await targetOf(gateway, 'inventory', silent.body.id))?.status === 'unhealthy', 6_000, 50)),
      );
      const lapsedAfter = Date.now() - lastBeat;
      t.diagnostic(`out of rotation ${lapsedAfter} ms after its last heartbeat (TTL 2000 ms)`);
      assert.ok(lapsedAfter >= 1_900, `out too early (${lapsedAfter} ms)`);
      assert.equal((await targetOf(second, 'inventory', silent.body.id)).reason, 'ttl_expired');
      two.reset();
      for (let i = 0; i < 6; i++) assert.equal((await second.get('/api/v1/ttl/x')).body.upstream, 'one');
      assert.equal(two.requests.length, 0);

      // Deleted after the grace period, once, by whichever instance swept first.
      await eventually(async () => (await db.query(`SELECT id FROM targets WHERE id = $1`, [silent.body.id])).length === 0, 10_000, 100);
      const gone = Date.now() - lastBeat;
      t.diagnostic(`deleted ${gone} ms after its last heartbeat (TTL 2 s + grace ${GRACE_S} s)`);
      assert.ok(gone >= (2 + GRACE_S) * 1_000 - 100, `deleted too early (${gone} ms)`);
      await eventually(async () => (await targetOf(second, 'inventory', silent.body.id)) === undefined, 3_000, 50);
      assertProblem(await second.admin('PUT', `/discovery/heartbeat/${silent.body.id}`), 404, 'NOT_FOUND');
      assert.equal((await targetOf(first, 'inventory', steady.body.id)).status, 'healthy', 'the one with heartbeats stayed');
      const reaped = [...first.logs(), ...second.logs()].filter((line) => line.msg === 'registration expired and deleted' && line.target_id === silent.body.id);
      assert.equal(reaped.length, 1, 'deleted once');
    } finally {
      clearInterval(beating);
    }
    assert.equal((await first.admin('DELETE', `/discovery/register/${steady.body.id}`)).status, 204);
    assert.equal((await first.admin('DELETE', '/admin/routes/inv-ttl')).status, 204);
  });

  it("a heartbeat after the TTL lapsed (within the grace period) brings the target back", async () => {
    const reg = await register(first, one, { ttl_seconds: 1 });
    await eventually(async () => (await targetOf(first, 'inventory', reg.body.id))?.status === 'unhealthy', 5_000, 50);
    assert.equal((await first.admin('PUT', `/discovery/heartbeat/${reg.body.id}`)).status, 200);
    assert.equal((await targetOf(first, 'inventory', reg.body.id)).status, 'healthy', 'at once on the instance that took the heartbeat');
    await eventually(async () => (await targetOf(second, 'inventory', reg.body.id))?.status === 'healthy', 3_000, 50);
    assert.equal((await first.admin('DELETE', `/discovery/register/${reg.body.id}`)).status, 204);
  });

  it("checks a registration's own check_endpoint on its check_interval", async () => {
    const reg = await register(first, two, { service_name: 'checked-inventory', check_endpoint: '/health', check_interval: 1 });
    assert.equal(reg.status, 201);
    assert.equal(reg.body.check_endpoint, '/health');
    assert.equal(reg.body.check_interval, 1);
    await eventually(() => two.checks.length >= 2, 5_000, 20);
    assert.equal(two.checks[0].url, '/health');
    two.healthStatus = 500;
    try {
      await eventually(async () => (await targetOf(first, 'checked-inventory', reg.body.id))?.status === 'unhealthy', 6_000, 50);
      const target = await targetOf(first, 'checked-inventory', reg.body.id);
      assert.equal(target.reason, 'active_check');
      assert.equal(target.last_error, 'status 500');
    } finally {
      two.healthStatus = 200;
    }
    assert.equal((await first.admin('DELETE', `/discovery/register/${reg.body.id}`)).status, 204);
  });

  it('answers 400 naming the field for a malformed id', async () => {
    for (const [method, path] of [['PUT', '/discovery/heartbeat/not-a-uuid'], ['DELETE', '/discovery/register/not-a-uuid']]) {
      const reply = await first.admin(method, path);
      assertProblem(reply, 400, 'INVALID_REQUEST');
      assert.deepEqual(badFields(reply), ['id']);
    }
  });

  const GOOD = { service_name: 'valid', host: 'orders-1.internal', port: 8080 };
  const BAD_REGISTRATIONS: Array<[string, unknown, string[]]> = [
    ['no service_name', { host: 'h', port: 1 }, ['service_name']],
    ['a service_name with spaces', { ...GOOD, service_name: 'my service' }, ['service_name']],
    ['no host', { service_name: 'x', port: 1 }, ['host']],
    ['a host with a scheme', { ...GOOD, host: 'http://orders' }, ['host']],
    ['a host with a path', { ...GOOD, host: 'orders/v1' }, ['host']],
    ['a host with a port', { ...GOOD, host: 'orders:8080' }, ['host']],
    ['a host with spaces', { ...GOOD, host: 'or ders' }, ['host']],
    ['a host as a number', { ...GOOD, host: 10 }, ['host']],
    ['no port', { service_name: 'x', host: 'h' }, ['port']],
    ['port 0', { ...GOOD, port: 0 }, ['port']],
    ['port 65536', { ...GOOD, port: 65_536 }, ['port']],
    ['a port as a string', { ...GOOD, port: '8080' }, ['port']],
    ['an unknown scheme', { ...GOOD, scheme: 'ftp' }, ['scheme']],
    ['a check_endpoint without a leading slash', { ...GOOD, check_endpoint: 'health' }, ['check_endpoint']],
    ['a check_endpoint with dot segments', { ...GOOD, check_endpoint: '/../admin' }, ['check_endpoint']],
    ['a check_endpoint with spaces', { ...GOOD, check_endpoint: '/he alth' }, ['check_endpoint']],
    ['a check_interval of 0', { ...GOOD, check_interval: 0 }, ['check_interval']],
    ['a fractional check_interval', { ...GOOD, check_interval: 1.5 }, ['check_interval']],
    ['a negative weight', { ...GOOD, weight: -1 }, ['weight']],
    ['a weight over 1000', { ...GOOD, weight: 1_001 }, ['weight']],
    ['a ttl_seconds of 0', { ...GOOD, ttl_seconds: 0 }, ['ttl_seconds']],
    ['a ttl_seconds over a day', { ...GOOD, ttl_seconds: 86_401 }, ['ttl_seconds']],
    ['metadata that is a list', { ...GOOD, metadata: ['a'] }, ['metadata']],
    ['metadata with a nested object', { ...GOOD, metadata: { a: { b: 1 } } }, ['metadata']],
    ['metadata with a bad key', { ...GOOD, metadata: { 'a b': 1 } }, ['metadata']],
    ['metadata over 4 KB', { ...GOOD, metadata: { big: 'x'.repeat(5_000) } }, ['metadata']],
    ['metadata with too many entries', { ...GOOD, metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])) }, ['metadata']],
    ['an unknown field', { ...GOOD, colour: 'red' }, ['colour']],
    ['several bad fields at once', { service_name: '', host: '', port: -1, weight: 'x' }, ['service_name', 'host', 'port', 'weight']],
  ];
  for (const [label, body, fields] of BAD_REGISTRATIONS) {
    it(`refuses a registration with ${label}, naming ${fields.join(', ')}`, async () => {
      const reply = await first.admin('POST', '/discovery/register', body);
      assertProblem(reply, 400, 'INVALID_REQUEST');
      for (const field of fields) assert.ok(badFields(reply).includes(field), `${field} in ${JSON.stringify(reply.body.errors)}`);
      assert.equal((await db.query(`SELECT id FROM services WHERE name IN ('valid', 'x', 'my service')`)).length, 0, 'nothing was created');
    });
  }

  it('accepts IPv4, IPv6 and host names', async () => {
    for (const [host, url] of [['10.0.0.7', 'http://10.0.0.7:81'], ['::1', 'http://[::1]:81'], ['[fe80::1]', 'http://[fe80::1]:81'], ['Orders-1.Internal', 'http://orders-1.internal:81']]) {
      const reply = await first.admin('POST', '/discovery/register', { service_name: 'hosts', host, port: 81 });
      assert.equal(reply.status, 201, `${host}: ${reply.text}`);
      assert.equal(reply.body.url, url);
    }
    const https = await first.admin('POST', '/discovery/register', { service_name: 'hosts', host: 'secure.internal', port: 443, scheme: 'https' });
    assert.equal(https.body.url, 'https://secure.internal:443');
    assert.equal(https.body.port, 443);
    assert.equal((await first.admin('DELETE', '/admin/services/hosts')).status, 204);
  });
});
