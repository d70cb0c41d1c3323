import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerTokenOf } from './credentials-of-request.js';

describe('bearerTokenOf', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    [undefined, undefined],
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer   abc  ', 'abc'],
    ['Bearer', ''],
    ['Bearer ', ''],
    ['Basic dXNlcjpwYXNz', undefined],
    ['Bearerabc', undefined],
    ['Bear', undefined],
    ['', undefined],
  ];
  for (const [header, expected] of cases) {
    it(`reads ${JSON.stringify(header)} as ${JSON.stringify(expected)}`, () => {
      assert.equal(bearerTokenOf(header), expected);
    });
  }
});
