import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertProblem } from './helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { eventually, GatewayProcess } from './helpers/gateway.js';
import { median, sleep } from './helpers/load.js';
import { Upstream } from './helpers/upstream.js';

/** Sends `count` GETs one after the other over one kept-alive connection; each one's status, code and time in ms. */
async function timedRequests(url: string, count: number): Promise<Array<{ status: number; code: string; ms: number }>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise<{ status: number; code: string; ms: number }>((resolve, reject) => {
      const started = performance.now();
      http
        .get(url, { agent }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, code: JSON.parse(body).code, ms: performance.now() - started }));
        })
        .on('error', reject);
    });
  try {
    await once(); // the connection is opened outside the measurement
    const answers = [];
    for (let i = 0; i < count; i++) answers.push(await once());
    return answers;
  } finally {
    agent.destroy();
  }
}

const BREAKER = { failure_threshold: 3, failure_window_s: 10, min_throughput: 3, recovery_timeout_s: 2, half_open_max_requests: 1 };

describe('circuit breaker', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const upstream = new Upstream('fragile');

  const circuit = async (service: string) => {
    const reply = await gateway.admin('GET', `/admin/services/${service}/circuit`);
    assert.equal(reply.status, 200, reply.text);
    return reply.body;
  };

  before(async () => {
    await upstream.start();
    db = await createTestDatabase('breaker');
    gateway = await GatewayProcess.start({ databaseUrl: db.url });
    await gateway.create([
      ['/admin/services', { name: 'fragile', url: upstream.url, retries: 0, circuit_breaker: BREAKER }],
      ['/admin/services', { name: 'windowed', url: upstream.url, retries: 0, circuit_breaker: { ...BREAKER, failure_threshold: 2, failure_window_s: 1, min_throughput: 1 } }],
      ['/admin/services', { name: 'busy', url: upstream.url, retries: 0, circuit_breaker: { ...BREAKER, failure_threshold: 2, min_throughput: 4 } }],
      ['/admin/services', { name: 'trials', url: upstream.url, retries: 0, circuit_breaker: { ...BREAKER, failure_threshold: 1, min_throughput: 1, half_open_max_requests: 2 } }],
      ['/admin/services', { name: 'plain', url: upstream.url }],
      ['/admin/routes', { auth: { required: false }, name: 'fragile', service: 'fragile', paths: ['/api/v1/fragile/*'], strip_prefix: true }],
      ['/admin/routes', { auth: { required: false }, name: 'windowed', service: 'windowed', paths: ['/api/v1/windowed/*'], strip_prefix: true }],
      ['/admin/routes', { auth: { required: false }, name: 'busy', service: 'busy', paths: ['/api/v1/busy/*'], strip_prefix: true }],
      ['/admin/routes', { auth: { required: false }, name: 'trials', service: 'trials', paths: ['/api/v1/trials/*'], strip_prefix: true }],
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
    await upstream.stop();
  });

  // Each test starts from closed circuits, so that one failing test does not fail the next ones.
  beforeEach(async () => {
    upstream.reset();
    for (const service of ['fragile', 'windowed', 'busy', 'trials']) {
      const reset = await gateway.admin('POST', `/admin/services/${service}/circuit/reset`);
      if (reset.status !== 200 && reset.status !== 409) assert.fail(`${service}: ${reset.text}`);
    }
  });

  it('opens after failure_threshold failures in the window, answers 503 CIRCUIT_OPEN at once without the upstream, then half-opens and closes', async (t) => {
    assert.equal((await circuit('fragile')).state, 'CLOSED');
    for (let i = 0; i < 2; i++) assert.equal((await gateway.fetch('/api/v1/fragile/status/500')).status, 500, "the upstream's own error passes through");
    const counting = await circuit('fragile');
    assert.equal(counting.state, 'CLOSED', 'two failures are below the threshold');
    assert.equal(counting.failures_in_window, 2);
    assert.equal((await gateway.fetch('/api/v1/fragile/status/500')).status, 500);
    const open = await circuit('fragile');
    assert.equal(open.state, 'OPEN');
    assert.ok(open.retry_after_seconds >= 1 && open.retry_after_seconds <= 2, String(open.retry_after_seconds));
    assert.equal(upstream.requests.length, 3);

    // Open: refused by the gateway itself, fast. The client's own clock measures it, over one
    // kept-alive connection; on a shared machine a batch can land in someone else's CPU burst,
    // so batches are taken until one is quiet (at most five) and the quietest median must be < 5 ms.
    const reply = await gateway.fetch('/api/v1/fragile/anything');
    assertProblem(reply, 503, 'CIRCUIT_OPEN');
    assert.ok(Number(reply.headers.get('retry-after')) >= 1, 'Retry-After says when to come back');
    assert.equal(reply.body.retry_after_seconds, Number(reply.headers.get('retry-after')));
    const medians: number[] = [];
    for (let batch = 0; batch < 5 && !(medians.length && Math.min(...medians) < 5); batch++) {
      const answers = await timedRequests(`${gateway.url}/api/v1/fragile/anything`, 15);
      assert.ok(answers.every((a) => a.status === 503 && a.code === 'CIRCUIT_OPEN'));
      medians.push(median(answers.map((a) => a.ms)));
    }
    t.diagnostic(`answer time while open, median per batch of 15: ${medians.map((m) => m.toFixed(2)).join(', ')} ms`);
    assert.ok(Math.min(...medians) < 5, `medians ${medians.join(', ')} ms`);
    assert.equal(upstream.requests.length, 3, 'nothing reached the upstream while open');

    // After recovery_timeout_s it half-opens by itself (shown without any request), and one success closes it.
    const waited = await eventually(async () => (await circuit('fragile')).state === 'HALF_OPEN', 5_000, 50);
    t.diagnostic(`half-open ${waited} ms after the checks above`);
    const trial = await gateway.fetch('/api/v1/fragile/ok');
    assert.equal(trial.status, 200);
    assert.equal((await circuit('fragile')).state, 'CLOSED');
    assert.equal((await gateway.fetch('/api/v1/fragile/ok')).status, 200);

    const transitions = gateway
      .logs()
      .filter((line) => line.service === 'fragile' && typeof line.to === 'string')
      .map((line) => `${line.from}>${line.to}`);
    assert.deepEqual(transitions, ['CLOSED>OPEN', 'OPEN>HALF_OPEN', 'HALF_OPEN>CLOSED']);
  });

  it('a failed trial while half-open opens it again for a full recovery timeout', async () => {
    for (let i = 0; i < 3; i++) await gateway.fetch('/api/v1/fragile/status/503');
    assert.equal((await circuit('fragile')).state, 'OPEN');
    await eventually(async () => (await circuit('fragile')).state === 'HALF_OPEN', 5_000, 50);
    assert.equal((await gateway.fetch('/api/v1/fragile/status/502')).status, 502);
    assert.equal((await circuit('fragile')).state, 'OPEN');
    assertProblem(await gateway.fetch('/api/v1/fragile/ok'), 503, 'CIRCUIT_OPEN');
    assert.equal(upstream.requests.length, 4);
    await eventually(async () => (await circuit('fragile')).state === 'HALF_OPEN', 5_000, 50);
    assert.equal((await gateway.fetch('/api/v1/fragile/ok')).status, 200);
    assert.equal((await circuit('fragile')).state, 'CLOSED');
  });

  it('half_open_max_requests trials are let through while half-open, the others refused', async () => {
    await gateway.fetch('/api/v1/trials/status/500');
    assert.equal((await circuit('trials')).state, 'OPEN');
    await eventually(async () => (await circuit('trials')).state === 'HALF_OPEN', 5_000, 50);
    upstream.reset();
    // Two slow trials hold both places; a third request meanwhile is refused.
    const slow = [gateway.fetch('/api/v1/trials/delay/400'), gateway.fetch('/api/v1/trials/delay/400')];
    await eventually(() => upstream.requests.length === 2, 5_000, 5);
    assertProblem(await gateway.fetch('/api/v1/trials/ok'), 503, 'CIRCUIT_OPEN');
    assert.deepEqual((await Promise.all(slow)).map((r) => r.status), [200, 200]);
    assert.equal((await circuit('trials')).state, 'CLOSED');
    assert.equal(upstream.requests.length, 2);
  });

  it('forgets failures that left failure_window_s', async () => {
    assert.equal((await gateway.fetch('/api/v1/windowed/status/500')).status, 500);
    await sleep(1_300);
    assert.equal((await gateway.fetch('/api/v1/windowed/status/500')).status, 500);
    assert.equal((await circuit('windowed')).state, 'CLOSED', 'the first failure left the 1 s window');
    assert.equal((await gateway.fetch('/api/v1/windowed/status/500')).status, 500);
    assert.equal((await circuit('windowed')).state, 'OPEN');
  });

  it('waits for min_throughput requests in the window before opening', async () => {
    for (let i = 0; i < 2; i++) await gateway.fetch('/api/v1/busy/status/500');
    assert.equal((await circuit('busy')).state, 'CLOSED', '2 failures, but only 2 requests of the 4 needed');
    await gateway.fetch('/api/v1/busy/ok');
    assert.equal((await circuit('busy')).state, 'CLOSED');
    await gateway.fetch('/api/v1/busy/ok');
    assert.equal((await circuit('busy')).state, 'OPEN', '2 failures among 4 requests');
  });

  it('counts an unreachable upstream as a failure', async () => {
    await upstream.stop();
    try {
      for (let i = 0; i < 3; i++) assertProblem(await gateway.fetch('/api/v1/fragile/x'), 502, 'BAD_GATEWAY');
      assert.equal((await circuit('fragile')).state, 'OPEN');
      assertProblem(await gateway.fetch('/api/v1/fragile/x'), 503, 'CIRCUIT_OPEN');
    } finally {
      await upstream.restart();
    }
  });

  it('POST /admin/services/{name}/circuit/reset closes it at once', async () => {
    for (let i = 0; i < 3; i++) await gateway.fetch('/api/v1/fragile/status/500');
    const open = await circuit('fragile');
    assert.equal(open.state, 'OPEN');
    const reset = await gateway.admin('POST', '/admin/services/fragile/circuit/reset');
    assert.equal(reset.status, 200);
    assert.equal(reset.body.state, 'CLOSED');
    assert.equal(reset.body.failures_in_window, 0);
    assert.equal((await gateway.fetch('/api/v1/fragile/ok')).status, 200);
  });

  it('shows the settings and refuses a reset where there is no breaker', async () => {
    const view = await circuit('fragile');
    assert.equal(view.enabled, true);
    assert.equal(view.service.name, 'fragile');
    assert.deepEqual(view.settings, BREAKER);
    const none = await circuit('plain');
    assert.equal(none.enabled, false);
    assert.equal(none.state, null);
    assertProblem(await gateway.admin('POST', '/admin/services/plain/circuit/reset'), 409, 'CONFLICT');
    assertProblem(await gateway.admin('GET', '/admin/services/nope/circuit'), 404, 'NOT_FOUND');
    assertProblem(await gateway.admin('POST', '/admin/services/nope/circuit/reset'), 404, 'NOT_FOUND');
  });

  it('keeps its state across a configuration change, and takes new settings', async () => {
    for (let i = 0; i < 3; i++) await gateway.fetch('/api/v1/fragile/status/500');
    assert.equal((await circuit('fragile')).state, 'OPEN');
    assert.equal((await gateway.admin('PATCH', '/admin/services/fragile', { tags: ['touched'] })).status, 200);
    assert.equal((await circuit('fragile')).state, 'OPEN', 'an unrelated change does not close it');
    const patched = await gateway.admin('PATCH', '/admin/services/fragile', { circuit_breaker: { ...BREAKER, recovery_timeout_s: 60 } });
    assert.equal(patched.status, 200);
    const view = await circuit('fragile');
    assert.equal(view.state, 'OPEN');
    assert.equal(view.settings.recovery_timeout_s, 60);
    assert.ok(view.retry_after_seconds > 2, 'the new recovery timeout applies');
    assert.equal((await gateway.admin('PATCH', '/admin/services/fragile', { circuit_breaker: null })).status, 200);
    assert.equal((await circuit('fragile')).enabled, false);
    assert.equal((await gateway.fetch('/api/v1/fragile/ok')).status, 200, 'no breaker, no refusal');
    assert.equal((await gateway.admin('PATCH', '/admin/services/fragile', { circuit_breaker: BREAKER })).status, 200);
    assert.equal((await circuit('fragile')).state, 'CLOSED');
  });
});
