import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestCacheMode, storableTtlMs, varyNames } from './cache-control.js';

describe('requestCacheMode', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{}, 'lookup'],
    [{ 'cache-control': 'max-age=60' }, 'lookup'],
    [{ 'cache-control': 'no-cache' }, 'refresh'],
    [{ 'cache-control': 'max-age=0' }, 'refresh'],
    [{ pragma: 'no-cache' }, 'refresh'],
    [{ 'cache-control': 'No-Store' }, 'bypass'],
    [{ 'cache-control': 'no-cache, no-store' }, 'bypass'],
  ];
  for (const [headers, mode] of cases) {
    it(`${JSON.stringify(headers)} → ${mode}`, () => assert.equal(requestCacheMode(headers), mode));
  }
});

describe('storableTtlMs', () => {
  const ROUTE_TTL = 60_000;
  const cases: Array<[string, number, Record<string, string | string[]>, number]> = [
    ['a plain 200', 200, {}, ROUTE_TTL],
    ['a 404', 404, {}, ROUTE_TTL],
    ['a 500', 500, {}, 0],
    ['a 206', 206, {}, 0],
    ['no-store', 200, { 'cache-control': 'no-store' }, 0],
    ['private', 200, { 'cache-control': 'private, max-age=60' }, 0],
    ['no-cache', 200, { 'cache-control': 'no-cache' }, 0],
    ['a shorter max-age', 200, { 'cache-control': 'public, max-age=5' }, 5_000],
    ['a longer max-age bounded by the route', 200, { 'cache-control': 'max-age=3600' }, ROUTE_TTL],
    ['s-maxage over max-age', 200, { 'cache-control': 'max-age=50, s-maxage=7' }, 7_000],
    ['max-age=0', 200, { 'cache-control': 'max-age=0' }, 0],
    ['Vary: *', 200, { vary: '*' }, 0],
    ['a Set-Cookie', 200, { 'set-cookie': ['a=1'] }, 0],
  ];
  for (const [label, status, headers, ttl] of cases) {
    it(`${label} → ${ttl} ms`, () => assert.equal(storableTtlMs(status, headers, ROUTE_TTL), ttl));
  }

  it('reads Vary names in lower case', () => assert.deepEqual(varyNames('Accept-Encoding, X-Tenant'), ['accept-encoding', 'x-tenant']));
});
