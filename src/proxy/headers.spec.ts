import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { clientAddress, downstreamResponseHeaders, hasRequestBody, upstreamRequestHeaders, type ForwardingFacts } from './headers.js';

// A trusted peer unless a test says otherwise: the chain it forwards is kept.
const facts: ForwardingFacts = { requestId: 'req-1', peerIp: '203.0.113.7', trustedPeer: true, proto: 'https', upstreamHost: 'jobs.internal:8080' };

describe('upstreamRequestHeaders', () => {
  it('passes end-to-end headers through untouched', () => {
    const out = upstreamRequestHeaders(
      { host: 'gw.example.com', accept: 'application/json', 'content-type': 'text/plain', 'content-length': '5', authorization: 'Bearer x', cookie: 'a=1' },
      facts,
    );
    assert.equal(out.accept, 'application/json');
    assert.equal(out['content-type'], 'text/plain');
    assert.equal(out['content-length'], '5');
    assert.equal(out.authorization, 'Bearer x');
    assert.equal(out.cookie, 'a=1');
  });

  it('drops every hop-by-hop header', () => {
    const hopByHop = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
    const incoming: IncomingHttpHeaders = { host: 'gw.example.com', accept: '*/*' };
    for (const name of hopByHop) incoming[name] = name === 'connection' ? 'keep-alive' : 'x';
    const out = upstreamRequestHeaders(incoming, facts);
    for (const name of hopByHop) assert.equal(Object.hasOwn(out, name), false, `${name} is dropped`);
    assert.equal(out.accept, '*/*');
  });

  it('drops the headers the Connection header names, whatever their case and spacing', () => {
    const out = upstreamRequestHeaders(
      { host: 'gw.example.com', connection: 'keep-alive, X-Trace ,x-debug', 'x-trace': '1', 'x-debug': '2', 'x-kept': '3' },
      facts,
    );
    assert.equal(Object.hasOwn(out, 'x-trace'), false);
    assert.equal(Object.hasOwn(out, 'x-debug'), false);
    assert.equal(out['x-kept'], '3');
  });

  it('drops the identity headers a client sends, and expect', () => {
    const out = upstreamRequestHeaders(
      { host: 'gw.example.com', 'x-consumer-id': 'admin', 'x-user-id': 'root', 'x-scopes': 'all', expect: '100-continue', 'x-other': 'kept' },
      facts,
    );
    for (const name of ['x-consumer-id', 'x-user-id', 'x-scopes', 'expect']) assert.equal(Object.hasOwn(out, name), false, `${name} is dropped`);
    assert.equal(out['x-other'], 'kept');
  });

  it("sets the caller's identity after dropping the copies a client sent", () => {
    const identity = {
      method: 'api_key' as const,
      consumerId: 'c-1',
      subject: 'alice',
      scopes: new Set(['orders:read', 'orders:write']),
      headers: { userId: 'alice', scopes: 'orders:read orders:write' },
    };
    const out = upstreamRequestHeaders({ host: 'gw', 'x-consumer-id': 'spoofed', 'x-user-id': 'spoofed', 'x-scopes': 'admin' }, { ...facts, identity });
    assert.equal(out['x-consumer-id'], 'c-1');
    assert.equal(out['x-user-id'], 'alice');
    assert.equal(out['x-scopes'], 'orders:read orders:write');
    const external = upstreamRequestHeaders({ host: 'gw', 'x-consumer-id': 'spoofed' }, { ...facts, identity: { ...identity, consumerId: null, method: 'jwt' as const } });
    assert.equal(Object.hasOwn(external, 'x-consumer-id'), false, 'a token of no consumer sends no consumer id, and never the spoofed one');
    assert.equal(external['x-user-id'], 'alice');
  });

  it('leaves out the withheld headers (credentials), and only those', () => {
    const out = upstreamRequestHeaders(
      { host: 'gw', authorization: 'Bearer t', 'x-api-key': 'k', 'x-other': 'kept' },
      { ...facts, withheld: new Set(['authorization', 'x-api-key']) },
    );
    assert.equal(Object.hasOwn(out, 'authorization'), false);
    assert.equal(Object.hasOwn(out, 'x-api-key'), false);
    assert.equal(out['x-other'], 'kept');
  });

  it('starts X-Forwarded-For with the client address', () => {
    assert.equal(upstreamRequestHeaders({ host: 'gw.example.com' }, facts)['x-forwarded-for'], '203.0.113.7');
  });

  it('appends the peer address to an X-Forwarded-For a trusted proxy sent', () => {
    assert.equal(upstreamRequestHeaders({ 'x-forwarded-for': '198.51.100.1, 10.0.0.1' }, facts)['x-forwarded-for'], '198.51.100.1, 10.0.0.1, 203.0.113.7');
    const fromArray = upstreamRequestHeaders({ 'x-forwarded-for': ['198.51.100.1', '10.0.0.1'] as unknown as string }, facts);
    assert.equal(fromArray['x-forwarded-for'], '198.51.100.1, 10.0.0.1, 203.0.113.7');
  });

  it("replaces X-Forwarded-Proto, X-Forwarded-Host, X-Request-Id and Host with the gateway's values", () => {
    const out = upstreamRequestHeaders(
      { host: 'gw.example.com:8443', 'x-forwarded-proto': 'ftp', 'x-forwarded-host': 'spoofed', 'x-request-id': 'client-chosen' },
      { ...facts, trustedPeer: false },
    );
    assert.equal(out['x-forwarded-proto'], 'https');
    assert.equal(out['x-forwarded-host'], 'gw.example.com:8443');
    assert.equal(out['x-request-id'], 'req-1');
    assert.equal(out.host, 'jobs.internal:8080');
  });

  it('sets no X-Forwarded-Host when the client sent no Host', () => {
    const out = upstreamRequestHeaders({ 'x-forwarded-host': 'spoofed' }, { ...facts, trustedPeer: false });
    assert.equal(Object.hasOwn(out, 'x-forwarded-host'), false);
    assert.equal(out.forwarded, 'for=203.0.113.7;proto=https');
    assert.equal(out.host, 'jobs.internal:8080');
  });

  it('adds a Forwarded element for this hop', () => {
    const out = upstreamRequestHeaders({ host: 'gw.example.com' }, { ...facts, proto: 'http' });
    assert.equal(out.forwarded, 'for=203.0.113.7;proto=http;host="gw.example.com"');
  });

  it('quotes and brackets an IPv6 client in Forwarded, and strips quotes from the host', () => {
    const out = upstreamRequestHeaders({ host: 'gw"evil' }, { ...facts, peerIp: '2001:db8::1' });
    assert.equal(out.forwarded, 'for="[2001:db8::1]";proto=https;host="gwevil"');
    assert.equal(out['x-forwarded-for'], '2001:db8::1', 'X-Forwarded-For carries the bare address');
  });

  it('replaces the forwarding chain an untrusted peer sent, and its X-Forwarded-Proto and -Host', () => {
    const out = upstreamRequestHeaders(
      { host: 'gw.example.com', 'x-forwarded-for': '1.2.3.4', forwarded: 'for=1.2.3.4', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.test' },
      { ...facts, proto: 'http', trustedPeer: false },
    );
    assert.equal(out['x-forwarded-for'], '203.0.113.7');
    assert.equal(out.forwarded, 'for=203.0.113.7;proto=http;host="gw.example.com"');
    assert.equal(out['x-forwarded-proto'], 'http');
    assert.equal(out['x-forwarded-host'], 'gw.example.com');
  });
  it("keeps a trusted proxy's X-Forwarded-Proto and -Host (it terminated TLS for the client)", () => {
    const out = upstreamRequestHeaders({ host: 'gw.internal', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' }, { ...facts, proto: 'http' });
    assert.equal(out['x-forwarded-proto'], 'https');
    assert.equal(out['x-forwarded-host'], 'api.example.com');
  });
  it('appends to a Forwarded header it received', () => {
    const out = upstreamRequestHeaders({ host: 'gw.example.com', forwarded: 'for=198.51.100.1;proto=https' }, facts);
    assert.equal(out.forwarded, 'for=198.51.100.1;proto=https, for=203.0.113.7;proto=https;host="gw.example.com"');
  });

  const teCases: Array<[te: string, kept: boolean]> = [
    ['trailers', true],
    ['Trailers', true],
    ['gzip, trailers', true],
    ['trailers;q=1, deflate', true],
    ['gzip', false],
    ['deflate, chunked', false],
    ['trailersx', false],
  ];
  for (const [te, kept] of teCases) {
    it(`TE: ${te} → ${kept ? 'te: trailers' : 'no TE'}`, () => {
      const out = upstreamRequestHeaders({ host: 'gw.example.com', te }, facts);
      if (kept) assert.equal(out.te, 'trailers');
      else assert.equal(Object.hasOwn(out, 'te'), false);
    });
  }

  it('does not change the incoming headers', () => {
    const incoming: IncomingHttpHeaders = { host: 'gw.example.com', connection: 'close', 'x-user-id': 'u', 'x-forwarded-for': '1.1.1.1' };
    const copy = structuredClone(incoming);
    upstreamRequestHeaders(incoming, facts);
    assert.deepEqual(incoming, copy);
  });
});

describe('downstreamResponseHeaders', () => {
  it('drops hop-by-hop headers and those Connection names, keeping the rest', () => {
    const out = downstreamResponseHeaders(
      {
        connection: 'keep-alive, X-Internal',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        upgrade: 'h2c',
        trailer: 'x-checksum',
        'x-internal': 'secret',
        'content-type': 'application/json',
        etag: '"abc"',
      },
      'req-9',
    );
    assert.deepEqual(out, { 'content-type': 'application/json', etag: '"abc"', 'x-request-id': 'req-9' });
  });

  it('keeps set-cookie as the array it is', () => {
    const out = downstreamResponseHeaders({ 'set-cookie': ['a=1; Path=/', 'b=2; HttpOnly'] }, 'req-9');
    assert.deepEqual(out['set-cookie'], ['a=1; Path=/', 'b=2; HttpOnly']);
  });

  it("sets the gateway's request id over the upstream's", () => {
    assert.equal(downstreamResponseHeaders({ 'x-request-id': 'upstream-id' }, 'req-9')['x-request-id'], 'req-9');
    assert.equal(downstreamResponseHeaders({}, 'req-10')['x-request-id'], 'req-10');
  });
});

describe('hasRequestBody', () => {
  const cases: Array<[headers: IncomingHttpHeaders, expected: boolean]> = [
    [{}, false],
    [{ 'content-length': '0' }, false],
    [{ 'content-length': '12' }, true],
    [{ 'transfer-encoding': 'chunked' }, true],
    [{ 'transfer-encoding': 'chunked', 'content-length': '0' }, true],
    [{ 'content-type': 'application/json' }, false],
  ];
  for (const [headers, expected] of cases) {
    it(`${JSON.stringify(headers)} → ${expected}`, () => {
      assert.equal(hasRequestBody(headers), expected);
    });
  }
});

describe('clientAddress', () => {
  const of = (remoteAddress: string | undefined) => clientAddress({ socket: { remoteAddress } } as unknown as IncomingMessage);
  it('unwraps an IPv4-mapped IPv6 address', () => assert.equal(of('::ffff:10.0.0.1'), '10.0.0.1'));
  it('keeps IPv4 and IPv6 addresses as they are', () => {
    assert.equal(of('10.0.0.1'), '10.0.0.1');
    assert.equal(of('2001:db8::1'), '2001:db8::1');
  });
  it('is empty when the socket has no address', () => assert.equal(of(undefined), ''));
});
