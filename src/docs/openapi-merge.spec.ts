import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeDocuments, publicPathFor, type RouteExposure } from './openapi-merge.js';

const exposure = (over: Partial<RouteExposure>): RouteExposure => ({
  route: 'r',
  service: 's',
  paths: ['/api/v1/orders/*'],
  methods: ['GET', 'POST'],
  stripPrefix: true,
  literalPrefixes: ['/api/v1/orders'],
  targetBasePath: '',
  ...over,
});

describe('publicPathFor', () => {
  const cases: Array<[string, string, Partial<RouteExposure>, string | undefined]> = [
    ['strip_prefix puts the upstream path under the literal prefix', '/items/{id}', {}, '/api/v1/orders/items/{id}'],
    ['without strip_prefix the path must already lie under the route', '/api/v1/orders/items', { stripPrefix: false }, '/api/v1/orders/items'],
    ['without strip_prefix a path outside the route is not reached', '/items', { stripPrefix: false }, undefined],
    ['the target base path is taken off first', '/v2/items', { targetBasePath: '/v2' }, '/api/v1/orders/items'],
    ['a path outside the target base path is not reached', '/v1/items', { targetBasePath: '/v2' }, undefined],
    ['a static route reaches only its own path', '/search', { paths: ['/api/v1/orders/search'], literalPrefixes: ['/api/v1/orders/search'], stripPrefix: false }, undefined],
    ['a parameter route reaches a templated path', '/api/v1/orders/{id}', { paths: ['/api/v1/orders/:id'], literalPrefixes: ['/api/v1/orders'], stripPrefix: false }, '/api/v1/orders/{id}'],
  ];
  for (const [label, upstreamPath, over, expected] of cases) {
    it(label, () => assert.equal(publicPathFor(upstreamPath, exposure(over), 0), expected));
  }
});

describe('mergeDocuments', () => {
  const orders = {
    openapi: '3.0.3',
    info: { title: 'orders', version: '1' },
    paths: {
      '/items': { get: { operationId: 'list', responses: { 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } } } } }, delete: { responses: {} } },
    },
    components: { schemas: { Item: { type: 'object' } } },
  };
  const merged = mergeDocuments(
    [
      { service: 's', url: 'http://s/openapi.json', document: orders },
      { service: 'down', url: 'http://down/openapi.json', error: 'connect ECONNREFUSED' },
    ],
    [exposure({}), exposure({ route: 'r2', service: 'down' })],
    { title: 't', version: '0' },
  );

  it('rewrites paths, namespaces components and their references, and keeps only the route methods', () => {
    const op = merged.paths['/api/v1/orders/items'];
    assert.ok(op.get);
    assert.equal(op.delete, undefined);
    assert.equal(op.get.operationId, 's.list');
    assert.deepEqual(op.get.tags, ['s']);
    assert.equal(op.get.responses[200].content['application/json'].schema.$ref, '#/components/schemas/s.Item');
    assert.deepEqual(merged.components.schemas['s.Item'], { type: 'object' });
  });

  it('reports a document that could not be loaded in the info instead of failing', () => {
    assert.match(merged.info.description, /down.*ECONNREFUSED/);
    assert.deepEqual(merged.info['x-gateway-sources'].map((s: { status: string }) => s.status), ['ok', 'error']);
  });
});
