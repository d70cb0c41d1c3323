import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteMatch, UpstreamTarget } from '../routing/table/compiled-route.js';
import { compiledRoute, compiledService } from '../routing/table/service.fixture.js';
import { parseRoutePath } from '../routing/table/route-path.js';
import { strippedPath, upstreamPath } from './upstream-path.js';

const service = compiledService({ name: 'jobs' });

function matchFor(pattern: string, stripPrefix: boolean): RouteMatch {
  const parsed = parseRoutePath(pattern);
  if (typeof parsed === 'string') throw new Error(`bad fixture ${pattern}: ${parsed}`);
  return {
    route: compiledRoute(service, { stripPrefix }),
    literalPrefix: parsed.literalPrefix,
    params: {},
  };
}

const target = (basePath: string): UpstreamTarget => ({ id: 't', origin: 'http://upstream', basePath, hostHeader: 'upstream', weight: 1 });

describe('strippedPath', () => {
  const cases: Array<[path: string, literalPrefix: string, expected: string]> = [
    ['/api/v1/jobs/search', '/api/v1/jobs/search', ''],
    ['/api/v1/items/42', '/api/v1/items', '/42'],
    ['/api/v1/items/42/status', '/api/v1/items', '/42/status'],
    ['/api/v1/ctx', '/api/v1/ctx', ''],
    ['/api/v1/ctx/', '/api/v1/ctx', '/'],
    ['/api/v1/ctx/a/b', '/api/v1/ctx', '/a/b'],
    ['/api/v1/acme/items', '/api/v1', '/acme/items'],
    ['/anything/at/all', '', '/anything/at/all'],
    // Segments, not characters: the request may spell a literal segment percent-encoded.
    ['/api/v1/it%65ms/42', '/api/v1/items', '/42'],
    ['/api/v%31/items/42', '/api/v1/items', '/42'],
    ['/api/v1/a%20b/c', '/api/v1/a%20b', '/c'],
  ];
  for (const [path, literalPrefix, expected] of cases) {
    it(`${path} less ${literalPrefix || "''"} → ${JSON.stringify(expected)}`, () => {
      assert.equal(strippedPath(path, literalPrefix), expected);
    });
  }
});

describe('upstreamPath', () => {
  const cases: Array<[pattern: string, strip: boolean, basePath: string, path: string, query: string, expected: string]> = [
    // static
    ['/api/v1/jobs/search', false, '', '/api/v1/jobs/search', '', '/api/v1/jobs/search'],
    ['/api/v1/jobs/search', false, '/v2', '/api/v1/jobs/search', '', '/v2/api/v1/jobs/search'],
    ['/api/v1/jobs/search', true, '', '/api/v1/jobs/search', '', '/'],
    ['/api/v1/jobs/search', true, '/v2', '/api/v1/jobs/search', '', '/v2'],
    ['/api/v1/jobs/search', true, '', '/api/v1/jobs/search', '?q=x&page=2', '/?q=x&page=2'],
    ['/api/v1/jobs/search', true, '/v2', '/api/v1/jobs/search', '?q=x', '/v2?q=x'],
    // param
    ['/api/v1/items/:id', false, '', '/api/v1/items/42', '', '/api/v1/items/42'],
    ['/api/v1/items/:id', true, '', '/api/v1/items/42', '', '/42'],
    ['/api/v1/items/:id', true, '/v2', '/api/v1/items/42', '?full=1', '/v2/42?full=1'],
    ['/api/v1/items/:id/status', true, '/v2', '/api/v1/items/42/status', '', '/v2/42/status'],
    ['/api/v1/:tenant/items', true, '', '/api/v1/acme/items', '', '/acme/items'],
    // wildcard
    ['/api/v1/ctx/*', false, '/v2', '/api/v1/ctx/a/b', '?x=1', '/v2/api/v1/ctx/a/b?x=1'],
    ['/api/v1/ctx/*', true, '', '/api/v1/ctx/a/b', '', '/a/b'],
    ['/api/v1/ctx/*', true, '/v2', '/api/v1/ctx/a/b', '?x=1', '/v2/a/b?x=1'],
    ['/api/v1/ctx/*', true, '', '/api/v1/ctx', '', '/'],
    ['/api/v1/ctx/*', true, '/v2', '/api/v1/ctx', '?x=1', '/v2?x=1'],
    ['/api/v1/ctx/*', true, '', '/api/v1/ctx/', '', '/'],
    ['/api/v1/ctx/*', true, '/v2', '/api/v1/ctx/', '', '/v2/'],
    // the path is kept as sent
    ['/api/v1/items/:id', true, '', '/api/v1/items/a%2Fb', '', '/a%2Fb'],
  ];
  for (const [pattern, strip, basePath, path, query, expected] of cases) {
    it(`${pattern} strip=${strip} base=${JSON.stringify(basePath)}: ${path}${query} → ${expected}`, () => {
      assert.equal(upstreamPath(path, query, matchFor(pattern, strip), target(basePath)), expected);
    });
  }
});
