import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertProblem } from './helpers/assertions.js';
import { closedPort } from './helpers/ports.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { eventually, GatewayProcess } from './helpers/gateway.js';
import { runConcurrently } from './helpers/load.js';
import { Upstream } from './helpers/upstream.js';

const INTERVAL_MS = 1_000;
const ACTIVE = { path: '/health', interval_s: INTERVAL_MS / 1_000, timeout_ms: 300, healthy_threshold: 3, unhealthy_threshold: 1 };

describe('health checks', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const steady = new Upstream('steady');
  const flaky = new Upstream('flaky');
  const lone = new Upstream('lone');
  const failing = new Upstream('failing');
  const upstreams = [steady, flaky, lone, failing];
  let deadPort: number;

  const health = async (service: string) => {
    const reply = await gateway.admin('GET', `/admin/services/${service}/health`);
    assert.equal(reply.status, 200, reply.text);
    return reply.body;
  };
  const targetHealth = async (service: string, url: string) => (await health(service)).targets.find((t: { url: string }) => t.url === url);

  before(async () => {
    for (const upstream of upstreams) await upstream.start();
    deadPort = await closedPort();
    db = await createTestDatabase('health');
    gateway = await GatewayProcess.start({ databaseUrl: db.url });
    await gateway.create([
      ['/admin/services', { name: 'checked', targets: [{ url: steady.url }, { url: flaky.url }], retries: 0, health_check: ACTIVE }],
      ['/admin/services', { name: 'lone', url: lone.url, health_check: { ...ACTIVE, healthy_threshold: 1 } }],
      [
        '/admin/services',
        {
          name: 'passive',
          targets: [{ url: `http://127.0.0.1:${deadPort}` }, { url: steady.url }],
          retries: 0,
          passive_health_check: { unhealthy_threshold: 2, cooldown_s: 2 },
        },
      ],
      [
        '/admin/services',
        {
          name: 'passive-5xx',
          targets: [{ url: `${failing.url}/status/500` }, { url: `${steady.url}/ok` }],
          retries: 0,
          passive_health_check: { unhealthy_threshold: 3, cooldown_s: 60 },
        },
      ],
      ['/admin/routes', { auth: { required: false }, name: 'checked', service: 'checked', paths: ['/api/v1/checked/*'] }],
      ['/admin/routes', { auth: { required: false }, name: 'lone', service: 'lone', paths: ['/api/v1/lone/*'] }],
      ['/admin/routes', { auth: { required: false }, name: 'passive', service: 'passive', paths: ['/api/v1/passive/*'] }],
      ['/admin/routes', { auth: { required: false }, name: 'passive-5xx', service: 'passive-5xx', paths: ['/api/v1/passive-5xx'], strip_prefix: true }],
    ]);
    // Every checked target has been checked at least once.
    await eventually(async () => (await health('checked')).targets.every((t: { last_check_at: string | null }) => t.last_check_at !== null), 10_000, 50);
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
    for (const upstream of upstreams) await upstream.stop();
  });

  beforeEach(() => {
    for (const upstream of upstreams) upstream.reset();
    for (const upstream of upstreams) upstream.healthStatus = 200;
  });

  it('checks every target on its interval, reporting state, last check, latency and no error', async () => {
    const view = await health('checked');
    assert.equal(view.name, 'checked');
    assert.equal(view.status, 'up');
    assert.equal(view.healthy_targets, 2);
    for (const target of view.targets) {
      assert.equal(target.status, 'healthy');
      assert.equal(target.reason, null);
      assert.equal(target.active_checks, true);
      assert.equal(target.last_check_status, 200);
      assert.equal(typeof target.last_check_latency_ms, 'number');
      assert.equal(target.last_error, null);
    }
    await eventually(() => flaky.checks.length >= 2, 5_000, 20);
    const check = flaky.checks[0];
    assert.equal(check.method, 'GET');
    assert.equal(check.url, '/health');
    assert.equal(check.headers.host, `127.0.0.1:${flaky.port}`);
  });

  it('a killed target leaves rotation within one check interval, and returns after healthy_threshold good checks', async (t) => {
    await flaky.stop();
    const killedAt = Date.now();
    await eventually(async () => (await targetHealth('checked', flaky.url)).status === 'unhealthy', 5_000, 20);
    const seenMs = Date.now() - killedAt;
    const down = await targetHealth('checked', flaky.url);
    assert.equal(down.reason, 'active_check');
    assert.equal(down.last_error, 'ECONNREFUSED');
    // When the gateway itself took it out: the end of the check that failed (same machine, same clock).
    const decidedMs = Date.parse(down.last_check_at) + down.last_check_latency_ms - killedAt;
    t.diagnostic(`out of rotation ${decidedMs.toFixed(0)} ms after the kill by the gateway's clock, seen here after ${seenMs} ms (interval ${INTERVAL_MS} ms)`);
    // One interval, plus what a loaded machine adds to a timer; this test's polling adds more.
    assert.ok(decidedMs <= INTERVAL_MS + 200, `decided after ${decidedMs} ms`);
    assert.ok(seenMs <= INTERVAL_MS + 1_000, `seen after ${seenMs} ms`);
    assert.equal((await health('checked')).status, 'degraded');

    // Out of rotation: every request goes to the other target at the first attempt.
    for (let i = 0; i < 10; i++) {
      const reply = await gateway.fetch('/api/v1/checked/x', { headers: { 'x-request-id': `rotation-${i}` } });
      assert.equal(reply.status, 200);
      assert.equal(reply.body.upstream, 'steady');
    }
    await eventually(() => gateway.logs().filter((line) => String(line.req_id).startsWith('rotation-')).length === 10, 2_000, 20);
    assert.ok(gateway.logs().filter((line) => String(line.req_id).startsWith('rotation-')).every((line) => line.attempts === 1 && line.target === steady.url));

    flaky.checks.length = 0;
    await flaky.restart();
    const restartedAt = Date.now();
    let healthyAfterChecks = 0;
    let earliestHealthy = Infinity;
    const tooEarly: number[] = [];
    await eventually(async () => {
      const seen = flaky.checks.length;
      const state = await targetHealth('checked', flaky.url);
      if (state.status !== 'healthy') return false;
      // `seen` was read before the state: the checks that made it healthy had all arrived by then or just after.
      if (seen < ACTIVE.healthy_threshold - 1) tooEarly.push(seen);
      healthyAfterChecks = flaky.checks.length;
      earliestHealthy = Date.now() - restartedAt;
      return true;
    }, 10_000, 20);
    assert.deepEqual(tooEarly, [], 'healthy before healthy_threshold checks');
    t.diagnostic(`back after ${healthyAfterChecks} good checks, ${earliestHealthy} ms after the restart`);
    assert.ok(healthyAfterChecks >= ACTIVE.healthy_threshold, `healthy after only ${healthyAfterChecks} checks`);
    assert.ok(earliestHealthy >= (ACTIVE.healthy_threshold - 1) * INTERVAL_MS - 100, `back ${earliestHealthy} ms after the restart: sooner than the checks could run`);
    const replies = await runConcurrently(20, 4, async () => (await gateway.fetch('/api/v1/checked/x')).body.upstream);
    assert.ok(replies.includes('flaky'), 'traffic returns to it');

    const transitions = gateway.logs().filter((line) => line.target === flaky.url && typeof line.healthy === 'boolean');
    assert.deepEqual(transitions.map((line) => [line.msg, line.reason]), [
      ['target out of rotation', 'active_check'],
      ['target back in rotation', null],
    ]);
  });

  it('an error status or a slow answer fails a check, each named', async () => {
    flaky.healthStatus = 503;
    await eventually(async () => (await targetHealth('checked', flaky.url)).status === 'unhealthy', 5_000, 20);
    const byStatus = await targetHealth('checked', flaky.url);
    assert.equal(byStatus.last_error, 'status 503');
    assert.equal(byStatus.last_check_status, 503);
    flaky.healthStatus = 200;
    flaky.healthDelayMs = 1_000;
    try {
      await eventually(async () => (await targetHealth('checked', flaky.url)).last_error === `timeout after ${ACTIVE.timeout_ms} ms`, 5_000, 20);
    } finally {
      flaky.healthDelayMs = 0;
    }
    await eventually(async () => (await targetHealth('checked', flaky.url)).status === 'healthy', 10_000, 50);
  });

  it('answers 503 SERVICE_UNAVAILABLE, without trying, when no target is healthy', async () => {
    await lone.stop();
    try {
      await eventually(async () => (await health('lone')).status === 'down', 5_000, 20);
      const reply = await gateway.fetch('/api/v1/lone/x');
      assertProblem(reply, 503, 'SERVICE_UNAVAILABLE');
      assert.match(reply.body.detail, /no healthy target/);
    } finally {
      await lone.restart();
    }
    await eventually(async () => (await gateway.fetch('/api/v1/lone/x')).status === 200, 5_000, 50);
    assert.ok(lone.requests.length >= 1);
  });

  it('passive: consecutive connect errors take a target out for cooldown_s, then it is tried again', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await gateway.fetch('/api/v1/passive/x')).status);
    assert.equal(statuses.filter((s) => s === 502).length, 2, `statuses ${statuses.join(',')}`);
    assert.deepEqual(statuses.slice(-8), Array(8).fill(200), 'out of rotation after the second failure');
    const dead = await targetHealth('passive', `http://127.0.0.1:${deadPort}`);
    assert.equal(dead.status, 'unhealthy');
    assert.equal(dead.reason, 'passive');
    assert.ok(Date.parse(dead.ejected_until) > Date.now());
    await eventually(async () => (await targetHealth('passive', `http://127.0.0.1:${deadPort}`)).status === 'healthy', 5_000, 50);
    const again: number[] = [];
    for (let i = 0; i < 4; i++) again.push((await gateway.fetch('/api/v1/passive/x')).status);
    assert.ok(again.includes(502), 'after the cooldown it gets traffic (and fails) again');
  });

  it('passive: consecutive 5xx answers take a target out too', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) statuses.push((await gateway.fetch('/api/v1/passive-5xx')).status);
    assert.equal(statuses.filter((s) => s === 500).length, 3, `statuses ${statuses.join(',')}`);
    assert.equal(failing.requests.length, 3);
    assert.equal((await targetHealth('passive-5xx', `${failing.url}/status/500`)).reason, 'passive');
  });

  it('GET /health/services reports every service with its targets and circuit, and needs the admin key', async () => {
    assertProblem(await gateway.get('/health/services'), 401, 'AUTH_ERROR');
    const reply = await gateway.admin('GET', '/health/services');
    assert.equal(reply.status, 200);
    const names = reply.body.services.map((s: { name: string }) => s.name).sort();
    assert.deepEqual(names, ['checked', 'lone', 'passive', 'passive-5xx']);
    const checked = reply.body.services.find((s: { name: string }) => s.name === 'checked');
    assert.equal(checked.circuit, null);
    assert.deepEqual(checked.targets.map((t: { url: string }) => t.url).sort(), [steady.url, flaky.url].sort());
    assert.ok(['up', 'degraded', 'down'].includes(reply.body.status));
  });

  it('stops checking a target when the health check is turned off, and forgets its verdict', async () => {
    flaky.healthStatus = 500;
    await eventually(async () => (await targetHealth('checked', flaky.url)).status === 'unhealthy', 5_000, 20);
    assert.equal((await gateway.admin('PATCH', '/admin/services/checked', { health_check: null })).status, 200);
    const target = await targetHealth('checked', flaky.url);
    assert.equal(target.status, 'healthy');
    assert.equal(target.active_checks, false);
    const seen = flaky.checks.length;
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 2));
    assert.equal(flaky.checks.length, seen, 'no more checks');
    assert.equal((await gateway.admin('PATCH', '/admin/services/checked', { health_check: ACTIVE })).status, 200);
  });
});
