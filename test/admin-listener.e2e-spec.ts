import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertProblem } from './helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { ADMIN_KEY, GatewayProcess } from './helpers/gateway.js';
import { Upstream } from './helpers/upstream.js';

describe('ADMIN_PORT: the control plane on its own listener', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const upstream = new Upstream('public');

  before(async () => {
    db = await createTestDatabase('admin_port');
    await upstream.start();
    gateway = await GatewayProcess.start({ databaseUrl: db.url, env: { ADMIN_PORT: '0', ADMIN_ALLOWED_CIDRS: '127.0.0.0/8,::1' } });
    assert.ok(gateway.adminPort > 0 && gateway.adminPort !== gateway.port);
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'public', url: upstream.url })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'public', service: 'public', paths: ['/api/v1/public/*'], strip_prefix: true, auth: { required: false } })).status, 201);
  });

  after(async () => {
    await gateway?.stop();
    await upstream.stop();
    await db?.drop();
  });

  const HIDDEN_ON_PUBLIC = ['/admin/services', '/admin/configuration', '/docs', '/docs-json', '/admin/audit-log'];
  for (const path of HIDDEN_ON_PUBLIC) {
    it(`answers 404 for ${path} on the public port, even with the admin key`, async () => {
      assertProblem(await gateway.fetch(path, { headers: { 'x-api-key': ADMIN_KEY } }), 404, 'NOT_FOUND');
    });
  }

  it('serves the admin API and /docs on the admin port', async () => {
    assert.equal((await gateway.admin('GET', '/admin/services')).body.total, 1);
    assert.equal((await gateway.fetch('/docs-json', {}, gateway.adminUrl)).status, 200);
  });

  it('keeps proxied traffic and the probes on the public port', async () => {
    assert.equal((await gateway.get('/api/v1/public/hello')).status, 200);
    for (const probe of ['/health', '/ready', '/health/startup']) assert.equal((await gateway.get(probe)).status, 200, probe);
    upstream.reset();
    assertProblem(await gateway.fetch('/api/v1/public/hello', {}, gateway.adminUrl), 404, 'NOT_FOUND');
    assert.equal(upstream.requests.length, 0);
  });
});

describe('ADMIN_ALLOWED_CIDRS', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;

  before(async () => {
    db = await createTestDatabase('admin_cidr');
    gateway = await GatewayProcess.start({ databaseUrl: db.url, env: { ADMIN_PORT: '0', ADMIN_ALLOWED_CIDRS: '10.0.0.0/8' } });
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
  });

  it('refuses the admin listener to an address outside the list with 403 problem+json, before authentication', async () => {
    assertProblem(await gateway.admin('GET', '/admin/services'), 403, 'FORBIDDEN');
    assertProblem(await gateway.fetch('/docs', {}, gateway.adminUrl), 403, 'FORBIDDEN');
    assertProblem(await gateway.fetch('/admin/services'), 404, 'NOT_FOUND');
    assert.equal((await gateway.get('/ready')).status, 200);
  });

  it('drains both listeners on SIGTERM and exits 0', async () => {
    assert.equal(await gateway.stop('SIGTERM'), 0);
  });
});

describe('ADMIN_ALLOWED_CIDRS without ADMIN_PORT', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;

  before(async () => {
    db = await createTestDatabase('admin_cidr1');
    gateway = await GatewayProcess.start({ databaseUrl: db.url, env: { ADMIN_ALLOWED_CIDRS: '10.0.0.0/8' } });
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
  });

  it('narrows the control plane on the shared port, but not the probes or the data plane', async () => {
    assert.equal(gateway.adminPort, 0);
    assertProblem(await gateway.admin('GET', '/admin/services'), 403, 'FORBIDDEN');
    assertProblem(await gateway.get('/docs-json'), 403, 'FORBIDDEN');
    assert.equal((await gateway.get('/ready')).status, 200);
    assertProblem(await gateway.get('/api/v1/nothing'), 404, 'ROUTE_NOT_FOUND');
  });
});
