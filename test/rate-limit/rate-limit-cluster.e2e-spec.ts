import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertProblem } from '../helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { eventually, GatewayProcess, type Reply } from '../helpers/gateway.js';
import { RedisServer } from '../helpers/redis-server.js';
import { Upstream } from '../helpers/upstream.js';

/**
 * Three gateway instances sharing one PostgreSQL and one Redis of the test's own (so that it can
 * be stopped without touching the other test files' Redis). Each test uses client addresses of its
 * own (X-Forwarded-For from a trusted proxy), so its counters start empty.
 */
describe('rate limits shared by three instances on one Redis', () => {
  let db: TestDatabase;
  let redis: RedisServer;
  let instances: GatewayProcess[] = [];
  const upstream = new Upstream('fleet');
  const rules: string[] = [];

  const call = (instance: number, ip: string) => instances[instance % instances.length].get('/api/v1/fleet/x', { 'x-forwarded-for': ip });
  const admitted = (replies: Reply[]) => replies.filter((r) => r.status === 200).length;
  /** An ip rule, written through the first instance and waited for on every one (`probe`: an address it holds). */
  async function rule(body: Record<string, unknown>, probe = String(body.match)): Promise<string> {
    const reply = await instances[0].admin('POST', '/admin/rate-limits', { scope: 'ip', ...body });
    assert.equal(reply.status, 201, reply.text);
    rules.push(reply.body.id);
    const inForce = (instance: GatewayProcess) => async () => (await instance.admin('GET', `/admin/rate-limits/ip/${probe}/status`)).body.source?.rule_id === reply.body.id;
    await Promise.all(instances.map((instance) => eventually(inForce(instance), 2_000, 10)));
    return reply.body.id;
  }
  /** `count` requests at once, spread round-robin over the instances. */
  const burst = (count: number, ip: string) => Promise.all(Array.from({ length: count }, (_, i) => call(i, ip)));

  /** Every instance sends one request each `everyMs` until `untilMs` (performance.now()); each reply with when it was sent and when it was most likely decided. */
  async function sustained(ip: string, everyMs: number, untilMs: number): Promise<Array<{ sentAt: number; at: number; reply: Reply }>> {
    const results: Array<{ sentAt: number; at: number; reply: Reply }> = [];
    await Promise.all(
      instances.map(async (_, instance) => {
        let next = performance.now();
        while (performance.now() < untilMs) {
          const sentAt = performance.now();
          const reply = await call(instance, ip);
          results.push({ sentAt, at: (sentAt + performance.now()) / 2, reply });
          next += everyMs;
          const wait = next - performance.now();
          if (wait > 0) await sleep(wait);
        }
      }),
    );
    return results.sort((a, b) => a.sentAt - b.sentAt);
  }

  before(async () => {
    await upstream.start();
    redis = await RedisServer.start();
    db = await createTestDatabase('rl_fleet');
    // A slow answer on a loaded test machine must not count as an outage (a killed Redis fails at once anyway).
    const env = { REDIS_URL: redis.url, TRUSTED_PROXIES: '127.0.0.1', RATE_LIMIT_REDIS_TIMEOUT_MS: '3000' };
    instances = await Promise.all([0, 1, 2].map(() => GatewayProcess.start({ databaseUrl: db.url, env })));
    await instances[0].create([
      ['/admin/services', { name: 'fleet', url: upstream.url }],
      ['/admin/routes', { name: 'fleet', service: 'fleet', paths: ['/api/v1/fleet/*'], auth: { required: false } }],
    ]);
    for (const instance of instances) await eventually(async () => (await instance.get('/api/v1/fleet/x')).status === 200, 2_000);
  });

  afterEach(async () => {
    for (const id of rules.splice(0)) await instances[0].admin('DELETE', `/admin/rate-limits/${id}`);
  });

  after(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await db?.drop();
    await redis?.stop();
    await upstream.stop();
  });

  it('applies a rule written on one instance on the others within a second', async (t) => {
    const reply = await instances[0].admin('POST', '/admin/rate-limits', { scope: 'ip', match: '10.1.0.1', limit: 1000, window_s: 60 });
    rules.push(reply.body.id);
    const took = await eventually(async () => (await call(2, '10.1.0.1')).headers.get('ratelimit-limit') === '1000', 1_000, 10);
    t.diagnostic(`rule in force on the third instance after ${took} ms`);
  });

  for (const algorithm of ['sliding_window', 'token_bucket'] as const) {
    it(`admits exactly L of a 3L burst spread over the instances (${algorithm})`, async () => {
      const L = 30;
      const ip = algorithm === 'sliding_window' ? '10.1.1.1' : '10.1.1.2';
      await rule({ scope: 'ip', match: ip, limit: L, window_s: 60, algorithm, ...(algorithm === 'token_bucket' ? { burst: L } : {}) });
      const replies = await burst(3 * L, ip);
      assert.equal(admitted(replies), L);
      for (const reply of replies.filter((r) => r.status !== 200)) assertProblem(reply, 429, 'RATE_LIMIT');
      assert.equal(admitted(await burst(3, ip)), 0, 'and nothing more on any instance');
    });
  }

  it('never admits more than L in any window span: no double burst across a boundary', async () => {
    const L = 10;
    const windowMs = 2_000;
    await rule({ scope: 'ip', match: '10.1.2.1', limit: L, window_s: windowMs / 1000 });
    const filledAt = performance.now();
    assert.equal(admitted(await burst(L, '10.1.2.1')), L);
    // Wherever a fixed window's boundary would fall, it falls inside these probes.
    const probes: Reply[] = [];
    while (performance.now() - filledAt < windowMs - 250) {
      probes.push(await call(probes.length, '10.1.2.1'));
      await sleep(100);
    }
    assert.ok(probes.length >= 10, `probed ${probes.length} times`);
    assert.equal(admitted(probes), 0, 'nothing admitted while the first L are inside the window');
    await sleep(Math.max(0, filledAt + windowMs + 150 - performance.now()));
    assert.equal(admitted(await burst(2 * L, '10.1.2.1')), L, 'a full window later, L again');
  });

  // Sustained load from a loaded test machine is never perfectly even: the client stalls now and
  // then. So the admissions are compared with what an exact limiter admits of the very requests
  // sent, at the times they reached the gateway (midway between sending and the answer).
  it('admits the configured rate, within 5%, under sustained over-limit load (sliding window)', async (t) => {
    const L = 30;
    const windowMs = 1_000;
    await rule({ scope: 'ip', match: '10.1.3.1', limit: L, window_s: windowMs / 1000 });
    const start = performance.now();
    const results = await sustained('10.1.3.1', 12, start + 4_600);
    const span = (results.at(-1)!.sentAt - results[0].sentAt) / 1000;
    const count = admitted(results.map((r) => r.reply));
    const log: number[] = [];
    let expected = 0;
    for (const at of results.map((r) => r.at).sort((a, b) => a - b)) {
      while (log.length && log[0] <= at - windowMs) log.shift();
      if (log.length < L) {
        log.push(at);
        expected++;
      }
    }
    t.diagnostic(`${results.length} requests over ${span.toFixed(2)} s, ${count} admitted (${(count / span).toFixed(1)}/s at ${L}/s), an exact sliding window admits ${expected}`);
    assert.ok(results.length > 2 * count, 'the load was over the limit');
    assert.ok(Math.abs(count - expected) <= expected * 0.05, `admitted ${count}, expected ${expected} ± 5%`);
    assert.ok(results.every((r) => r.reply.status === 200 || r.reply.status === 429), 'only admissions and refusals');
  });

  it('admits the configured rate, within 5%, under sustained over-limit load (token bucket)', async (t) => {
    const rate = 40;
    const burstSize = 10;
    await rule({ scope: 'ip', match: '10.1.4.1', limit: rate, window_s: 1, algorithm: 'token_bucket', burst: burstSize });
    const start = performance.now();
    const results = await sustained('10.1.4.1', 12, start + 4_000);
    const span = (results.at(-1)!.sentAt - results[0].sentAt) / 1000;
    const count = admitted(results.map((r) => r.reply));
    let tokens = burstSize;
    let last = results[0].at;
    let expected = 0;
    for (const at of results.map((r) => r.at).sort((a, b) => a - b)) {
      tokens = Math.min(burstSize, tokens + ((at - last) * rate) / 1000);
      last = at;
      if (tokens >= 1) {
        tokens -= 1;
        expected++;
      }
    }
    t.diagnostic(`${results.length} requests over ${span.toFixed(2)} s, ${count} admitted (${((count - burstSize) / span).toFixed(1)}/s after the burst, at ${rate}/s), an exact token bucket admits ${expected}`);
    assert.ok(results.length > 2 * count, 'the load was over the limit');
    assert.ok(Math.abs(count - expected) <= expected * 0.05, `admitted ${count}, expected ${expected} ± 5%`);
  });

  it('keeps serving on per-instance limits while Redis is down, and shares them again once it is back', async (t) => {
    const L = 5;
    await rule({ scope: 'ip', match: '10.1.5.0/24', limit: L, window_s: 60 }, '10.1.5.9');
    assert.equal(admitted(await burst(3 * L, '10.1.5.1')), L, 'shared while Redis is up');

    await redis.stop();
    const during = await burst(3 * (L + 1), '10.1.5.2');
    assert.deepEqual([...new Set(during.map((r) => r.status))].sort(), [200, 429], 'no errors, only admissions and refusals');
    assert.equal(admitted(during), 3 * L, 'each instance holds the limit on its own');
    for (const instance of instances) {
      const metrics = await instance.get('/metrics');
      assert.match(metrics.text, /gateway_rate_limit_store_degraded 1/);
      assert.match(metrics.text, /gateway_rate_limit_local_decisions_total [1-9]/);
      const told = instance.logs().filter((line) => line.context === 'RateLimit' && /unavailable/.test(String(line.msg)));
      assert.equal(told.length, 1, `the outage is logged once per instance: ${JSON.stringify(instance.logs().filter((l) => l.context === 'RateLimit'))}`);
    }
    assert.equal((await instances[0].admin('GET', '/admin/rate-limits/ip/10.1.5.2/status')).body.store, 'memory');

    await redis.restart();
    const took = await eventually(async () => (await instances[0].admin('GET', '/admin/rate-limits/ip/10.1.5.3/status')).body.store === 'redis', 10_000, 50);
    await Promise.all(instances.map((instance) => eventually(async () => (await instance.admin('GET', '/admin/rate-limits/ip/10.1.5.3/status')).body.store === 'redis', 10_000, 50)));
    t.diagnostic(`shared counters back ${took} ms after Redis restarted`);
    assert.equal(admitted(await burst(3 * L, '10.1.5.3')), L, 'shared again, without a restart');
    for (const instance of instances) assert.match((await instance.get('/metrics')).text, /gateway_rate_limit_store_degraded 0/);
  });

  it('refuses with 503 while Redis is down when RATE_LIMIT_FAIL_MODE=closed', async () => {
    const strict = await GatewayProcess.start({ databaseUrl: db.url, env: { REDIS_URL: redis.url, TRUSTED_PROXIES: '127.0.0.1', RATE_LIMIT_FAIL_MODE: 'closed', RATE_LIMIT_REDIS_TIMEOUT_MS: '3000' } });
    try {
      const id = (await instances[0].admin('POST', '/admin/rate-limits', { scope: 'ip', match: '10.1.6.1', limit: 100, window_s: 60 })).body.id;
      rules.push(id);
      await eventually(async () => (await strict.get('/api/v1/fleet/x', { 'x-forwarded-for': '10.1.6.1' })).headers.get('ratelimit-limit') === '100', 2_000);
      await redis.stop();
      const refused = await strict.get('/api/v1/fleet/x', { 'x-forwarded-for': '10.1.6.1' });
      assertProblem(refused, 503, 'SERVICE_UNAVAILABLE');
      assert.equal(refused.headers.get('retry-after'), '1');
      assert.equal((await strict.get('/api/v1/fleet/x', { 'x-forwarded-for': '10.1.7.1' })).status, 200, 'requests no limit applies to still pass');
      await redis.restart();
      await eventually(async () => (await strict.get('/api/v1/fleet/x', { 'x-forwarded-for': '10.1.6.1' })).status === 200, 10_000, 50);
    } finally {
      await strict.stop();
    }
  });
});
