import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { assertProblem } from '../helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { GatewayProcess, type Reply } from '../helpers/gateway.js';
import { dropRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/redis.js';
import { Upstream } from '../helpers/upstream.js';

describe('rate-limit scopes on the data plane (Redis store)', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const upstream = new Upstream('scoped');
  const prefix = uniqueRedisPrefix('rl_scopes');
  const keys: Record<string, { id: string; key: string }> = {};
  const rules: string[] = [];

  const call = (path: string, ip: string, headers: Record<string, string> = {}) => gateway.get(path, { 'x-forwarded-for': ip, ...headers });
  const withKey = (name: string, ip = '10.9.9.9', path = '/api/v1/keyed/x') => call(path, ip, { 'x-api-key': keys[name].key });
  async function rule(body: Record<string, unknown>): Promise<void> {
    const reply = await gateway.admin('POST', '/admin/rate-limits', { window_s: 60, ...body });
    assert.equal(reply.status, 201, reply.text);
    rules.push(reply.body.id);
  }
  const statuses = (replies: Reply[]) => replies.map((r) => r.status);
  async function times(n: number, send: () => Promise<Reply>): Promise<Reply[]> {
    const replies: Reply[] = [];
    for (let i = 0; i < n; i++) replies.push(await send());
    return replies;
  }

  before(async () => {
    await upstream.start();
    db = await createTestDatabase('rl_scopes');
    gateway = await GatewayProcess.start({ databaseUrl: db.url, env: { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, TRUSTED_PROXIES: '127.0.0.1', RATE_LIMIT_REDIS_TIMEOUT_MS: '3000' } });
    await gateway.create([
      ['/admin/services', { name: 'scoped', url: upstream.url }],
      ['/admin/routes', { name: 'open', service: 'scoped', paths: ['/api/v1/open/*'], auth: { required: false } }],
      ['/admin/routes', { name: 'keyed', service: 'scoped', paths: ['/api/v1/keyed/*'], auth: { methods: ['api_key'] } }],
      ['/admin/routes', { name: 'other', service: 'scoped', paths: ['/api/v1/other/*'], auth: { methods: ['api_key'] } }],
      ['/admin/consumers', { username: 'alice' }],
      ['/admin/consumers', { username: 'bob' }],
    ]);
    for (const [name, consumer] of [['alice1', 'alice'], ['alice2', 'alice'], ['bob', 'bob']]) {
      const reply = await gateway.admin('POST', `/admin/consumers/${consumer}/keys`, { name });
      assert.equal(reply.status, 201, reply.text);
      keys[name] = { id: reply.body.id, key: reply.body.key };
    }
  });

  afterEach(async () => {
    for (const id of rules.splice(0)) await gateway.admin('DELETE', `/admin/rate-limits/${id}`);
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
    await upstream.stop();
    await dropRedisPrefix(prefix);
  });

  it('sends no RateLimit headers where no limit applies', async () => {
    const reply = await call('/api/v1/open/x', '10.0.0.1');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('ratelimit-limit'), null);
  });

  it('refuses past the limit with a 429 problem the upstream never sees', async () => {
    await rule({ scope: 'ip', limit: 3 });
    const before = upstream.requests.length;
    const replies = await times(4, () => call('/api/v1/open/x', '10.0.1.1'));
    assert.deepEqual(statuses(replies), [200, 200, 200, 429]);
    assert.deepEqual(replies.map((r) => r.headers.get('ratelimit-remaining')), ['2', '1', '0', '0']);
    const reset = Number(replies[0].headers.get('ratelimit-reset'));
    assert.ok(reset >= 59 && reset <= 60, `RateLimit-Reset ${reset}`);
    assertProblem(replies[3], 429, 'RATE_LIMIT');
    assert.deepEqual([replies[3].body.scope, replies[3].body.limit, replies[3].body.window_s], ['ip', 3, 60]);
    assert.equal(upstream.requests.length - before, 3, 'the refused request never reached the upstream');
    assert.equal((await call('/api/v1/open/x', '10.0.1.2')).status, 200, 'each address counts alone');
  });

  it('counts a consumer across its keys and routes, by username', async () => {
    await rule({ scope: 'consumer', match: 'alice', limit: 2 });
    assert.deepEqual(statuses([await withKey('alice1'), await withKey('alice2', '10.9.9.8', '/api/v1/other/y')]), [200, 200]);
    const refused = await withKey('alice2');
    assertProblem(refused, 429, 'RATE_LIMIT');
    assert.equal(refused.body.scope, 'consumer');
    assert.equal((await withKey('bob')).headers.get('ratelimit-limit'), null, 'no rule holds bob');
  });

  it('counts one API key apart from the consumer\'s other keys', async () => {
    await rule({ scope: 'api_key', match: keys.alice1.id, limit: 1 });
    assert.equal((await withKey('alice1')).status, 200);
    assert.equal((await withKey('alice1')).body.scope, 'api_key');
    assert.equal((await withKey('alice2')).status, 200);
  });

  it('holds a route in total, and each caller on a route', async () => {
    await rule({ scope: 'route', match: 'open', limit: 2 });
    await rule({ scope: 'route_consumer', match: 'keyed:*', limit: 1 });
    assert.deepEqual(statuses([await call('/api/v1/open/a', '10.0.2.1'), await call('/api/v1/open/b', '10.0.2.2'), await call('/api/v1/open/c', '10.0.2.3')]), [200, 200, 429]);
    assert.deepEqual(statuses([await withKey('alice1'), await withKey('bob'), await withKey('bob')]), [200, 200, 429]);
    assert.equal((await withKey('bob', '10.9.9.9', '/api/v1/other/x')).status, 200, 'the same caller on another route is not held');
  });

  it('counts failed authentications against the IP: guessing keys ends in 429', async () => {
    await rule({ scope: 'ip', limit: 3 });
    const bad = await times(3, () => call('/api/v1/keyed/x', '10.0.3.1', { 'x-api-key': 'not-a-real-key' }));
    assert.deepEqual(statuses(bad), [401, 401, 401]);
    assert.equal(bad[2].headers.get('ratelimit-remaining'), '0');
    const guessing = await call('/api/v1/keyed/x', '10.0.3.1', { 'x-api-key': 'still-not-a-key' });
    assertProblem(guessing, 429, 'RATE_LIMIT');
    assert.equal((await withKey('bob', '10.0.3.1')).status, 429, 'the address is held, whatever it sends');
    assert.equal((await withKey('bob', '10.0.3.2')).status, 200);
  });

  it('takes nothing from any counter when one of them refuses', async () => {
    await rule({ scope: 'global', limit: 4 });
    await rule({ scope: 'ip', match: '10.0.4.1', limit: 1 });
    assert.deepEqual(statuses(await times(4, () => call('/api/v1/open/x', '10.0.4.1'))), [200, 429, 429, 429]);
    // Had the refused requests taken from the global counter, it would be used up already.
    assert.deepEqual(statuses([await call('/api/v1/open/x', '10.0.4.2'), await call('/api/v1/open/x', '10.0.4.3'), await call('/api/v1/open/x', '10.0.4.4')]), [200, 200, 200]);
    const global = await call('/api/v1/open/x', '10.0.4.5');
    assertProblem(global, 429, 'RATE_LIMIT');
    assert.equal(global.body.scope, 'global');
  });

  it('reports the tightest counter and applies a changed rule at once', async () => {
    await rule({ scope: 'global', limit: 1000 });
    await rule({ scope: 'ip', match: '10.0.5.1', limit: 2 });
    const first = await call('/api/v1/open/x', '10.0.5.1');
    assert.deepEqual([first.headers.get('ratelimit-limit'), first.headers.get('ratelimit-remaining')], ['2', '1']);
    await call('/api/v1/open/x', '10.0.5.1');
    assert.equal((await call('/api/v1/open/x', '10.0.5.1')).status, 429);
    assert.equal((await gateway.admin('PATCH', `/admin/rate-limits/${rules[1]}`, { limit: 5 })).status, 200);
    const raised = await call('/api/v1/open/x', '10.0.5.1');
    assert.equal(raised.status, 200, 'the same counter, held to the new limit');
    assert.deepEqual([raised.headers.get('ratelimit-limit'), raised.headers.get('ratelimit-remaining')], ['5', '2']);
    const status = await gateway.admin('GET', '/admin/rate-limits/ip/10.0.5.1/status');
    assert.deepEqual([status.body.remaining, status.body.store, status.body.source.rule_id], [2, 'redis', rules[1]]);
  });

  it('lets a token bucket take its burst at once, then refill at its rate', async () => {
    await rule({ scope: 'ip', match: '10.0.6.1', algorithm: 'token_bucket', limit: 2, window_s: 1, burst: 5 });
    const burst = await Promise.all(Array.from({ length: 8 }, () => call('/api/v1/open/x', '10.0.6.1')));
    // Two tokens a second: the few milliseconds the burst takes refill less than one.
    assert.equal(burst.filter((r) => r.status === 200).length, 5, 'the burst, and no more');
    const refused = burst.find((r) => r.status === 429)!;
    assert.equal(refused.headers.get('retry-after'), '1', 'the next token comes within the second');
    const emptied = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const refilled = await Promise.all(Array.from({ length: 8 }, () => call('/api/v1/open/x', '10.0.6.1')));
    const waited = performance.now() - emptied;
    const admitted = refilled.filter((r) => r.status === 200).length;
    // What 2 tokens a second give over the time measured (the bounds allow for when the bucket was read).
    const expected = Math.min(5, Math.floor((2 * waited) / 1000));
    assert.ok(admitted >= 2 && admitted <= expected + 1, `admitted ${admitted} after ${Math.round(waited)} ms at 2 per second`);
  });
});
