import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertProblem } from './helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { ADMIN_KEY, GatewayProcess, type Reply } from './helpers/gateway.js';
import { ecKeyPair, nowSeconds, rsaKeyPair, signJwt, signWith } from './helpers/jwt.js';
import { Upstream } from './helpers/upstream.js';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'orders-api';
const JWT_SECRET = 'hs-secret-for-the-tests-0123456789abcdef';
const AUTH_SECRET = 'server-secret-for-the-tests-0123456789abcdef';
const rsa = rsaKeyPair('rsa-main');
const stranger = rsaKeyPair('rsa-main'); // same kid, other key: what a forger would hold
const ec = ecKeyPair('ec-1');

const claims = (overrides: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'user-42',
  scope: 'orders:read',
  iat: nowSeconds(),
  exp: nowSeconds() + 600,
  jti: randomUUID(),
  ...overrides,
});
const rs256 = (overrides: Record<string, unknown> = {}) => signWith(rsa, claims(overrides));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('authentication on the data plane', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const upstream = new Upstream('orders');
  const keys: Record<string, string> = {};
  let alice: { id: string };
  let expiredKeyCreatedAt = 0;
  const sentSecrets: string[] = [];

  const get = async (path: string, headers: Record<string, string> = {}): Promise<Reply> => {
    for (const name of ['authorization', 'x-api-key']) if (headers[name]) sentSecrets.push(headers[name]);
    return gateway.get(path, headers);
  };

  before(async () => {
    await upstream.start();
    db = await createTestDatabase('auth_dp');
    gateway = await GatewayProcess.start({
      databaseUrl: db.url,
      env: { JWT_PUBLIC_KEY: rsa.publicPem, JWT_SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, AUTH_SECRET },
    });
    const setup: Array<[string, string, unknown]> = [
      ['POST', '/admin/services', { name: 'orders', url: upstream.url }],
      ['POST', '/admin/routes', { name: 'secure', service: 'orders', paths: ['/api/v1/secure/*'] }],
      ['POST', '/admin/routes', { name: 'jwt-only', service: 'orders', paths: ['/api/v1/jwt-only/*'], auth: { methods: ['jwt'] } }],
      ['POST', '/admin/routes', { name: 'key-only', service: 'orders', paths: ['/api/v1/key-only/*'], auth: { methods: ['api_key'] } }],
      ['POST', '/admin/routes', { name: 'any', service: 'orders', paths: ['/api/v1/any/*'], auth: { scopes: ['orders:read', 'orders:write'], scope_match: 'any' } }],
      ['POST', '/admin/routes', { name: 'all', service: 'orders', paths: ['/api/v1/all/*'], auth: { scopes: ['orders:read', 'orders:write'] } }],
      ['POST', '/admin/routes', { name: 'optional', service: 'orders', paths: ['/api/v1/optional/*'], auth: { required: false } }],
      ['POST', '/admin/routes', { name: 'passthrough', service: 'orders', paths: ['/api/v1/passthrough/*'], auth: { required: false, methods: [], forward_authorization: true } }],
      ['POST', '/admin/routes', { name: 'forwarding', service: 'orders', paths: ['/api/v1/forwarding/*'], auth: { forward_authorization: true } }],
      ['POST', '/admin/consumers', { username: 'alice', custom_id: 'crm-alice', scopes: ['orders:read'] }],
    ];
    for (const [method, path, body] of setup) {
      const reply = await gateway.admin(method, path, body);
      assert.equal(reply.status, 201, `${path}: ${reply.text}`);
      if (path === '/admin/consumers') alice = reply.body;
    }
    for (const name of ['alice', 'revoked', 'expired']) {
      const reply = await gateway.admin('POST', '/admin/consumers/alice/keys', name === 'expired' ? { name, ttl_seconds: 1 } : { name });
      assert.equal(reply.status, 201, reply.text);
      keys[name] = reply.body.key;
      if (name === 'expired') expiredKeyCreatedAt = Date.parse(reply.body.created_at);
      if (name === 'revoked') assert.equal((await gateway.admin('POST', `/admin/consumers/alice/keys/${reply.body.id}/revoke`)).status, 200);
    }
    sentSecrets.push(...Object.values(keys));
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
    await upstream.stop();
  });

  beforeEach(() => upstream.reset());

  /** Each is refused with 401 and never reaches the upstream; `reason` is what the access line and auth.failed name. */
  const HOSTILE: Array<{ label: string; reason: string; kind: 'jwt' | 'api_key'; headers: () => Promise<Record<string, string>> | Record<string, string> }> = [
    { label: 'an expired token', reason: 'expired', kind: 'jwt', headers: () => bearer(rs256({ exp: nowSeconds() - 3600, iat: nowSeconds() - 7200 })) },
    { label: 'a token not yet valid', reason: 'not_yet_valid', kind: 'jwt', headers: () => bearer(rs256({ nbf: nowSeconds() + 3600 })) },
    { label: 'a bad signature', reason: 'bad_signature', kind: 'jwt', headers: () => bearer(signWith(stranger, claims())) },
    { label: 'a tampered payload', reason: 'bad_signature', kind: 'jwt', headers: () => {
      const [head, , signature] = rs256().split('.');
      return bearer(`${head}.${Buffer.from(JSON.stringify(claims({ scope: 'admin' }))).toString('base64url')}.${signature}`);
    } },
    { label: 'alg: none', reason: 'unsupported_alg', kind: 'jwt', headers: () => bearer(signJwt(claims(), { alg: 'none' })) },
    { label: 'alg: none without the final dot', reason: 'malformed', kind: 'jwt', headers: () => bearer(signJwt(claims(), { alg: 'none' }).slice(0, -1)) },
    { label: 'HS256 signed with the RS256 public key', reason: 'bad_signature', kind: 'jwt', headers: () => bearer(signJwt(claims(), { alg: 'HS256', secret: rsa.publicPem })) },
    { label: 'HS256 with a wrong secret', reason: 'bad_signature', kind: 'jwt', headers: () => bearer(signJwt(claims(), { alg: 'HS256', secret: 'not-the-secret-0123456789abcdef012' })) },
    { label: 'ES256 when no EC key is trusted', reason: 'unsupported_alg', kind: 'jwt', headers: () => bearer(signWith(ec, claims())) },
    { label: 'a wrong issuer', reason: 'wrong_issuer', kind: 'jwt', headers: () => bearer(rs256({ iss: 'https://evil.test' })) },
    { label: 'a wrong audience', reason: 'wrong_audience', kind: 'jwt', headers: () => bearer(rs256({ aud: 'billing-api' })) },
    { label: 'no exp', reason: 'missing_claim', kind: 'jwt', headers: () => bearer(rs256({ exp: undefined })) },
    { label: 'no sub', reason: 'missing_claim', kind: 'jwt', headers: () => bearer(rs256({ sub: undefined })) },
    { label: 'scopes that are not scope tokens', reason: 'malformed', kind: 'jwt', headers: () => bearer(rs256({ scopes: ['ok', 'not ok'] })) },
    { label: 'a malformed token (one segment)', reason: 'malformed', kind: 'jwt', headers: () => bearer('not-a-jwt') },
    { label: 'a malformed token (garbage segments)', reason: 'malformed', kind: 'jwt', headers: () => bearer('abc.def.ghi') },
    { label: 'a header that is not JSON', reason: 'malformed', kind: 'jwt', headers: () => bearer(`${Buffer.from('{alg').toString('base64url')}.e30.x`) },
    { label: 'an empty Bearer token', reason: 'malformed', kind: 'jwt', headers: () => ({ authorization: 'Bearer ' }) },
    { label: 'an oversized token', reason: 'oversized', kind: 'jwt', headers: () => bearer(rs256({ padding: 'x'.repeat(9000) })) },
    { label: 'a revoked token (used once, so it is cached, then revoked)', reason: 'revoked', kind: 'jwt', headers: async () => {
      const token = rs256();
      assert.equal((await get('/api/v1/secure/warm', bearer(token))).status, 200);
      const revoked = await gateway.admin('POST', '/api/v1/auth/revoke', { token });
      assert.deepEqual(revoked.body, { revoked: true });
      return bearer(token);
    } },
    { label: 'an unknown API key', reason: 'unknown_api_key', kind: 'api_key', headers: () => ({ 'x-api-key': 'gwk_thisKeyWasNeverIssuedByTheGatewayAtAll000000' }) },
    { label: 'an API key with a prefix of a real one', reason: 'unknown_api_key', kind: 'api_key', headers: () => ({ 'x-api-key': keys.alice.slice(0, 20) }) },
    { label: 'a revoked API key', reason: 'revoked', kind: 'api_key', headers: () => ({ 'x-api-key': keys.revoked }) },
    { label: 'an expired API key', reason: 'expired', kind: 'api_key', headers: async () => {
      const wait = expiredKeyCreatedAt + 1_200 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      return { 'x-api-key': keys.expired };
    } },
  ];

  for (const { label, reason, kind, headers } of HOSTILE) {
    it(`refuses ${label} with 401 (${reason}) before the upstream`, async () => {
      const sent = await headers();
      upstream.reset();
      const requestId = `hostile-${randomUUID()}`;
      const reply = await get('/api/v1/secure/orders', { ...sent, 'x-request-id': requestId });
      assertProblem(reply, 401, 'AUTH_ERROR');
      const challenge = reply.headers.get('www-authenticate') ?? '';
      if (kind === 'jwt') {
        assert.match(challenge, /^Bearer realm="gateway", error="invalid_token", error_description="[^"]+"$/);
        assert.equal(reply.body.error, 'invalid_token');
      } else {
        assert.match(challenge, /^ApiKey realm="gateway", header="X-API-Key", error="invalid_key"$/);
      }
      assert.equal(upstream.requests.length, 0, 'nothing reached the upstream');
      const line = await gateway.logLine((l) => l.req_id === requestId && l.msg === 'request completed');
      assert.equal(line.auth_failure, reason);
      assert.equal(line.status, 401);
      assert.equal(line.consumer, null);
    });
  }

  it('passes a valid RS256 token, sending the identity upstream instead of the credential', async () => {
    const reply = await get('/api/v1/secure/orders', { ...bearer(rs256({ scope: 'orders:read orders:write' })), 'x-consumer-id': 'spoofed', 'x-scopes': 'admin' });
    assert.equal(reply.status, 200, reply.text);
    const seen = upstream.requests[0].headers;
    assert.equal(seen['x-user-id'], 'user-42');
    assert.equal(seen['x-scopes'], 'orders:read orders:write');
    assert.equal(seen['x-consumer-id'], undefined, 'a token from an outside issuer names no consumer, and the spoofed one is gone');
    assert.equal(seen.authorization, undefined, 'Authorization is not forwarded by default');
  });

  const ACCEPTED: Array<[string, () => string]> = [
    ['HS256 with JWT_SECRET', () => signJwt(claims(), { alg: 'HS256', secret: JWT_SECRET })],
    ['HS512 with JWT_SECRET', () => signJwt(claims(), { alg: 'HS512', secret: JWT_SECRET })],
    ['PS256 with the RSA key', () => signJwt(claims(), { alg: 'PS256', privateKey: rsa.privateKey })],
    ['RS384 with the RSA key', () => signJwt(claims(), { alg: 'RS384', privateKey: rsa.privateKey })],
    ['a token expired within the clock skew', () => rs256({ exp: nowSeconds() - 10 })],
    ['a token valid from within the clock skew', () => rs256({ nbf: nowSeconds() + 10 })],
    ['an audience list holding ours', () => rs256({ aud: ['billing-api', AUDIENCE] })],
    ['a lower-case bearer scheme', () => rs256()],
  ];
  for (const [label, token] of ACCEPTED) {
    it(`accepts ${label}`, async () => {
      const scheme = label.includes('lower-case') ? 'bearer' : 'Bearer';
      const reply = await get('/api/v1/secure/ok', { authorization: `${scheme} ${token()}` });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(upstream.requests.length, 1);
    });
  }

  it("passes a consumer's API key, sending the consumer, its custom_id and scopes, never the key", async () => {
    const reply = await get('/api/v1/secure/orders', { 'x-api-key': keys.alice, 'x-user-id': 'spoofed' });
    assert.equal(reply.status, 200, reply.text);
    const seen = upstream.requests[0].headers;
    assert.equal(seen['x-consumer-id'], alice.id);
    assert.equal(seen['x-user-id'], 'crm-alice');
    assert.equal(seen['x-scopes'], 'orders:read');
    assert.equal(seen['x-api-key'], undefined);
    const line = await gateway.logLine((l) => l.msg === 'request completed' && l.path === '/api/v1/secure/orders' && l.consumer === alice.id);
    assert.equal(line.status, 200);
  });

  it('names the accepted methods in the challenge when no credential is sent', async () => {
    const cases: Array<[string, string]> = [
      ['/api/v1/secure/x', 'Bearer realm="gateway", ApiKey realm="gateway", header="X-API-Key"'],
      ['/api/v1/jwt-only/x', 'Bearer realm="gateway"'],
      ['/api/v1/key-only/x', 'ApiKey realm="gateway", header="X-API-Key"'],
    ];
    for (const [path, challenge] of cases) {
      const reply = await get(path);
      assertProblem(reply, 401, 'AUTH_ERROR');
      assert.equal(reply.headers.get('www-authenticate'), challenge, path);
    }
    assert.equal(upstream.requests.length, 0);
  });

  it('looks only at the methods a route accepts', async () => {
    assertProblem(await get('/api/v1/jwt-only/x', { 'x-api-key': keys.alice }), 401, 'AUTH_ERROR');
    assertProblem(await get('/api/v1/key-only/x', bearer(rs256())), 401, 'AUTH_ERROR');
    assert.equal(upstream.requests.length, 0);
    assert.equal((await get('/api/v1/jwt-only/x', bearer(rs256()))).status, 200);
    assert.equal((await get('/api/v1/key-only/x', { 'x-api-key': keys.alice })).status, 200);
  });

  it('checks a Bearer token first: a bad one is refused even beside a good API key', async () => {
    assertProblem(await get('/api/v1/secure/x', { ...bearer('abc.def.ghi'), 'x-api-key': keys.alice }), 401, 'AUTH_ERROR');
    assert.equal(upstream.requests.length, 0);
    const reply = await get('/api/v1/secure/x', { ...bearer(rs256()), 'x-api-key': 'gwk_unknown' });
    assert.equal(reply.status, 200);
    assert.equal(upstream.requests[0].headers['x-user-id'], 'user-42');
  });

  const SCOPES: Array<[route: string, credential: () => Record<string, string>, status: number, label: string]> = [
    ['any', () => bearer(rs256({ scope: 'orders:read' })), 200, 'one of the scopes'],
    ['any', () => bearer(rs256({ scope: 'orders:write other' })), 200, 'the other scope'],
    ['any', () => bearer(rs256({ scope: 'other' })), 403, 'none of the scopes'],
    ['any', () => bearer(rs256({ scope: undefined })), 403, 'no scopes at all'],
    ['any', () => ({ 'x-api-key': keys.alice }), 200, "an API key whose consumer holds one (alice: orders:read)"],
    ['all', () => bearer(rs256({ scope: 'orders:write orders:read' })), 200, 'both scopes'],
    ['all', () => bearer(rs256({ scope: undefined, scopes: ['orders:read', 'orders:write'] })), 200, 'both scopes as a `scopes` list'],
    ['all', () => bearer(rs256({ scope: 'orders:read', scopes: ['orders:write'] })), 200, 'scopes split between `scope` and `scopes`'],
    ['all', () => bearer(rs256({ scope: 'orders:read' })), 403, 'only one scope'],
    ['all', () => ({ 'x-api-key': keys.alice }), 403, 'an API key whose consumer holds only one'],
    ['all', () => bearer(rs256({ scope: 'orders:read:extra orders:write' })), 403, 'a scope that only starts like the one needed'],
  ];
  for (const [route, credential, status, label] of SCOPES) {
    it(`scope_match ${route}: ${label} → ${status}`, async () => {
      const reply = await get(`/api/v1/${route}/x`, credential());
      if (status === 200) {
        assert.equal(reply.status, 200, reply.text);
        assert.equal(upstream.requests.length, 1);
        return;
      }
      assertProblem(reply, 403, 'FORBIDDEN');
      assert.equal(reply.headers.get('www-authenticate'), 'Bearer realm="gateway", error="insufficient_scope", scope="orders:read orders:write"');
      assert.equal(reply.body.error, 'insufficient_scope');
      assert.equal(reply.body.scope, 'orders:read orders:write');
      assert.match(reply.body.detail, route === 'all' ? /all of the scopes/ : /one of the scopes/);
      assert.equal(upstream.requests.length, 0);
    });
  }

  it('on an optional route, serves anonymous callers, identifies the others, and still refuses a bad credential', async () => {
    const anonymous = await get('/api/v1/optional/x');
    assert.equal(anonymous.status, 200);
    assert.equal(upstream.requests[0].headers['x-user-id'], undefined);
    const identified = await get('/api/v1/optional/x', bearer(rs256()));
    assert.equal(identified.status, 200);
    assert.equal(upstream.requests[1].headers['x-user-id'], 'user-42');
    assertProblem(await get('/api/v1/optional/x', bearer(rs256({ exp: nowSeconds() - 3600 }))), 401, 'AUTH_ERROR');
    assertProblem(await get('/api/v1/optional/x', { 'x-api-key': keys.revoked }), 401, 'AUTH_ERROR');
    assert.equal(upstream.requests.length, 2);
  });

  it('leaves credentials to the upstream on a route with no methods, forwarding Authorization but never the API key', async () => {
    const reply = await get('/api/v1/passthrough/x', { authorization: 'Bearer upstream-own-token', 'x-api-key': keys.alice });
    assert.equal(reply.status, 200, reply.text);
    const seen = upstream.requests[0].headers;
    assert.equal(seen.authorization, 'Bearer upstream-own-token');
    assert.equal(seen['x-api-key'], undefined);
    assert.equal(seen['x-user-id'], undefined, 'nobody was authenticated');
  });

  it('forwards Authorization on a route that asks for it, after checking it', async () => {
    const token = rs256();
    assert.equal((await get('/api/v1/forwarding/x', bearer(token))).status, 200);
    assert.equal(upstream.requests[0].headers.authorization, `Bearer ${token}`);
    assert.equal(upstream.requests[0].headers['x-user-id'], 'user-42');
    assert.equal((await get('/api/v1/forwarding/x', { 'x-api-key': keys.alice })).status, 200);
    assert.equal(upstream.requests[1].headers['x-api-key'], undefined, 'the gateway API key is never forwarded');
    assertProblem(await get('/api/v1/forwarding/x', bearer('abc.def.ghi')), 401, 'AUTH_ERROR');
    assert.equal(upstream.requests.length, 2);
  });

  it("issues its own tokens under JWT_ISSUER and JWT_AUDIENCE, signed with JWT_SECRET, and accepts them", async () => {
    const client = (await gateway.admin('POST', '/admin/consumers/alice/clients', {})).body;
    sentSecrets.push(client.client_secret);
    const issued = await gateway.fetch('/api/v1/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }),
    });
    assert.equal(issued.status, 200, issued.text);
    const token: string = issued.body.access_token;
    sentSecrets.push(token);
    const [head, body] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    assert.deepEqual(head, { alg: 'HS256', typ: 'at+jwt' });
    assert.equal(body.iss, ISSUER);
    assert.equal(body.aud, AUDIENCE);
    assert.equal(signJwt(body, { alg: 'HS256', secret: JWT_SECRET }, { typ: 'at+jwt' }), token, 'signed with JWT_SECRET');
    assert.equal((await get('/api/v1/secure/x', bearer(token))).status, 200);
    assert.equal(upstream.requests[0].headers['x-consumer-id'], alice.id);
  });

  it('serves a cached token the same way, many times over', async () => {
    const token = rs256({ scope: 'orders:read orders:write' });
    const replies = await Promise.all(Array.from({ length: 20 }, () => get('/api/v1/all/x', bearer(token))));
    assert.deepEqual(replies.map((r) => r.status), Array(20).fill(200));
    assert.ok(upstream.requests.every((r) => r.headers['x-user-id'] === 'user-42'));
  });

  it('never writes a token, an API key or a secret to the log', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(gateway.logs().some((line) => line.msg === 'request completed'), 'access lines are written');
    for (const secret of [...new Set([...sentSecrets, JWT_SECRET, AUTH_SECRET, ADMIN_KEY])]) {
      const bare = secret.replace(/^Bearer\s+/i, '');
      if (bare.length < 12) continue;
      assert.ok(!gateway.output.includes(bare), `the log holds a credential: ${bare.slice(0, 16)}…`);
    }
  });
});
