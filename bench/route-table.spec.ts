import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { compileGeneratedTable } from './route-definitions.js';
import { declarativeYaml, generateRouteTable, rotationScript } from './route-table.js';

describe('bench route table generator', () => {
  const table = generateRouteTable(10_000, 'http://127.0.0.1:9');

  it('makes as many routes as asked, with unique names, over services of 100 routes', () => {
    assert.equal(table.routes.length, 10_000);
    assert.equal(new Set(table.routes.map((r) => r.name)).size, 10_000);
    assert.equal(table.services.length, 100);
    assert.ok(table.routes.some((r) => r.hosts?.[0]?.startsWith('*.')), 'a wildcard host');
    assert.ok(table.routes.some((r) => r.paths.some((p) => p.endsWith('/*'))), 'a prefix route');
  });

  it('compiles without shadowing, and every probe reaches the route made for it', () => {
    const compiled = compileGeneratedTable(table);
    assert.equal(compiled.routeCount, 10_000);
    assert.deepEqual(compiled.shadowed, []);
    assert.equal(table.probes.length, 9_000, 'every route but the write-only ones');
    for (const probe of table.probes) {
      assert.equal(compiled.match('GET', probe.host ?? '127.0.0.1', probe.path)?.route.name, probe.route, `${probe.host} ${probe.path}`);
    }
    assert.equal(compiled.match('GET', '127.0.0.1', '/api/v1/svc7/items/1'), null, 'write-only route');
  });

  it('writes the table as a declarative document and the probes as a wrk script', () => {
    const small = generateRouteTable(20, 'http://127.0.0.1:9');
    assert.deepEqual(YAML.parse(declarativeYaml(small)), { services: small.services, routes: small.routes });
    const lua = rotationScript(small.probes);
    assert.match(lua, /\{"\/api\/v1\/t\/svc8\/orders\/o-8", "tenant8\.example\.com"\}/);
    assert.equal(lua.match(/^\{"\/api/gm)?.length, small.probes.length);
  });
});
