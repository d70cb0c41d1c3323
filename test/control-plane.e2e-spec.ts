import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { assertProblem } from './helpers/assertions.js';
import { BASE_DATABASE_URL, createTestDatabase, type TestDatabase } from './helpers/db.js';
import { eventually, GatewayProcess } from './helpers/gateway.js';
import { TcpProxy } from './helpers/tcp-proxy.js';
import { Upstream } from './helpers/upstream.js';

describe('probes, docs and shutdown', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let gateway: GatewayProcess;
  const upstream = new Upstream('cp');

  before(async () => {
    await upstream.start();
    db = await createTestDatabase('control');
    const target = new URL(BASE_DATABASE_URL);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    const viaProxy = new URL(db.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    gateway = await GatewayProcess.start({ databaseUrl: viaProxy.toString() });
  });

  after(async () => {
    await gateway?.stop();
    await proxy?.cut();
    await db?.drop();
    await upstream.stop();
  });

  it('answers the three probes when healthy', async () => {
    assert.equal((await gateway.get('/health')).status, 200);
    const ready = await gateway.get('/ready');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.details.database.status, 'up');
    assert.equal(ready.body.details.route_table.status, 'up');
    const startup = await gateway.get('/health/startup');
    assert.equal(startup.status, 200);
    assert.equal(startup.body.details.migrations.status, 'up');
  });

  it('reports not ready, naming the database, while it is unreachable, and recovers without a restart', async () => {
    await proxy.cut();
    try {
      const ready = await gateway.get('/ready');
      assertProblem(ready, 503, 'SERVICE_UNAVAILABLE');
      assert.match(ready.body.detail, /database/);
      assert.equal(ready.body.checks.database.status, 'down');
      assert.equal(ready.body.checks.route_table.status, 'up');
      assert.equal((await gateway.get('/health')).status, 200, 'liveness does not depend on the database');
    } finally {
      await proxy.restore();
    }
    await eventually(async () => (await gateway.get('/ready')).status === 200, 10_000, 100);
    // The admin API works again too, and changes still reach the route table.
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'after', url: upstream.url })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'after', service: 'after', paths: ['/api/v1/after'], auth: { required: false } })).status, 201);
    assert.equal((await gateway.get('/api/v1/after')).status, 200);
  });

  it('serves Swagger UI at /docs', async () => {
    const page = await gateway.get('/docs');
    assert.equal(page.status, 200);
    assert.match(page.text, /swagger-ui/i);
  });

  it('documents every control-plane endpoint, with schemas, errors and the admin key scheme', async () => {
    const { status, body: doc } = await gateway.get('/docs-json');
    assert.equal(status, 200);
    assert.equal(doc.components.securitySchemes['admin-key'].in, 'header');
    assert.equal(doc.components.securitySchemes['admin-key'].name, 'X-API-Key');
    const expected: Record<string, string[]> = {
      '/admin/services': ['get', 'post'],
      '/admin/services/{idOrName}': ['get', 'patch', 'put', 'delete'],
      '/admin/routes': ['get', 'post'],
      '/admin/routes/{idOrName}': ['get', 'patch', 'put', 'delete'],
      '/admin/consumers': ['get', 'post'],
      '/admin/consumers/{consumer}': ['get', 'patch', 'put', 'delete'],
      '/admin/consumers/{consumer}/keys': ['get', 'post'],
      '/admin/consumers/{consumer}/keys/{keyId}': ['get', 'delete'],
      '/admin/consumers/{consumer}/keys/{keyId}/revoke': ['post'],
      '/admin/consumers/{consumer}/clients': ['get', 'post'],
      '/admin/consumers/{consumer}/clients/{clientRecordId}': ['delete'],
      '/api/v1/auth/token': ['post'],
      '/api/v1/auth/revoke': ['post'],
      '/api/v1/users/me': ['get'],
      '/health': ['get'],
      '/ready': ['get'],
      '/health/startup': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      for (const method of methods) {
        const operation = doc.paths[path]?.[method];
        assert.ok(operation, `${method.toUpperCase()} ${path} is documented`);
        assert.ok(operation.summary, `${method.toUpperCase()} ${path} has a summary`);
        if (path.startsWith('/admin')) {
          assert.deepEqual(operation.security, [{ 'admin-key': [] }, { oauth2: ['admin'] }], `${method.toUpperCase()} ${path} needs the admin key or the admin scope`);
          assert.ok(operation.responses['401'], `${method.toUpperCase()} ${path} documents 401`);
          assert.ok(operation.responses['403'], `${method.toUpperCase()} ${path} documents 403`);
          assert.ok(operation.responses['400'], `${method.toUpperCase()} ${path} documents 400`);
        }
      }
    }
    // Discovery and resilience views: the admin key or a scoped credential, documented; their bodies and ids are validated too.
    const keyed: Record<string, string[]> = {
      '/discovery/register': ['post'],
      '/discovery/register/{id}': ['delete'],
      '/discovery/heartbeat/{id}': ['put'],
      '/discovery/services': ['get'],
      '/admin/services/{idOrName}/health': ['get'],
      '/admin/services/{idOrName}/circuit': ['get'],
      '/admin/services/{idOrName}/circuit/reset': ['post'],
      '/health/services': ['get'],
    };
    for (const [path, methods] of Object.entries(keyed)) {
      for (const method of methods) {
        const operation = doc.paths[path]?.[method];
        assert.ok(operation, `${method.toUpperCase()} ${path} is documented`);
        assert.ok(operation.summary, `${method.toUpperCase()} ${path} has a summary`);
        const scope = path.startsWith('/discovery') ? ['discovery', 'admin'] : ['admin'];
        assert.deepEqual(operation.security, [{ 'admin-key': [] }, { oauth2: scope }], `${method.toUpperCase()} ${path} needs the admin key or the ${scope[0]} scope`);
        assert.ok(operation.responses['401'], `${method.toUpperCase()} ${path} documents 401`);
        if (path.startsWith('/discovery')) assert.ok(operation.responses['400'], `${method.toUpperCase()} ${path} documents 400`);
      }
    }
    assert.deepEqual(doc.components.schemas.RegisterTargetDto.required.sort(), ['host', 'port', 'service_name']);
    assert.ok(doc.components.schemas.CreateServiceDto.properties.circuit_breaker, 'resilience settings are documented');
    const create = doc.components.schemas.CreateRouteDto;
    assert.deepEqual(create.required.sort(), ['name', 'paths', 'service']);
    assert.ok(create.properties.paths.example, 'examples are given');
    assert.ok(doc.components.schemas.ProblemView.properties.code);
    assert.equal(doc.components.securitySchemes.oauth2.flows.clientCredentials.tokenUrl, '/api/v1/auth/token');
    assert.deepEqual(Object.keys(doc.components.schemas.RouteAuthView.properties).sort(), ['forward_authorization', 'methods', 'required', 'scope_match', 'scopes']);
    assert.deepEqual(doc.components.schemas.ConsumerList.properties.data.items, { $ref: '#/components/schemas/ConsumerView' });
    assert.ok(doc.components.schemas.CreatedApiKeyView.properties.key, 'the created key is documented');
    assert.ok(!doc.components.schemas.ApiKeyView.properties.key, 'a listed key never carries the key');
    assert.deepEqual(Object.keys(doc.paths['/api/v1/auth/token'].post.requestBody.content).sort(), ['application/json', 'application/x-www-form-urlencoded']);
    assert.equal(doc.paths['/admin/routes'].post.requestBody.content['application/json'].schema.$ref, '#/components/schemas/CreateRouteDto');
  });

  it('answers an unknown control-plane path with 404 in the error format', async () => {
    assertProblem(await gateway.get('/nope'), 404, 'NOT_FOUND');
  });

  it('on SIGTERM finishes requests in flight, refuses new connections, and exits 0', async () => {
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'slow', url: upstream.url })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'slow', service: 'slow', paths: ['/api/v1/slow/*'], strip_prefix: true, auth: { required: false } })).status, 201);
    const inFlight = gateway.get('/api/v1/slow/delay/1500');
    await eventually(() => upstream.requests.some((r) => r.url === '/delay/1500'), 2000, 10);
    const exited = gateway.stop('SIGTERM');
    await eventually(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = net.connect(gateway.port, '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            resolve(false);
          });
          socket.once('error', () => resolve(true));
        }),
      1000,
      10,
    );
    const reply = await inFlight;
    assert.equal(reply.status, 200, 'the request in flight completed');
    assert.equal(reply.body.delayed, 1500);
    assert.equal(await exited, 0);
  });
});
