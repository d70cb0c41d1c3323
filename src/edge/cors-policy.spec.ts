import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allowOriginValue, allowsOrigin, compileCors, originPatternProblem, sameCors } from './cors-policy.js';

describe('originPatternProblem', () => {
  const valid = ['*', 'https://app.example.com', 'http://localhost:3000', 'https://*.example.com', '*.example.com', 'https://*.example.com:8443'];
  const invalid = ['app.example.com', 'https://app.example.com/', 'https://app.example.com/path', 'ftp://x.test', 'https://*', 'https://a.*.test', '', 'https://exa mple.com', 42];
  for (const pattern of valid) it(`accepts ${pattern}`, () => assert.equal(originPatternProblem(pattern), undefined));
  for (const pattern of invalid) it(`refuses ${JSON.stringify(pattern)}`, () => assert.notEqual(originPatternProblem(pattern), undefined));
});

describe('compileCors / allowsOrigin', () => {
  const cors = compileCors({ origins: ['https://App.example.com', 'https://*.example.org', '*.example.net', 'http://localhost:3000'] })!;
  const cases: Array<[origin: string, allowed: boolean]> = [
    ['https://app.example.com', true],
    ['https://APP.example.com', true],
    ['http://app.example.com', false],
    ['https://app.example.com.evil.test', false],
    ['https://evilapp.example.com', false],
    ['https://a.example.org', true],
    ['https://a.b.example.org', true],
    ['https://example.org', false],
    ['https://aexample.org', false],
    ['http://a.example.org', false],
    ['https://a.example.org:8443', false],
    ['http://a.example.net', true],
    ['https://a.example.net', true],
    ['http://localhost:3000', true],
    ['http://localhost:3001', false],
    ['null', false],
  ];
  for (const [origin, allowed] of cases) it(`${origin} → ${allowed ? 'allowed' : 'refused'}`, () => assert.equal(allowsOrigin(cors, origin), allowed));

  it('is off for no settings or no origins', () => {
    assert.equal(compileCors(null), undefined);
    assert.equal(compileCors({ origins: [] }), undefined);
  });

  it('answers * only for any origin without credentials; echoes the origin otherwise', () => {
    assert.equal(allowOriginValue(compileCors({ origins: ['*'] })!, 'https://x.test'), '*');
    assert.equal(allowOriginValue(compileCors({ origins: ['*'], credentials: true })!, 'https://x.test'), 'https://x.test');
    assert.equal(allowOriginValue(cors, 'https://app.example.com'), 'https://app.example.com');
  });

  it('joins methods and headers once, defaults included', () => {
    const compiled = compileCors({ origins: ['*'], headers: ['Content-Type', 'X-Trace'], max_age: 60 })!;
    assert.equal(compiled.allowMethods, 'GET, HEAD, POST, PUT, PATCH, DELETE');
    assert.equal(compiled.allowHeaders, 'content-type, x-trace');
    assert.ok(compiled.headers!.has('x-trace'));
    assert.equal(compiled.maxAge, '60');
    assert.equal(compileCors({ origins: ['*'] })!.headers, undefined, 'no list: reflect what the preflight asks');
  });
});

describe('sameCors', () => {
  it('ignores key order (jsonb keeps its own)', () => {
    assert.ok(sameCors({ origins: ['*'], max_age: 5, credentials: true }, { credentials: true, origins: ['*'], max_age: 5 }));
    assert.ok(!sameCors({ origins: ['*'] }, { origins: ['*'], credentials: false }));
    assert.ok(sameCors(null, undefined));
  });
});
