import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { assertProblem, badFields } from './helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { GatewayProcess } from './helpers/gateway.js';

/** A real upstream that serves a small OpenAPI document and counts how often it was asked for it. */
class DocumentedUpstream {
  fetches = 0;
  private server: http.Server | undefined;

  constructor(private readonly document: unknown) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      if (req.url === '/openapi.json') {
        this.fetches++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.document));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ path: req.url }));
      }
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const doc = (title: string, paths: Record<string, unknown>, schemas: Record<string, unknown> = {}) => ({
  openapi: '3.0.3',
  info: { title, version: '1.0.0' },
  paths,
  components: { schemas },
});

describe('aggregated OpenAPI at /api/v1/docs', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const orders = new DocumentedUpstream(
    doc('orders', { '/orders': { get: { operationId: 'listOrders', responses: { 200: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } } } } } } }, { Order: { type: 'object' } }),
  );
  const users = new DocumentedUpstream(
    doc('users', { '/api/v1/users/{id}': { get: { operationId: 'getUser', responses: { 200: { description: 'ok' } } } }, '/internal/metrics': { get: { responses: { 200: { description: 'ok' } } } } }, { Order: { type: 'string' } }),
  );

  before(async () => {
    db = await createTestDatabase('agg_docs');
    await orders.start();
    await users.start();
    gateway = await GatewayProcess.start({ databaseUrl: db.url });
    const setup: Array<[string, unknown]> = [
      ['/admin/services', { name: 'orders', url: orders.url, openapi_url: '/openapi.json' }],
      ['/admin/services', { name: 'users', url: users.url, openapi_url: `${users.url}/openapi.json` }],
      // A documented service that is down: reported, not a failure of the whole document.
      ['/admin/services', { name: 'broken', url: 'http://127.0.0.1:9', openapi_url: '/openapi.json' }],
      // A documented service no route reaches: left out.
      ['/admin/services', { name: 'unrouted', url: orders.url, openapi_url: '/openapi.json' }],
      ['/admin/routes', { name: 'orders', service: 'orders', paths: ['/api/v1/shop/*'], strip_prefix: true, auth: { required: false } }],
      ['/admin/routes', { name: 'users', service: 'users', paths: ['/api/v1/users/*'], methods: ['GET'] }],
      ['/admin/routes', { name: 'broken', service: 'broken', paths: ['/api/v1/broken/*'] }],
    ];
    for (const [path, body] of setup) assert.equal((await gateway.admin('POST', path, body)).status, 201, JSON.stringify(body));
  });

  after(async () => {
    await gateway?.stop();
    await orders.stop();
    await users.stop();
    await db?.drop();
  });

  it('merges the documents under the paths the routes serve them at', async () => {
    const reply = await gateway.get('/api/v1/docs/openapi.json');
    assert.equal(reply.status, 200);
    const merged = reply.body;
    assert.deepEqual(Object.keys(merged.paths), ['/api/v1/shop/orders', '/api/v1/users/{id}']);
    assert.equal(merged.paths['/api/v1/shop/orders'].get.operationId, 'orders.listOrders');
    assert.equal(merged.paths['/api/v1/shop/orders'].get.responses[200].content['application/json'].schema.$ref, '#/components/schemas/orders.Order');
    assert.deepEqual(merged.components.schemas, { 'orders.Order': { type: 'object' }, 'users.Order': { type: 'string' } });
    const sources = merged.info['x-gateway-sources'];
    assert.deepEqual(sources.map((s: { service: string; status: string }) => `${s.service}:${s.status}`).sort(), ['broken:error', 'orders:ok', 'users:ok']);
    assert.match(merged.info.description, /broken/);
    // The merged paths really are served.
    assert.equal((await gateway.get('/api/v1/shop/orders')).body.path, '/orders');
  });

  it('caches the upstream documents briefly instead of fetching them per page view', async () => {
    const before = orders.fetches;
    for (let i = 0; i < 3; i++) assert.equal((await gateway.get('/api/v1/docs/openapi.json')).status, 200);
    assert.ok(orders.fetches - before <= 1, `fetched ${orders.fetches - before} times`);
  });

  it('serves its own Swagger UI with its assets', async () => {
    const page = await gateway.get('/api/v1/docs');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.text, /\/api\/v1\/docs\/openapi\.json/);
    const bundle = await gateway.get('/api/v1/docs/swagger-ui-bundle.js');
    assert.equal(bundle.status, 200);
    assert.ok(bundle.text.length > 100_000);
    assert.equal((await gateway.get('/api/v1/docs/swagger-ui.css')).status, 200);
    assertProblem(await gateway.fetch('/api/v1/docs/openapi.json', { method: 'POST' }), 405, 'METHOD_NOT_ALLOWED');
  });

  it('refuses an openapi_url that is neither a path nor an http(s) URL', async () => {
    for (const openapi_url of ['openapi.json', 'ftp://x/openapi.json', '/a b']) {
      const reply = await gateway.admin('PATCH', '/admin/services/orders', { openapi_url });
      assertProblem(reply, 400, 'INVALID_REQUEST');
      assert.ok(badFields(reply).includes('openapi_url'), openapi_url);
    }
  });
});
