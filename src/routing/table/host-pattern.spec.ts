import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostConstraint, isValidHostPattern, requestHost } from './host-pattern.js';

const label63 = 'a'.repeat(63);
// 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters: the longest name DNS allows.
const longest = `${label63}.${label63}.${label63}.${'b'.repeat(61)}`;

describe('isValidHostPattern', () => {
  const cases: Array<[host: string, expected: boolean]> = [
    ['api.example.com', true],
    ['localhost', true],
    ['x', true],
    ['a-b.example.com', true],
    ['xn--bcher-kva.example', true],
    ['10.0.0.1', true],
    ['*.example.com', true],
    ['*.com', true],
    [`${label63}.example.com`, true],
    [longest, true],
    ['', false],
    ['*', false],
    ['*.', false],
    ['*example.com', false],
    ['*.*.example.com', false],
    ['api.*.example.com', false],
    ['api.example.*', false],
    ['API.example.com', false],
    ['api.example.com.', false],
    ['.example.com', false],
    ['api..example.com', false],
    ['-api.example.com', false],
    ['api-.example.com', false],
    ['api_v1.example.com', false],
    ['api.example.com:8080', false],
    ['[::1]', false],
    ['api example.com', false],
    [`${'a'.repeat(64)}.example.com`, false],
    [`${longest}b`, false],
  ];
  for (const [host, expected] of cases) {
    it(`${JSON.stringify(host.length > 40 ? `${host.slice(0, 12)}… (${host.length} chars)` : host)} is ${expected ? 'valid' : 'invalid'}`, () => {
      assert.equal(isValidHostPattern(host), expected);
    });
  }

  it('rejects a value that is not a string', () => {
    assert.equal(isValidHostPattern(undefined as unknown as string), false);
    assert.equal(isValidHostPattern(42 as unknown as string), false);
  });
});

describe('hostConstraint', () => {
  it('passes an exact host name through unchanged', () => {
    assert.equal(hostConstraint('api.example.com'), 'api.example.com');
    assert.equal(hostConstraint('localhost'), 'localhost');
  });

  it('turns *.example.com into a RegExp that stands for exactly one label', () => {
    const constraint = hostConstraint('*.example.com');
    assert.ok(constraint instanceof RegExp, 'a wildcard becomes a RegExp');
    const matches: Array<[host: string, expected: boolean]> = [
      ['a.example.com', true],
      ['api.example.com', true],
      ['a-b.example.com', true],
      ['0.example.com', true],
      [`${'a'.repeat(63)}.example.com`, true],
      ['example.com', false], // the apex is not under the star
      ['.example.com', false],
      ['a.b.example.com', false], // two labels
      ['aexample.com', false], // the dot is literal
      ['a.exampleXcom', false], // and so is the one in the suffix
      ['a.example.com.evil.org', false], // anchored at the end
      ['evil.org.a.example.com', false],
      ['a.example.co', false],
      ['-a.example.com', false],
      ['a-.example.com', false],
      ['a_b.example.com', false],
      [`${'a'.repeat(64)}.example.com`, false],
    ];
    for (const [host, expected] of matches) assert.equal(constraint.test(host), expected, `${host} ${expected ? 'matches' : 'does not match'}`);
  });

  it('is not stateful between tests (no global flag)', () => {
    const constraint = hostConstraint('*.example.com') as RegExp;
    assert.equal(constraint.global, false);
    assert.equal(constraint.sticky, false);
    assert.equal(constraint.test('a.example.com'), true);
    assert.equal(constraint.test('a.example.com'), true);
  });
});

describe('requestHost', () => {
  const cases: Array<[header: string | undefined, expected: string]> = [
    [undefined, ''],
    ['', ''],
    ['api.example.com', 'api.example.com'],
    ['Api.Example.COM', 'api.example.com'],
    ['Api.Example.com:8443', 'api.example.com'],
    ['localhost:8080', 'localhost'],
    ['10.0.0.1:80', '10.0.0.1'],
    ['[::1]', '[::1]'],
    ['[::1]:8080', '[::1]'],
    ['[FE80::1]:443', '[fe80::1]'],
    ['[::1', '[::1'],
  ];
  for (const [header, expected] of cases) {
    it(`${JSON.stringify(header)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(requestHost(header), expected);
    });
  }
});
