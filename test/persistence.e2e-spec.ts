import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { InitialSchema1732320000000 } from '../migrations/1732320000000-initial-schema.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { ADMIN_KEY, GatewayProcess } from './helpers/gateway.js';
import { Upstream } from './helpers/upstream.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

async function configure(gateway: GatewayProcess, upstream: Upstream): Promise<void> {
  assert.equal((await gateway.admin('POST', '/admin/services', { name: 'kept', url: upstream.url, tags: ['persist'] })).status, 201);
  assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'kept', service: 'kept', paths: ['/api/v1/kept/*'], strip_prefix: true, auth: { required: false } })).status, 201);
  assert.equal((await gateway.get('/api/v1/kept/x')).status, 200);
}

async function assertStillConfigured(gateway: GatewayProcess): Promise<void> {
  const service = await gateway.admin('GET', '/admin/services/kept');
  assert.equal(service.status, 200);
  assert.deepEqual(service.body.tags, ['persist']);
  const reply = await gateway.get('/api/v1/kept/after-restart');
  assert.equal(reply.status, 200);
  assert.equal(reply.body.url, '/after-restart');
}

/** Runs the gateway to its exit and returns its code and output (for starts that must fail). */
function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c));
    child.stderr.on('data', (c: Buffer) => (output += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('persistence', () => {
  const upstream = new Upstream('persist');
  const scratch = mkdtempSync(path.join(tmpdir(), 'gw-persist-'));

  before(async () => {
    await upstream.start();
  });

  after(async () => {
    await upstream.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  describe('on PostgreSQL', () => {
    let db: TestDatabase;
    before(async () => (db = await createTestDatabase('persist')));
    after(async () => db?.drop());

    it('keeps services and routes across a restart', async () => {
      const first = await GatewayProcess.start({ databaseUrl: db.url });
      await configure(first, upstream);
      assert.equal(await first.stop('SIGTERM'), 0, 'a SIGTERM ends the process cleanly');
      const second = await GatewayProcess.start({ databaseUrl: db.url });
      try {
        await assertStillConfigured(second);
      } finally {
        await second.stop();
      }
    });

    it('generates an admin key when none is set, prints it once and stores only its hash', async () => {
      const first = await GatewayProcess.start({ databaseUrl: db.url, env: { ADMIN_API_KEY: undefined } });
      const key = /^\s+(gwadm_[A-Za-z0-9_-]{43})$/m.exec(first.output)?.[1];
      await first.stop();
      assert.ok(key, `a generated key was printed:\n${first.output}`);
      const [row] = await db.query<{ admin_key_hash: string }>('SELECT admin_key_hash FROM gateway_state');
      assert.equal(row.admin_key_hash, createHash('sha256').update(key).digest('hex'));
      assert.ok(!JSON.stringify(await db.query('SELECT * FROM gateway_state')).includes(key), 'the key itself is not stored');

      const second = await GatewayProcess.start({ databaseUrl: db.url, env: { ADMIN_API_KEY: undefined } });
      try {
        assert.ok(!second.output.includes('gwadm_'), 'printed only at first start');
        assert.equal((await second.get('/admin/services', { 'x-api-key': key })).status, 200);
        assert.equal((await second.get('/admin/services', { 'x-api-key': ADMIN_KEY })).status, 401);
      } finally {
        await second.stop();
      }
    });
  });

  describe('on the embedded database (no DATABASE_URL)', () => {
    const dataDir = path.join(scratch, 'embedded');

    it('keeps services and routes across a restart and a kill -9', async () => {
      const first = await GatewayProcess.start({ dataDir });
      await configure(first, upstream);
      await first.stop('SIGKILL');
      const second = await GatewayProcess.start({ dataDir });
      try {
        await assertStillConfigured(second);
        const refused = await runToExit({ DATA_DIR: dataDir, ADMIN_API_KEY: ADMIN_KEY });
        assert.notEqual(refused.code, 0, 'a second process on the same DATA_DIR is refused');
        assert.match(refused.output, /in use by gateway process/);
        assert.equal((await second.get('/api/v1/kept/x')).status, 200, 'and the first one is unharmed');
      } finally {
        assert.equal(await second.stop('SIGTERM'), 0);
      }
      const third = await GatewayProcess.start({ dataDir });
      try {
        await assertStillConfigured(third);
      } finally {
        await third.stop();
      }
    });
  });

  describe('declarative configuration (GATEWAY_CONFIG)', () => {
    let db: TestDatabase;
    before(async () => (db = await createTestDatabase('declarative')));
    after(async () => db?.drop());

    it('applies the file at start, and applying it again changes nothing', async () => {
      const file = path.join(scratch, 'gateway.yaml');
      writeFileSync(
        file,
        [
          'services:',
          '  - name: catalog',
          `    url: ${upstream.url}/catalog`,
          '    timeout_ms: 5000',
          '    tags: [declarative]',
          'routes:',
          '  - name: catalog',
          '    service: catalog',
          '    paths: [/api/v1/catalog/*]',
          '    methods: [GET]',
          '    strip_prefix: true',
          // Keys out of the order PostgreSQL's jsonb keeps them in: still "unchanged" the second time.
          '    cors: {max_age: 60, origins: ["https://app.example.com"], credentials: true}',
          '    security_headers: false',
          '    websocket: true',
          '    api_version: "2"',
          '    api_version_default: true',
          '    auth: { required: false }',
        ].join('\n'),
      );
      const first = await GatewayProcess.start({ databaseUrl: db.url, env: { GATEWAY_CONFIG: file } });
      const [{ config_version: afterFirst }] = await db.query<{ config_version: string }>('SELECT config_version FROM gateway_state');
      try {
        const reply = await first.get('/api/v1/catalog/books');
        assert.equal(reply.status, 200);
        assert.equal(reply.body.url, '/catalog/books');
      } finally {
        await first.stop();
      }
      const second = await GatewayProcess.start({ databaseUrl: db.url, env: { GATEWAY_CONFIG: file } });
      await second.stop();
      const [{ config_version: afterSecond }] = await db.query<{ config_version: string }>('SELECT config_version FROM gateway_state');
      assert.equal(afterSecond, afterFirst, 'no write the second time');
      const line = second.logs().find((entry) => entry.msg === 'declarative configuration applied');
      assert.deepEqual(line?.unchanged, ['service:catalog', 'route:catalog']);
    });

    it('writes a large file in one change: one version bump, one table build, the file order kept', async () => {
      // Over two pages of the table's read (500 routes each), so that every page must arrive.
      const count = 1_100;
      const file = path.join(scratch, 'large.yaml');
      const routes = Array.from({ length: count }, (_, i) => [
        `  - name: bulk-${i}`,
        '    service: bulk',
        // Two routes claim each path: the earlier one in the file serves it, as when each was its own write.
        `    paths: [/api/v1/bulk/${Math.floor(i / 2)}/*]`,
        '    methods: [GET]',
        '    strip_prefix: true',
        '    auth: { required: false }',
      ]);
      writeFileSync(file, ['services:', '  - name: bulk', `    url: ${upstream.url}`, 'routes:', ...routes.flat()].join('\n'));
      const [{ config_version: before }] = await db.query<{ config_version: string }>('SELECT config_version FROM gateway_state');
      const gateway = await GatewayProcess.start({ databaseUrl: db.url, env: { GATEWAY_CONFIG: file } });
      try {
        const [{ config_version: afterwards }] = await db.query<{ config_version: string }>('SELECT config_version FROM gateway_state');
        assert.equal(Number(afterwards) - Number(before), 1, 'one version bump for the whole file');
        const builds = gateway.logs().filter((entry) => entry.msg === 'route table built' && entry.version > Number(before));
        assert.deepEqual(builds.map((entry) => entry.routes), [count + 1], 'the table with every route (and catalog) is built once');
        const [{ n }] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE entity_name LIKE 'bulk-%' AND action = 'create'");
        assert.equal(n, count);
        for (const i of [0, 1, count - 2, count - 1]) assert.equal((await gateway.get(`/api/v1/bulk/${Math.floor(i / 2)}/x`)).status, 200);
        const shadowed = gateway.logs().filter((entry) => typeof entry.msg === 'string' && entry.msg.includes('is shadowed by route'));
        assert.equal(shadowed.length, count / 2);
        assert.match(shadowed[0]!.msg as string, /^route bulk-1: .* is shadowed by route bulk-0$/);
      } finally {
        await gateway.stop();
      }
    });

    it('applies a file whole or not at all: an entry that fails to write leaves nothing behind', async () => {
      const file = path.join(scratch, 'half.yaml');
      writeFileSync(
        file,
        [
          'routes:',
          '  - name: half-ok',
          '    service: catalog',
          '    paths: [/api/v1/half-ok/*]',
          '  - name: half-broken',
          '    service: no-such-service',
          '    paths: [/api/v1/half-broken/*]',
        ].join('\n'),
      );
      const { code, output } = await runToExit({ DATABASE_URL: db.url, ADMIN_API_KEY: ADMIN_KEY, GATEWAY_CONFIG: file });
      assert.notEqual(code, 0);
      assert.match(output, /invalid field: service/);
      assert.deepEqual(await db.query("SELECT name FROM routes WHERE name LIKE 'half-%'"), []);
    });

    it('refuses to start on an invalid file, naming each bad field', async () => {
      const file = path.join(scratch, 'bad.yaml');
      writeFileSync(file, 'services:\n  - name: ok\n    url: ftp://nope\nroutes:\n  - name: r\n    service: ok\n    paths: [nope]\n');
      const { code, output } = await runToExit({ DATABASE_URL: db.url, ADMIN_API_KEY: ADMIN_KEY, GATEWAY_CONFIG: file });
      assert.notEqual(code, 0);
      assert.match(output, /services\[0\]\.url/);
      assert.match(output, /routes\[0\]\.paths/);
    });
  });

  describe('upgrading a database from before authentication', () => {
    let db: TestDatabase;
    before(async () => (db = await createTestDatabase('upgrade')));
    after(async () => db?.drop());

    it('keeps the routes that existed open, forwarding Authorization, while new routes require a credential', async () => {
      // The schema and a route as the gateway left them before the auth migration.
      await new InitialSchema1732320000000().up({ query: (sql: string) => db.query(sql) } as never);
      await db.query('CREATE TABLE migrations (id SERIAL PRIMARY KEY, "timestamp" bigint NOT NULL, name varchar NOT NULL)');
      await db.query(`INSERT INTO migrations ("timestamp", name) VALUES (1732320000000, 'InitialSchema1732320000000')`);
      const [service] = await db.query<{ id: string }>(`INSERT INTO services (name) VALUES ('legacy') RETURNING id`);
      await db.query('INSERT INTO targets (service_id, url) VALUES ($1, $2)', [service.id, upstream.url]);
      await db.query(`INSERT INTO routes (name, service_id, paths, methods) VALUES ('legacy', $1, '{/api/v1/legacy/*}', '{GET}')`, [service.id]);

      const gateway = await GatewayProcess.start({ databaseUrl: db.url });
      try {
        upstream.reset();
        const reply = await gateway.get('/api/v1/legacy/x', { authorization: 'Bearer the-upstream-own-token' });
        assert.equal(reply.status, 200, reply.text);
        assert.equal(upstream.requests[0].headers.authorization, 'Bearer the-upstream-own-token', 'the gateway neither checks nor strips it');
        const legacy = await gateway.admin('GET', '/admin/routes/legacy');
        assert.deepEqual(legacy.body.auth, { required: false, methods: [], scopes: [], scope_match: 'all', forward_authorization: true });
        assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'new', service: 'legacy', paths: ['/api/v1/new/*'] })).status, 201);
        assert.equal((await gateway.get('/api/v1/new/x')).status, 401, 'a route created now requires a credential');
      } finally {
        await gateway.stop();
      }
    });
  });

  it('refuses to start on bad environment variables, naming each one', async () => {
    const { code, output } = await runToExit({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', DATA_DIR: scratch });
    assert.equal(code, 78);
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL']) assert.match(output, new RegExp(name));
    assert.ok(!/at \w+ \(/.test(output), 'a message, not a stack trace');
  });
});
