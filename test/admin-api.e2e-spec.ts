import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertProblem, badFields } from './helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { ADMIN_KEY, GatewayProcess } from './helpers/gateway.js';

const SERVICE = { name: 'orders', url: 'http://127.0.0.1:9/v1' };
const SOME_ID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

describe('admin API', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;

  /** The API key of a consumer without an admin scope: authenticated, but not allowed in. */
  let outsiderKey: string;

  before(async () => {
    db = await createTestDatabase('admin');
    gateway = await GatewayProcess.start({ databaseUrl: db.url });
    assert.equal((await gateway.admin('POST', '/admin/services', SERVICE)).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/consumers', { username: 'outsider', scopes: ['orders:read', 'discovery'] })).status, 201);
    outsiderKey = (await gateway.admin('POST', '/admin/consumers/outsider/keys', {})).body.key;
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
  });

  const ENDPOINTS: Array<[string, string]> = [
    ['GET', '/admin/services'],
    ['POST', '/admin/services'],
    ['GET', '/admin/services/orders'],
    ['PATCH', '/admin/services/orders'],
    ['PUT', '/admin/services/orders'],
    ['DELETE', '/admin/services/orders'],
    ['GET', '/admin/routes'],
    ['POST', '/admin/routes'],
    ['GET', '/admin/routes/any'],
    ['PATCH', '/admin/routes/any'],
    ['PUT', '/admin/routes/any'],
    ['DELETE', '/admin/routes/any'],
    ['GET', '/admin/configuration'],
    ['PUT', '/admin/configuration'],
    ['POST', '/admin/reload-config'],
    ['POST', '/admin/reload-config?dry_run=true'],
    ['GET', '/admin/audit-log'],
    ['DELETE', '/admin/cache/any'],
    ['GET', '/admin/consumers'],
    ['POST', '/admin/consumers'],
    ['GET', '/admin/consumers/any'],
    ['PATCH', '/admin/consumers/any'],
    ['PUT', '/admin/consumers/any'],
    ['DELETE', '/admin/consumers/any'],
    ['GET', '/admin/consumers/any/keys'],
    ['POST', '/admin/consumers/any/keys'],
    ['GET', `/admin/consumers/any/keys/${SOME_ID}`],
    ['POST', `/admin/consumers/any/keys/${SOME_ID}/revoke`],
    ['DELETE', `/admin/consumers/any/keys/${SOME_ID}`],
    ['GET', '/admin/consumers/any/clients'],
    ['POST', '/admin/consumers/any/clients'],
    ['DELETE', `/admin/consumers/any/clients/${SOME_ID}`],
  ];

  for (const [method, path] of ENDPOINTS) {
    it(`refuses ${method} ${path} without the admin key or with a wrong one (401), and to a consumer without an admin scope (403)`, async () => {
      for (const headers of [{ 'x-api-key': '' }, { 'x-api-key': 'wrong-key-wrong-key-wrong' }, {}] as Array<Record<string, string>>) {
        const reply = await gateway.fetch(path, {
          method,
          headers: { 'content-type': 'application/json', ...headers },
          body: method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify(SERVICE),
        });
        assertProblem(reply, 401, 'AUTH_ERROR');
      }
      const outsider = await gateway.fetch(path, {
        method,
        headers: { 'content-type': 'application/json', 'x-api-key': outsiderKey },
        body: method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify(SERVICE),
      });
      assertProblem(outsider, 403, 'FORBIDDEN');
      // Nothing changed behind the refusals.
      const service = await gateway.admin('GET', '/admin/services/orders');
      assert.equal(service.status, 200);
      assert.equal(service.body.url, SERVICE.url);
    });
  }

  const BAD_SERVICES: Array<[string, unknown, string[]]> = [
    ['an unknown field', { ...SERVICE, name: 'a1', colour: 'red' }, ['colour']],
    ['a number for a name', { ...SERVICE, name: 5 }, ['name']],
    ['a name with spaces', { ...SERVICE, name: 'my service' }, ['name']],
    ['a UUID-shaped name', { ...SERVICE, name: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' }, ['name']],
    ['no url and no targets', { name: 'a2' }, ['url']],
    ['both url and targets', { name: 'a3', url: 'http://a:1', targets: [{ url: 'http://b:1' }] }, ['url']],
    ['an ftp url', { name: 'a4', url: 'ftp://files.example.com' }, ['url']],
    ['a url that is not one', { name: 'a5', url: 'not a url' }, ['url']],
    ['a url with credentials', { name: 'a6', url: 'http://user:pw@orders:8080' }, ['url']],
    ['a url with a query', { name: 'a7', url: 'http://orders:8080/?debug=1' }, ['url']],
    ['an empty target list', { name: 'a8', targets: [] }, ['targets']],
    ['a target with a bad url and weight', { name: 'a9', targets: [{ url: 'orders', weight: -1 }] }, ['targets[0].url', 'targets[0].weight']],
    ['a timeout as a string', { ...SERVICE, name: 'a10', timeout_ms: '100' }, ['timeout_ms']],
    ['too many retries', { ...SERVICE, name: 'a11', retries: 11 }, ['retries']],
    ['a zero connect timeout', { ...SERVICE, name: 'a12', connect_timeout_ms: 0 }, ['connect_timeout_ms']],
    ['tags that are not a list', { ...SERVICE, name: 'a13', tags: 'x' }, ['tags']],
    ['a tag with spaces', { ...SERVICE, name: 'a14', tags: ['ok', 'not ok'] }, ['tags']],
  ];

  for (const [label, body, fields] of BAD_SERVICES) {
    it(`refuses a service with ${label}, naming ${fields.join(', ')}`, async () => {
      const reply = await gateway.admin('POST', '/admin/services', body);
      assertProblem(reply, 400, 'INVALID_REQUEST');
      for (const field of fields) assert.ok(badFields(reply).includes(field), `${field} in ${JSON.stringify(reply.body.errors)}`);
      const list = await gateway.admin('GET', '/admin/services');
      assert.deepEqual(list.body.data.map((s: { name: string }) => s.name), ['orders']);
    });
  }

  const ROUTE = { name: 'r', service: 'orders', paths: ['/api/v1/orders/*'] };
  const BAD_ROUTES: Array<[string, unknown, string[]]> = [
    ['no paths', { name: 'r1', service: 'orders' }, ['paths']],
    ['an empty path list', { ...ROUTE, paths: [] }, ['paths']],
    ['a path without a leading slash', { ...ROUTE, paths: ['api/v1/x'] }, ['paths']],
    ['a doubled slash', { ...ROUTE, paths: ['/api/v1//x'] }, ['paths']],
    ['a wildcard in the middle', { ...ROUTE, paths: ['/api/v1/*/x'] }, ['paths']],
    ['a dot-dot segment', { ...ROUTE, paths: ['/api/v1/../admin'] }, ['paths']],
    ['a repeated parameter', { ...ROUTE, paths: ['/api/v1/:id/x/:id'] }, ['paths']],
    ['a regex parameter', { ...ROUTE, paths: ['/api/v1/:id(^\\d+$)'] }, ['paths']],
    ['a path outside the proxied prefixes', { ...ROUTE, paths: ['/internal/x'] }, ['paths[0]']],
    ['an empty method list', { ...ROUTE, methods: [] }, ['methods']],
    ['an unknown method', { ...ROUTE, methods: ['GET', 'FETCH'] }, ['methods']],
    ['a bad host', { ...ROUTE, hosts: ['not a host'] }, ['hosts']],
    ['a string for a boolean', { ...ROUTE, strip_prefix: 'yes' }, ['strip_prefix']],
    ['a fractional priority', { ...ROUTE, priority: 1.5 }, ['priority']],
    ['an unknown service', { ...ROUTE, service: 'nope' }, ['service']],
    ['an unknown field', { ...ROUTE, upstream: 'x' }, ['upstream']],
    ['no service', { name: 'r2', paths: ['/api/v1/x'] }, ['service']],
  ];

  for (const [label, body, fields] of BAD_ROUTES) {
    it(`refuses a route with ${label}, naming ${fields.join(', ')}`, async () => {
      const reply = await gateway.admin('POST', '/admin/routes', body);
      assertProblem(reply, 400, 'INVALID_REQUEST');
      for (const field of fields) assert.ok(badFields(reply).includes(field), `${field} in ${JSON.stringify(reply.body.errors)}`);
      assert.equal((await gateway.admin('GET', '/admin/routes')).body.total, 0);
    });
  }

  it('refuses malformed JSON with a 400 in the error format', async () => {
    assertProblem(await gateway.admin('POST', '/admin/services', '{"name": "x",'), 400, 'INVALID_REQUEST');
  });

  it('refuses a duplicate name with 409, for services and routes', async () => {
    assertProblem(await gateway.admin('POST', '/admin/services', SERVICE), 409, 'CONFLICT');
    assert.equal((await gateway.admin('POST', '/admin/routes', { auth: { required: false }, ...ROUTE, name: 'dup' })).status, 201);
    assertProblem(await gateway.admin('POST', '/admin/routes', { auth: { required: false }, ...ROUTE, name: 'dup' }), 409, 'CONFLICT');
    assertProblem(await gateway.admin('PATCH', '/admin/services/orders', { name: 'orders' }).then(async (r) => {
      assert.equal(r.status, 200); // renaming to its own name is no conflict
      await gateway.admin('POST', '/admin/services', { name: 'other', url: 'http://127.0.0.1:9' });
      return gateway.admin('PATCH', '/admin/services/other', { name: 'orders' });
    }), 409, 'CONFLICT');
    assert.equal((await gateway.admin('DELETE', '/admin/routes/dup')).status, 204);
    assert.equal((await gateway.admin('DELETE', '/admin/services/other')).status, 204);
  });

  it('answers 404 for an unknown id or name', async () => {
    for (const ref of ['3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'no-such-thing']) {
      for (const kind of ['services', 'routes']) {
        assertProblem(await gateway.admin('GET', `/admin/${kind}/${ref}`), 404, 'NOT_FOUND');
        assertProblem(await gateway.admin('PATCH', `/admin/${kind}/${ref}`, { tags: ['x'] }), 404, 'NOT_FOUND');
        assertProblem(await gateway.admin('DELETE', `/admin/${kind}/${ref}`), 404, 'NOT_FOUND');
      }
    }
    assertProblem(await gateway.admin('PUT', '/admin/services/3f2504e0-4f89-11d3-9a0c-0305e82c3301', { url: 'http://a:1' }), 404, 'NOT_FOUND');
  });

  it('creates, reads by id and by name, patches and deletes a route', async () => {
    const created = await gateway.admin('POST', '/admin/routes', { auth: { required: false }, ...ROUTE, name: 'crud', methods: ['get', 'post'], hosts: ['API.example.com'], tags: ['t1'] });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.methods, ['GET', 'POST']);
    assert.deepEqual(created.body.hosts, ['api.example.com']);
    assert.equal(created.body.service.name, 'orders');
    const byId = await gateway.admin('GET', `/admin/routes/${created.body.id}`);
    const byName = await gateway.admin('GET', '/admin/routes/crud');
    assert.deepEqual(byId.body, byName.body);
    const patched = await gateway.admin('PATCH', '/admin/routes/crud', { priority: 5, strip_prefix: true });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.priority, 5);
    assert.equal(patched.body.strip_prefix, true);
    assert.deepEqual(patched.body.methods, ['GET', 'POST'], 'fields not given stay');
    assert.equal((await gateway.admin('DELETE', '/admin/routes/crud')).status, 204);
    assertProblem(await gateway.admin('GET', '/admin/routes/crud'), 404, 'NOT_FOUND');
  });

  it('PUT creates a missing name (201) and replaces an existing one whole (200)', async () => {
    const created = await gateway.admin('PUT', '/admin/services/billing', { url: 'http://127.0.0.1:9/b', retries: 5, tags: ['x'] });
    assert.equal(created.status, 201);
    assert.equal(created.body.retries, 5);
    const replaced = await gateway.admin('PUT', '/admin/services/billing', { targets: [{ url: 'http://127.0.0.1:9/c', weight: 3 }, { url: 'http://127.0.0.1:10' }] });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.id, created.body.id);
    assert.equal(replaced.body.retries, 2, 'a field left out returns to its default');
    assert.deepEqual(replaced.body.tags, []);
    assert.equal(replaced.body.url, null);
    assert.deepEqual(replaced.body.targets.map((t: { url: string; weight: number }) => [t.url, t.weight]), [['http://127.0.0.1:9/c', 3], ['http://127.0.0.1:10', 100]]);
    const patched = await gateway.admin('PATCH', '/admin/services/billing', { url: 'http://127.0.0.1:11' });
    assert.deepEqual(patched.body.targets.map((t: { url: string }) => t.url), ['http://127.0.0.1:11'], 'url replaces the target set');
    assert.equal((await gateway.admin('DELETE', '/admin/services/billing')).status, 204);
  });

  it('refuses to delete a service that routes use, unless cascade=true', async () => {
    await gateway.admin('POST', '/admin/services', { name: 'inuse', url: 'http://127.0.0.1:9' });
    await gateway.admin('POST', '/admin/routes', { auth: { required: false }, name: 'uses-1', service: 'inuse', paths: ['/api/v1/inuse/a'] });
    await gateway.admin('POST', '/admin/routes', { auth: { required: false }, name: 'uses-2', service: 'inuse', paths: ['/api/v1/inuse/b'] });
    const refused = await gateway.admin('DELETE', '/admin/services/inuse');
    assertProblem(refused, 409, 'CONFLICT');
    assert.match(refused.body.detail, /uses-1, uses-2/);
    assertProblem(await gateway.admin('DELETE', '/admin/services/inuse?cascade=maybe'), 400, 'INVALID_REQUEST');
    assert.equal((await gateway.admin('DELETE', '/admin/services/inuse?cascade=true')).status, 204);
    assertProblem(await gateway.admin('GET', '/admin/routes/uses-1'), 404, 'NOT_FOUND');
    assertProblem(await gateway.admin('GET', '/admin/services/inuse'), 404, 'NOT_FOUND');
  });

  it('never writes the admin key, right or wrong, to the log', async () => {
    await gateway.admin('GET', '/admin/services');
    await gateway.get('/admin/services', { 'x-api-key': 'a-wrong-key-that-must-not-be-logged' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(gateway.logs().some((line) => line.req?.url === '/admin/services'), 'admin calls are logged');
    assert.ok(!gateway.output.includes(ADMIN_KEY));
    assert.ok(!gateway.output.includes('a-wrong-key-that-must-not-be-logged'));
  });

  it('paginates lists and filters them by tag', async () => {
    for (let i = 0; i < 5; i++) {
      await gateway.admin('POST', '/admin/services', { name: `page-${i}`, url: 'http://127.0.0.1:9', tags: i % 2 ? ['odd', 'page'] : ['page'] });
    }
    const first = await gateway.admin('GET', '/admin/services?tag=page&limit=2');
    assert.equal(first.body.total, 5);
    assert.deepEqual(first.body.data.map((s: { name: string }) => s.name), ['page-0', 'page-1']);
    assert.equal(first.body.next_offset, 2);
    const last = await gateway.admin('GET', '/admin/services?tag=page&limit=2&offset=4');
    assert.deepEqual(last.body.data.map((s: { name: string }) => s.name), ['page-4']);
    assert.equal(last.body.next_offset, null);
    const odd = await gateway.admin('GET', '/admin/services?tag=page,odd');
    assert.deepEqual(odd.body.data.map((s: { name: string }) => s.name), ['page-1', 'page-3']);
    assertProblem(await gateway.admin('GET', '/admin/services?limit=0'), 400, 'INVALID_REQUEST');
    assertProblem(await gateway.admin('GET', '/admin/services?limit=abc'), 400, 'INVALID_REQUEST');
    assertProblem(await gateway.admin('GET', '/admin/services?sort=name'), 400, 'INVALID_REQUEST');
  });
});
