import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertProblem, badFields } from './helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { eventually, GatewayProcess } from './helpers/gateway.js';
import { Upstream } from './helpers/upstream.js';

const ADMIN_KEY_VALUE = 'test-admin-key-0123456789abcdef';

function fileWith(services: unknown[], routes: unknown[]): string {
  return JSON.stringify({ services, routes }, null, 2);
}

describe('admin operations', () => {
  let db: TestDatabase;
  let first: GatewayProcess;
  let second: GatewayProcess;
  let dir: string;
  let configFile: string;
  const upstream = new Upstream('ops');

  const SERVICE = () => ({ name: 'ops', url: upstream.url, timeout_ms: 10_000 });
  const ROUTE = { name: 'ops-route', service: 'ops', paths: ['/api/v1/ops/*'], strip_prefix: true, auth: { required: false } };

  before(async () => {
    db = await createTestDatabase('admin_ops');
    await upstream.start();
    dir = mkdtempSync(path.join(os.tmpdir(), 'gw-reload-'));
    configFile = path.join(dir, 'gateway.yaml');
    writeFileSync(configFile, fileWith([SERVICE()], [ROUTE]));
    // A password in DATABASE_URL (trust authentication ignores it) shows the redaction.
    const databaseUrl = db.url.replace('postgres@', 'postgres:hunter2-db-password@');
    first = await GatewayProcess.start({ databaseUrl, env: { GATEWAY_CONFIG: configFile } });
    second = await GatewayProcess.start({ databaseUrl: db.url });
  });

  after(async () => {
    await first?.stop();
    await second?.stop();
    await upstream.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('audit log', () => {
    it('records a create, an update and a delete with actor, before, after, request id and time', async () => {
      const started = new Date(Date.now() - 1_000).toISOString();
      const created = await first.admin('POST', '/admin/routes', { ...ROUTE, name: 'audited', paths: ['/api/v1/audited/*'] });
      assert.equal(created.status, 201);
      const updated = await first.admin('PATCH', '/admin/routes/audited', { priority: 7 });
      assert.equal(updated.status, 200);
      const deleted = await first.admin('DELETE', '/admin/routes/audited');
      assert.equal(deleted.status, 204);

      const log = await first.admin('GET', `/admin/audit-log?entity=audited&since=${encodeURIComponent(started)}`);
      assert.equal(log.status, 200);
      assert.equal(log.body.total, 3);
      const [del, upd, cre] = log.body.data;
      assert.deepEqual([cre.action, upd.action, del.action], ['create', 'update', 'delete']);
      for (const entry of [cre, upd, del]) {
        assert.equal(entry.actor, 'admin-key');
        assert.equal(entry.entity_type, 'route');
        assert.equal(entry.entity_name, 'audited');
        assert.equal(entry.entity_id, created.body.id);
        assert.ok(Date.parse(entry.at) >= Date.parse(started));
      }
      assert.equal(cre.request_id, created.headers.get('x-request-id'));
      assert.equal(upd.request_id, updated.headers.get('x-request-id'));
      assert.equal(del.request_id, deleted.headers.get('x-request-id'));
      assert.equal(cre.before, null);
      assert.deepEqual(cre.after.paths, ['/api/v1/audited/*']);
      assert.equal(upd.before.priority, 0);
      assert.equal(upd.after.priority, 7);
      assert.equal(del.before.priority, 7);
      assert.equal(del.after, null);
    });

    it('names the consumer whose credential made a change as its actor', async () => {
      const consumer = await first.admin('POST', '/admin/consumers', { username: 'operator', scopes: ['admin'] });
      assert.equal(consumer.status, 201);
      const key = (await first.admin('POST', '/admin/consumers/operator/keys', {})).body.key;
      const created = await first.fetch('/admin/routes', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ ...ROUTE, name: 'by-operator', paths: ['/api/v1/by-operator/*'] }),
      });
      assert.equal(created.status, 201);
      const log = await first.admin('GET', '/admin/audit-log?entity=by-operator');
      assert.equal(log.body.total, 1);
      assert.equal(log.body.data[0].actor, `consumer:${consumer.body.id}`);
      const byActor = await first.admin('GET', `/admin/audit-log?actor=${encodeURIComponent(`consumer:${consumer.body.id}`)}`);
      assert.deepEqual(byActor.body.data.map((e: { entity_name: string }) => e.entity_name), ['by-operator']);
    });

    it('filters by entity type and action, and pages newest first', async () => {
      const deletes = await first.admin('GET', '/admin/audit-log?entity_type=route&action=delete');
      assert.ok(deletes.body.data.length >= 1);
      assert.ok(deletes.body.data.every((e: { action: string; entity_type: string }) => e.action === 'delete' && e.entity_type === 'route'));
      const pageOne = await first.admin('GET', '/admin/audit-log?limit=1');
      const pageTwo = await first.admin('GET', `/admin/audit-log?limit=1&offset=${pageOne.body.next_offset}`);
      assert.equal(pageOne.body.data.length, 1);
      assert.equal(pageOne.body.next_offset, 1);
      assert.ok(pageOne.body.data[0].id > pageTwo.body.data[0].id);
    });

    it('writes nothing for a change that is refused', async () => {
      const before = (await first.admin('GET', '/admin/audit-log?limit=1')).body.total;
      assertProblem(await first.admin('POST', '/admin/services', SERVICE()), 409, 'CONFLICT');
      assertProblem(await first.admin('PATCH', '/admin/routes/no-such-route', { priority: 1 }), 404, 'NOT_FOUND');
      assert.equal((await first.admin('GET', '/admin/audit-log?limit=1')).body.total, before);
    });

    const BAD_QUERIES: Array<[string, string]> = [
      ['action=explode', 'action'],
      ['entity_type=planet', 'entity_type'],
      ['since=yesterday', 'since'],
      ['limit=0', 'limit'],
    ];
    for (const [query, field] of BAD_QUERIES) {
      it(`refuses ?${query}, naming ${field}`, async () => {
        const reply = await first.admin('GET', `/admin/audit-log?${query}`);
        assertProblem(reply, 400, 'INVALID_REQUEST');
        assert.ok(badFields(reply).includes(field), JSON.stringify(reply.body.errors));
      });
    }
  });

  describe('configuration', () => {
    it('shows the effective settings with secrets redacted', async () => {
      const reply = await first.admin('GET', '/admin/configuration');
      assert.equal(reply.status, 200);
      assert.equal(reply.body.environment.ADMIN_API_KEY, '[redacted]');
      assert.match(reply.body.environment.DATABASE_URL, /^postgres:\/\/postgres:\[redacted\]@127\.0\.0\.1/);
      assert.equal(reply.body.environment.PROXY_PREFIXES, '/api/v1');
      assert.equal(reply.body.runtime.log_level, 'info');
      assert.equal(reply.body.runtime.response_cache_enabled, true);
      assert.equal(reply.body.cache_store, 'memory');
      assert.ok(!reply.text.includes('hunter2'));
      assert.ok(!reply.text.includes(ADMIN_KEY_VALUE));
    });

    it('applies a run-time change on every instance, persists and audits it', async () => {
      assert.equal((await second.admin('POST', '/admin/routes', { ...ROUTE, name: 'ops-cached', paths: ['/api/v1/opscache/*'], cache: { enabled: true } })).status, 201);
      await eventually(async () => (await first.get('/api/v1/opscache/respond')).status === 200, 10_000);
      assert.equal((await second.get('/api/v1/opscache/respond')).headers.get('x-cache'), 'MISS');

      const put = await first.admin('PUT', '/admin/configuration', { log_level: 'warn', response_cache_enabled: false });
      assert.equal(put.status, 200);
      assert.deepEqual(put.body, { log_level: 'warn', response_cache_enabled: false });
      // The other instance hears of it through the configuration version.
      await eventually(async () => (await second.admin('GET', '/admin/configuration')).body.runtime.log_level === 'warn', 15_000);
      assert.equal((await second.get('/api/v1/opscache/respond')).headers.get('x-cache'), 'BYPASS');
      // At warn the access lines (info) stop.
      const marker = await first.get('/api/v1/ops/respond?body=quiet');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(!first.logs().some((l) => l.req_id === marker.headers.get('x-request-id')));

      const audit = await first.admin('GET', '/admin/audit-log?entity_type=settings');
      assert.equal(audit.body.data[0].before.log_level, 'info');
      assert.equal(audit.body.data[0].after.log_level, 'warn');
      const rows = await db.query<{ name: string; value: unknown }>('SELECT name, value FROM runtime_settings ORDER BY name');
      assert.deepEqual(rows, [{ name: 'log_level', value: 'warn' }, { name: 'response_cache_enabled', value: false }]);

      const back = await second.admin('PUT', '/admin/configuration', { log_level: 'info', response_cache_enabled: true });
      assert.equal(back.status, 200);
      await eventually(async () => (await first.admin('GET', '/admin/configuration')).body.runtime.response_cache_enabled === true, 15_000);
    });

    const BAD_SETTINGS: Array<[string, unknown, string]> = [
      ['an unknown log level', { log_level: 'loud' }, 'log_level'],
      ['a string for a flag', { response_cache_enabled: 'yes' }, 'response_cache_enabled'],
      ['a setting that cannot change at run time', { PORT: 1 }, 'PORT'],
    ];
    for (const [label, body, field] of BAD_SETTINGS) {
      it(`refuses ${label}, naming ${field}`, async () => {
        const reply = await first.admin('PUT', '/admin/configuration', body);
        assertProblem(reply, 400, 'INVALID_REQUEST');
        assert.ok(badFields(reply).includes(field), JSON.stringify(reply.body.errors));
      });
    }
  });

  it('documents every admin operation in the OpenAPI document', async () => {
    const docs = await first.get('/docs-json');
    for (const path of ['/admin/configuration', '/admin/reload-config', '/admin/audit-log', '/admin/cache/{route}']) {
      assert.ok(docs.body.paths[path], `${path} documented`);
      for (const operation of Object.values(docs.body.paths[path]) as Array<{ security?: unknown[]; responses: Record<string, unknown> }>) {
        assert.deepEqual(operation.security, [{ 'admin-key': [] }, { oauth2: ['admin'] }], path);
        assert.ok(operation.responses['401'], `${path} documents 401`);
      }
    }
  });

  describe('reload-config', () => {
    it('shows the diff on a dry run without writing, then applies it, then finds nothing to do', async () => {
      const newService = { name: 'ops-extra', url: upstream.url };
      const changedRoute = { ...ROUTE, paths: ['/api/v1/ops/*', '/api/v1/ops2/*'], timeout_ms: 2_000 };
      writeFileSync(configFile, fileWith([SERVICE(), newService], [changedRoute]));
      const auditBefore = (await first.admin('GET', '/admin/audit-log?limit=1')).body.total;

      const dry = await first.admin('POST', '/admin/reload-config?dry_run=true');
      assert.equal(dry.status, 200);
      assert.equal(dry.body.dry_run, true);
      assert.deepEqual(dry.body.created, ['service:ops-extra']);
      assert.deepEqual(dry.body.unchanged, ['service:ops']);
      assert.deepEqual(dry.body.updated, [
        {
          entity: 'route',
          name: 'ops-route',
          changes: {
            paths: { before: ['/api/v1/ops/*'], after: ['/api/v1/ops/*', '/api/v1/ops2/*'] },
            timeout_ms: { before: null, after: 2_000 },
          },
        },
      ]);
      assert.equal((await first.admin('GET', '/admin/services/ops-extra')).status, 404);
      assert.equal((await first.admin('GET', '/admin/routes/ops-route')).body.timeout_ms, null);
      assert.equal((await first.admin('GET', '/admin/audit-log?limit=1')).body.total, auditBefore);

      const applied = await first.admin('POST', '/admin/reload-config');
      assert.equal(applied.status, 200);
      assert.equal(applied.body.dry_run, false);
      assert.deepEqual(applied.body.created, dry.body.created);
      assert.deepEqual(applied.body.updated, dry.body.updated);
      assert.equal((await first.admin('GET', '/admin/services/ops-extra')).status, 200);
      assert.equal((await first.admin('GET', '/admin/routes/ops-route')).body.timeout_ms, 2_000);
      assert.equal((await first.get('/api/v1/ops2/respond')).status, 200);
      const audit = await first.admin('GET', '/admin/audit-log?limit=2');
      assert.deepEqual(audit.body.data.map((e: { action: string; entity_name: string }) => `${e.action} ${e.entity_name}`), ['update ops-route', 'create ops-extra']);
      assert.equal(audit.body.data[0].request_id, applied.headers.get('x-request-id'));

      const again = await first.admin('POST', '/admin/reload-config');
      assert.deepEqual(again.body.created, []);
      assert.deepEqual(again.body.updated, []);
      assert.deepEqual(again.body.unchanged.sort(), ['route:ops-route', 'service:ops', 'service:ops-extra']);
    });

    it('refuses an invalid file with each problem named, and changes nothing', async () => {
      writeFileSync(configFile, fileWith([{ name: 'broken', url: 'ftp://nowhere' }], [{ ...ROUTE, timeout_ms: 5 }, { name: 'x' }]));
      const reply = await first.admin('POST', '/admin/reload-config');
      assertProblem(reply, 400, 'INVALID_REQUEST');
      const fields = badFields(reply);
      assert.ok(fields.includes('services[0].url'), JSON.stringify(fields));
      assert.ok(fields.includes('routes[1].paths'), JSON.stringify(fields));
      assert.equal((await first.admin('GET', '/admin/services/broken')).status, 404);
      assert.equal((await first.admin('GET', '/admin/routes/ops-route')).body.timeout_ms, 2_000);
    });

    it('answers 409 where GATEWAY_CONFIG is not set, and 400 for a bad dry_run', async () => {
      assertProblem(await second.admin('POST', '/admin/reload-config'), 409, 'CONFLICT');
      const bad = await first.admin('POST', '/admin/reload-config?dry_run=maybe');
      assertProblem(bad, 400, 'INVALID_REQUEST');
      assert.ok(badFields(bad).includes('dry_run'));
    });
  });
});
