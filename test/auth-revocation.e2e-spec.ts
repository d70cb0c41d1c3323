import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { assertProblem } from './helpers/assertions.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { eventually, GatewayProcess } from './helpers/gateway.js';
import { dropRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from './helpers/redis.js';
import { TcpProxy } from './helpers/tcp-proxy.js';
import { Upstream } from './helpers/upstream.js';

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

describe('revocation across instances (one database, one Redis)', () => {
  let db: TestDatabase;
  let first: GatewayProcess;
  let second: GatewayProcess;
  const started: GatewayProcess[] = [];
  const upstream = new Upstream('revocable');
  const prefix = uniqueRedisPrefix('revocation');
  const redisUrl = new URL(TEST_REDIS_URL);
  let redisPath: TcpProxy;
  let credentials: { client_id: string; client_secret: string };
  // The same secret everywhere, as a fleet would be configured.
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, AUTH_SECRET: 'fleet-wide-secret-0123456789abcdefghijkl' };

  const start = async (extra: Record<string, string> = {}) => {
    const gateway = await GatewayProcess.start({ databaseUrl: db.url, env: { ...env, ...extra } });
    started.push(gateway);
    return gateway;
  };

  const issue = async (gateway: GatewayProcess): Promise<string> => {
    const reply = await gateway.fetch('/api/v1/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'client_credentials', ...credentials }),
    });
    assert.equal(reply.status, 200, reply.text);
    return reply.body.access_token;
  };

  const status = async (gateway: GatewayProcess, token: string) => (await gateway.get('/api/v1/fleet/x', { authorization: `Bearer ${token}` })).status;

  before(async () => {
    await upstream.start();
    redisPath = await new TcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379)).start();
    db = await createTestDatabase('auth_revocation');
    [first, second] = await Promise.all([start(), start()]);
    assert.equal((await first.admin('POST', '/admin/services', { name: 'fleet', url: upstream.url })).status, 201);
    assert.equal((await first.admin('POST', '/admin/routes', { name: 'fleet', service: 'fleet', paths: ['/api/v1/fleet/*'] })).status, 201);
    assert.equal((await first.admin('POST', '/admin/consumers', { username: 'fleet-user', scopes: ['orders:read'] })).status, 201);
    credentials = (await first.admin('POST', '/admin/consumers/fleet-user/clients', {})).body;
    await eventually(async () => (await second.get('/api/v1/fleet/x')).status === 401, 2_000);
    // The client is the last change made; on a loaded machine the other instance may apply it a
    // little after the route, so wait until it can issue a token before any test relies on it.
    await eventually(async () => (await second.fetch('/api/v1/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'client_credentials', ...credentials }),
    })).status === 200, 10_000);
  });

  after(async () => {
    await Promise.all(started.map((g) => g.stop()));
    await redisPath?.cut();
    await db?.drop();
    await upstream.stop();
    await dropRedisPrefix(prefix);
  });

  it('a token revoked through one instance is refused by the other within a second', async (t) => {
    const token = await issue(first);
    assert.equal(await status(second, token), 200, 'the other instance verifies (and caches) it');
    assert.equal(await status(first, token), 200);
    const revoked = await first.fetch('/api/v1/auth/revoke', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(revoked.body, { revoked: true });
    assert.equal(await status(first, token), 401, 'refused at once where it was revoked');
    const took = await eventually(async () => (await status(second, token)) === 401, 1_000, 10);
    t.diagnostic(`revocation reached the other instance after ${took} ms`);
    const reply = await second.get('/api/v1/fleet/x', { authorization: `Bearer ${token}` });
    assertProblem(reply, 401, 'AUTH_ERROR');
    assert.match(reply.headers.get('www-authenticate')!, /revoked/);
  });

  it('keeps the revocation in Redis under the key prefix, until the token expires', async () => {
    const token = await issue(second);
    const { jti, exp } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    assert.equal((await second.fetch('/api/v1/auth/revoke', { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status, 200);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const key = `${prefix}revoked:jti:${jti}`;
      assert.equal(Number(await redis.get(key)), (exp + 30) * 1000, 'kept until exp plus the clock skew');
      const ttl = await redis.pttl(key);
      assert.ok(ttl > 3_000_000 && ttl <= 3_630_000, `ttl ${ttl} ms`);
    } finally {
      redis.disconnect();
    }
  });

  it('an instance started later loads the revocations made before it', async () => {
    const token = await issue(first);
    assert.equal((await first.fetch('/api/v1/auth/revoke', { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status, 200);
    const third = await start();
    assert.equal(await status(third, token), 401);
    assert.equal(await status(third, await issue(third)), 200, 'and accepts the others');
  });

  it('an instance cut off from Redis learns the revocations it missed once it reconnects', async (t) => {
    const viaProxy = `redis://127.0.0.1:${redisPath.port}`;
    const cutOff = await start({ REDIS_URL: viaProxy });
    const token = await issue(first);
    assert.equal(await status(cutOff, token), 200);
    await redisPath.cut();
    try {
      assert.equal((await first.fetch('/api/v1/auth/revoke', { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status, 200);
      await eventually(async () => (await status(second, token)) === 401, 1_000, 10);
      assert.equal(await status(cutOff, token), 200, 'cut off, it cannot know yet (the message was lost)');
    } finally {
      await redisPath.restore();
    }
    const took = await eventually(async () => (await status(cutOff, token)) === 401, 10_000, 50);
    t.diagnostic(`re-synchronised ${took} ms after Redis came back`);
  });

  it('an instance started while Redis is unreachable serves, and joins in once Redis is back', async () => {
    await redisPath.cut();
    let late: GatewayProcess;
    let token: string;
    try {
      late = await start({ REDIS_URL: `redis://127.0.0.1:${redisPath.port}` });
      token = await issue(first);
      assert.equal(await status(late, token), 200, 'it started and serves without Redis');
      assert.equal((await first.fetch('/api/v1/auth/revoke', { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status, 200);
    } finally {
      await redisPath.restore();
    }
    // What was revoked before it could connect is loaded; what is revoked after is heard.
    await eventually(async () => (await status(late!, token!)) === 401, 10_000, 50);
    const later = await issue(first);
    assert.equal(await status(late!, later), 200);
    assert.equal((await first.fetch('/api/v1/auth/revoke', { method: 'POST', headers: { authorization: `Bearer ${later}` } })).status, 200);
    await eventually(async () => (await status(late!, later)) === 401, 1_000, 10);
  });

  it('answers 503 for a revocation it cannot share, and still refuses the token itself', async () => {
    const cutOff = await start({ REDIS_URL: `redis://127.0.0.1:${redisPath.port}` });
    const token = await issue(cutOff);
    await redisPath.cut();
    try {
      const reply = await cutOff.fetch('/api/v1/auth/revoke', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      assertProblem(reply, 503, 'SERVICE_UNAVAILABLE');
      assert.equal(await status(cutOff, token), 401, 'refused here all the same');
      assert.equal(await status(first, token), 200, 'the others could not be told: hence the 503');
    } finally {
      await redisPath.restore();
    }
  });

  it('an API key revoked through one instance is refused by the other within a second', async () => {
    const key = (await second.admin('POST', '/admin/consumers/fleet-user/keys', {})).body;
    // The new key reaches the first instance by NOTIFY and a credential table rebuild: wait for it
    // (on a loaded machine that takes a moment), so that what is timed below is only the revocation.
    await eventually(async () => (await first.get('/api/v1/fleet/x', { 'x-api-key': key.key })).status === 200, 10_000);
    assert.equal((await second.admin('POST', `/admin/consumers/fleet-user/keys/${key.id}/revoke`)).status, 200);
    await eventually(async () => (await first.get('/api/v1/fleet/x', { 'x-api-key': key.key })).status === 401, 1_000, 10);
  });
});
