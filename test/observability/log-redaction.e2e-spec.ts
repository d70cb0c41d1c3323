/**
 * No secret reaches the gateway's output: credentials sent in every redacted header (the API key
 * header renamed by API_KEY_HEADER among them) and as token
 * query parameters, to both planes and along every path that logs (success, unmatched, upstream
 * failure, refused admin call, unknown control-plane path), at the most verbose log level.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { ADMIN_KEY, eventually, GatewayProcess } from '../helpers/gateway.js';
import { Upstream } from '../helpers/upstream.js';

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

describe('log redaction', () => {
  let db: TestDatabase;
  let upstream: Upstream;
  let gateway: GatewayProcess;
  const secrets = {
    bearer: secret('bearer'),
    cookie: secret('cookie'),
    apiKey: secret('apikey'),
    renamedKey: secret('renamedkey'),
    proxyAuth: secret('proxyauth'),
    queryToken: secret('querytoken'),
    queryKey: secret('querykey'),
    wrongAdminKey: secret('wrongadmin'),
  };
  const headers = () => ({
    authorization: `Bearer ${secrets.bearer}`,
    cookie: `session=${secrets.cookie}; theme=dark`,
    'x-api-key': secrets.apiKey,
    'x-gateway-key': secrets.renamedKey,
    'proxy-authorization': `Basic ${secrets.proxyAuth}`,
  });
  const query = () => `?token=${secrets.queryToken}&api_key=${secrets.queryKey}&page=2`;

  before(async () => {
    db = await createTestDatabase('redaction');
    upstream = await new Upstream('alpha').start();
    gateway = await GatewayProcess.start({ databaseUrl: db.url, env: { LOG_LEVEL: 'trace', API_KEY_HEADER: 'X-Gateway-Key' } });
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'alpha', url: upstream.url })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'down', url: 'http://127.0.0.1:9' })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'open', service: 'alpha', paths: ['/api/v1/open/*'], auth: { required: false, methods: [], forward_authorization: true } })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'broken', service: 'down', paths: ['/api/v1/broken/*'], auth: { required: false, methods: [] } })).status, 201);
    await gateway.waitFor(async () => (await gateway.get('/api/v1/open/ready')).status === 200, 'route served');
  });

  after(async () => {
    await gateway?.stop();
    await upstream?.stop();
    await db?.drop();
  });

  it('writes none of them to any log line, on either plane', async () => {
    const calls: Array<[string, string, number]> = [
      ['GET', `/api/v1/open/data${query()}`, 200],
      ['POST', `/api/v1/open/data${query()}`, 200],
      ['GET', `/api/v1/nowhere${query()}`, 404],
      ['GET', `/api/v1/broken/x${query()}`, 502],
      ['GET', `/admin/services${query()}`, 401],
      ['GET', `/no/such/page${query()}`, 404],
      ['GET', `/metrics/json${query()}`, 200],
    ];
    for (const [method, path, status] of calls) {
      const reply = await gateway.fetch(path, { method, headers: { ...headers(), 'content-type': 'application/json' }, body: method === 'POST' ? JSON.stringify({ token: secrets.queryToken }) : undefined });
      assert.equal(reply.status, status, `${method} ${path}`);
    }
    // A refused admin call with a wrong key, and an accepted one with the real key.
    assert.equal((await gateway.fetch('/admin/routes', { headers: { 'x-api-key': secrets.wrongAdminKey } })).status, 401);
    assert.equal((await gateway.admin('GET', '/admin/routes')).status, 200);
    // Unknown query parameters on the admin API: refused with 400, and that path logs too.
    assert.equal((await gateway.admin('GET', `/admin/routes${query()}`)).status, 400);

    // The lines were written (so the check below could fail), the token parameters masked.
    await eventually(() => gateway.logs().some((l) => l.path === '/api/v1/broken/x' && l.status === 502), 5_000);
    await eventually(() => gateway.logs().some((l) => /\/no\/such\/page\?token=\[redacted\]&api_key=\[redacted\]&page=2/.test(String(l.req?.url))), 5_000);
    assert.equal(await gateway.stop('SIGTERM'), 0);

    const leaks = Object.entries({ ...secrets, adminKey: ADMIN_KEY }).filter(([, value]) => gateway.output.includes(value));
    assert.deepEqual(leaks.map(([name]) => name), []);
    // The upstream did get the credentials: redaction is about logs, not forwarding.
    const forwarded = upstream.requests.find((r) => r.url.startsWith('/api/v1/open/data'));
    assert.equal(forwarded?.headers.authorization, `Bearer ${secrets.bearer}`);
  });
});
