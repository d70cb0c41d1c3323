import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertProblem, badFields } from './helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { ADMIN_KEY, eventually, GatewayProcess, type Reply } from './helpers/gateway.js';
import { Upstream } from './helpers/upstream.js';

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('consumers, API keys, OAuth clients and the token endpoints', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const upstream = new Upstream('shop');
  const secrets: string[] = [];

  /** POST to the token endpoint as a form (the OAuth 2.0 default). */
  const tokenRequest = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    gateway.fetch('/api/v1/auth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form(params) });

  async function client(consumer: string): Promise<{ id: string; client_id: string; client_secret: string }> {
    const reply = await gateway.admin('POST', `/admin/consumers/${consumer}/clients`, { name: 'test' });
    assert.equal(reply.status, 201, reply.text);
    secrets.push(reply.body.client_secret);
    return reply.body;
  }

  async function apiKey(consumer: string, body: unknown = {}): Promise<{ id: string; key: string; prefix: string }> {
    const reply = await gateway.admin('POST', `/admin/consumers/${consumer}/keys`, body);
    assert.equal(reply.status, 201, reply.text);
    secrets.push(reply.body.key);
    return reply.body;
  }

  async function accessToken(credentials: { client_id: string; client_secret: string }, scope?: string): Promise<string> {
    const reply = await tokenRequest({ grant_type: 'client_credentials', ...credentials, ...(scope === undefined ? {} : { scope }) });
    assert.equal(reply.status, 200, reply.text);
    secrets.push(reply.body.access_token);
    return reply.body.access_token;
  }

  const consumer = async (body: Record<string, unknown>) => {
    const reply = await gateway.admin('POST', '/admin/consumers', body);
    assert.equal(reply.status, 201, reply.text);
    return reply.body as { id: string; username: string };
  };

  before(async () => {
    await upstream.start();
    db = await createTestDatabase('auth_consumers');
    // No AUTH_SECRET, no JWT_SECRET: the gateway makes its own and signs its tokens with it.
    gateway = await GatewayProcess.start({ databaseUrl: db.url });
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'shop', url: upstream.url })).status, 201);
    const routes = [
      { name: 'orders', service: 'shop', paths: ['/api/v1/orders/*'], auth: { scopes: ['orders:read'] } },
      // A catch-all under the prefix: the gateway's own endpoints must still win.
      { name: 'everything', service: 'shop', paths: ['/api/v1/*'], priority: -100 },
    ];
    for (const route of routes) assert.equal((await gateway.admin('POST', '/admin/routes', route)).status, 201);
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
    await upstream.stop();
  });

  beforeEach(() => upstream.reset());

  describe('the consumer admin API', () => {
    it('creates, reads by id and by username, patches, replaces and deletes a consumer', async () => {
      const created = await consumer({ username: 'crud', custom_id: 'ext-1', scopes: ['a', 'b'], tags: ['t'] });
      assert.deepEqual({ ...created, id: undefined, created_at: undefined, updated_at: undefined }, {
        id: undefined, username: 'crud', custom_id: 'ext-1', scopes: ['a', 'b'], tags: ['t'], created_at: undefined, updated_at: undefined,
      });
      const byId = await gateway.admin('GET', `/admin/consumers/${created.id}`);
      const byName = await gateway.admin('GET', '/admin/consumers/crud');
      assert.deepEqual(byId.body, byName.body);
      const patched = await gateway.admin('PATCH', '/admin/consumers/crud', { scopes: ['c'] });
      assert.deepEqual(patched.body.scopes, ['c']);
      assert.equal(patched.body.custom_id, 'ext-1', 'fields not given stay');
      const replaced = await gateway.admin('PUT', '/admin/consumers/crud', { tags: ['u'] });
      assert.equal(replaced.status, 200);
      assert.equal(replaced.body.custom_id, null, 'a field left out returns to its default');
      assert.deepEqual(replaced.body.scopes, []);
      const put = await gateway.admin('PUT', '/admin/consumers/new-by-put', { scopes: ['x'] });
      assert.equal(put.status, 201);
      for (const name of ['crud', 'new-by-put']) assert.equal((await gateway.admin('DELETE', `/admin/consumers/${name}`)).status, 204);
      assertProblem(await gateway.admin('GET', '/admin/consumers/crud'), 404, 'NOT_FOUND');
    });

    it('refuses a taken username or custom_id with 409', async () => {
      await consumer({ username: 'taken', custom_id: 'ext-taken' });
      assertProblem(await gateway.admin('POST', '/admin/consumers', { username: 'taken' }), 409, 'CONFLICT');
      const sameCustom = await gateway.admin('POST', '/admin/consumers', { username: 'other', custom_id: 'ext-taken' });
      assertProblem(sameCustom, 409, 'CONFLICT');
      assert.match(sameCustom.body.detail, /custom_id/);
      await consumer({ username: 'renamer' });
      assertProblem(await gateway.admin('PATCH', '/admin/consumers/renamer', { username: 'taken' }), 409, 'CONFLICT');
      assert.equal((await gateway.admin('PATCH', '/admin/consumers/taken', { username: 'taken', custom_id: 'ext-taken' })).status, 200, 'its own name is no conflict');
    });

    it('answers 404 for an unknown consumer, key or client, and for another consumer\'s key', async () => {
      const unknown = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
      for (const ref of [unknown, 'no-such-consumer']) {
        assertProblem(await gateway.admin('GET', `/admin/consumers/${ref}`), 404, 'NOT_FOUND');
        assertProblem(await gateway.admin('PATCH', `/admin/consumers/${ref}`, { tags: ['x'] }), 404, 'NOT_FOUND');
        assertProblem(await gateway.admin('DELETE', `/admin/consumers/${ref}`), 404, 'NOT_FOUND');
        assertProblem(await gateway.admin('POST', `/admin/consumers/${ref}/keys`, {}), 404, 'NOT_FOUND');
        assertProblem(await gateway.admin('GET', `/admin/consumers/${ref}/keys`), 404, 'NOT_FOUND');
        assertProblem(await gateway.admin('POST', `/admin/consumers/${ref}/clients`, {}), 404, 'NOT_FOUND');
      }
      await consumer({ username: 'owner-a' });
      await consumer({ username: 'owner-b' });
      const key = await apiKey('owner-a');
      assertProblem(await gateway.admin('GET', `/admin/consumers/owner-b/keys/${key.id}`), 404, 'NOT_FOUND');
      assertProblem(await gateway.admin('POST', `/admin/consumers/owner-b/keys/${key.id}/revoke`), 404, 'NOT_FOUND');
      assertProblem(await gateway.admin('DELETE', `/admin/consumers/owner-b/keys/${key.id}`), 404, 'NOT_FOUND');
      assertProblem(await gateway.admin('GET', `/admin/consumers/owner-a/keys/not-a-uuid`), 404, 'NOT_FOUND');
      assertProblem(await gateway.admin('DELETE', `/admin/consumers/owner-a/clients/${unknown}`), 404, 'NOT_FOUND');
      assert.equal((await gateway.admin('GET', `/admin/consumers/owner-a/keys/${key.id}`)).status, 200);
    });

    it('paginates consumers and filters them by tag; paginates keys', async () => {
      for (let i = 0; i < 5; i++) await consumer({ username: `paged-${i}`, tags: i % 2 ? ['paged', 'odd'] : ['paged'] });
      const first = await gateway.admin('GET', '/admin/consumers?tag=paged&limit=2');
      assert.equal(first.body.total, 5);
      assert.deepEqual(first.body.data.map((c: { username: string }) => c.username), ['paged-0', 'paged-1']);
      assert.equal(first.body.next_offset, 2);
      const odd = await gateway.admin('GET', '/admin/consumers?tag=paged,odd');
      assert.deepEqual(odd.body.data.map((c: { username: string }) => c.username), ['paged-1', 'paged-3']);
      for (let i = 0; i < 3; i++) await apiKey('paged-0', { name: `k${i}` });
      const keys = await gateway.admin('GET', '/admin/consumers/paged-0/keys?limit=2&offset=1');
      assert.equal(keys.body.total, 3);
      assert.deepEqual(keys.body.data.map((k: { name: string }) => k.name), ['k1', 'k2']);
      assert.equal(keys.body.next_offset, null);
      assertProblem(await gateway.admin('GET', '/admin/consumers?limit=0'), 400, 'INVALID_REQUEST');
    });

    const BAD_CONSUMERS: Array<[string, unknown, string[]]> = [
      ['no username', { scopes: ['a'] }, ['username']],
      ['an unknown field', { username: 'x1', role: 'admin' }, ['role']],
      ['a number for a username', { username: 5 }, ['username']],
      ['a username with spaces', { username: 'bad name' }, ['username']],
      ['a UUID-shaped username', { username: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' }, ['username']],
      ['a custom_id with spaces', { username: 'x2', custom_id: 'a b' }, ['custom_id']],
      ['a custom_id of 257 characters', { username: 'x3', custom_id: 'c'.repeat(257) }, ['custom_id']],
      ['scopes that are not a list', { username: 'x4', scopes: 'admin' }, ['scopes']],
      ['a scope with a space', { username: 'x5', scopes: ['orders read'] }, ['scopes']],
      ['a scope with a quote', { username: 'x6', scopes: ['a"b'] }, ['scopes']],
      ['a repeated scope', { username: 'x7', scopes: ['a', 'a'] }, ['scopes']],
      ['a bad tag', { username: 'x8', tags: ['not ok'] }, ['tags']],
    ];
    for (const [label, body, fields] of BAD_CONSUMERS) {
      it(`refuses a consumer with ${label}, naming ${fields.join(', ')}`, async () => {
        const before = (await gateway.admin('GET', '/admin/consumers?limit=1')).body.total;
        const reply = await gateway.admin('POST', '/admin/consumers', body);
        assertProblem(reply, 400, 'INVALID_REQUEST');
        for (const field of fields) assert.ok(badFields(reply).includes(field), `${field} in ${JSON.stringify(reply.body.errors)}`);
        assert.equal((await gateway.admin('GET', '/admin/consumers?limit=1')).body.total, before, 'nothing was written');
      });
    }

    const BAD_KEYS: Array<[string, unknown, string[]]> = [
      ['an unknown field', { key: 'my-own-key' }, ['key']],
      ['an expiry in the past', { expires_at: '2000-01-01T00:00:00Z' }, ['expires_at']],
      ['an expiry that is no date', { expires_at: 'tomorrow' }, ['expires_at']],
      ['an expiry without a time zone', { expires_at: '2031-01-01T00:00:00' }, ['expires_at']],
      ['an expiry beyond ten years', { expires_at: '2099-01-01T00:00:00Z' }, ['expires_at']],
      ['both expires_at and ttl_seconds', { expires_at: '2031-01-01T00:00:00Z', ttl_seconds: 60 }, ['expires_at']],
      ['a zero ttl', { ttl_seconds: 0 }, ['ttl_seconds']],
      ['a ttl as a string', { ttl_seconds: '60' }, ['ttl_seconds']],
      ['a name of 129 characters', { name: 'n'.repeat(129) }, ['name']],
      ['a name with a newline', { name: 'a\nb' }, ['name']],
    ];
    for (const [label, body, fields] of BAD_KEYS) {
      it(`refuses an API key with ${label}, naming ${fields.join(', ')}`, async () => {
        await gateway.admin('PUT', '/admin/consumers/key-validation', {});
        const reply = await gateway.admin('POST', '/admin/consumers/key-validation/keys', body);
        assertProblem(reply, 400, 'INVALID_REQUEST');
        for (const field of fields) assert.ok(badFields(reply).includes(field), `${field} in ${JSON.stringify(reply.body.errors)}`);
        assert.equal((await gateway.admin('GET', '/admin/consumers/key-validation/keys')).body.total, 0);
      });
    }

    it('refuses an OAuth client with an unknown field or a bad name', async () => {
      await gateway.admin('PUT', '/admin/consumers/client-validation', {});
      for (const [body, field] of [[{ secret: 'mine' }, 'secret'], [{ name: 7 }, 'name']] as const) {
        const reply = await gateway.admin('POST', '/admin/consumers/client-validation/clients', body);
        assertProblem(reply, 400, 'INVALID_REQUEST');
        assert.deepEqual(badFields(reply), [field]);
      }
      assert.equal((await gateway.admin('GET', '/admin/consumers/client-validation/clients')).body.total, 0);
    });

    const ROUTE = { service: 'shop', paths: ['/api/v1/v/*'] };
    const BAD_ROUTE_AUTH: Array<[string, unknown, string[]]> = [
      ['auth as a string', { ...ROUTE, auth: 'jwt' }, ['auth']],
      ['auth as a list', { ...ROUTE, auth: [{ required: true }] }, ['auth']],
      ['a string for auth.required', { ...ROUTE, auth: { required: 'yes' } }, ['auth.required']],
      ['an unknown method', { ...ROUTE, auth: { methods: ['password'] } }, ['auth.methods']],
      ['no method while required', { ...ROUTE, auth: { methods: [] } }, ['auth.methods']],
      ['scopes on an optional route', { ...ROUTE, auth: { required: false, scopes: ['a'] } }, ['auth.scopes']],
      ['an unknown scope_match', { ...ROUTE, auth: { scopes: ['a'], scope_match: 'some' } }, ['auth.scope_match']],
      ['a scope with a space', { ...ROUTE, auth: { scopes: ['a b'] } }, ['auth.scopes']],
      ['an unknown auth field', { ...ROUTE, auth: { anonymous: 'guest' } }, ['auth.anonymous']],
      ['a string for forward_authorization', { ...ROUTE, auth: { forward_authorization: 'true' } }, ['auth.forward_authorization']],
      ["the gateway's own token path", { ...ROUTE, paths: ['/api/v1/auth/token'] }, ['paths[0]']],
      ["the gateway's own users/me path", { ...ROUTE, paths: ['/api/v1/x', '/api/v1/users/me'] }, ['paths[1]']],
    ];
    for (const [label, body, fields] of BAD_ROUTE_AUTH) {
      it(`refuses a route with ${label}, naming ${fields.join(', ')}`, async () => {
        const reply = await gateway.admin('POST', '/admin/routes', { name: 'auth-validation', ...(body as object) });
        assertProblem(reply, 400, 'INVALID_REQUEST');
        for (const field of fields) assert.ok(badFields(reply).includes(field), `${field} in ${JSON.stringify(reply.body.errors)}`);
        assertProblem(await gateway.admin('GET', '/admin/routes/auth-validation'), 404, 'NOT_FOUND');
      });
    }

    it('merges a PATCH of auth into the stored policy, and checks the result as a whole', async () => {
      const created = await gateway.admin('POST', '/admin/routes', { name: 'patched-auth', ...ROUTE, auth: { methods: ['jwt'], scopes: ['a'] } });
      assert.deepEqual(created.body.auth, { required: true, methods: ['jwt'], scopes: ['a'], scope_match: 'all', forward_authorization: false });
      const patched = await gateway.admin('PATCH', '/admin/routes/patched-auth', { auth: { scope_match: 'any' } });
      assert.deepEqual(patched.body.auth, { required: true, methods: ['jwt'], scopes: ['a'], scope_match: 'any', forward_authorization: false });
      const contradiction = await gateway.admin('PATCH', '/admin/routes/patched-auth', { auth: { required: false } });
      assertProblem(contradiction, 400, 'INVALID_REQUEST');
      assert.deepEqual(badFields(contradiction), ['auth.scopes']);
      assert.equal((await gateway.admin('GET', '/admin/routes/patched-auth')).body.auth.required, true, 'the refused PATCH changed nothing');
      const replaced = await gateway.admin('PUT', '/admin/routes/patched-auth', { ...ROUTE });
      assert.deepEqual(replaced.body.auth, { required: true, methods: ['jwt', 'api_key'], scopes: [], scope_match: 'all', forward_authorization: false }, 'PUT resets to the defaults');
      assert.equal((await gateway.admin('DELETE', '/admin/routes/patched-auth')).status, 204);
    });
  });

  describe('API keys', () => {
    it('goes through its life: created (shown once), used, listed without the key, revoked, deleted', async () => {
      const owner = await consumer({ username: 'key-owner', custom_id: 'crm-7', scopes: ['orders:read'] });
      const created = await apiKey('key-owner', { name: 'ci' });
      assert.match(created.key, /^gwk_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.prefix, created.key.slice(0, 12));
      const used = await gateway.get('/api/v1/orders/1', { 'x-api-key': created.key });
      assert.equal(used.status, 200, used.text);
      assert.equal(upstream.requests[0].headers['x-consumer-id'], owner.id);
      assert.equal(upstream.requests[0].headers['x-user-id'], 'crm-7');

      const listed = await gateway.admin('GET', '/admin/consumers/key-owner/keys');
      assert.equal(listed.body.total, 1);
      assert.equal(listed.body.data[0].status, 'active');
      assert.ok(!JSON.stringify(listed.body).includes(created.key), 'a list never shows the key');
      assert.ok(!('key' in listed.body.data[0]));
      const stored = await db.query('SELECT * FROM api_keys WHERE id = $1', [created.id]);
      assert.ok(!JSON.stringify(stored).includes(created.key.slice(4)), 'the database holds no key');
      assert.match(String(stored[0].key_hash), /^[0-9a-f]{64}$/);

      const revoked = await gateway.admin('POST', `/admin/consumers/key-owner/keys/${created.id}/revoke`);
      assert.equal(revoked.status, 200);
      assert.equal(revoked.body.status, 'revoked');
      assertProblem(await gateway.get('/api/v1/orders/1', { 'x-api-key': created.key }), 401, 'AUTH_ERROR');
      const again = await gateway.admin('POST', `/admin/consumers/key-owner/keys/${created.id}/revoke`);
      assert.equal(again.body.revoked_at, revoked.body.revoked_at, 'revoking twice keeps the first time');

      assert.equal((await gateway.admin('DELETE', `/admin/consumers/key-owner/keys/${created.id}`)).status, 204);
      assertProblem(await gateway.admin('GET', `/admin/consumers/key-owner/keys/${created.id}`), 404, 'NOT_FOUND');
      const gone = await gateway.get('/api/v1/orders/1', { 'x-api-key': created.key, 'x-request-id': 'deleted-key' });
      assertProblem(gone, 401, 'AUTH_ERROR');
      assert.equal((await gateway.logLine((l) => l.req_id === 'deleted-key')).auth_failure, 'unknown_api_key');
      assert.equal(upstream.requests.length, 1, 'only the first use reached the upstream');
    });

    it('stops working when it expires, by expires_at or ttl_seconds', async () => {
      await consumer({ username: 'short-lived', scopes: ['orders:read'] });
      const soon = await apiKey('short-lived', { ttl_seconds: 1 });
      const later = await apiKey('short-lived', { expires_at: new Date(Date.now() + 3_600_000).toISOString() });
      assert.equal((await gateway.get('/api/v1/orders/1', { 'x-api-key': soon.key })).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const expired = await gateway.get('/api/v1/orders/1', { 'x-api-key': soon.key, 'x-request-id': 'expired-key' });
      assertProblem(expired, 401, 'AUTH_ERROR');
      assert.equal((await gateway.logLine((l) => l.req_id === 'expired-key')).auth_failure, 'expired');
      assert.equal((await gateway.admin('GET', `/admin/consumers/short-lived/keys/${soon.id}`)).body.status, 'expired');
      assert.equal((await gateway.get('/api/v1/orders/1', { 'x-api-key': later.key })).status, 200);
    });

    it("follows its consumer's scopes at once, and dies with its consumer", async () => {
      await consumer({ username: 'promoted', scopes: [] });
      const key = await apiKey('promoted');
      assertProblem(await gateway.get('/api/v1/orders/1', { 'x-api-key': key.key }), 403, 'FORBIDDEN');
      assert.equal((await gateway.admin('PATCH', '/admin/consumers/promoted', { scopes: ['orders:read'] })).status, 200);
      assert.equal((await gateway.get('/api/v1/orders/1', { 'x-api-key': key.key })).status, 200);
      assert.equal((await gateway.admin('DELETE', '/admin/consumers/promoted')).status, 204);
      assertProblem(await gateway.get('/api/v1/orders/1', { 'x-api-key': key.key }), 401, 'AUTH_ERROR');
      assert.equal((await db.query('SELECT id FROM api_keys WHERE id = $1', [key.id])).length, 0, 'the keys went with the consumer');
    });
  });

  describe('the token endpoint (client credentials)', () => {
    let credentials: { id: string; client_id: string; client_secret: string };
    let holder: { id: string };

    before(async () => {
      holder = await consumer({ username: 'token-holder', custom_id: 'crm-42', scopes: ['orders:read', 'orders:write', 'reports'] });
      credentials = await client('token-holder');
    });

    it('creates client credentials once: the list shows the client_id, never the secret', async () => {
      assert.match(credentials.client_id, /^gwc_[A-Za-z0-9_-]{16}$/);
      assert.match(credentials.client_secret, /^gws_[A-Za-z0-9_-]{43}$/);
      const listed = await gateway.admin('GET', '/admin/consumers/token-holder/clients');
      assert.deepEqual(listed.body.data.map((c: { client_id: string }) => c.client_id), [credentials.client_id]);
      assert.ok(!JSON.stringify(listed.body).includes(credentials.client_secret));
      const stored = await db.query('SELECT * FROM oauth_clients');
      assert.ok(!JSON.stringify(stored).includes(credentials.client_secret.slice(4)), 'the database holds no secret');
    });

    const GRANTS: Array<[string, string | undefined, string]> = [
      ['what was asked and is held', 'orders:read billing:write', 'orders:read'],
      ['several scopes, in the order asked', 'reports orders:read', 'reports orders:read'],
      ['every scope held when none is asked for', undefined, 'orders:read orders:write reports'],
    ];
    for (const [label, asked, granted] of GRANTS) {
      it(`grants ${label}`, async () => {
        const reply = await tokenRequest({ grant_type: 'client_credentials', client_id: credentials.client_id, client_secret: credentials.client_secret, ...(asked ? { scope: asked } : {}) });
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.token_type, 'Bearer');
        assert.equal(reply.body.expires_in, 3600);
        assert.equal(reply.body.scope, granted);
        assert.equal(reply.headers.get('cache-control'), 'no-store');
        assert.equal(reply.headers.get('pragma'), 'no-cache');
        const claims = JSON.parse(Buffer.from(reply.body.access_token.split('.')[1], 'base64url').toString());
        assert.equal(claims.scope, granted);
        assert.equal(claims.sub, 'crm-42');
        assert.equal(claims.client_id, credentials.client_id);
        assert.equal(claims.exp - claims.iat, 3600);
        secrets.push(reply.body.access_token);
      });
    }

    it('takes the request as JSON and with HTTP Basic client authentication too', async () => {
      const json = await gateway.fetch('/api/v1/auth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: credentials.client_id, client_secret: credentials.client_secret, scope: 'reports' }),
      });
      assert.equal(json.status, 200, json.text);
      assert.equal(json.body.scope, 'reports');
      const viaBasic = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basic(credentials.client_id, credentials.client_secret) });
      assert.equal(viaBasic.status, 200, viaBasic.text);
    });

    const REFUSED: Array<[string, () => Promise<Reply>, number, string]> = [
      ['a wrong secret', () => tokenRequest({ grant_type: 'client_credentials', client_id: credentials.client_id, client_secret: 'gws_wrong' }), 401, 'invalid_client'],
      ['an unknown client', () => tokenRequest({ grant_type: 'client_credentials', client_id: 'gwc_unknown', client_secret: 'x' }), 401, 'invalid_client'],
      ['a wrong secret over Basic', () => tokenRequest({ grant_type: 'client_credentials' }, { authorization: basic(credentials.client_id, 'nope') }), 401, 'invalid_client'],
      ['no client authentication', () => tokenRequest({ grant_type: 'client_credentials' }), 401, 'invalid_client'],
      ['another grant type', () => tokenRequest({ grant_type: 'password', client_id: credentials.client_id, client_secret: credentials.client_secret }), 400, 'unsupported_grant_type'],
      ['no grant type', () => tokenRequest({ client_id: credentials.client_id, client_secret: credentials.client_secret }), 400, 'invalid_request'],
      ['only scopes the consumer lacks', () => tokenRequest({ grant_type: 'client_credentials', ...credentials, scope: 'admin' }), 400, 'invalid_scope'],
    ];
    for (const [label, send, status, error] of REFUSED) {
      it(`refuses ${label} with ${status} ${error}`, async () => {
        const reply = await send();
        assertProblem(reply, status, status === 401 ? 'AUTH_ERROR' : 'INVALID_REQUEST');
        assert.equal(reply.body.error, error);
        assert.ok(!('access_token' in reply.body));
        if (label.includes('Basic')) assert.equal(reply.headers.get('www-authenticate'), 'Basic realm="gateway"');
      });
    }

    it('issues a token the routes accept, with the identity of the consumer', async () => {
      const token = await accessToken(credentials, 'orders:read');
      const reply = await gateway.get('/api/v1/orders/7', { authorization: `Bearer ${token}` });
      assert.equal(reply.status, 200, reply.text);
      const seen = upstream.requests[0].headers;
      assert.equal(seen['x-consumer-id'], holder.id);
      assert.equal(seen['x-user-id'], 'crm-42');
      assert.equal(seen['x-scopes'], 'orders:read');
      const narrow = await accessToken(credentials, 'reports');
      assertProblem(await gateway.get('/api/v1/orders/7', { authorization: `Bearer ${narrow}` }), 403, 'FORBIDDEN');
    });

    it('answers GET /api/v1/users/me for a token and for an API key, and 401 without a credential', async () => {
      const token = await accessToken(credentials, 'orders:read reports');
      const me = await gateway.get('/api/v1/users/me', { authorization: `Bearer ${token}` });
      assert.equal(me.status, 200, me.text);
      assert.deepEqual({ ...me.body, expires_at: undefined }, {
        auth_method: 'jwt',
        user_id: 'crm-42',
        consumer: { id: holder.id, username: 'token-holder', custom_id: 'crm-42' },
        scopes: ['orders:read', 'reports'],
        expires_at: undefined,
        client_id: credentials.client_id,
      });
      assert.ok(Math.abs(Date.parse(me.body.expires_at) - (Date.now() + 3_600_000)) < 60_000);
      const key = await apiKey('token-holder', { ttl_seconds: 600 });
      const byKey = await gateway.get('/api/v1/users/me', { 'x-api-key': key.key });
      assert.equal(byKey.body.auth_method, 'api_key');
      assert.deepEqual(byKey.body.scopes, ['orders:read', 'orders:write', 'reports']);
      assert.ok(Math.abs(Date.parse(byKey.body.expires_at) - (Date.now() + 600_000)) < 60_000);
      const anonymous = await gateway.get('/api/v1/users/me');
      assertProblem(anonymous, 401, 'AUTH_ERROR');
      assert.match(anonymous.headers.get('www-authenticate')!, /^Bearer realm="gateway"/);
      assertProblem(await gateway.get('/api/v1/users/me', { authorization: 'Bearer abc.def.ghi' }), 401, 'AUTH_ERROR');
      assert.equal(upstream.requests.length, 0, 'the catch-all route never saw the gateway\'s own endpoints');
    });

    it('revokes a token: by itself as the Bearer, by its client, or with the admin key; not by another client', async () => {
      const own = await accessToken(credentials);
      assert.deepEqual((await gateway.fetch('/api/v1/auth/revoke', { method: 'POST', headers: { authorization: `Bearer ${own}` } })).body, { revoked: true });
      assertProblem(await gateway.get('/api/v1/orders/1', { authorization: `Bearer ${own}` }), 401, 'AUTH_ERROR');
      assertProblem(await gateway.get('/api/v1/users/me', { authorization: `Bearer ${own}` }), 401, 'AUTH_ERROR');

      const byClient = await accessToken(credentials);
      await consumer({ username: 'someone-else', scopes: ['orders:read'] });
      const stranger = await client('someone-else');
      const refused = await gateway.fetch('/api/v1/auth/revoke', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ token: byClient, client_id: stranger.client_id, client_secret: stranger.client_secret }),
      });
      assertProblem(refused, 403, 'FORBIDDEN');
      assert.equal((await gateway.get('/api/v1/orders/1', { authorization: `Bearer ${byClient}` })).status, 200, 'still valid');
      const revoked = await gateway.fetch('/api/v1/auth/revoke', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(credentials.client_id, credentials.client_secret) },
        body: form({ token: byClient, token_type_hint: 'access_token' }),
      });
      assert.deepEqual(revoked.body, { revoked: true });
      assertProblem(await gateway.get('/api/v1/orders/1', { authorization: `Bearer ${byClient}` }), 401, 'AUTH_ERROR');

      assert.deepEqual((await gateway.admin('POST', '/api/v1/auth/revoke', { token: 'abc.def.ghi' })).body, { revoked: false }, 'an invalid token is answered 200 (RFC 7009)');
      assertProblem(await gateway.fetch('/api/v1/auth/revoke', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: byClient }) }), 401, 'AUTH_ERROR');
    });

    it("ends a client's tokens when the client is deleted, and a consumer's when it is", async () => {
      await consumer({ username: 'leaver', scopes: ['orders:read'] });
      const first = await client('leaver');
      const second = await client('leaver');
      const fromFirst = await accessToken(first);
      const fromSecond = await accessToken(second);
      assert.equal((await gateway.get('/api/v1/orders/1', { authorization: `Bearer ${fromFirst}` })).status, 200);
      assert.equal((await gateway.admin('DELETE', `/admin/consumers/leaver/clients/${first.id}`)).status, 204);
      const refused = await gateway.get('/api/v1/orders/1', { authorization: `Bearer ${fromFirst}`, 'x-request-id': 'deleted-client' });
      assertProblem(refused, 401, 'AUTH_ERROR');
      assert.equal((await gateway.logLine((l) => l.req_id === 'deleted-client')).auth_failure, 'unknown_consumer');
      assert.equal((await gateway.get('/api/v1/orders/1', { authorization: `Bearer ${fromSecond}` })).status, 200);
      assert.equal((await gateway.admin('DELETE', '/admin/consumers/leaver')).status, 204);
      assertProblem(await gateway.get('/api/v1/orders/1', { authorization: `Bearer ${fromSecond}` }), 401, 'AUTH_ERROR');
      assertProblem(await tokenRequest({ grant_type: 'client_credentials', ...second }), 401, 'AUTH_ERROR');
    });
  });

  describe('the admin API with consumer credentials', () => {
    const keys: Record<string, string> = {};

    before(async () => {
      for (const [username, scopes] of [['ops', ['admin']], ['auditor', ['admin:read']], ['plain', ['orders:read']]] as const) {
        await consumer({ username, scopes: [...scopes] });
        keys[username] = (await apiKey(username)).key;
      }
    });

    it('lets the admin scope read and write, admin:read only read, and refuses the rest with 403', async () => {
      const asKey = (who: string) => ({ 'x-api-key': keys[who] });
      assert.equal((await gateway.fetch('/admin/services', { headers: asKey('ops') })).status, 200);
      const created = await gateway.admin('POST', '/admin/services', { name: 'by-ops', url: upstream.url }, asKey('ops'));
      assert.equal(created.status, 201, created.text);
      assert.equal((await gateway.fetch('/admin/consumers', { headers: asKey('auditor') })).status, 200);
      assert.equal((await gateway.fetch('/admin/routes', { method: 'HEAD', headers: asKey('auditor') })).status, 200);
      const write = await gateway.admin('PATCH', '/admin/services/by-ops', { retries: 1 }, asKey('auditor'));
      assertProblem(write, 403, 'FORBIDDEN');
      assert.equal(write.headers.get('www-authenticate'), 'Bearer realm="gateway", error="insufficient_scope", scope="admin"');
      const read = await gateway.fetch('/admin/services', { headers: asKey('plain') });
      assertProblem(read, 403, 'FORBIDDEN');
      assert.equal(read.body.scope, 'admin admin:read');
      assert.equal((await gateway.admin('GET', '/admin/services/by-ops')).body.retries, 2, 'the refused write changed nothing');
    });

    it('takes a token with the admin scope, until it is revoked', async () => {
      const credentials = await client('ops');
      const token = await accessToken(credentials, 'admin');
      const headers = { authorization: `Bearer ${token}` };
      const created = await gateway.fetch('/admin/consumers', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'made-by-token' }) });
      assert.equal(created.status, 201, created.text);
      assert.equal((await gateway.fetch('/api/v1/auth/revoke', { method: 'POST', headers })).status, 200);
      assertProblem(await gateway.fetch('/admin/consumers', { headers }), 401, 'AUTH_ERROR');
    });

    it('refuses a wrong admin key and an unknown consumer key with 401', async () => {
      for (const key of ['wrong-admin-key-0123456789', 'gwk_unknownunknownunknownunknownunknownunknown0']) {
        assertProblem(await gateway.fetch('/admin/services', { headers: { 'x-api-key': key } }), 401, 'AUTH_ERROR');
      }
    });
  });

  it('never writes keys, client secrets, tokens or the generated server secret to the log', async () => {
    await tokenRequest({ grant_type: 'client_credentials', client_id: 'gwc_x', client_secret: 'query-secret-must-not-be-logged' });
    await gateway.fetch('/api/v1/auth/token?client_secret=query-secret-must-not-be-logged', { method: 'POST' });
    await eventually(() => gateway.logs().some((l) => l.req?.url === '/api/v1/auth/token'), 2_000);
    const [{ auth_secret: serverSecret }] = await db.query<{ auth_secret: string }>('SELECT auth_secret FROM gateway_state');
    assert.ok(serverSecret && serverSecret.length >= 32, 'a server secret was generated and kept');
    assert.ok(secrets.length > 10);
    for (const secret of [...secrets, serverSecret, ADMIN_KEY, 'query-secret-must-not-be-logged']) {
      assert.ok(!gateway.output.includes(secret), `the log holds a secret: ${secret.slice(0, 10)}…`);
    }
  });
});
