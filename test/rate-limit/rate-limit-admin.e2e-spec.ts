import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertProblem, badFields } from '../helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { GatewayProcess } from '../helpers/gateway.js';
import { Upstream } from '../helpers/upstream.js';

const RULE = { scope: 'ip', match: '*', limit: 10, window_s: 60 };

describe('rate-limit rules through the admin API, on the in-process store (no REDIS_URL)', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const upstream = new Upstream('limited');
  const from = (ip: string, path = '/api/v1/open/x', headers: Record<string, string> = {}) => gateway.get(path, { 'x-forwarded-for': ip, ...headers });

  before(async () => {
    await upstream.start();
    db = await createTestDatabase('rl_admin');
    gateway = await GatewayProcess.start({
      databaseUrl: db.url,
      // USER_RATE_LIMIT applies to authenticated callers only; the open route's callers are held by IP_RATE_LIMIT.
      env: { TRUSTED_PROXIES: '127.0.0.1', IP_RATE_LIMIT: '3/1m', USER_RATE_LIMIT: '1000/1s', AUTH_ENDPOINT_RATE_LIMIT: '3/1m' },
    });
    await gateway.create([
      ['/admin/services', { name: 'limited', url: upstream.url }],
      ['/admin/routes', { name: 'open', service: 'limited', paths: ['/api/v1/open/*'], auth: { required: false } }],
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
    await upstream.stop();
  });

  it('holds every client IP to IP_RATE_LIMIT without any rule, in process', async () => {
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await from('192.0.2.1'));
    assert.deepEqual(replies.map((r) => r.status), [200, 200, 200, 429]);
    assert.deepEqual(replies.slice(0, 3).map((r) => r.headers.get('ratelimit-remaining')), ['2', '1', '0']);
    assert.equal(replies[0].headers.get('ratelimit-limit'), '3');
    assert.equal(replies[0].headers.get('ratelimit-policy'), '3;w=60');
    assertProblem(replies[3], 429, 'RATE_LIMIT');
    assert.equal(replies[3].body.scope, 'ip');
    const retryAfter = Number(replies[3].headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(replies[3].body.retry_after_seconds, retryAfter);
    assert.equal((await from('192.0.2.2')).status, 200, 'another address has a counter of its own');
  });

  it('lets a stored * rule replace the environment default, and a narrower rule win over it', async () => {
    const wide = await gateway.admin('POST', '/admin/rate-limits', { ...RULE, limit: 50 });
    assert.equal(wide.status, 201, wide.text);
    const cidr = await gateway.admin('POST', '/admin/rate-limits', { scope: 'ip', match: '198.51.100.0/24', limit: 7, window_s: 10 });
    assert.equal(cidr.status, 201, cidr.text);
    const own = await gateway.admin('POST', '/admin/rate-limits', { scope: 'ip', match: '198.51.100.9', limit: 2, window_s: 10, algorithm: 'token_bucket', burst: 4 });
    assert.equal(own.status, 201, own.text);
    assert.equal((await from('203.0.113.5')).headers.get('ratelimit-limit'), '50');
    assert.equal((await from('198.51.100.1')).headers.get('ratelimit-limit'), '7');
    const bucket = await from('198.51.100.9');
    assert.equal(bucket.headers.get('ratelimit-limit'), '2');
    assert.equal(bucket.headers.get('ratelimit-policy'), '2;w=10;burst=4');
    assert.equal(bucket.headers.get('ratelimit-remaining'), '3', 'a token bucket starts full (burst 4) and this request took one');

    const status = await gateway.admin('GET', '/admin/rate-limits/ip/198.51.100.9/status');
    assert.equal(status.status, 200, status.text);
    assert.equal(status.body.source.kind, 'rule');
    assert.equal(status.body.source.rule_id, own.body.id);
    assert.equal(status.body.algorithm, 'token_bucket');
    assert.equal(status.body.burst, 4);
    assert.equal(status.body.store, 'memory');
    assert.ok(status.body.remaining >= 3 && status.body.remaining <= 4, `remaining ${status.body.remaining}`);
    const again = await gateway.admin('GET', '/admin/rate-limits/ip/198.51.100.9/status');
    assert.ok(again.body.remaining >= status.body.remaining, 'reading the status takes nothing');

    for (const rule of [wide, cidr, own]) assert.equal((await gateway.admin('DELETE', `/admin/rate-limits/${rule.body.id}`)).status, 204);
    const fallback = await gateway.admin('GET', '/admin/rate-limits/ip/203.0.113.5/status');
    assert.equal(fallback.body.source.kind, 'env', 'with the rule gone, IP_RATE_LIMIT holds again');
    assert.equal(fallback.body.limit, 3);
  });

  it('refuses bad rules, naming each bad field', async () => {
    const cases: Array<[string, Record<string, unknown>, string[]]> = [
      ['unknown scope', { ...RULE, scope: 'planet' }, ['scope']],
      ['global with a match', { ...RULE, scope: 'global', match: 'x' }, ['match']],
      ['ip match not an address', { ...RULE, match: '10.0.0.0/99' }, ['match']],
      ['api key match not a UUID', { ...RULE, scope: 'api_key', match: 'key-1' }, ['match']],
      ['route_consumer without a colon', { ...RULE, scope: 'route_consumer', match: 'open' }, ['match']],
      ['route that does not exist', { ...RULE, scope: 'route', match: 'nowhere' }, ['match']],
      ['zero limit', { ...RULE, limit: 0 }, ['limit']],
      ['fractional limit', { ...RULE, limit: 1.5 }, ['limit']],
      ['window too short', { ...RULE, window_s: 0.01 }, ['window_s']],
      ['window as text', { ...RULE, window_s: '60' }, ['window_s']],
      ['burst on a sliding window', { ...RULE, burst: 5 }, ['burst']],
      ['sliding window too large to log', { ...RULE, limit: 200_000 }, ['limit']],
      ['unknown algorithm', { ...RULE, algorithm: 'leaky' }, ['algorithm']],
      ['unknown field', { ...RULE, per: 'minute' }, ['per']],
      ['missing limit', { scope: 'ip', window_s: 1 }, ['limit']],
    ];
    for (const [name, body, fields] of cases) {
      const reply = await gateway.admin('POST', '/admin/rate-limits', body);
      assertProblem(reply, 400, 'INVALID_REQUEST');
      for (const field of fields) assert.ok(badFields(reply).includes(field), `${name}: expected ${field} in ${JSON.stringify(badFields(reply))}`);
    }
    assert.equal((await gateway.admin('GET', '/admin/rate-limits')).body.total, 0, 'nothing was stored');
  });

  it('creates, lists, changes, replaces and deletes a rule; one rule per scope and match', async () => {
    const created = await gateway.admin('POST', '/admin/rate-limits', { scope: 'route_consumer', match: 'open:billing-app', limit: 5, window_s: 1.5, tags: ['gold'] });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.algorithm, 'sliding_window');
    assert.equal(created.body.enabled, true);
    assert.equal(created.body.window_s, 1.5);
    assertProblem(await gateway.admin('POST', '/admin/rate-limits', { scope: 'route_consumer', match: 'open:billing-app', limit: 9, window_s: 1 }), 409, 'CONFLICT');
    const other = await gateway.admin('POST', '/admin/rate-limits', { scope: 'ip', match: '2001:DB8::1', limit: 5, window_s: 1 });
    assert.equal(other.body.match, '2001:db8::1', 'addresses are stored in their canonical form');

    const byTag = await gateway.admin('GET', '/admin/rate-limits?tag=gold');
    assert.deepEqual(byTag.body.data.map((r: { id: string }) => r.id), [created.body.id]);
    const byScope = await gateway.admin('GET', '/admin/rate-limits?scope=ip');
    assert.deepEqual(byScope.body.data.map((r: { id: string }) => r.id), [other.body.id]);
    assertProblem(await gateway.admin('GET', '/admin/rate-limits?scope=moon'), 400, 'INVALID_REQUEST');

    const patched = await gateway.admin('PATCH', `/admin/rate-limits/${created.body.id}`, { algorithm: 'token_bucket', burst: 20 });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.burst, 20);
    assert.equal(patched.body.limit, 5, 'fields left out of a PATCH stay');
    assertProblem(await gateway.admin('PATCH', `/admin/rate-limits/${created.body.id}`, { algorithm: 'sliding_window' }), 400, 'INVALID_REQUEST');
    assertProblem(await gateway.admin('PATCH', `/admin/rate-limits/${created.body.id}`, { scope: 'ip', match: '2001:db8::1' }), 409, 'CONFLICT');

    const replaced = await gateway.admin('PUT', `/admin/rate-limits/${created.body.id}`, { scope: 'consumer', limit: 8, window_s: 2 });
    assert.equal(replaced.status, 200, replaced.text);
    assert.deepEqual([replaced.body.scope, replaced.body.match, replaced.body.burst, replaced.body.algorithm, replaced.body.tags], ['consumer', '*', null, 'sliding_window', []]);

    assertProblem(await gateway.admin('GET', '/admin/rate-limits/4d7d9a4e-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
    assertProblem(await gateway.admin('GET', '/admin/rate-limits/not-a-uuid'), 404, 'NOT_FOUND');
    for (const id of [created.body.id, other.body.id]) assert.equal((await gateway.admin('DELETE', `/admin/rate-limits/${id}`)).status, 204);
    assertProblem(await gateway.admin('DELETE', `/admin/rate-limits/${created.body.id}`), 404, 'NOT_FOUND');

    const audit = await gateway.admin('GET', '/admin/audit-log?entity_type=rate_limit');
    assert.equal(audit.status, 200, audit.text);
    assert.ok(audit.body.data.length >= 6, `every change is in the audit log (${audit.body.data.length})`);
  });

  it('answers the status endpoint for each kind of value, and refuses bad ones', async () => {
    assertProblem(await gateway.admin('GET', '/admin/rate-limits/planet/x/status'), 400, 'INVALID_REQUEST');
    assertProblem(await gateway.admin('GET', '/admin/rate-limits/ip/not-an-ip/status'), 400, 'INVALID_REQUEST');
    assertProblem(await gateway.admin('GET', '/admin/rate-limits/route/open/status'), 404, 'NOT_FOUND');
    const user = await gateway.admin('GET', '/admin/rate-limits/consumer/someone/status');
    assert.equal(user.status, 200, user.text);
    assert.deepEqual([user.body.source.kind, user.body.limit, user.body.window_s, user.body.remaining], ['env', 1000, 1, 1000]);
    assertProblem(await gateway.fetch('/admin/rate-limits', { headers: {} }), 401, 'AUTH_ERROR');
  });

  it("validates a route's own rate_limits and shows them", async () => {
    const bad: Array<[unknown, string]> = [
      [[{ scope: 'global', limit: 1, window_s: 1 }], 'rate_limits[0].scope'],
      [[{ scope: 'ip', limit: 1, window_s: 1 }, { scope: 'ip', limit: 2, window_s: 1 }], 'rate_limits'],
      [[{ scope: 'route', limit: 1, window_s: 1 }, { scope: 'ip', limit: 1, window_s: 1, burst: 3 }], 'rate_limits[1].burst'],
      ['ip', 'rate_limits'],
    ];
    for (const [rateLimits, field] of bad) {
      const reply = await gateway.admin('POST', '/admin/routes', { name: 'bad-limits', service: 'limited', paths: ['/api/v1/bad/*'], rate_limits: rateLimits });
      assertProblem(reply, 400, 'INVALID_REQUEST');
      assert.ok(badFields(reply).some((f) => f.startsWith(field)), `expected ${field} in ${JSON.stringify(badFields(reply))}`);
    }
    const created = await gateway.admin('POST', '/admin/routes', {
      name: 'login', service: 'limited', paths: ['/api/v1/login/*'], auth: { required: false },
      rate_limits: [{ scope: 'route', limit: 100, window_s: 1 }, { scope: 'ip', limit: 1, window_s: 60 }],
    });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.body.rate_limits.map((l: { scope: string }) => l.scope), ['ip', 'route'], 'kept in scope order, defaults filled in');
    assert.equal(created.body.rate_limits[0].algorithm, 'sliding_window');
    // The route's own ip limit replaces IP_RATE_LIMIT here, on a counter of its own.
    assert.equal((await from('192.0.2.77', '/api/v1/login/a')).status, 200);
    const refused = await from('192.0.2.77', '/api/v1/login/a');
    assertProblem(refused, 429, 'RATE_LIMIT');
    assert.equal(refused.body.scope, 'ip');
    assert.equal((await from('192.0.2.77')).headers.get('ratelimit-remaining'), '2', 'the gateway-wide IP counter was not touched by the login route');
    const cleared = await gateway.admin('PATCH', '/admin/routes/login', { rate_limits: [] });
    assert.deepEqual(cleared.body.rate_limits, []);
    assert.equal((await from('192.0.2.77', '/api/v1/login/a')).headers.get('ratelimit-limit'), '3', 'without its own limit the route is held by IP_RATE_LIMIT');
  });

  it('holds each address to AUTH_ENDPOINT_RATE_LIMIT on the token endpoint (@nestjs/throttler on the same store)', async () => {
    const guess = (ip: string) =>
      gateway.fetch('/api/v1/auth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'guess' }),
      });
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await guess('192.0.2.200'));
    assert.deepEqual(replies.map((r) => r.status), [401, 401, 401, 429]);
    assertProblem(replies[3], 429, 'RATE_LIMIT');
    assert.equal(replies[3].body.scope, 'ip');
    const retryAfter = Number(replies[3].headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal((await guess('192.0.2.201')).status, 401, 'another address is not held');
  });

  it('documents the rate-limit API in Swagger', async () => {
    const doc = await gateway.get('/docs-json');
    for (const path of ['/admin/rate-limits', '/admin/rate-limits/{id}', '/admin/rate-limits/{scope}/{value}/status']) assert.ok(doc.body.paths[path], `${path} documented`);
    assert.ok(doc.body.components.schemas.RouteRateLimitDto, 'route overrides documented');
  });
});
