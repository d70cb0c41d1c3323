import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrations } from '../migrations/index.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { eventually, GatewayProcess } from './helpers/gateway.js';
import { Upstream } from './helpers/upstream.js';

describe('two gateway instances on one database', () => {
  let db: TestDatabase;
  let first: GatewayProcess;
  let second: GatewayProcess;
  const upstream = new Upstream('shared');

  before(async () => {
    await upstream.start();
    db = await createTestDatabase('multi');
    // Started together: the migration lock makes them take turns on the schema.
    [first, second] = await Promise.all([GatewayProcess.start({ databaseUrl: db.url }), GatewayProcess.start({ databaseUrl: db.url })]);
  });

  after(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await db?.drop();
    await upstream.stop();
  });

  it('both started on a schema migrated once', async () => {
    const rows = await db.query<{ name: string }>('SELECT name FROM migrations');
    assert.deepEqual(rows.map((r) => r.name).sort(), migrations.map((m) => new m().name).sort());
  });

  it('serves on the second instance, within 1 s, a route created through the first', async (t) => {
    assert.equal((await first.admin('POST', '/admin/services', { name: 'shared', url: upstream.url })).status, 201);
    assert.equal((await second.get('/api/v1/shared/x')).status, 404);
    const created = await first.admin('POST', '/admin/routes', { name: 'shared', service: 'shared', paths: ['/api/v1/shared/*'], strip_prefix: true, auth: { required: false } });
    assert.equal(created.status, 201);
    const took = await eventually(async () => (await second.get('/api/v1/shared/x')).status === 200, 1000, 10);
    t.diagnostic(`route served by the other instance after ${took} ms`);
    assert.equal((await first.get('/api/v1/shared/x')).status, 200, 'the writer serves it at once');
  });

  it('propagates changes and deletions the same way', async () => {
    assert.equal((await second.admin('PATCH', '/admin/routes/shared', { paths: ['/api/v1/moved/*'] })).status, 200);
    await eventually(async () => (await first.get('/api/v1/moved/x')).status === 200 && (await first.get('/api/v1/shared/x')).status === 404, 1000, 10);
    assert.equal((await first.admin('DELETE', '/admin/routes/shared')).status, 204);
    await eventually(async () => (await second.get('/api/v1/moved/x')).status === 404, 1000, 10);
  });
});
