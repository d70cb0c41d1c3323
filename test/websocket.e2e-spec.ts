import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { eventually, GatewayProcess } from './helpers/gateway.js';
import { nowSeconds, signJwt } from './helpers/jwt.js';
import { Upstream } from './helpers/upstream.js';

const JWT_SECRET = 'hs-secret-for-the-websocket-tests-0123456789';

/** Opens a WebSocket through the gateway, or resolves with the refusal's status and body. */
function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket | { status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    ws.once('error', reject);
  });
}

async function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = await connect(url, headers);
  assert.ok(ws instanceof WebSocket, `the upgrade was refused: ${JSON.stringify(ws)}`);
  return ws;
}

async function echo(ws: WebSocket, message: string | Buffer): Promise<{ data: Buffer; isBinary: boolean }> {
  const reply = once(ws, 'message');
  ws.send(message);
  const [data, isBinary] = await reply;
  return { data: data as Buffer, isBinary: isBinary as boolean };
}

describe('WebSocket proxying', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  const upstream = new Upstream('ws');
  let wsBase: string;
  let apiKey: string;

  before(async () => {
    await upstream.start();
    db = await createTestDatabase('websocket');
    gateway = await GatewayProcess.start({ databaseUrl: db.url, env: { CORS_ORIGINS: 'https://app.example.com', JWT_SECRET } });
    wsBase = gateway.url.replace('http://', 'ws://');
    await gateway.create([
      ['/admin/services', { name: 'ws', url: upstream.url, retries: 0 }],
      ['/admin/routes', { name: 'live', service: 'ws', paths: ['/api/v1/live/*'], strip_prefix: true, websocket: true, auth: { required: false } }],
      ['/admin/routes', { name: 'plain', service: 'ws', paths: ['/api/v1/plain/*'], strip_prefix: true, auth: { required: false } }],
      // Requires a credential (the default for a new route), as every other request on it would.
      ['/admin/routes', { name: 'live-secure', service: 'ws', paths: ['/api/v1/secure/*'], strip_prefix: true, websocket: true }],
      ['/admin/routes', { name: 'live-cached', service: 'ws', paths: ['/api/v1/cached/*'], strip_prefix: true, websocket: true, cache: { enabled: true, ttl_s: 60 }, auth: { required: false } }],
      ['/admin/consumers', { username: 'streamer', custom_id: 'crm-streamer' }],
    ]);
    const key = await gateway.admin('POST', '/admin/consumers/streamer/keys', { name: 'ws' });
    assert.equal(key.status, 201, key.text);
    apiKey = key.body.key;
  });

  after(async () => {
    await gateway?.stop();
    await db?.drop();
    await upstream.stop();
  });

  beforeEach(() => upstream.reset());

  it('echoes text and binary frames both ways through the gateway', async () => {
    const ws = await open(`${wsBase}/api/v1/live/ws?room=1`);
    const text = await echo(ws, 'hello through the gateway');
    assert.equal(text.data.toString(), 'hello through the gateway');
    assert.equal(text.isBinary, false);
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const binary = await echo(ws, bytes);
    assert.deepEqual(binary.data, bytes);
    assert.equal(binary.isBinary, true);
    const big = 'x'.repeat(256 * 1024);
    assert.equal((await echo(ws, big)).data.toString(), big);
    ws.close(1000);
    await once(ws, 'close');
    const [handshake] = upstream.requests;
    assert.equal(handshake.url, '/ws?room=1', 'strip_prefix and the query apply to the handshake');
    assert.equal(handshake.headers.upgrade, 'websocket');
    assert.equal(handshake.headers['x-forwarded-for'], '127.0.0.1');
    assert.ok(handshake.headers['x-request-id']);
  });

  it('passes a close from the client to the upstream, code included', async () => {
    const ws = await open(`${wsBase}/api/v1/live/ws`);
    await echo(ws, 'ping');
    ws.close(4001, 'client done');
    const [code] = await once(ws, 'close');
    assert.equal(code, 4001);
    // (A close from an earlier test may still land in the list: look for this one's code.)
    await eventually(() => upstream.webSocketCloses.includes(4001), 5_000);
  });

  it('passes a close from the upstream to the client, code and reason included', async () => {
    const ws = await open(`${wsBase}/api/v1/live/ws`);
    ws.send('close-me');
    const [code, reason] = await once(ws, 'close');
    assert.equal(code, 4000);
    assert.equal(String(reason), 'bye');
  });

  it('refuses an upgrade on a route without websocket: true, before the upstream sees it', async () => {
    const refused = await connect(`${wsBase}/api/v1/plain/ws`);
    assert.ok(!(refused instanceof WebSocket));
    assert.equal(refused.status, 400);
    assert.equal(refused.body.code, 'INVALID_REQUEST');
    assert.match(refused.body.detail, /does not accept WebSocket upgrades/);
    assert.deepEqual(upstream.requests, []);
  });

  it('refuses upgrades outside the proxied prefixes, and on paths no route serves', async () => {
    const control = await connect(`${wsBase}/health`);
    assert.ok(!(control instanceof WebSocket));
    assert.equal(control.status, 404);
    const unrouted = await connect(`${wsBase}/api/v1/nowhere/ws`);
    assert.ok(!(unrouted instanceof WebSocket));
    assert.equal(unrouted.status, 404);
    assert.equal(unrouted.body.code, 'ROUTE_NOT_FOUND');
    assert.deepEqual(upstream.requests, []);
  });

  describe('on a route that requires a credential, the handshake passes the auth phase', () => {
    const refusals: Array<[label: string, headers: () => Record<string, string>]> = [
      ['no credential', () => ({})],
      ['an unknown API key', () => ({ 'x-api-key': 'gw_not-a-key-the-gateway-issued-0123456789' })],
      ['an expired token', () => ({ authorization: `Bearer ${signJwt({ sub: 'u-1', exp: nowSeconds() - 3600 }, { alg: 'HS256', secret: JWT_SECRET })}` })],
      ['a token signed with another secret', () => ({ authorization: `Bearer ${signJwt({ sub: 'u-1', exp: nowSeconds() + 600 }, { alg: 'HS256', secret: 'not-the-secret-0123456789abcdef0123' })}` })],
    ];
    for (const [label, headers] of refusals) {
      it(`refuses a handshake with ${label}: 401 problem, upstream untouched`, async () => {
        const refused = await connect(`${wsBase}/api/v1/secure/ws`, headers());
        assert.ok(!(refused instanceof WebSocket), 'the upgrade went through');
        assert.equal(refused.status, 401);
        assert.equal(refused.body.code, 'AUTH_ERROR');
        assert.equal(refused.body.status, 401);
        assert.deepEqual(upstream.requests, []);
      });
    }

    const credentials: Array<[label: string, headers: () => Record<string, string>, userId: string]> = [
      ['a valid API key', () => ({ 'x-api-key': apiKey }), 'crm-streamer'],
      ['a valid JWT', () => ({ authorization: `Bearer ${signJwt({ sub: 'user-7', exp: nowSeconds() + 600 }, { alg: 'HS256', secret: JWT_SECRET })}` }), 'user-7'],
    ];
    for (const [label, headers, userId] of credentials) {
      it(`accepts a handshake with ${label}, sending the identity but not the credential upstream`, async () => {
        const ws = await open(`${wsBase}/api/v1/secure/ws`, headers());
        assert.equal((await echo(ws, 'authenticated')).data.toString(), 'authenticated');
        ws.close(1000);
        await once(ws, 'close');
        const [handshake] = upstream.requests;
        assert.equal(handshake.url, '/ws');
        assert.equal(handshake.headers['x-user-id'], userId);
        assert.equal(handshake.headers['x-api-key'], undefined, 'the API key is withheld');
        assert.equal(handshake.headers.authorization, undefined, 'the token is withheld');
      });
    }
  });

  it('never answers a handshake from the response cache, even where a GET of the same URL is cached', async () => {
    assert.equal((await gateway.fetch('/api/v1/cached/respond')).headers.get('x-cache'), 'MISS');
    assert.equal((await gateway.fetch('/api/v1/cached/respond')).headers.get('x-cache'), 'HIT');
    assert.equal(upstream.requests.length, 1);
    // The upstream serves WebSockets only on /ws: its own refusal, not the cached 200, must come back.
    const refused = await connect(`${wsBase}/api/v1/cached/respond`);
    assert.ok(!(refused instanceof WebSocket));
    assert.equal(refused.status, 404);
    assert.equal(upstream.requests.length, 2);
    assert.equal(upstream.requests[1].headers.upgrade, 'websocket');
    const ws = await open(`${wsBase}/api/v1/cached/ws`);
    assert.equal((await echo(ws, 'not cached')).data.toString(), 'not cached');
    ws.close(1000);
    await once(ws, 'close');
  });

  it('holds a handshake to the same path rules as any request', async () => {
    // (The client resolves dot segments itself; the hostile-request test sends them raw.)
    for (const path of ['/api/v1/live/a%5Cws', '/api/v1/live/a%2Fws', '/api/v1/live//ws']) {
      const refused = await connect(`${wsBase}${path}`);
      assert.ok(!(refused instanceof WebSocket), path);
      assert.equal(refused.status, 400, path);
      assert.equal(refused.body.code, 'INVALID_REQUEST', path);
    }
    assert.deepEqual(upstream.requests, []);
  });

  it('passes the Origin of a handshake on for the upstream to judge (browsers send no preflight for WebSockets)', async () => {
    const ws = await open(`${wsBase}/api/v1/live/ws`, { origin: 'https://evil.test' });
    assert.equal((await echo(ws, 'hi')).data.toString(), 'hi');
    ws.close();
    await once(ws, 'close');
    assert.equal(upstream.requests[0].headers.origin, 'https://evil.test');
  });

  it("passes on the upstream's refusal of the upgrade as it is", async () => {
    const refused = await connect(`${wsBase}/api/v1/live/not-a-socket`);
    assert.ok(!(refused instanceof WebSocket));
    assert.equal(refused.status, 404);
    assert.equal(upstream.requests.length, 1);
  });

  it('writes one access line per tunnel, with status 101, when it closes', async () => {
    const ws = await open(`${wsBase}/api/v1/live/ws?tag=logged`);
    await echo(ws, 'x');
    ws.close();
    await once(ws, 'close');
    const find = () => gateway.logs().find((l) => l.msg === 'request completed' && l.route === 'live' && l.upgraded === true);
    await gateway.waitFor(async () => find() !== undefined, 'the tunnel access line', 5_000);
    assert.equal(find()!.status, 101);
  });

  // Last: it stops the gateway.
  it('counts an open tunnel as in flight on SIGTERM, and closes it when the grace period ends', async () => {
    const ws = await open(`${wsBase}/api/v1/live/ws`);
    await echo(ws, 'before shutdown');
    const closed = once(ws, 'close');
    const exitCode = await gateway.stop('SIGTERM');
    assert.equal(exitCode, 0);
    const [code] = await closed;
    assert.equal(code, 1006, 'the tunnel was cut, not closed cleanly');
    const draining = gateway.logs().find((l) => l.msg === 'draining');
    assert.equal(draining?.in_flight, 1);
    assert.ok(gateway.logs().some((l) => l.msg === 'grace period over; closing the remaining connections'));
  });
});
