import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { assertProblem, badFields } from './helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { eventually, GatewayProcess } from './helpers/gateway.js';
import { nowSeconds, signJwt } from './helpers/jwt.js';
import { Upstream } from './helpers/upstream.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const JWT_SECRET = 'hs-secret-for-the-cache-tests-0123456789abcdef';
const bearer = () => `Bearer ${signJwt({ sub: 'reader', exp: nowSeconds() + 3_600 }, { alg: 'HS256', secret: JWT_SECRET })}`;

const respond = (params: Record<string, string | string[]> = {}) => {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) for (const v of [value].flat()) query.append(name, v);
  return `/api/v1/cached/respond?${query}`;
};

for (const store of ['redis', 'memory'] as const) {
  describe(`response cache (${store} store)`, () => {
    let db: TestDatabase;
    let gateway: GatewayProcess;
    const upstream = new Upstream('cached');
    const env = { JWT_SECRET, ...(store === 'redis' ? { REDIS_URL, REDIS_KEY_PREFIX: `test:${randomBytes(6).toString('hex')}:` } : {}) };
    /** A consumer's API key: the auth phase refuses made-up credentials before the cache is asked. */
    let apiKey: string;

    before(async () => {
      db = await createTestDatabase(`cache_${store}`);
      await upstream.start();
      gateway = await GatewayProcess.start({ databaseUrl: db.url, env });
      assert.equal((await gateway.admin('POST', '/admin/services', { name: 'cached', url: upstream.url })).status, 201);
      const routes = [
        { name: 'cached', paths: ['/api/v1/cached/*'], cache: { enabled: true, ttl_s: 60, vary: ['Accept-Language'], max_body_bytes: 2048 } },
        { name: 'cached-auth', paths: ['/api/v1/shared/*'], cache: { enabled: true, cache_authenticated: true } },
        { name: 'uncached', paths: ['/api/v1/plain/*'] },
      ];
      // No retries: each test counts the requests that reached the upstream.
      // Open routes: a request without credentials is let through, one with them is identified.
      for (const route of routes) {
        assert.equal((await gateway.admin('POST', '/admin/routes', { service: 'cached', strip_prefix: true, retries: 0, auth: { required: false }, ...route })).status, 201);
      }
      assert.equal((await gateway.admin('POST', '/admin/consumers', { username: 'reader' })).status, 201);
      apiKey = (await gateway.admin('POST', '/admin/consumers/reader/keys', {})).body.key;
    });

    after(async () => {
      await gateway?.stop();
      await upstream.stop();
      await db?.drop();
    });

    /** Two identical requests; returns both replies and how many reached the upstream. */
    async function twice(path: string, headers: Record<string, string> = {}, second: Record<string, string> = headers) {
      upstream.reset();
      const first = await gateway.get(path, headers);
      const again = await gateway.get(path, second);
      return { first, again, reached: upstream.requests.length };
    }

    it('answers a repeated GET from the cache: MISS, then HIT with the same body, an Age and one upstream call', async () => {
      const { first, again, reached } = await twice(respond({ body: 'a' }));
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('x-cache'), 'MISS');
      assert.equal(again.headers.get('x-cache'), 'HIT');
      assert.equal(again.text, first.text);
      assert.equal(again.headers.get('content-type'), 'application/json');
      assert.match(again.headers.get('age') ?? '', /^\d+$/);
      assert.notEqual(again.headers.get('x-request-id'), first.headers.get('x-request-id'));
      assert.equal(reached, 1);
      const accessOf = (reply: typeof first) => gateway.logs().find((l) => l.msg === 'request completed' && l.req_id === reply.headers.get('x-request-id'));
      await eventually(() => accessOf(again) !== undefined, 5_000);
      assert.equal(accessOf(first)?.cache, 'MISS');
      assert.equal(accessOf(again)?.cache, 'HIT');
    });

    it('serves HEAD from an entry a GET filled, without a body', async () => {
      const path = respond({ body: 'head' });
      upstream.reset();
      await gateway.get(path);
      const head = await gateway.fetch(path, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('x-cache'), 'HIT');
      assert.equal(head.text, '');
      assert.equal(upstream.requests.length, 1);
    });

    it('keys on the query string and on the route\'s Vary headers', async () => {
      assert.equal((await twice(respond({ body: 'q1' }))).reached, 1);
      assert.equal((await gateway.get(respond({ body: 'q2' }))).headers.get('x-cache'), 'MISS');
      const byLanguage = await twice(respond({ body: 'lang' }), { 'accept-language': 'en' }, { 'accept-language': 'fr' });
      assert.equal(byLanguage.again.headers.get('x-cache'), 'MISS');
      assert.equal(byLanguage.reached, 2);
      assert.equal((await gateway.get(respond({ body: 'lang' }), { 'accept-language': 'fr' })).headers.get('x-cache'), 'HIT');
    });

    it("honours the upstream's own Vary: another value of that header is not served the entry", async () => {
      const path = respond({ body: 'tenant', header: 'Vary:X-Tenant' });
      const { again, reached } = await twice(path, { 'x-tenant': 'a' }, { 'x-tenant': 'b' });
      assert.equal(again.headers.get('x-cache'), 'MISS');
      assert.equal(reached, 2);
      assert.equal((await gateway.get(path, { 'x-tenant': 'b' })).headers.get('x-cache'), 'HIT');
    });

    const NEVER_STORED: Array<[string, Record<string, string | string[]>]> = [
      ['Cache-Control: no-store', { header: 'Cache-Control:no-store' }],
      ['Cache-Control: private', { header: 'Cache-Control:private, max-age=60' }],
      ['Cache-Control: no-cache', { header: 'Cache-Control:no-cache' }],
      ['max-age=0', { header: 'Cache-Control:max-age=0' }],
      ['Vary: *', { header: 'Vary:*' }],
      ['a Set-Cookie', { header: 'Set-Cookie:session=1' }],
      ['a 500', { status: '500' }],
      ['a 503 with max-age', { status: '503', header: 'Cache-Control:max-age=60' }],
      ['a chunked body over max_body_bytes', { body: 'x'.repeat(3000) }],
    ];
    for (const [label, params] of NEVER_STORED) {
      it(`does not store an answer with ${label}, and passes it through whole`, async () => {
        const path = respond({ ...params, body: (params.body as string) ?? `never-${label}` });
        const { first, again, reached } = await twice(path);
        assert.equal(again.headers.get('x-cache'), 'MISS');
        assert.equal(reached, 2);
        assert.equal(again.status, first.status);
        assert.equal(JSON.parse(again.text).body, JSON.parse(first.text).body);
      });
    }

    it('stores a 404, as a shared cache may', async () => {
      const { first, again, reached } = await twice(respond({ status: '404', body: 'gone' }));
      assert.equal(first.status, 404);
      assert.equal(again.status, 404);
      assert.equal(again.headers.get('x-cache'), 'HIT');
      assert.equal(reached, 1);
    });

    it("lets the upstream's max-age shorten the route's TTL", async () => {
      const path = respond({ body: 'short', header: 'Cache-Control:public, max-age=1' });
      assert.equal((await twice(path)).again.headers.get('x-cache'), 'HIT');
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      assert.equal((await gateway.get(path)).headers.get('x-cache'), 'MISS');
    });

    const REQUEST_BYPASS: Array<[string, () => Record<string, string>]> = [
      ['Cache-Control: no-cache', () => ({ 'cache-control': 'no-cache' })],
      ['Cache-Control: no-store', () => ({ 'cache-control': 'no-store' })],
      ['Pragma: no-cache', () => ({ pragma: 'no-cache' })],
      ['a bearer token', () => ({ authorization: bearer() })],
      ['an API key', () => ({ 'x-api-key': apiKey })],
      ['a Range header', () => ({ range: 'bytes=0-1' })],
    ];
    for (const [label, headers] of REQUEST_BYPASS) {
      it(`goes upstream for a request with ${label} (X-Cache: BYPASS) though an entry exists`, async () => {
        const path = respond({ body: `bypass-${label}` });
        await gateway.get(path);
        upstream.reset();
        const reply = await gateway.get(path, headers());
        assert.equal(reply.headers.get('x-cache'), 'BYPASS');
        assert.equal(upstream.requests.length, 1);
      });
    }

    it('refreshes the entry on a no-cache request, and drops nothing on a no-store one', async () => {
      const path = respond({ body: 'refresh' });
      const seqOf = (text: string) => JSON.parse(text).seq as number;
      const first = await gateway.get(path);
      const refreshed = await gateway.get(path, { 'cache-control': 'no-cache' });
      const after = await gateway.get(path);
      assert.equal(after.headers.get('x-cache'), 'HIT');
      assert.equal(seqOf(after.text), seqOf(refreshed.text));
      assert.notEqual(seqOf(after.text), seqOf(first.text));
    });

    it('refuses a request with a made-up credential (401) before the cache is asked, even where an entry exists', async () => {
      const path = respond({ body: 'guarded' });
      await gateway.get(path);
      upstream.reset();
      for (const headers of [{ authorization: 'Bearer abc' }, { 'x-api-key': 'made-up-key-0123456789' }] as Array<Record<string, string>>) {
        const reply = await gateway.get(path, headers);
        assertProblem(reply, 401, 'AUTH_ERROR');
        assert.equal(reply.headers.get('x-cache'), null);
      }
      assert.equal(upstream.requests.length, 0);
    });

    it('caches credentialed requests on a route that allows it', async () => {
      const { again, reached } = await twice('/api/v1/shared/respond?body=shared', { authorization: bearer() });
      assert.equal(again.headers.get('x-cache'), 'HIT');
      assert.equal(reached, 1);
    });

    it('leaves other methods and routes without caching alone', async () => {
      upstream.reset();
      const post = await gateway.fetch(respond({ body: 'p' }), { method: 'POST', body: 'x' });
      const plain = await twice('/api/v1/plain/respond?body=plain');
      assert.equal(post.headers.get('x-cache'), null);
      assert.equal(plain.first.headers.get('x-cache'), null);
      assert.equal(plain.reached, 2);
    });

    it('purges one route at DELETE /admin/cache/{route}: the next request is a MISS, other routes keep theirs', async () => {
      const path = respond({ body: 'purge' });
      const shared = '/api/v1/shared/respond?body=kept';
      await gateway.get(path);
      await gateway.get(shared);
      assert.equal((await gateway.get(path)).headers.get('x-cache'), 'HIT');
      const purge = await gateway.admin('DELETE', '/admin/cache/cached');
      assert.equal(purge.status, 204);
      assert.equal((await gateway.get(path)).headers.get('x-cache'), 'MISS');
      assert.equal((await gateway.get(path)).headers.get('x-cache'), 'HIT');
      assert.equal((await gateway.get(shared)).headers.get('x-cache'), 'HIT');
      assertProblem(await gateway.admin('DELETE', '/admin/cache/no-such-route'), 404, 'NOT_FOUND');
    });

    if (store === 'redis') {
      it('shares entries and purges between instances on one Redis', async () => {
        const other = await GatewayProcess.start({ databaseUrl: db.url, env });
        try {
          const path = respond({ body: 'shared-between-instances' });
          assert.equal((await gateway.get(path)).headers.get('x-cache'), 'MISS');
          // The entry is written to Redis as the body ends, after the client already has it: on a
          // loaded machine the other instance could ask first. Wait until it is there (this store
          // has no local layer, so a HIT here is a read from Redis).
          await eventually(async () => (await gateway.get(path)).headers.get('x-cache') === 'HIT', 10_000);
          upstream.reset();
          assert.equal((await other.get(path)).headers.get('x-cache'), 'HIT');
          assert.equal(upstream.requests.length, 0, 'the other instance answered from the shared entry');
          assert.equal((await gateway.admin('DELETE', '/admin/cache/cached')).status, 204);
          assert.equal((await other.get(path)).headers.get('x-cache'), 'MISS');
        } finally {
          await other.stop();
        }
      });
    }

    it('turns caching off for a route when the route says so', async () => {
      const path = respond({ body: 'off' });
      await gateway.get(path);
      assert.equal((await gateway.admin('PATCH', '/admin/routes/cached', { cache: { enabled: false } })).status, 200);
      const { first, reached } = await twice(path);
      assert.equal(first.headers.get('x-cache'), null);
      assert.equal(reached, 2);
      const restored = await gateway.admin('PATCH', '/admin/routes/cached', { cache: { enabled: true, ttl_s: 60, vary: ['accept-language'], max_body_bytes: 2048 } });
      assert.equal(restored.status, 200);
      assert.deepEqual(restored.body.cache, { enabled: true, ttl_s: 60, vary: ['accept-language'], cache_authenticated: false, max_body_bytes: 2048 });
    });
  });
}

describe('response cache settings and failures', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const upstream = new Upstream('cached');

  before(async () => {
    db = await createTestDatabase('cache_misc');
    await upstream.start();
    // Nothing listens on port 1: the cache store is down from the start.
    gateway = await GatewayProcess.start({ databaseUrl: db.url, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'cached', url: upstream.url })).status, 201);
  });

  after(async () => {
    await gateway?.stop();
    await upstream.stop();
    await db?.drop();
  });

  const BAD_CACHE: Array<[string, unknown, string]> = [
    ['a TTL of 0', { enabled: true, ttl_s: 0 }, 'cache.ttl_s'],
    ['a TTL over a day', { enabled: true, ttl_s: 86_401 }, 'cache.ttl_s'],
    ['no enabled flag', { ttl_s: 5 }, 'cache.enabled'],
    ['a vary entry that is no header name', { enabled: true, vary: ['bad header'] }, 'cache.vary'],
    ['a zero body bound', { enabled: true, max_body_bytes: 0 }, 'cache.max_body_bytes'],
    ['an unknown field', { enabled: true, colour: 'red' }, 'cache.colour'],
  ];
  for (const [label, cache, field] of BAD_CACHE) {
    it(`refuses a route cache with ${label}, naming ${field}`, async () => {
      const reply = await gateway.admin('POST', '/admin/routes', { name: 'bad-cache', service: 'cached', paths: ['/api/v1/bad/*'], cache });
      assertProblem(reply, 400, 'INVALID_REQUEST');
      assert.ok(badFields(reply).includes(field), `${field} in ${JSON.stringify(reply.body.errors)}`);
    });
  }

  it('serves uncached (X-Cache: BYPASS) while the cache store is unreachable', async () => {
    const created = await gateway.admin('POST', '/admin/routes', { name: 'cached', service: 'cached', paths: ['/api/v1/cached/*'], strip_prefix: true, auth: { required: false }, cache: { enabled: true } });
    assert.equal(created.status, 201);
    upstream.reset();
    for (let i = 0; i < 2; i++) {
      const reply = await gateway.get('/api/v1/cached/respond?body=down');
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('x-cache'), 'BYPASS');
      assert.equal(JSON.parse(reply.text).body, 'down');
    }
    assert.equal(upstream.requests.length, 2);
  });
});
