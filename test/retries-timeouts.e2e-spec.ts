import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertProblem } from './helpers/assertions.js';
import { closedPort } from './helpers/ports.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { eventually, GatewayProcess } from './helpers/gateway.js';
import { tally } from './helpers/load.js';
import { Upstream } from './helpers/upstream.js';

/** POSTs a body with chunked framing (no Content-Length), as a streaming client does. */
function postChunked(url: string, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'text/plain' } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('retries, timeouts and the bulkhead', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const healthy = new Upstream('healthy');
  const sick = new Upstream('sick');
  let deadUrl: string;
  let silent: net.Server;
  const sockets = new Set<net.Socket>();

  before(async () => {
    await healthy.start();
    await sick.start();
    deadUrl = `http://127.0.0.1:${await closedPort()}`;
    // Accepts TCP and never answers: a TLS handshake with it cannot finish.
    silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `https://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    db = await createTestDatabase('retries');
    gateway = await GatewayProcess.start({ databaseUrl: db.url });
    await gateway.create([
      ['/admin/services', { name: 'half-dead', targets: [{ url: deadUrl }, { url: healthy.url }], retries: 2 }],
      ['/admin/services', { name: 'half-sick', targets: [{ url: `${sick.url}/status/503` }, { url: `${healthy.url}/fine` }], retries: 2 }],
      ['/admin/services', { name: 'small-buffer', targets: [{ url: deadUrl }, { url: healthy.url }], retries: 2, retry_buffer_bytes: 1_024 }],
      ['/admin/services', { name: 'slow', url: healthy.url, retries: 0, headers_timeout_ms: 300, body_timeout_ms: 300 }],
      ['/admin/services', { name: 'unreachable', url: silentUrl, retries: 0, connect_timeout_ms: 300 }],
      ['/admin/services', { name: 'narrow', url: healthy.url, retries: 0, max_concurrent_requests: 3 }],
      ['/admin/routes', { auth: { required: false }, name: 'half-dead', service: 'half-dead', paths: ['/api/v1/half-dead/*'], strip_prefix: true }],
      ['/admin/routes', { auth: { required: false }, name: 'half-dead-posts', service: 'half-dead', paths: ['/api/v1/half-dead-posts/*'], strip_prefix: true, retry_non_idempotent: true }],
      ['/admin/routes', { auth: { required: false }, name: 'half-sick', service: 'half-sick', paths: ['/api/v1/half-sick'], strip_prefix: true }],
      ['/admin/routes', { auth: { required: false }, name: 'half-sick-posts', service: 'half-sick', paths: ['/api/v1/half-sick-posts'], strip_prefix: true, retry_non_idempotent: true }],
      ['/admin/routes', { auth: { required: false }, name: 'small-buffer', service: 'small-buffer', paths: ['/api/v1/small-buffer/*'], strip_prefix: true, retry_non_idempotent: true }],
      ['/admin/routes', { auth: { required: false }, name: 'slow', service: 'slow', paths: ['/api/v1/slow/*'], strip_prefix: true }],
      ['/admin/routes', { auth: { required: false }, name: 'slow-patient', service: 'slow', paths: ['/api/v1/slow-patient/*'], strip_prefix: true, headers_timeout_ms: 3_000, body_timeout_ms: 3_000 }],
      ['/admin/routes', { auth: { required: false }, name: 'unreachable', service: 'unreachable', paths: ['/api/v1/unreachable/*'] }],
      ['/admin/routes', { auth: { required: false }, name: 'unreachable-fast', service: 'unreachable', paths: ['/api/v1/unreachable-fast/*'], connect_timeout_ms: 100 }],
      ['/admin/routes', { auth: { required: false }, name: 'narrow', service: 'narrow', paths: ['/api/v1/narrow/*'], strip_prefix: true }],
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
    await healthy.stop();
    await sick.stop();
    for (const socket of sockets) socket.destroy();
    silent?.close();
  });

  beforeEach(() => {
    healthy.reset();
    sick.reset();
  });

  describe('retries', () => {
    it('land on the healthy target when the other refuses connections', async () => {
      for (let i = 0; i < 10; i++) {
        const reply = await gateway.fetch('/api/v1/half-dead/x', { headers: { 'x-request-id': `retry-${i}` } });
        assert.equal(reply.status, 200);
        assert.equal(reply.body.upstream, 'healthy');
      }
      assert.equal(healthy.requests.length, 10, 'each request reached the healthy target exactly once');
      await eventually(() => gateway.logs().filter((l) => String(l.req_id).startsWith('retry-')).length === 10, 2_000, 20);
      const attempts = gateway.logs().filter((l) => String(l.req_id).startsWith('retry-')).map((l) => l.attempts);
      assert.deepEqual([...tally(attempts)].sort(), [[1, 5], [2, 5]], 'every other request met the dead target first');
    });

    it('land on the healthy target when the other answers 503, which the client never sees', async () => {
      for (let i = 0; i < 10; i++) {
        const reply = await gateway.fetch('/api/v1/half-sick', { method: i % 2 ? 'GET' : 'PUT', body: i % 2 ? undefined : `put-${i}` });
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.upstream, 'healthy');
        if (i % 2 === 0) assert.equal(reply.body.body, `put-${i}`, 'a small PUT body is buffered and sent again whole');
      }
      assert.equal(healthy.requests.length, 10);
      assert.equal(sick.requests.length, 5);
      assert.ok(sick.requests.filter((r) => r.method === 'PUT').every((r) => r.body.startsWith('put-')));
    });

    it('never send a POST twice unless the route opts in', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await gateway.fetch('/api/v1/half-sick', { method: 'POST', body: `post-${i}` })).status);
      assert.deepEqual([...tally(statuses)].sort(), [[200, 3], [503, 3]], "the sick target's 503 reaches the client");
      const seen = [...healthy.requests, ...sick.requests].map((r) => r.body).sort();
      assert.deepEqual(seen, ['post-0', 'post-1', 'post-2', 'post-3', 'post-4', 'post-5'], 'each POST reached one upstream, once');
      const refused: number[] = [];
      for (let i = 0; i < 4; i++) refused.push((await gateway.fetch('/api/v1/half-dead/x', { method: 'POST', body: 'p' })).status);
      assert.deepEqual([...tally(refused)].sort(), [[200, 2], [502, 2]], 'a POST to the dead target is not retried');
    });

    it('a route that opts in retries POST, with its buffered body, on the healthy target and only there', async () => {
      for (let i = 0; i < 6; i++) {
        const body = JSON.stringify({ order: i, items: 'x'.repeat(500) });
        const reply = await gateway.fetch('/api/v1/half-dead-posts/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.body, body);
      }
      assert.equal(healthy.requests.length, 6);
      const sickPosts = await Promise.all(Array.from({ length: 4 }, (_, i) => gateway.fetch('/api/v1/half-sick-posts', { method: 'POST', body: `opted-${i}` })));
      assert.deepEqual(sickPosts.map((r) => r.status), [200, 200, 200, 200]);
      assert.deepEqual(healthy.requests.slice(6).map((r) => r.body).sort(), ['opted-0', 'opted-1', 'opted-2', 'opted-3']);
    });

    it('never retries a body larger than retry_buffer_bytes, nor a chunked one', async () => {
      const big = 'y'.repeat(4_096);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await gateway.fetch('/api/v1/small-buffer/upload', { method: 'POST', body: big })).status);
      assert.deepEqual([...tally(statuses)].sort(), [[200, 2], [502, 2]], 'streamed: the dead target fails it, no second try');
      assert.ok(healthy.requests.every((r) => r.bodyBytes === big.length), 'what did arrive arrived whole');
      const chunked: number[] = [];
      for (let i = 0; i < 4; i++) chunked.push((await postChunked(`${gateway.url}/api/v1/small-buffer/upload`, ['a', 'b', 'c'])).status);
      assert.deepEqual([...tally(chunked)].sort(), [[200, 2], [502, 2]]);
      assert.equal(healthy.requests.length, 4);
      // Small enough: buffered and retried.
      for (let i = 0; i < 4; i++) assert.equal((await gateway.fetch('/api/v1/small-buffer/upload', { method: 'POST', body: 'z'.repeat(1_024) })).status, 200);
    });
  });

  describe('timeouts', () => {
    it('response headers: 504 at headers_timeout_ms; a route may allow longer', async () => {
      const started = Date.now();
      const reply = await gateway.fetch('/api/v1/slow/delay/2000');
      assertProblem(reply, 504, 'GATEWAY_TIMEOUT');
      assert.match(reply.body.detail, /within 300 ms/);
      assert.ok(Date.now() - started < 1_500, 'answered at the timeout');
      assert.equal((await gateway.fetch('/api/v1/slow-patient/delay/600')).status, 200);
    });

    it('idle body: a pause longer than body_timeout_ms cuts the response; a route may allow longer', async () => {
      const started = Date.now();
      const response = await fetch(`${gateway.url}/api/v1/slow/drip/2000`);
      assert.equal(response.status, 200, 'the status was already out');
      await assert.rejects(response.text(), 'the body is cut short');
      assert.ok(Date.now() - started < 1_500, `cut after ${Date.now() - started} ms`);
      const patient = await fetch(`${gateway.url}/api/v1/slow-patient/drip/600`);
      assert.equal(await patient.text(), 'first-last');
    });

    it('a client that stops reading is not an upstream pause: the body timeout waits while the upstream is held back', async () => {
      const size = 32 * 1024 * 1024;
      const req = http.get(`${gateway.url}/api/v1/slow/download/${size}`);
      const [res] = (await once(req, 'response')) as [http.IncomingMessage];
      assert.equal(res.statusCode, 200);
      res.pause();
      // Over three body timeouts of 300 ms with the client reading nothing: the upstream is paused, not idle.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      let received = 0;
      res.on('data', (chunk: Buffer) => (received += chunk.length));
      res.resume();
      await once(res, 'end');
      assert.equal(received, size);
      assert.equal(res.complete, true);
    });

    it('connect: 504 at connect_timeout_ms, and a route may set its own', async () => {
      const started = Date.now();
      const reply = await gateway.fetch('/api/v1/unreachable/x');
      assertProblem(reply, 504, 'GATEWAY_TIMEOUT');
      assert.match(reply.body.detail, /could not connect .* within 300 ms/);
      assert.ok(Date.now() - started < 3_000);
      const fast = await gateway.fetch('/api/v1/unreachable-fast/x');
      assertProblem(fast, 504, 'GATEWAY_TIMEOUT');
      assert.match(fast.body.detail, /within 100 ms/);
    });
  });

  describe('bulkhead', () => {
    it('rejects exactly the overflow beyond max_concurrent_requests, at once, and admits again when they finish', async () => {
      const held = Array.from({ length: 3 }, () => gateway.fetch('/api/v1/narrow/delay/1500'));
      await eventually(() => healthy.requests.length === 3, 5_000, 5);
      const started = Date.now();
      const overflow = await Promise.all(Array.from({ length: 5 }, () => gateway.fetch('/api/v1/narrow/x')));
      const tookMs = Date.now() - started;
      for (const reply of overflow) assertProblem(reply, 503, 'SERVICE_UNAVAILABLE');
      assert.match(overflow[0].body.detail, /limit of 3 requests in flight/);
      assert.ok(tookMs < 1_000, `refused at once (${tookMs} ms), not queued`);
      assert.equal(healthy.requests.length, 3, 'the overflow never reached the upstream');
      assert.deepEqual((await Promise.all(held)).map((r) => r.status), [200, 200, 200]);
      const after = await Promise.all(Array.from({ length: 3 }, () => gateway.fetch('/api/v1/narrow/x')));
      assert.deepEqual(after.map((r) => r.status), [200, 200, 200]);
    });
  });
});
