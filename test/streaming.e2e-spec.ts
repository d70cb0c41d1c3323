import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { GatewayProcess } from './helpers/gateway.js';
import { peakResidentBytes, residentBytes, resetPeak } from './helpers/process-memory.js';
import { Upstream } from './helpers/upstream.js';

const SIZE = 100 * 1024 * 1024;
// Buffering a 100 MB body would add at least 100 MB; streaming adds socket buffers and GC slack.
const MAX_GROWTH = 48 * 1024 * 1024;
const MB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Polls until `check` holds, or fails naming what was awaited. */
async function eventually(check: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

describe('streaming bodies through the gateway', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const upstream = new Upstream('bulk');

  before(async () => {
    await upstream.start();
    db = await createTestDatabase('stream');
    gateway = await GatewayProcess.start({ databaseUrl: db.url, env: { MAX_REQUEST_SIZE: String(2 * SIZE) } });
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'bulk', url: upstream.url })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'bulk', service: 'bulk', paths: ['/api/v1/bulk/*'], strip_prefix: true, auth: { required: false } })).status, 201);
    // Warm the process up (JIT, pools, buffers) so the baseline is its steady state.
    for (let i = 0; i < 20; i++) await gateway.fetch('/api/v1/bulk/download/1048576');
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
    await upstream.stop();
  });

  it('streams a 100 MB download without holding it in memory', async (t) => {
    const before = residentBytes(gateway.pid);
    resetPeak(gateway.pid);
    const response = await fetch(`${gateway.url}/api/v1/bulk/download/${SIZE}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), String(SIZE));
    let received = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) received += chunk.length;
    assert.equal(received, SIZE);
    const growth = peakResidentBytes(gateway.pid) - before;
    t.diagnostic(`gateway peak resident memory grew by ${MB(growth)} (from ${MB(before)})`);
    assert.ok(growth < MAX_GROWTH, `gateway memory grew by ${MB(growth)} while streaming ${MB(SIZE)}`);
  });

  it('streams a 100 MB upload without holding it in memory', async (t) => {
    upstream.reset();
    const before = residentBytes(gateway.pid);
    resetPeak(gateway.pid);
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${gateway.url}/api/v1/bulk/upload`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(256 * 1024, 'u');
      let sent = 0;
      const pump = () => {
        while (sent < SIZE) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump(); // chunked: no Content-Length, so nothing can size a buffer in advance
    });
    assert.equal(reply.status, 200, reply.body);
    assert.equal(JSON.parse(reply.body).bodyBytes, SIZE);
    assert.equal(upstream.requests[0].headers['transfer-encoding'], 'chunked');
    const growth = peakResidentBytes(gateway.pid) - before;
    t.diagnostic(`gateway peak resident memory grew by ${MB(growth)} (from ${MB(before)})`);
    assert.ok(growth < MAX_GROWTH, `gateway memory grew by ${MB(growth)} while streaming ${MB(SIZE)}`);
  });

  it('holds the upstream back while a client stops reading, so memory stays bounded, and delivers every byte after', async (t) => {
    const before = residentBytes(gateway.pid);
    resetPeak(gateway.pid);
    const req = http.get(`${gateway.url}/api/v1/bulk/download/${SIZE}`);
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    assert.equal(res.statusCode, 200);
    res.pause();
    // Long enough for the upstream to send all 100 MB over loopback, were nothing pausing it.
    await sleep(2_000);
    const growth = peakResidentBytes(gateway.pid) - before;
    t.diagnostic(`gateway peak resident memory grew by ${MB(growth)} while the client read nothing`);
    assert.ok(growth < MAX_GROWTH, `gateway memory grew by ${MB(growth)} while its client read nothing`);
    let received = 0;
    res.on('data', (chunk: Buffer) => (received += chunk.length));
    res.resume();
    await once(res, 'end');
    assert.equal(received, SIZE);
  });

  it("stops the upstream's answer when the client goes away mid-download, and serves the next request", async () => {
    upstream.reset();
    const req = http.get(`${gateway.url}/api/v1/bulk/download/${SIZE}`);
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    let received = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received >= 1024 * 1024) break; // leaving the loop destroys the response, and so the connection
    }
    // Without the abort, the paused upstream call would wait for the route's body timeout (30 s).
    await eventually(() => upstream.cutAnswers === 1, 'the upstream saw its answer cut off');
    const next = await fetch(`${gateway.url}/api/v1/bulk/download/1024`);
    assert.equal(next.status, 200);
    assert.equal((await next.arrayBuffer()).byteLength, 1024);
  });

  it('stops the upstream call when the client goes away before the answer', async () => {
    upstream.reset();
    const req = http.get(`${gateway.url}/api/v1/bulk/delay/1500`);
    req.on('error', () => undefined);
    await eventually(() => upstream.requests.length === 1, 'the request reached the upstream');
    req.destroy();
    // The upstream finds its connection closed when it comes to answer.
    await eventually(() => upstream.cutAnswers === 1, 'the upstream saw the call abandoned');
  });

  it('cuts the response short when the upstream drops the connection mid-body, never passing it off as complete', async () => {
    const response = await fetch(`${gateway.url}/api/v1/bulk/break/65536`);
    assert.equal(response.status, 200, 'the status was already out');
    assert.equal(response.headers.get('content-length'), String(2 * 65536));
    await assert.rejects(response.arrayBuffer(), 'the body is cut short');
    const next = await fetch(`${gateway.url}/api/v1/bulk/download/1024`);
    assert.equal(next.status, 200);
    assert.equal((await next.arrayBuffer()).byteLength, 1024);
  });
});
