import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertProblem } from './helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { eventually, GatewayProcess, type Reply } from './helpers/gateway.js';
import { JwksServer } from './helpers/jwks-server.js';
import { ecKeyPair, nowSeconds, rsaKeyPair, signJwt, signWith, type TestKeyPair } from './helpers/jwt.js';
import { Upstream } from './helpers/upstream.js';

const COOLDOWN_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const claims = () => ({ sub: `user-${randomUUID()}`, exp: nowSeconds() + 600, jti: randomUUID() });

describe('JWKS: keys fetched, cached and rotated', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const upstream = new Upstream('jwks-protected');
  const jwks = new JwksServer();
  const keyA = rsaKeyPair('key-a');
  const keyB = ecKeyPair('key-b');
  let lastFetchAt = 0;

  const call = (token: string, requestId = randomUUID()): Promise<Reply> =>
    gateway.get('/api/v1/protected/x', { authorization: `Bearer ${token}`, 'x-request-id': requestId });
  /** Lets the cooldown since the last fetch run out, so that the next unknown kid may fetch again. */
  const afterCooldown = () => sleep(Math.max(0, lastFetchAt + COOLDOWN_MS + 150 - Date.now()));
  const noteFetch = () => (lastFetchAt = Date.now());

  before(async () => {
    await upstream.start();
    jwks.keys = [keyA.jwk];
    await jwks.start();
    db = await createTestDatabase('auth_jwks');
    gateway = await GatewayProcess.start({ databaseUrl: db.url, env: { JWT_JWKS_URL: jwks.url, JWT_JWKS_COOLDOWN_MS: String(COOLDOWN_MS) } });
    assert.equal((await gateway.admin('POST', '/admin/services', { name: 'protected', url: upstream.url })).status, 201);
    assert.equal((await gateway.admin('POST', '/admin/routes', { name: 'protected', service: 'protected', paths: ['/api/v1/protected/*'] })).status, 201);
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
    await upstream.stop();
    await jwks.stop();
  });

  beforeEach(() => upstream.reset());

  it('fetches the JWKS once at start and verifies with its keys without fetching again', async () => {
    await eventually(() => jwks.fetches === 1, 5_000);
    noteFetch();
    for (let i = 0; i < 5; i++) assert.equal((await call(signWith(keyA, claims()))).status, 200);
    assert.equal(upstream.requests.length, 5);
    assert.equal(jwks.fetches, 1, 'distinct tokens, one fetch');
  });

  it('picks up a rotated-in key on the first token that names it', async () => {
    jwks.keys = [keyA.jwk, keyB.jwk];
    await afterCooldown();
    const reply = await call(signWith(keyB, claims()));
    noteFetch();
    assert.equal(reply.status, 200, reply.text);
    assert.equal(jwks.fetches, 2);
    assert.equal((await call(signWith(keyA, claims()))).status, 200, 'the old key still works while it is served');
  });

  it('stops trusting a key once the JWKS no longer serves it', async () => {
    jwks.keys = [keyB.jwk];
    await afterCooldown();
    // An unknown kid makes the gateway look again; the new set has no key-a.
    assertProblem(await call(signWith(rsaKeyPair('key-c'), claims())), 401, 'AUTH_ERROR');
    noteFetch();
    const requestId = randomUUID();
    assertProblem(await call(signWith(keyA, claims()), requestId), 401, 'AUTH_ERROR');
    assert.equal((await gateway.logLine((l) => l.req_id === requestId)).auth_failure, 'unknown_key');
    assert.equal((await call(signWith(keyB, claims()))).status, 200);
    assert.equal(upstream.requests.length, 1);
  });

  it('fetches at most once per cooldown however many unknown kids arrive', async () => {
    await afterCooldown();
    const before = jwks.fetches;
    const started = Date.now();
    const forger: TestKeyPair = rsaKeyPair('unused');
    const replies = await Promise.all(Array.from({ length: 30 }, () => call(signJwt(claims(), { alg: 'RS256', privateKey: forger.privateKey }, { kid: randomUUID() }))));
    const elapsed = Date.now() - started;
    noteFetch();
    assert.ok(replies.every((r) => r.status === 401), replies.map((r) => r.status).join());
    const fetched = jwks.fetches - before;
    assert.ok(fetched >= 1, 'an unknown kid after the cooldown does fetch');
    assert.ok(fetched <= 1 + Math.ceil(elapsed / COOLDOWN_MS), `${fetched} fetches in ${elapsed} ms`);
    assert.equal(upstream.requests.length, 0);
  });

  it('keeps verifying with the keys it has while the JWKS is down, and answers 503 when it cannot know', async () => {
    jwks.failWith = 500;
    try {
      await afterCooldown();
      assert.equal((await call(signWith(keyB, claims()))).status, 200, 'a known key needs no fetch');
      const requestId = randomUUID();
      const unknown = await call(signWith(rsaKeyPair('key-d'), claims()), requestId);
      noteFetch();
      assertProblem(unknown, 503, 'SERVICE_UNAVAILABLE');
      assert.equal(unknown.headers.get('retry-after'), '5');
      assert.equal((await gateway.logLine((l) => l.req_id === requestId)).auth_failure, 'jwks_unavailable');
      assert.equal(upstream.requests.length, 1);
    } finally {
      jwks.failWith = undefined;
    }
    await afterCooldown();
    const keyE = ecKeyPair('key-e');
    jwks.keys = [keyB.jwk, keyE.jwk];
    assert.equal((await call(signWith(keyE, claims()))).status, 200, 'back once the JWKS answers');
    noteFetch();
  });

  it('refuses a token whose kid names a key of another type, and HS256 made with a JWKS public key', async () => {
    await afterCooldown();
    const rsaPretendingB = signJwt(claims(), { alg: 'RS256', privateKey: keyA.privateKey }, { kid: 'key-b' });
    assertProblem(await call(rsaPretendingB), 401, 'AUTH_ERROR');
    noteFetch();
    const confused = signJwt(claims(), { alg: 'HS256', secret: keyB.publicPem }, { kid: 'key-b' });
    const requestId = randomUUID();
    assertProblem(await call(confused, requestId), 401, 'AUTH_ERROR');
    assert.equal((await gateway.logLine((l) => l.req_id === requestId)).auth_failure, 'bad_signature');
    assert.equal(upstream.requests.length, 0);
  });
});
