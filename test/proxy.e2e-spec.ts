import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertProblem } from './helpers/assertions.js';
import { closedPort } from './helpers/ports.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { GatewayProcess } from './helpers/gateway.js';
import { rawRequest, Upstream } from './helpers/upstream.js';

describe('streaming proxy', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const alpha = new Upstream('alpha');
  const beta = new Upstream('beta');
  let deadPort: number;

  before(async () => {
    await alpha.start();
    await beta.start();
    deadPort = await closedPort();
    db = await createTestDatabase('proxy');
    gateway = await GatewayProcess.start({ databaseUrl: db.url });
    await gateway.create([
      ['/admin/services', { name: 'alpha', url: `${alpha.url}/svc`, retries: 0 }],
      ['/admin/services', { name: 'beta', url: beta.url, retries: 0 }],
      ['/admin/services', { name: 'dead', url: `http://127.0.0.1:${deadPort}` }],
      ['/admin/services', { name: 'slow', url: alpha.url, timeout_ms: 300, retries: 0 }],
      ['/admin/services', { name: 'half-dead', targets: [{ url: `http://127.0.0.1:${deadPort}` }, { url: beta.url }], retries: 2 }],
      ['/admin/services', { name: 'drained', targets: [{ url: alpha.url, weight: 0 }] }],
      ['/admin/routes', { auth: { required: false }, name: 'echo', service: 'alpha', paths: ['/api/v1/echo/*'] }],
      ['/admin/routes', { auth: { required: false }, name: 'context', service: 'alpha', paths: ['/api/v1/context/*'], strip_prefix: true }],
      ['/admin/routes', { auth: { required: false }, name: 'jobs-search', service: 'alpha', paths: ['/api/v1/jobs/search'], strip_prefix: true, methods: ['GET'] }],
      ['/admin/routes', { auth: { required: false }, name: 'notification-status', service: 'alpha', paths: ['/api/v1/notifications/:id/status'], strip_prefix: true }],
      ['/admin/routes', { auth: { required: false }, name: 'items-static', service: 'alpha', paths: ['/api/v1/items/special'] }],
      ['/admin/routes', { auth: { required: false }, name: 'items-param', service: 'beta', paths: ['/api/v1/items/:id'] }],
      ['/admin/routes', { auth: { required: false }, name: 'items-wild', service: 'beta', paths: ['/api/v1/items/*'], priority: 100 }],
      ['/admin/routes', { auth: { required: false }, name: 'prio-low', service: 'alpha', paths: ['/api/v1/prio'], priority: 1 }],
      ['/admin/routes', { auth: { required: false }, name: 'prio-high', service: 'beta', paths: ['/api/v1/prio'], priority: 2 }],
      ['/admin/routes', { auth: { required: false }, name: 'by-host', service: 'beta', paths: ['/api/v1/hosted'], hosts: ['*.beta.test'], preserve_host: true }],
      ['/admin/routes', { auth: { required: false }, name: 'by-any-host', service: 'alpha', paths: ['/api/v1/hosted'] }],
      ['/admin/routes', { auth: { required: false }, name: 'dead', service: 'dead', paths: ['/api/v1/dead/*'] }],
      ['/admin/routes', { auth: { required: false }, name: 'slow', service: 'slow', paths: ['/api/v1/slow/*'], strip_prefix: true }],
      ['/admin/routes', { auth: { required: false }, name: 'slow-but-patient', service: 'slow', paths: ['/api/v1/patient/*'], strip_prefix: true, timeout_ms: 3000 }],
      ['/admin/routes', { auth: { required: false }, name: 'half-dead', service: 'half-dead', paths: ['/api/v1/half/*'], strip_prefix: true }],
      ['/admin/routes', { auth: { required: false }, name: 'drained', service: 'drained', paths: ['/api/v1/drained'] }],
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
    await alpha.stop();
    await beta.stop();
  });

  beforeEach(() => {
    alpha.reset();
    beta.reset();
  });

  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
    it(`proxies ${method} with its query string and body`, async () => {
      const withBody = method !== 'GET' && method !== 'OPTIONS';
      const reply = await gateway.fetch('/api/v1/echo/things?a=1&b=%20two', {
        method,
        headers: { 'content-type': 'application/json' },
        body: withBody ? JSON.stringify({ hello: method }) : undefined,
      });
      assert.equal(reply.status, 200);
      assert.equal(reply.body.method, method);
      assert.equal(reply.body.url, '/svc/api/v1/echo/things?a=1&b=%20two');
      assert.equal(reply.body.body, withBody ? JSON.stringify({ hello: method }) : '');
      assert.equal(alpha.requests.length, 1);
    });
  }

  it('proxies HEAD without a body', async () => {
    const reply = await gateway.fetch('/api/v1/echo/x', { method: 'HEAD' });
    assert.equal(reply.status, 200);
    assert.equal(reply.text, '');
    assert.equal(alpha.requests[0].method, 'HEAD');
  });

  it('sets the forwarding headers and drops hop-by-hop and spoofed identity headers', async () => {
    const reply = await rawRequest(`${gateway.url}/api/v1/echo/headers`, {
      headers: {
        'x-forwarded-for': '203.0.113.7',
        forwarded: 'for=203.0.113.7',
        'x-consumer-id': 'spoofed',
        'x-user-id': 'spoofed',
        'x-scopes': 'admin',
        connection: 'x-private',
        'x-private': 'hop',
        'proxy-authorization': 'Basic Zm9vOmJhcg==',
        'x-custom': 'kept',
      },
    });
    const seen = JSON.parse(reply.body).headers;
    // 127.0.0.1 is no trusted proxy here (TRUSTED_PROXIES is empty): its forwarded chain is replaced.
    assert.equal(seen['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-forwarded-host'], `127.0.0.1:${gateway.port}`);
    assert.equal(seen.forwarded, `for=127.0.0.1;proto=http;host="127.0.0.1:${gateway.port}"`);
    assert.equal(seen.host, `127.0.0.1:${alpha.port}`);
    assert.equal(seen['x-custom'], 'kept');
    for (const dropped of ['x-consumer-id', 'x-user-id', 'x-scopes', 'x-private', 'proxy-authorization']) assert.equal(seen[dropped], undefined, dropped);
    assert.equal(seen['x-request-id'], reply.headers['x-request-id']);
  });

  it('passes response headers through without hop-by-hop ones, cookies intact', async () => {
    const reply = await gateway.fetch('/api/v1/echo/cookies');
    assert.deepEqual(reply.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/']);
    assert.equal(reply.headers.get('x-upstream'), 'alpha');
    assert.equal(reply.headers.get('x-hop'), null, 'a header the upstream named in Connection is dropped');
  });

  it('keeps a valid incoming X-Request-Id and replaces an invalid one', async () => {
    const kept = await gateway.fetch('/api/v1/echo/id', { headers: { 'x-request-id': 'trace-abc.123' } });
    assert.equal(kept.headers.get('x-request-id'), 'trace-abc.123');
    assert.equal(kept.body.headers['x-request-id'], 'trace-abc.123');
    const replaced = await gateway.fetch('/api/v1/echo/id', { headers: { 'x-request-id': 'bad id with spaces' } });
    assert.match(replaced.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
    assert.equal(replaced.body.headers['x-request-id'], replaced.headers.get('x-request-id'));
  });

  const REWRITES: Array<[string, string]> = [
    ['/api/v1/context/a/b?x=1', '/svc/a/b?x=1'],
    ['/api/v1/context', '/svc'],
    ['/api/v1/context/', '/svc/'],
    ['/api/v1/jobs/search?q=rust', '/svc?q=rust'],
    ['/api/v1/notifications/42/status', '/svc/42/status'],
    ['/api/v1/echo/deep/path', '/svc/api/v1/echo/deep/path'],
  ];
  for (const [sent, expected] of REWRITES) {
    it(`rewrites ${sent} onto the service path as ${expected}`, async () => {
      const reply = await gateway.fetch(sent);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.url, expected);
    });
  }

  const PRECEDENCE: Array<[string, string, string]> = [
    ['static beats param and wildcard', '/api/v1/items/special', 'alpha'],
    ['param beats a higher-priority wildcard', '/api/v1/items/7', 'beta'],
    ['the wildcard takes deeper paths', '/api/v1/items/7/parts', 'beta'],
    ['higher priority wins on the same path', '/api/v1/prio', 'beta'],
  ];
  for (const [label, path, upstream] of PRECEDENCE) {
    it(`route precedence: ${label}`, async () => {
      const reply = await gateway.fetch(path);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.upstream, upstream);
    });
  }

  it('matches hosts, wildcards included, and preserves the client Host when asked', async () => {
    const hosted = JSON.parse((await rawRequest(`${gateway.url}/api/v1/hosted`, { headers: { host: 'EU.beta.test:8443' } })).body);
    assert.equal(hosted.upstream, 'beta');
    assert.equal(hosted.headers.host, 'EU.beta.test:8443');
    const other = JSON.parse((await rawRequest(`${gateway.url}/api/v1/hosted`, { headers: { host: 'beta.test' } })).body);
    assert.equal(other.upstream, 'alpha', 'the bare domain is not *.beta.test');
  });

  it('answers 404 ROUTE_NOT_FOUND when nothing matches, without calling any upstream', async () => {
    assertProblem(await gateway.fetch('/api/v1/unknown'), 404, 'ROUTE_NOT_FOUND');
    assertProblem(await gateway.fetch('/api/v1/jobs/search', { method: 'POST', body: 'x' }), 404, 'ROUTE_NOT_FOUND');
    assertProblem(await gateway.fetch('/api/v1'), 404, 'ROUTE_NOT_FOUND');
    assert.equal(alpha.requests.length + beta.requests.length, 0);
  });

  it('refuses dot segments and NUL bytes before any upstream sees them', async () => {
    for (const path of ['/api/v1/echo/../../admin', '/api/v1/echo/%2e%2e/secret', '/api/v1/echo/a%00b']) {
      const reply = await rawRequest(`${gateway.url}${path}`);
      assert.equal(reply.status, 400, path);
      assert.equal(JSON.parse(reply.body).code, 'INVALID_REQUEST');
    }
    assert.equal(alpha.requests.length, 0);
  });

  it('answers 502 BAD_GATEWAY when the upstream refuses connections', async () => {
    const reply = await gateway.fetch('/api/v1/dead/x');
    assertProblem(reply, 502, 'BAD_GATEWAY');
    assert.match(reply.body.detail, /dead/);
  });

  it('answers 504 GATEWAY_TIMEOUT when the upstream is slower than timeout_ms, and a route may allow longer', async () => {
    const started = Date.now();
    const reply = await gateway.fetch('/api/v1/slow/delay/2000');
    assertProblem(reply, 504, 'GATEWAY_TIMEOUT');
    assert.ok(Date.now() - started < 1500, 'answered at the timeout, not when the upstream finished');
    const patient = await gateway.fetch('/api/v1/patient/delay/600');
    assert.equal(patient.status, 200);
  });

  it("passes an upstream's own error response through untouched", async () => {
    const reply = await gateway.fetch('/api/v1/echo/status/503');
    assert.equal(reply.status, 503);
    assert.equal(reply.headers.get('content-type'), 'application/json');
    assert.deepEqual(reply.body, { status: 503, upstream: 'alpha' });
  });

  it('retries an idempotent request on another target when one refuses connections', async () => {
    for (let i = 0; i < 6; i++) {
      const reply = await gateway.fetch('/api/v1/half/anything');
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.upstream, 'beta');
    }
    assert.equal(beta.requests.length, 6);
  });

  it('never sends a POST twice', async () => {
    const reply = await gateway.fetch('/api/v1/half/status/503', { method: 'POST', body: 'once' });
    // Either the dead target refused it (502) or beta answered 503 once; never a retry.
    assert.ok(reply.status === 502 || reply.status === 503, String(reply.status));
    assert.ok(beta.requests.length <= 1);
    const second = await gateway.fetch('/api/v1/half/status/503', { method: 'POST', body: 'once' });
    assert.ok(second.status === 502 || second.status === 503);
    assert.ok(beta.requests.length <= 2 && beta.requests.every((r) => r.method === 'POST'));
    assert.equal(beta.requests.length, [reply.status, second.status].filter((s) => s === 503).length);
  });

  it('answers 503 SERVICE_UNAVAILABLE when a service has no target in rotation', async () => {
    assertProblem(await gateway.fetch('/api/v1/drained'), 503, 'SERVICE_UNAVAILABLE');
    assert.equal(alpha.requests.length, 0);
  });

  it('writes one JSON access line per request with route, service, status and duration', async () => {
    const reply = await gateway.fetch('/api/v1/jobs/search?q=1', { headers: { 'x-request-id': 'access-log-check' } });
    assert.equal(reply.status, 200);
    const deadline = Date.now() + 2000;
    let line: Record<string, any> | undefined;
    while (!line && Date.now() < deadline) {
      line = gateway.logs().find((entry) => entry.req_id === 'access-log-check');
      if (!line) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(line, 'access line written');
    assert.equal(line.route, 'jobs-search');
    assert.equal(line.service, 'alpha');
    assert.equal(line.status, 200);
    assert.equal(typeof line.duration_ms, 'number');
    assert.equal(line.msg, 'request completed');
  });
});
