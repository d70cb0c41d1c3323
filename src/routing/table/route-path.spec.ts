import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isUnderPrefix, MAX_ROUTE_PATH_LENGTH, parseRoutePath, type RoutePathKind } from './route-path.js';

describe('parseRoutePath', () => {
  const valid: Array<[pattern: string, kind: RoutePathKind, literalPrefix: string]> = [
    ['/a', 'static', '/a'],
    ['/api/v1/jobs/search', 'static', '/api/v1/jobs/search'],
    ["/api/v1/a.b~c_d-e!$&'()+,;=@", 'static', "/api/v1/a.b~c_d-e!$&'()+,;=@"],
    ['/api/v1/...', 'static', '/api/v1/...'],
    ['/api/v1/..a/.b', 'static', '/api/v1/..a/.b'],
    ['/api/v1/items/:id', 'param', '/api/v1/items'],
    ['/api/v1/items/:id/status', 'param', '/api/v1/items'],
    ['/api/v1/:tenant/items/:item_id', 'param', '/api/v1'],
    ['/api/v1/:_x9', 'param', '/api/v1'],
    [`/api/v1/:${'p'.repeat(64)}`, 'param', '/api/v1'],
    ['/:id', 'param', ''],
    ['/api/v1/context/*', 'wildcard', '/api/v1/context'],
    ['/api/v1/:tenant/*', 'wildcard', '/api/v1'],
    [`/${'a'.repeat(MAX_ROUTE_PATH_LENGTH - 1)}`, 'static', `/${'a'.repeat(MAX_ROUTE_PATH_LENGTH - 1)}`],
  ];
  for (const [pattern, kind, literalPrefix] of valid) {
    it(`accepts ${pattern.length > 60 ? `${pattern.slice(0, 20)}… (${pattern.length} chars)` : pattern} as ${kind} with literal prefix "${literalPrefix.slice(0, 30)}"`, () => {
      assert.deepEqual(parseRoutePath(pattern), { pattern, kind, literalPrefix });
    });
  }

  const invalid: Array<[pattern: string, reason: string]> = [
    ['', 'must be a non-empty string'],
    ['api/v1/x', 'must start with "/"'],
    ['*', 'must start with "/"'],
    ['/', 'must name at least one segment'],
    ['/api/v1/', 'must not end with "/"'],
    ['/api/v1/*/', '"*" is allowed only as the last segment'],
    ['/api//v1', 'must not contain empty segments ("//")'],
    ['//api', 'must not contain empty segments ("//")'],
    ['/api/*/x', '"*" is allowed only as the last segment'],
    ['/*/*', '"*" is allowed only as the last segment'],
    ['/api/v1/../admin', 'must not contain "." or ".." segments'],
    ['/api/./v1', 'must not contain "." or ".." segments'],
    ['/api/v1/..', 'must not contain "." or ".." segments'],
    ['/api/v1/:', 'parameter ":" must be ":" followed by a name'],
    ['/api/v1/:1id', 'parameter ":1id" must be'],
    ['/api/v1/:a-b', 'parameter ":a-b" must be'],
    ['/api/v1/:id.json', 'parameter ":id.json" must be'],
    ['/api/v1/::id', 'parameter "::id" must be'],
    [`/api/v1/:${'p'.repeat(65)}`, 'must be ":" followed by a name'],
    ['/api/:id/x/:id', 'parameter ":id" appears twice'],
    ['/api/v1/a b', 'segment "a b" has characters a path segment may not hold'],
    ['/api/v1/a?b', 'segment "a?b" has characters'],
    ['/api/v1/a#b', 'segment "a#b" has characters'],
    ['/api/v1/a:b', 'segment "a:b" has characters'],
    ['/api/v1/x*', 'segment "x*" has characters'],
    ['/api/v1/a\\b', 'has characters'],
    ['/api/v1/é', 'has characters'],
    ['/api/v1/a%2', 'segment "a%2" holds a percent-escape'],
    ['/api/v1/a%', 'segment "a%" holds a percent-escape'],
    ['/api/v1/a%20b', 'segment "a%20b" holds a percent-escape'],
    ['/api/v1/A%2fz', 'segment "A%2fz" holds a percent-escape'],
    ['/*', 'needs a literal segment before "/*"'],
    [`/${'a'.repeat(MAX_ROUTE_PATH_LENGTH)}`, `must be at most ${MAX_ROUTE_PATH_LENGTH} characters`],
  ];
  for (const [pattern, reason] of invalid) {
    it(`rejects ${JSON.stringify(pattern.length > 60 ? `${pattern.slice(0, 20)}…` : pattern)}: ${reason}`, () => {
      const result = parseRoutePath(pattern);
      assert.equal(typeof result, 'string', `expected a reason, got ${JSON.stringify(result)}`);
      assert.ok((result as string).includes(reason), `"${String(result)}" includes "${reason}"`);
    });
  }

  it('rejects a value that is not a string', () => {
    assert.equal(parseRoutePath(undefined as unknown as string), 'must be a non-empty string');
    assert.equal(parseRoutePath(42 as unknown as string), 'must be a non-empty string');
  });
});

describe('isUnderPrefix', () => {
  const cases: Array<[path: string, prefixes: string[], expected: boolean]> = [
    ['/api/v1', ['/api/v1'], true],
    ['/api/v1/x', ['/api/v1'], true],
    ['/api/v1/x/*', ['/api/v1'], true],
    ['/api/v1x', ['/api/v1'], false],
    ['/api/v1x/y', ['/api/v1'], false],
    ['/api', ['/api/v1'], false],
    ['/other/v1', ['/api/v1'], false],
    ['/api/v2/a', ['/api/v1', '/api/v2'], true],
    ['/api/v3/a', ['/api/v1', '/api/v2'], false],
    ['/api/v1/a', [], false],
  ];
  for (const [path, prefixes, expected] of cases) {
    it(`${path} under [${prefixes.join(', ')}] is ${expected}`, () => {
      assert.equal(isUnderPrefix(path, prefixes), expected);
    });
  }
});
