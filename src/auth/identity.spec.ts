import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildIdentity, headerSafe, holdsScopes } from './identity.js';

describe('holdsScopes', () => {
  const held = new Set(['a', 'b']);
  const cases: Array<[string[], boolean, boolean]> = [
    [['a'], true, true],
    [['a', 'b'], true, true],
    [['a', 'c'], true, false],
    [['a', 'c'], false, true],
    [['c', 'd'], false, false],
    [[], true, true],
    [[], false, true],
  ];
  for (const [needed, all, expected] of cases) {
    it(`${all ? 'all' : 'any'} of ${JSON.stringify(needed)} with a, b held: ${expected}`, () => assert.equal(holdsScopes(held, needed, all), expected));
  }
});

describe('identity headers', () => {
  it('keeps printable ASCII and percent-encodes the rest, so no header can be split or rejected', () => {
    assert.equal(headerSafe('user 42@example.com'), 'user 42@example.com');
    assert.equal(headerSafe('jürgen'), 'j%C3%BCrgen');
    assert.equal(headerSafe('a\r\nx-admin: 1'), 'a%0D%0Ax-admin%3A%201');
  });

  it('builds the upstream values once, scopes de-duplicated', () => {
    const identity = buildIdentity('jwt', null, 'jürgen', ['a', 'b', 'a']);
    assert.deepEqual(identity.headers, { userId: 'j%C3%BCrgen', scopes: 'a b' });
    assert.equal(identity.subject, 'jürgen');
    assert.ok(Object.isFrozen(identity));
  });
});
