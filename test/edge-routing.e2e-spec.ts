import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertProblem, badFields } from './helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { GatewayProcess } from './helpers/gateway.js';
import { closedPort } from './helpers/ports.js';
import { Upstream } from './helpers/upstream.js';

const APP = 'https://app.example.com';
/** These routes are about CORS, headers and versions, not credentials. */
const OPEN = { required: false };
const preflight = (origin: string, method: string, headers?: string): Record<string, string> => ({
  origin,
  'access-control-request-method': method,
  ...(headers ? { 'access-control-request-headers': headers } : {}),
});

describe('CORS, security headers and API versions per route', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const v1 = new Upstream('v1');
  const v2 = new Upstream('v2');

  before(async () => {
    await v1.start();
    await v2.start();
    db = await createTestDatabase('edge_routing');
    gateway = await GatewayProcess.start({ databaseUrl: db.url, env: { CORS_ORIGINS: 'https://global.test', CORS_MAX_AGE: '120', HSTS_MAX_AGE: '31536000' } });
    await gateway.create([
      ['/admin/services', { name: 'v1', url: v1.url, retries: 0 }],
      ['/admin/services', { name: 'v2', url: v2.url, retries: 0 }],
      [
        '/admin/routes',
        {
          name: 'cors-strict',
          service: 'v1',
          paths: ['/api/v1/strict/*'],
          methods: ['GET', 'POST', 'DELETE'],
          cors: { origins: [APP, 'https://*.example.org'], methods: ['GET', 'POST'], headers: ['content-type', 'authorization'], expose_headers: ['x-upstream'], credentials: true, max_age: 300 },
          auth: OPEN,
        },
      ],
      ['/admin/routes', { name: 'cors-global', service: 'v1', paths: ['/api/v1/global/*'], auth: OPEN }],
      ['/admin/services', { name: 'dead', url: `http://127.0.0.1:${await closedPort()}`, retries: 0 }],
      ['/admin/routes', { name: 'cors-dead', service: 'dead', paths: ['/api/v1/dead/*'], cors: { origins: [APP] }, auth: OPEN }],
      // The one route here that requires a credential (the default): CORS runs before auth.
      ['/admin/routes', { name: 'cors-secure', service: 'v1', paths: ['/api/v1/secure/*'], cors: { origins: [APP], headers: ['authorization'] } }],
      // Cached answers are the upstream's: CORS and security headers are added per request on a HIT too.
      ['/admin/routes', { name: 'cors-cached', service: 'v1', paths: ['/api/v1/cached/*'], cors: { origins: [APP, 'https://other.example.com'] }, cache: { enabled: true, ttl_s: 60 }, auth: OPEN }],
      ['/admin/routes', { name: 'cors-off', service: 'v1', paths: ['/api/v1/off/*'], cors: { origins: [] }, security_headers: false, auth: OPEN }],
      ['/admin/routes', { name: 'items-v1', service: 'v1', paths: ['/api/v1/items/*'], api_version: '1', api_version_default: true, auth: OPEN }],
      ['/admin/routes', { name: 'items-v2', service: 'v2', paths: ['/api/v1/items/*'], api_version: '2', auth: OPEN }],
      ['/admin/routes', { name: 'things-any', service: 'v1', paths: ['/api/v1/things/*'], auth: OPEN }],
      ['/admin/routes', { name: 'things-v2', service: 'v2', paths: ['/api/v1/things/*'], api_version: '2', auth: OPEN }],
    ]);
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
    await v1.stop();
    await v2.stop();
  });

  beforeEach(() => {
    v1.reset();
    v2.reset();
  });

  describe('CORS', () => {
    it('answers an allowed preflight itself, though the route does not serve OPTIONS', async () => {
      const reply = await gateway.fetch('/api/v1/strict/orders', { method: 'OPTIONS', headers: preflight(APP, 'POST', 'Content-Type, Authorization') });
      assert.equal(reply.status, 204);
      assert.equal(reply.headers.get('access-control-allow-origin'), APP);
      assert.equal(reply.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(reply.headers.get('access-control-allow-methods'), 'GET, POST');
      assert.equal(reply.headers.get('access-control-allow-headers'), 'content-type, authorization');
      assert.equal(reply.headers.get('access-control-max-age'), '300');
      assert.match(reply.headers.get('vary') ?? '', /Origin/);
      assert.deepEqual(v1.requests, [], 'the preflight never went upstream');
    });

    it('matches a wildcard origin on any subdomain depth, but not the bare domain', async () => {
      const deep = await gateway.fetch('/api/v1/strict/x', { method: 'OPTIONS', headers: preflight('https://a.b.example.org', 'GET') });
      assert.equal(deep.status, 204);
      assert.equal(deep.headers.get('access-control-allow-origin'), 'https://a.b.example.org');
      const bare = await gateway.fetch('/api/v1/strict/x', { method: 'OPTIONS', headers: preflight('https://example.org', 'GET') });
      assertProblem(bare, 403, 'FORBIDDEN');
      const otherScheme = await gateway.fetch('/api/v1/strict/x', { method: 'OPTIONS', headers: preflight('http://a.example.org', 'GET') });
      assertProblem(otherScheme, 403, 'FORBIDDEN');
    });

    const refusedPreflights: Array<[label: string, headers: Record<string, string>]> = [
      ['an origin not listed', preflight('https://evil.test', 'GET')],
      ['a look-alike origin', preflight('https://app.example.com.evil.test', 'GET')],
      ['a method the route serves but not across origins', preflight(APP, 'DELETE')],
      ['a header not allowed', preflight(APP, 'POST', 'content-type, x-evil')],
    ];
    for (const [label, headers] of refusedPreflights) {
      it(`refuses a preflight with ${label}: 403 without CORS headers, upstream untouched`, async () => {
        const reply = await gateway.fetch('/api/v1/strict/orders', { method: 'OPTIONS', headers });
        assertProblem(reply, 403, 'FORBIDDEN');
        assert.equal(reply.headers.get('access-control-allow-origin'), null);
        assert.deepEqual(v1.requests, []);
      });
    }

    it('adds CORS headers to a proxied response for an allowed origin, replacing the upstream’s own', async () => {
      const reply = await gateway.fetch('/api/v1/strict/header/access-control-allow-origin/*', { headers: { origin: APP } });
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('access-control-allow-origin'), APP);
      assert.equal(reply.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(reply.headers.get('access-control-expose-headers'), 'x-upstream');
      assert.match(reply.headers.get('vary') ?? '', /\bOrigin\b/);
    });

    it('gives a disallowed origin the response without CORS headers (the browser withholds it)', async () => {
      const reply = await gateway.fetch('/api/v1/strict/data', { headers: { origin: 'https://evil.test' } });
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('access-control-allow-origin'), null);
      assert.equal(v1.requests.length, 1);
    });

    it("puts CORS and security headers on the gateway's own errors, so a browser can read them", async () => {
      const reply = await gateway.fetch('/api/v1/dead/x', { headers: { origin: APP } });
      assertProblem(reply, 502, 'BAD_GATEWAY');
      assert.equal(reply.headers.get('access-control-allow-origin'), APP);
      assert.match(reply.headers.get('vary') ?? '', /\bOrigin\b/);
      assert.equal(reply.headers.get('x-content-type-options'), 'nosniff');
      const refused = await gateway.fetch('/api/v1/dead/x', { headers: { origin: 'https://evil.test' } });
      assertProblem(refused, 502, 'BAD_GATEWAY');
      assert.equal(refused.headers.get('access-control-allow-origin'), null);
    });

    it('answers a preflight on a route requiring credentials without any, and lets a browser read the 401', async () => {
      const preflighted = await gateway.fetch('/api/v1/secure/orders', { method: 'OPTIONS', headers: preflight(APP, 'GET', 'authorization') });
      assert.equal(preflighted.status, 204, 'a preflight carries no credentials, so auth must not see it');
      assert.equal(preflighted.headers.get('access-control-allow-origin'), APP);
      assert.equal(preflighted.headers.get('access-control-allow-headers'), 'authorization');
      const unauthenticated = await gateway.fetch('/api/v1/secure/orders', { headers: { origin: APP } });
      assertProblem(unauthenticated, 401, 'AUTH_ERROR');
      assert.equal(unauthenticated.headers.get('access-control-allow-origin'), APP);
      assert.equal(v1.requests.length, 0, 'neither reached the upstream');
    });

    it('gives a cached answer the CORS headers of the request it answers, not those of the one that filled it', async () => {
      const filled = await gateway.fetch('/api/v1/cached/respond?body=shared', { headers: { origin: APP } });
      assert.equal(filled.status, 200);
      assert.equal(filled.headers.get('x-cache'), 'MISS');
      assert.equal(filled.headers.get('access-control-allow-origin'), APP);
      const other = await gateway.fetch('/api/v1/cached/respond?body=shared', { headers: { origin: 'https://other.example.com' } });
      assert.equal(other.headers.get('x-cache'), 'HIT');
      assert.equal(other.headers.get('access-control-allow-origin'), 'https://other.example.com');
      assert.match(other.headers.get('vary') ?? '', /\bOrigin\b/);
      assert.equal(other.headers.get('x-content-type-options'), 'nosniff');
      const stranger = await gateway.fetch('/api/v1/cached/respond?body=shared', { headers: { origin: 'https://evil.test' } });
      assert.equal(stranger.headers.get('x-cache'), 'HIT');
      assert.equal(stranger.headers.get('access-control-allow-origin'), null);
      assert.equal(v1.requests.length, 1, 'one upstream call filled the cache for every origin');
    });

    it('uses CORS_ORIGINS for a route without its own cors, and a route may turn CORS off', async () => {
      const global = await gateway.fetch('/api/v1/global/x', { method: 'OPTIONS', headers: preflight('https://global.test', 'PUT', 'x-custom') });
      assert.equal(global.status, 204);
      assert.equal(global.headers.get('access-control-allow-origin'), 'https://global.test');
      assert.equal(global.headers.get('access-control-allow-headers'), 'x-custom', 'without a header list the asked headers are allowed');
      assert.equal(global.headers.get('access-control-max-age'), '120');
      assert.equal(global.headers.get('access-control-allow-credentials'), null);
      // CORS off: the OPTIONS is the upstream's to answer.
      const off = await gateway.fetch('/api/v1/off/x', { method: 'OPTIONS', headers: preflight('https://global.test', 'PUT') });
      assert.equal(off.status, 200);
      assert.equal(off.headers.get('access-control-allow-origin'), null);
      assert.equal(v1.requests.length, 1);
      assert.equal(v1.requests[0].method, 'OPTIONS');
    });
  });

  describe('security headers', () => {
    it('adds them to proxied responses, HSTS included when configured', async () => {
      const reply = await gateway.fetch('/api/v1/global/plain');
      assert.equal(reply.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(reply.headers.get('x-frame-options'), 'DENY');
      assert.equal(reply.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(reply.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
    });

    it('never clobbers a header the upstream set itself', async () => {
      const reply = await gateway.fetch('/api/v1/global/header/x-frame-options/SAMEORIGIN');
      assert.equal(reply.headers.get('x-frame-options'), 'SAMEORIGIN');
      assert.equal(reply.headers.get('x-content-type-options'), 'nosniff');
    });

    it('adds none on a route with security_headers: false', async () => {
      const reply = await gateway.fetch('/api/v1/off/plain');
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('x-content-type-options'), null);
      assert.equal(reply.headers.get('strict-transport-security'), null);
    });

    it("puts helmet's headers on the gateway's own responses", async () => {
      const reply = await gateway.get('/health');
      assert.equal(reply.headers.get('x-content-type-options'), 'nosniff');
      assert.match(reply.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      assert.equal(reply.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
    });
  });

  describe('API versions', () => {
    const versionCases: Array<[label: string, path: string, headers: Record<string, string>, upstream: string]> = [
      ['X-API-Version: 2 goes to version 2', '/api/v1/items/1', { 'x-api-version': '2' }, 'v2'],
      ['Accept-Version: 2 goes to version 2', '/api/v1/items/1', { 'accept-version': '2' }, 'v2'],
      ['X-API-Version: 1 goes to version 1', '/api/v1/items/1', { 'x-api-version': '1' }, 'v1'],
      ['no version goes to the default version', '/api/v1/items/1', {}, 'v1'],
      ['X-API-Version wins over Accept-Version', '/api/v1/items/1', { 'x-api-version': '2', 'accept-version': '1' }, 'v2'],
      ['a versioned route wins over an unversioned one for its version', '/api/v1/things/1', { 'x-api-version': '2' }, 'v2'],
      ['an unversioned route serves other versions', '/api/v1/things/1', { 'x-api-version': '7' }, 'v1'],
      ['an unversioned route serves requests naming none', '/api/v1/things/1', {}, 'v1'],
    ];
    for (const [label, path, headers, upstream] of versionCases) {
      it(label, async () => {
        const reply = await gateway.fetch(path, { headers });
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.upstream, upstream);
      });
    }

    it('a version no route serves is 404, not silently another version', async () => {
      assertProblem(await gateway.fetch('/api/v1/items/1', { headers: { 'x-api-version': '3' } }), 404, 'ROUTE_NOT_FOUND');
      assert.deepEqual([...v1.requests, ...v2.requests], []);
    });
  });

  describe('validation of the new route fields', () => {
    const invalid: Array<[label: string, body: Record<string, unknown>, field: string]> = [
      ['an origin without a scheme', { cors: { origins: ['app.example.com'] } }, 'cors.origins'],
      ['an origin with a path', { cors: { origins: ['https://app.example.com/x'] } }, 'cors.origins'],
      ['cors without origins', { cors: { methods: ['GET'] } }, 'cors.origins'],
      ['a CORS method that is none', { cors: { origins: ['*'], methods: ['FETCH'] } }, 'cors.methods'],
      ['a header name with a space', { cors: { origins: ['*'], headers: ['x bad'] } }, 'cors.headers'],
      ['a negative max_age', { cors: { origins: ['*'], max_age: -1 } }, 'cors.max_age'],
      ['an unknown cors field', { cors: { origins: ['*'], allow_all: true } }, 'cors.allow_all'],
      ['websocket not a boolean', { websocket: 'yes' }, 'websocket'],
      ['security_headers not a boolean', { security_headers: 1 }, 'security_headers'],
      ['an api_version with a space', { api_version: 'v 2' }, 'api_version'],
      ['a default version without api_version', { api_version_default: true }, 'api_version_default'],
    ];
    for (const [label, extra, field] of invalid) {
      it(`refuses ${label} with a 400 naming ${field}`, async () => {
        const reply = await gateway.admin('POST', '/admin/routes', { name: 'bad', service: 'v1', paths: ['/api/v1/bad'], ...extra });
        assertProblem(reply, 400, 'INVALID_REQUEST');
        assert.ok(badFields(reply).includes(field), `${JSON.stringify(badFields(reply))} names ${field}`);
      });
    }

    it('shows the new fields on a route and lets PATCH change them', async () => {
      const patched = await gateway.admin('PATCH', '/admin/routes/cors-global', { websocket: true, security_headers: false, cors: { origins: ['*'] } });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.websocket, true);
      assert.equal(patched.body.security_headers, false);
      assert.deepEqual(patched.body.cors, { origins: ['*'] });
      assert.equal(patched.body.api_version, null);
      const restored = await gateway.admin('PATCH', '/admin/routes/cors-global', { websocket: false, security_headers: true, cors: null });
      assert.equal(restored.body.cors, null);
    });
  });
});
