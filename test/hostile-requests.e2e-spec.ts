import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { GatewayProcess } from './helpers/gateway.js';
import { rawExchange, type RawExchange } from './helpers/raw-http.js';
import { Upstream } from './helpers/upstream.js';

const LIMITS = { MAX_REQUEST_SIZE: '1024', MAX_URL_LENGTH: '512', MAX_HEADER_SIZE: '4096', MAX_HEADER_COUNT: '20' };

function assertRawProblem(reply: RawExchange, status: number, code: string): void {
  assert.equal(reply.status, status, `expected ${status} ${code}, got ${reply.raw.slice(0, 400)}`);
  assert.match(reply.headers['content-type'] ?? '', /^application\/problem\+json/);
  const body = JSON.parse(reply.body);
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(reply.headers['x-request-id'], body.request_id);
}

async function accessLine(gateway: GatewayProcess, path: string): Promise<Record<string, any>> {
  const find = () => gateway.logs().find((l) => l.msg === 'request completed' && l.path === path);
  await gateway.waitFor(async () => find() !== undefined, `access line for ${path}`, 5_000);
  return find()!;
}

const request = (head: string, body = '') => `${head}\r\n\r\n${body}`;
const get = (target: string, extra = '') => request(`GET ${target} HTTP/1.1\r\nHost: gw.test${extra}`);

interface HostileCase {
  name: string;
  bytes: string;
  status: number;
  code: string;
  /** Written after the head, to see that the gateway answers before reading it. */
  then?: Buffer;
}

describe('hostile requests never reach the upstream', () => {
  let db: TestDatabase;
  let gateway: GatewayProcess;
  let trusting: GatewayProcess;
  const upstream = new Upstream('hostile');

  before(async () => {
    await upstream.start();
    db = await createTestDatabase('hostile');
    gateway = await GatewayProcess.start({ databaseUrl: db.url, env: LIMITS });
    trusting = await GatewayProcess.start({ databaseUrl: db.url, env: { ...LIMITS, TRUSTED_PROXIES: '127.0.0.0/8, 10.9.0.0/16' } });
    await gateway.create([
      ['/admin/services', { name: 'echo', url: upstream.url, retries: 0 }],
      ['/admin/routes', { name: 'echo', service: 'echo', paths: ['/api/v1/echo/*'], auth: { required: false } }],
    ]);
    await trusting.waitFor(async () => (await trusting.get('/api/v1/echo/ready')).status === 200, 'route on the second instance');
  });

  after(async () => {
    await trusting?.stop();
    await gateway?.stop();
    await db?.drop();
    await upstream.stop();
  });

  beforeEach(() => upstream.reset());

  const cases: HostileCase[] = [
    {
      name: 'Content-Length over MAX_REQUEST_SIZE, refused before the body is read',
      bytes: request('POST /api/v1/echo/upload HTTP/1.1\r\nHost: gw.test\r\nContent-Length: 5000'),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    { name: 'a header block over MAX_HEADER_SIZE', bytes: get('/api/v1/echo/x', `\r\nX-Big: ${'a'.repeat(5000)}`), status: 431, code: 'HEADERS_TOO_LARGE' },
    {
      name: 'more headers than MAX_HEADER_COUNT',
      bytes: get('/api/v1/echo/x', Array.from({ length: 25 }, (_, i) => `\r\nX-H${i}: v`).join('')),
      status: 431,
      code: 'HEADERS_TOO_LARGE',
    },
    { name: 'a URL over MAX_URL_LENGTH', bytes: get(`/api/v1/echo/${'a'.repeat(600)}`), status: 414, code: 'URI_TOO_LONG' },
    // Node's parser counts the request line in MAX_HEADER_SIZE: longer than that is its 431.
    { name: 'a URL over MAX_HEADER_SIZE', bytes: get(`/api/v1/echo/${'a'.repeat(5000)}`), status: 431, code: 'HEADERS_TOO_LARGE' },
    { name: 'dot segments', bytes: get('/api/v1/echo/../../admin/services'), status: 400, code: 'INVALID_REQUEST' },
    { name: 'encoded dot segments', bytes: get('/api/v1/echo/%2e%2E/secret'), status: 400, code: 'INVALID_REQUEST' },
    { name: 'a mixed dot segment', bytes: get('/api/v1/echo/.%2e/secret'), status: 400, code: 'INVALID_REQUEST' },
    { name: 'a doubled slash', bytes: get('/api/v1/echo//etc/passwd'), status: 400, code: 'INVALID_REQUEST' },
    { name: 'an encoded slash', bytes: get('/api/v1/echo/a%2Fb'), status: 400, code: 'INVALID_REQUEST' },
    { name: 'a backslash', bytes: get('/api/v1/echo/a\\..\\b'), status: 400, code: 'INVALID_REQUEST' },
    { name: 'an encoded backslash', bytes: get('/api/v1/echo/a%5cb'), status: 400, code: 'INVALID_REQUEST' },
    { name: 'an encoded NUL', bytes: get('/api/v1/echo/a%00b'), status: 400, code: 'INVALID_REQUEST' },
    { name: 'a raw NUL in the path', bytes: get('/api/v1/echo/a\0b'), status: 400, code: 'INVALID_REQUEST' },
    {
      name: 'both Content-Length and Transfer-Encoding',
      bytes: request('POST /api/v1/echo/smuggle HTTP/1.1\r\nHost: gw.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked', '0\r\n\r\n'),
      status: 400,
      code: 'INVALID_REQUEST',
    },
    { name: 'a Content-Length that is no number', bytes: request('POST /api/v1/echo/x HTTP/1.1\r\nHost: gw.test\r\nContent-Length: 12abc'), status: 400, code: 'INVALID_REQUEST' },
    { name: 'a negative Content-Length', bytes: request('POST /api/v1/echo/x HTTP/1.1\r\nHost: gw.test\r\nContent-Length: -1'), status: 400, code: 'INVALID_REQUEST' },
    {
      name: 'two different Content-Lengths',
      bytes: request('POST /api/v1/echo/x HTTP/1.1\r\nHost: gw.test\r\nContent-Length: 3\r\nContent-Length: 5', 'hello'),
      status: 400,
      code: 'INVALID_REQUEST',
    },
    { name: 'a Transfer-Encoding other than chunked', bytes: request('POST /api/v1/echo/x HTTP/1.1\r\nHost: gw.test\r\nTransfer-Encoding: gzip'), status: 400, code: 'INVALID_REQUEST' },
    { name: 'a bare CR in a header value', bytes: get('/api/v1/echo/x', '\r\nX-Split: a\rInjected: 1'), status: 400, code: 'INVALID_REQUEST' },
    { name: 'a bare LF in a header value', bytes: get('/api/v1/echo/x', '\r\nX-Split: a\nInjected: 1'), status: 400, code: 'INVALID_REQUEST' },
    { name: 'an obsolete folded header line', bytes: get('/api/v1/echo/x', '\r\nX-Folded: a\r\n b'), status: 400, code: 'INVALID_REQUEST' },
    { name: 'a NUL in a header value', bytes: get('/api/v1/echo/x', '\r\nX-Nul: a\0b'), status: 400, code: 'INVALID_REQUEST' },
  ];

  for (const hostile of cases) {
    it(`${hostile.name} → ${hostile.status} ${hostile.code}`, async () => {
      const reply = await rawExchange(gateway.port, hostile.bytes, { then: hostile.then });
      assertRawProblem(reply, hostile.status, hostile.code);
      assert.deepEqual(upstream.requests, [], 'the upstream saw nothing');
      assert.equal(upstream.aborted, 0, 'the upstream saw no request start');
    });
  }

  it('a chunked body over MAX_REQUEST_SIZE is cut off while streaming → 413, the upstream never gets a whole request', async () => {
    const chunk = 'x'.repeat(512);
    const body = `${[1, 2, 3, 4].map(() => `200\r\n${chunk}\r\n`).join('')}0\r\n\r\n`;
    const reply = await rawExchange(gateway.port, request('POST /api/v1/echo/stream HTTP/1.1\r\nHost: gw.test\r\nTransfer-Encoding: chunked', body));
    assertRawProblem(reply, 413, 'PAYLOAD_TOO_LARGE');
    assert.equal(reply.headers.connection, 'close', 'the rest of the body is not read');
    assert.deepEqual(upstream.requests, [], 'no complete request reached the upstream');
  });

  it('a chunked body within MAX_REQUEST_SIZE goes through whole', async () => {
    const body = `200\r\n${'y'.repeat(512)}\r\n0\r\n\r\n`;
    const reply = await rawExchange(gateway.port, request('POST /api/v1/echo/small HTTP/1.1\r\nHost: gw.test\r\nTransfer-Encoding: chunked\r\nConnection: close', body));
    assert.equal(reply.status, 200);
    assert.equal(upstream.requests.length, 1);
    assert.equal(upstream.requests[0].bodyBytes, 512);
  });

  it('the control plane has the same URL and header limits', async () => {
    assertRawProblem(await rawExchange(gateway.port, get(`/health?${'q'.repeat(600)}`)), 414, 'URI_TOO_LONG');
    assertRawProblem(await rawExchange(gateway.port, get('/health', Array.from({ length: 25 }, (_, i) => `\r\nX-H${i}: v`).join(''))), 431, 'HEADERS_TOO_LARGE');
  });

  it('replaces the X-Forwarded-For chain of a peer outside TRUSTED_PROXIES', async () => {
    const reply = await gateway.fetch('/api/v1/echo/xff', { headers: { 'x-forwarded-for': '198.51.100.9, 10.9.0.1', forwarded: 'for=198.51.100.9' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.headers['x-forwarded-for'], '127.0.0.1');
    assert.match(reply.body.headers.forwarded, /^for=127\.0\.0\.1;/);
    assert.equal((await accessLine(gateway, '/api/v1/echo/xff')).client_ip, '127.0.0.1');
  });

  it('keeps the chain of a trusted proxy and takes the client from it: the right-most untrusted address', async () => {
    const reply = await trusting.fetch('/api/v1/echo/xff-trusted', { headers: { 'x-forwarded-for': '203.0.113.66, 198.51.100.9, 10.9.0.1' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.headers['x-forwarded-for'], '203.0.113.66, 198.51.100.9, 10.9.0.1, 127.0.0.1');
    assert.equal((await accessLine(trusting, '/api/v1/echo/xff-trusted')).client_ip, '198.51.100.9', '10.9.0.1 is a trusted proxy, 198.51.100.9 is not: it is the client');
  });
});
