import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ROUTE_AUTH } from '../route-auth.js';
import { compileTarget } from './compile-service.js';
import { requestedVersion, RouteTable, type RouteDefinition } from './route-table.js';
import { serviceDefinition, target } from './service.fixture.js';

const jobs = serviceDefinition({
  id: 'svc-jobs',
  name: 'jobs',
  connectTimeoutMs: 1_000,
  timeoutMs: 5_000,
  retries: 2,
  targets: [target('t1', 'http://10.0.0.1:8080/v2/', 3), target('t2', 'http://10.0.0.2:8080', 1), target('t0', 'http://10.0.0.3:8080', 0)],
});
const other = serviceDefinition({ id: 'svc-other', name: 'other', connectTimeoutMs: 500, timeoutMs: 1_000, retries: 0, targets: [target('o1', 'http://other', 1)] });

let clock = Date.UTC(2024, 0, 1);
/** A route with the given name and paths; each one is created a second after the one before. */
function route(name: string, paths: string[], overrides: Partial<RouteDefinition> = {}): RouteDefinition {
  clock += 1_000;
  return {
    id: `id-${name}`,
    name,
    serviceId: jobs.id,
    paths,
    methods: ['GET'],
    hosts: [],
    stripPrefix: false,
    preserveHost: false,
    priority: 0,
    timeoutMs: null,
    connectTimeoutMs: null,
    headersTimeoutMs: null,
    bodyTimeoutMs: null,
    retries: null,
    retryNonIdempotent: false,
    auth: DEFAULT_ROUTE_AUTH,
    createdAt: new Date(clock),
    ...overrides,
  };
}

const table = (...routes: RouteDefinition[]) => RouteTable.compile(7, [jobs, other], routes);

/** The name of the route a request matches, or null. */
function winner(t: RouteTable, path: string, host = 'gw.local', method = 'GET'): string | null {
  return t.match(method, host, path)?.route.name ?? null;
}

describe('RouteTable precedence', () => {
  // One table, many requests: the tree's precedence (static > param > wildcard, segment by segment).
  const precedence = table(
    route('wildcard', ['/api/v1/items/*']),
    route('param', ['/api/v1/items/:id']),
    route('static', ['/api/v1/items/search']),
    route('param-status', ['/api/v1/items/:id/status']),
    route('static-status', ['/api/v1/items/special/status']),
    route('tenant-any', ['/api/v1/:tenant/*']),
    route('tenant-items', ['/api/v1/:tenant/items']),
  );
  const cases: Array<[path: string, expected: string | null]> = [
    ['/api/v1/items/search', 'static'],
    ['/api/v1/items/42', 'param'],
    ['/api/v1/items/42/status', 'param-status'],
    ['/api/v1/items/special/status', 'static-status'],
    ['/api/v1/items/special', 'param'],
    ['/api/v1/items/search/status', 'param-status'],
    ['/api/v1/items/42/other', 'wildcard'],
    ['/api/v1/items/a/b/c', 'wildcard'],
    ['/api/v1/items', 'wildcard'], // the bare prefix the wildcard implies
    ['/api/v1/acme/items', 'tenant-items'],
    ['/api/v1/acme/orders', 'tenant-any'],
    ['/api/v1/acme', 'tenant-any'],
    ['/api/v1', null],
    ['/api/v2/items/42', null],
    ['/api/v1/items/42/', 'wildcard'], // not the param route: its tail is "42/"
    ['/API/v1/items/search', null], // case-sensitive
  ];
  for (const [path, expected] of cases) {
    it(`${path} → ${expected ?? 'no route'}`, () => {
      assert.equal(winner(precedence, path), expected);
    });
  }

  it('neither folds a trailing slash nor ignores case', () => {
    const t = table(route('jobs', ['/api/v1/jobs']), route('job', ['/api/v1/jobs/:id']));
    assert.equal(winner(t, '/api/v1/jobs'), 'jobs');
    assert.equal(winner(t, '/api/v1/Jobs'), null);
    assert.equal(winner(t, '/api/v1/jobs/7'), 'job');
    assert.equal(winner(t, '/api/v1/jobs/7/'), null);
  });

  it('lets the tree decide before priority: a static route beats a param route of higher priority', () => {
    const t = table(route('param', ['/api/v1/items/:id'], { priority: 100 }), route('static', ['/api/v1/items/search'], { priority: -100 }));
    assert.equal(winner(t, '/api/v1/items/search'), 'static');
    assert.equal(winner(t, '/api/v1/items/7'), 'param');
  });

  it('lets a param route beat a wildcard of higher priority', () => {
    const t = table(route('wildcard', ['/api/v1/items/*'], { priority: 100 }), route('param', ['/api/v1/items/:id']));
    assert.equal(winner(t, '/api/v1/items/7'), 'param');
    assert.equal(winner(t, '/api/v1/items/7/x'), 'wildcard');
  });
});

describe('RouteTable: routes claiming the same method, host and path', () => {
  it('gives the path to the higher priority, whatever the order given', () => {
    const low = route('low', ['/api/v1/jobs'], { priority: 1 });
    const high = route('high', ['/api/v1/jobs'], { priority: 5 });
    assert.equal(winner(table(low, high), '/api/v1/jobs'), 'high');
    assert.equal(winner(table(high, low), '/api/v1/jobs'), 'high');
  });

  it('gives it to the older route when priorities tie', () => {
    const older = route('older', ['/api/v1/jobs']);
    const newer = route('newer', ['/api/v1/jobs']);
    assert.equal(winner(table(newer, older), '/api/v1/jobs'), 'older');
    assert.equal(winner(table(older, newer), '/api/v1/jobs'), 'older');
  });

  it('breaks a full tie by name', () => {
    const at = new Date(Date.UTC(2020, 0, 1));
    const beta = route('beta', ['/api/v1/jobs'], { createdAt: at });
    const alpha = route('alpha', ['/api/v1/jobs'], { createdAt: at });
    assert.equal(winner(table(beta, alpha), '/api/v1/jobs'), 'alpha');
    assert.equal(winner(table(alpha, beta), '/api/v1/jobs'), 'alpha');
  });

  it('reports every shadowed registration', () => {
    const t = table(
      route('low', ['/api/v1/jobs', '/api/v1/free'], { priority: 1, methods: ['GET', 'POST'] }),
      route('high', ['/api/v1/jobs'], { priority: 5, methods: ['GET'] }),
    );
    assert.deepEqual(t.shadowed, [{ route: 'low', method: 'GET', host: null, path: '/api/v1/jobs', shadowedBy: 'high' }]);
    // Only the shadowed registration is lost: the others of `low` still route.
    assert.equal(winner(t, '/api/v1/jobs', 'gw.local', 'POST'), 'low');
    assert.equal(winner(t, '/api/v1/free'), 'low');
    assert.equal(t.routeCount, 2);
  });

  it('reports a shadowed host-constrained registration with its host', () => {
    const t = table(
      route('first', ['/api/v1/jobs'], { hosts: ['a.example.com'] }),
      route('second', ['/api/v1/jobs'], { hosts: ['a.example.com', 'b.example.com'] }),
    );
    assert.deepEqual(t.shadowed, [{ route: 'second', method: 'GET', host: 'a.example.com', path: '/api/v1/jobs', shadowedBy: 'first' }]);
    assert.equal(winner(t, '/api/v1/jobs', 'a.example.com'), 'first');
    assert.equal(winner(t, '/api/v1/jobs', 'b.example.com'), 'second');
  });

  it('reports nothing when no registration collides', () => {
    const t = table(
      route('get', ['/api/v1/jobs']),
      route('post', ['/api/v1/jobs'], { methods: ['POST'] }),
      route('hosted', ['/api/v1/jobs'], { hosts: ['a.example.com'] }),
      route('wildcard', ['/api/v1/jobs/*']),
    );
    assert.deepEqual(t.shadowed, []);
  });
});

describe('RouteTable: the bare prefix a wildcard implies', () => {
  it('matches /api/v1/ctx/* for /api/v1/ctx itself, with an empty tail for /api/v1/ctx/', () => {
    const t = table(route('ctx', ['/api/v1/ctx/*']));
    const bare = t.match('GET', 'gw.local', '/api/v1/ctx');
    assert.equal(bare?.route.name, 'ctx');
    assert.equal(bare?.literalPrefix, '/api/v1/ctx');
    assert.deepEqual({ ...bare?.params }, {});
    const slash = t.match('GET', 'gw.local', '/api/v1/ctx/');
    assert.equal(slash?.route.name, 'ctx');
    assert.deepEqual({ ...slash?.params }, { '*': '' });
    assert.deepEqual({ ...t.match('GET', 'gw.local', '/api/v1/ctx/a/b')?.params }, { '*': 'a/b' });
    assert.equal(winner(t, '/api/v1/ctxx'), null);
  });

  it('loses to an explicit static route for the same path, even one of lower priority', () => {
    const wildcard = route('wildcard', ['/api/v1/ctx/*'], { priority: 10 });
    const explicit = route('explicit', ['/api/v1/ctx'], { priority: -10 });
    for (const t of [table(wildcard, explicit), table(explicit, wildcard)]) {
      assert.equal(winner(t, '/api/v1/ctx'), 'explicit');
      assert.equal(winner(t, '/api/v1/ctx/x'), 'wildcard');
      assert.deepEqual(t.shadowed, [], 'an implicit registration that loses is not reported');
    }
  });

  it('goes to the higher-priority wildcard when two wildcards imply it', () => {
    const t = table(route('low', ['/api/v1/ctx/*'], { priority: 1 }), route('high', ['/api/v1/ctx/*'], { priority: 5 }));
    assert.equal(winner(t, '/api/v1/ctx'), 'high');
    assert.equal(winner(t, '/api/v1/ctx/x'), 'high');
    assert.deepEqual(t.shadowed, [{ route: 'low', method: 'GET', host: null, path: '/api/v1/ctx/*', shadowedBy: 'high' }]);
  });

  it('keeps the host of a host-constrained wildcard', () => {
    const t = table(route('hosted', ['/api/v1/ctx/*'], { hosts: ['a.example.com'] }), route('plain', ['/api/v1/ctx'], { priority: -5 }));
    assert.equal(winner(t, '/api/v1/ctx', 'a.example.com'), 'hosted');
    assert.equal(winner(t, '/api/v1/ctx', 'b.example.com'), 'plain');
  });
});

describe('RouteTable: hosts', () => {
  const t = table(
    route('exact', ['/api/v1/h'], { hosts: ['a.example.com'] }),
    route('wild', ['/api/v1/h'], { hosts: ['*.example.com'] }),
    route('deeper', ['/api/v1/h'], { hosts: ['*.a.example.com'] }),
    route('any', ['/api/v1/h']),
    route('only-hosted', ['/api/v1/only'], { hosts: ['*.example.com'] }),
  );
  const cases: Array<[host: string, path: string, expected: string | null]> = [
    ['a.example.com', '/api/v1/h', 'exact'],
    ['b.example.com', '/api/v1/h', 'wild'],
    ['x.a.example.com', '/api/v1/h', 'deeper'],
    ['x.b.example.com', '/api/v1/h', 'any'], // two labels: not under *.example.com
    ['example.com', '/api/v1/h', 'any'], // the apex is not under the star
    ['other.org', '/api/v1/h', 'any'],
    ['', '/api/v1/h', 'any'],
    ['b.example.com', '/api/v1/only', 'only-hosted'],
    ['other.org', '/api/v1/only', null],
    ['b.example.com.evil.org', '/api/v1/only', null],
    ['example.com', '/api/v1/only', null],
  ];
  for (const [host, path, expected] of cases) {
    it(`${host || '(no host)'} ${path} → ${expected ?? 'no route'}`, () => {
      assert.equal(winner(t, path, host), expected);
    });
  }

  it('prefers the exact host over a wildcard registered before it', () => {
    const wildFirst = table(
      route('wild', ['/api/v1/h'], { hosts: ['*.example.com'], priority: 50 }),
      route('exact', ['/api/v1/h'], { hosts: ['a.example.com'] }),
    );
    assert.equal(winner(wildFirst, '/api/v1/h', 'a.example.com'), 'exact');
    assert.equal(winner(wildFirst, '/api/v1/h', 'c.example.com'), 'wild');
  });

  it('falls back past a host-constrained static route to an unconstrained param route for other hosts', () => {
    const fallback = table(route('hosted-static', ['/api/v1/items/special'], { hosts: ['a.example.com'] }), route('param', ['/api/v1/items/:id']));
    assert.equal(winner(fallback, '/api/v1/items/special', 'a.example.com'), 'hosted-static');
    const other = fallback.match('GET', 'b.example.com', '/api/v1/items/special');
    assert.equal(other?.route.name, 'param');
    assert.deepEqual({ ...other?.params }, { id: 'special' });
  });

  it('keeps static over param even when only the param route names the host', () => {
    const t2 = table(route('hosted-param', ['/api/v1/items/:id'], { hosts: ['a.example.com'] }), route('static', ['/api/v1/items/special']));
    assert.equal(winner(t2, '/api/v1/items/special', 'a.example.com'), 'static');
    assert.equal(winner(t2, '/api/v1/items/7', 'a.example.com'), 'hosted-param');
    assert.equal(winner(t2, '/api/v1/items/7', 'b.example.com'), null);
  });
});

describe('RouteTable: methods, params, services', () => {
  it('matches only the methods a route lists', () => {
    const t = table(route('reads', ['/api/v1/jobs'], { methods: ['GET', 'HEAD'] }), route('writes', ['/api/v1/jobs'], { methods: ['POST', 'PUT'] }));
    assert.equal(winner(t, '/api/v1/jobs', 'gw.local', 'GET'), 'reads');
    assert.equal(winner(t, '/api/v1/jobs', 'gw.local', 'HEAD'), 'reads');
    assert.equal(winner(t, '/api/v1/jobs', 'gw.local', 'POST'), 'writes');
    assert.equal(winner(t, '/api/v1/jobs', 'gw.local', 'PUT'), 'writes');
    assert.equal(winner(t, '/api/v1/jobs', 'gw.local', 'DELETE'), null);
    assert.equal(winner(t, '/api/v1/jobs', 'gw.local', 'PROPFIND'), null);
  });

  it('returns the params, percent-decoded', () => {
    const t = table(route('two', ['/api/v1/:tenant/items/:id']));
    const found = t.match('GET', 'gw.local', '/api/v1/acme/items/a%20b');
    assert.deepEqual({ ...found?.params }, { tenant: 'acme', id: 'a b' });
  });

  it('returns the literal prefix of the path that matched', () => {
    const t = table(route('multi', ['/api/v1/a/:id', '/api/v1/b/c/*', '/api/v1/d/e']));
    assert.equal(t.match('GET', 'gw.local', '/api/v1/a/1')?.literalPrefix, '/api/v1/a');
    assert.equal(t.match('GET', 'gw.local', '/api/v1/b/c/x/y')?.literalPrefix, '/api/v1/b/c');
    assert.equal(t.match('GET', 'gw.local', '/api/v1/b/c')?.literalPrefix, '/api/v1/b/c');
    assert.equal(t.match('GET', 'gw.local', '/api/v1/d/e')?.literalPrefix, '/api/v1/d/e');
  });

  it('matches a literal segment the request spells percent-encoded', () => {
    const t = table(route('items', ['/api/v1/items/:id']));
    assert.equal(winner(t, '/api/v1/it%65ms/42'), 'items');
    assert.equal(winner(t, '/api/v1%2Fitems/42'), null, 'an encoded slash is not a separator');
  });

  it('refuses to compile a path with a percent-escape (find-my-way could never match it)', () => {
    assert.throws(() => table(route('escaped', ['/api/v1/a%20b'])), /percent-escape/);
  });

  it('does not let a named parameter match an empty segment', () => {
    const t = table(route('item', ['/api/v1/items/:id']));
    assert.equal(winner(t, '/api/v1/items/'), null);
    assert.equal(winner(t, '/api/v1/items/7'), 'item');
  });

  it('skips routes whose service is missing', () => {
    const t = table(route('orphan', ['/api/v1/orphan'], { serviceId: 'gone' }), route('kept', ['/api/v1/kept']));
    assert.equal(winner(t, '/api/v1/orphan'), null);
    assert.equal(winner(t, '/api/v1/kept'), 'kept');
    assert.equal(t.routeCount, 1);
  });

  it('binds each route to its own service', () => {
    const t = table(route('to-jobs', ['/api/v1/jobs']), route('to-other', ['/api/v1/other'], { serviceId: other.id }));
    assert.equal(t.match('GET', 'gw.local', '/api/v1/jobs')?.route.service.name, 'jobs');
    assert.equal(t.match('GET', 'gw.local', '/api/v1/other')?.route.service.name, 'other');
  });

  it("falls back to the service's timeout and retries, keeping the route's own (even 0)", () => {
    const t = table(
      route('inherits', ['/api/v1/inherits']),
      route('overrides', ['/api/v1/overrides'], { timeoutMs: 1_234, retries: 0, stripPrefix: true, preserveHost: true, priority: 3, retryNonIdempotent: true }),
    );
    const inherits = t.match('GET', 'gw.local', '/api/v1/inherits')!.route;
    assert.equal(inherits.headersTimeoutMs, 5_000);
    assert.equal(inherits.bodyTimeoutMs, 5_000);
    assert.equal(inherits.connectTimeoutMs, 1_000);
    assert.equal(inherits.retries, 2);
    assert.equal(inherits.retryNonIdempotent, false);
    assert.equal(inherits.stripPrefix, false);
    assert.equal(inherits.preserveHost, false);
    const overrides = t.match('GET', 'gw.local', '/api/v1/overrides')!.route;
    assert.equal(overrides.id, 'id-overrides');
    assert.equal(overrides.headersTimeoutMs, 1_234);
    assert.equal(overrides.bodyTimeoutMs, 1_234);
    assert.equal(overrides.retries, 0);
    assert.equal(overrides.retryNonIdempotent, true);
    assert.equal(overrides.stripPrefix, true);
    assert.equal(overrides.preserveHost, true);
    assert.equal(overrides.priority, 3);
  });

  it("compiles each route's auth policy: methods as flags, scopes and their match", () => {
    const t = table(
      route('closed', ['/api/v1/closed']),
      route('scoped', ['/api/v1/scoped'], { auth: { required: true, methods: ['jwt'], scopes: ['a', 'b'], scope_match: 'any', forward_authorization: true } }),
      route('open', ['/api/v1/open'], { auth: { ...DEFAULT_ROUTE_AUTH, required: false, methods: [] } }),
    );
    assert.deepEqual(t.match('GET', 'gw.local', '/api/v1/closed')!.route.auth, {
      required: true, jwt: true, apiKey: true, scopes: [], matchAll: true, forwardAuthorization: false,
    });
    assert.deepEqual(t.match('GET', 'gw.local', '/api/v1/scoped')!.route.auth, {
      required: true, jwt: true, apiKey: false, scopes: ['a', 'b'], matchAll: false, forwardAuthorization: true,
    });
    const open = t.match('GET', 'gw.local', '/api/v1/open')!.route.auth;
    assert.equal(open.required, false);
    assert.equal(open.jwt || open.apiKey, false);
    assert.ok(Object.isFrozen(open), 'the compiled policy is immutable');
  });

  it('compiles the services, leaving out targets of weight 0', () => {
    const t = table();
    assert.equal(t.version, 7);
    assert.deepEqual(
      t.services.map((s) => [s.name, s.targets.map((target) => target.id)]),
      [
        ['jobs', ['t1', 't2']],
        ['other', ['o1']],
      ],
    );
    const jobsService = t.services.find((s) => s.id === jobs.id)!;
    assert.equal(jobsService.connectTimeoutMs, 1_000);
    assert.deepEqual(jobsService.targets[0], {
      id: 't1',
      origin: 'http://10.0.0.1:8080',
      basePath: '/v2',
      hostHeader: '10.0.0.1:8080',
      weight: 3,
      url: 'http://10.0.0.1:8080/v2/',
      source: 'admin',
      check: null,
      hasTtl: false,
    });
    assert.equal(t.service('jobs'), jobsService);
    assert.equal(t.service('svc-jobs'), jobsService);
    assert.equal(t.service('nope'), undefined);
    assert.equal(t.hasTargetsWithTtl(), false);
    const registered = serviceDefinition({ id: 'svc-reg', name: 'reg', targets: [target('r1', 'http://r:1', 100, { source: 'registration', ttlSeconds: 30 })] });
    assert.equal(RouteTable.compile(1, [jobs, registered], []).hasTargetsWithTtl(), true);
    const drained = serviceDefinition({ id: 'svc-reg', name: 'reg', targets: [target('r1', 'http://r:1', 0, { source: 'registration', ttlSeconds: 30 })] });
    assert.equal(RouteTable.compile(1, [jobs, drained], []).hasTargetsWithTtl(), false, 'weight 0 is out of rotation');
  });

  it('resolves each timeout most specific first: route bound, route timeout_ms, service bound, service timeout_ms', () => {
    const split = serviceDefinition({ id: 'svc-split', name: 'split', timeoutMs: 9_000, headersTimeoutMs: 2_000, bodyTimeoutMs: null, connectTimeoutMs: 700 });
    const t = RouteTable.compile(1, [split], [
      route('plain', ['/api/v1/plain'], { serviceId: split.id }),
      route('umbrella', ['/api/v1/umbrella'], { serviceId: split.id, timeoutMs: 4_000 }),
      route('own', ['/api/v1/own'], { serviceId: split.id, timeoutMs: 4_000, headersTimeoutMs: 300, bodyTimeoutMs: 400, connectTimeoutMs: 50 }),
    ]);
    const timeouts = (path: string) => {
      const r = t.match('GET', 'gw.local', path)!.route;
      return [r.connectTimeoutMs, r.headersTimeoutMs, r.bodyTimeoutMs];
    };
    assert.deepEqual(timeouts('/api/v1/plain'), [700, 2_000, 9_000]);
    assert.deepEqual(timeouts('/api/v1/umbrella'), [700, 4_000, 4_000]);
    assert.deepEqual(timeouts('/api/v1/own'), [50, 300, 400]);
    assert.equal(t.routes.length, 3);
  });

  it('refuses a path that is not a valid pattern, naming the route', () => {
    assert.throws(() => table(route('broken', ['/api/v1/a b'])), (error: Error) => error.message.startsWith('route broken: path /api/v1/a b segment'));
  });

  it('an empty table matches nothing', () => {
    const empty = RouteTable.empty();
    assert.equal(empty.version, -1);
    assert.equal(empty.match('GET', 'gw.local', '/api/v1/jobs'), null);
    assert.equal(empty.routeCount, 0);
    assert.equal(RouteTable.empty(3).version, 3);
  });
});

describe('compileTarget', () => {
  const cases: Array<[url: string, origin: string, basePath: string, hostHeader: string]> = [
    ['http://10.0.0.5:8080', 'http://10.0.0.5:8080', '', '10.0.0.5:8080'],
    ['http://10.0.0.5:8080/', 'http://10.0.0.5:8080', '', '10.0.0.5:8080'],
    ['http://svc/v2', 'http://svc', '/v2', 'svc'],
    ['http://svc/v2/', 'http://svc', '/v2', 'svc'],
    ['http://svc/a/b//', 'http://svc', '/a/b', 'svc'],
    ['https://svc:443/x', 'https://svc', '/x', 'svc'],
    ['http://svc:80', 'http://svc', '', 'svc'],
    ['https://api.example.com:8443/base', 'https://api.example.com:8443', '/base', 'api.example.com:8443'],
    ['http://[::1]:9000/v1/', 'http://[::1]:9000', '/v1', '[::1]:9000'],
    ['http://svc/v2?ignored=1', 'http://svc', '/v2', 'svc'],
  ];
  for (const [url, origin, basePath, hostHeader] of cases) {
    it(url, () => {
      assert.deepEqual(compileTarget('t', url, 4), { id: 't', origin, basePath, hostHeader, weight: 4 });
    });
  }
});

describe('RouteTable: API versions', () => {
  const versioned = () =>
    table(
      route('v1', ['/api/v1/items/*'], { apiVersion: '1', apiVersionDefault: true }),
      route('v2', ['/api/v1/items/*'], { apiVersion: '2' }),
      route('any', ['/api/v1/things/*']),
      route('things-v3', ['/api/v1/things/*'], { apiVersion: '3' }),
      route('only-v5', ['/api/v1/five'], { apiVersion: '5' }),
      route('v2-on-host', ['/api/v1/items/*'], { apiVersion: '2', hosts: ['beta.example.com'] }),
    );
  const cases: Array<[path: string, version: string, host: string, expected: string | null]> = [
    ['/api/v1/items/1', '1', '', 'v1'],
    ['/api/v1/items/1', '2', '', 'v2'],
    ['/api/v1/items/1', '', '', 'v1'], // no version: the default
    ['/api/v1/items/1', '9', '', null], // a version nobody serves is not silently another
    ['/api/v1/items', '2', '', 'v2'], // the implied bare prefix carries the version too
    ['/api/v1/things/1', '3', '', 'things-v3'], // versioned beats unversioned for its version
    ['/api/v1/things/1', '4', '', 'any'], // unversioned serves every other version
    ['/api/v1/things/1', '', '', 'any'],
    ['/api/v1/five', '', '', null], // no default: a request naming no version is not served
    ['/api/v1/five', '5', '', 'only-v5'],
    ['/api/v1/items/1', '2', 'beta.example.com', 'v2-on-host'], // host and version together beat version alone
    ['/api/v1/items/1', '1', 'beta.example.com', 'v1'],
  ];
  for (const [path, version, host, expected] of cases) {
    it(`${host || '*'} ${path} version ${JSON.stringify(version)} → ${expected ?? 'no route'}`, () => {
      assert.equal(versioned().match('GET', host, path, version)?.route.name ?? null, expected);
    });
  }

  it('reads X-API-Version before Accept-Version, and an absent one as no version', () => {
    assert.equal(requestedVersion({ 'x-api-version': '2', 'accept-version': '1' }), '2');
    assert.equal(requestedVersion({ 'accept-version': '1' }), '1');
    assert.equal(requestedVersion({}), '');
  });

  it('reports two routes claiming the same path and version as shadowed, not different versions', () => {
    const compiled = table(route('a', ['/api/v1/v'], { apiVersion: '1' }), route('b', ['/api/v1/v'], { apiVersion: '1' }), route('c', ['/api/v1/v'], { apiVersion: '2' }));
    assert.deepEqual(compiled.shadowed.map((s) => `${s.route}<${s.shadowedBy}`), ['b<a']);
  });
});

describe('RouteTable: edge settings', () => {
  it('compiles CORS once: the route’s own, else the default, and {origins: []} turns it off', () => {
    const compiled = RouteTable.compile(1, [jobs], [route('own', ['/a'], { cors: { origins: ['https://x.test'] } }), route('inherit', ['/b']), route('off', ['/c'], { cors: { origins: [] } })], {
      defaultCors: { origins: ['https://default.test'] },
    });
    assert.ok(compiled.match('GET', '', '/a')!.route.cors!.exact.has('https://x.test'));
    assert.ok(compiled.match('GET', '', '/b')!.route.cors!.exact.has('https://default.test'));
    assert.equal(compiled.match('GET', '', '/c')!.route.cors, undefined);
  });

  it('gives a route the security headers unless it turns them off', () => {
    const headers = [['x-content-type-options', 'nosniff']] as const;
    const compiled = RouteTable.compile(1, [jobs], [route('on', ['/a']), route('off', ['/b'], { securityHeaders: false })], { securityHeaders: headers });
    assert.deepEqual(compiled.match('GET', '', '/a')!.route.responseHeaders, headers);
    assert.deepEqual(compiled.match('GET', '', '/b')!.route.responseHeaders, []);
  });
});

describe('RouteTable.compileInSlices', () => {
  // Static, param, wildcard (with its implied bare prefix), host-constrained and colliding routes.
  const many = Array.from({ length: 120 }, (_, i) => [
    route(`static-${i}`, [`/api/v1/s${i}/search`]),
    route(`param-${i}`, [`/api/v1/s${i}/:id`], { methods: ['GET', 'POST'] }),
    route(`wild-${i}`, [`/api/v1/s${i}/*`], { hosts: i % 2 === 0 ? ['tenant.example'] : [] }),
    route(`twin-${i}`, [`/api/v1/s${i}/search`], { priority: i % 3 }),
  ]).flat();
  const probes = Array.from({ length: 120 }, (_, i) => [`/api/v1/s${i}/search`, `/api/v1/s${i}/42`, `/api/v1/s${i}/a/b`, `/api/v1/s${i}`]).flat();

  it('builds the same table as compiling in one go', async () => {
    const whole = RouteTable.compile(3, [jobs, other], many);
    const sliced = await RouteTable.compileInSlices(3, [jobs, other], many, {}, 0);
    assert.equal(sliced.version, 3);
    assert.equal(sliced.routeCount, whole.routeCount);
    assert.deepEqual(sliced.shadowed, whole.shadowed);
    for (const path of probes) {
      for (const host of ['tenant.example', 'gw.local']) {
        for (const method of ['GET', 'POST']) assert.equal(winner(sliced, path, host, method), winner(whole, path, host, method), `${method} ${host} ${path}`);
      }
    }
  });

  it('gives the event loop back between slices', async () => {
    let turns = 0;
    let done = false;
    const count = () => {
      turns++;
      if (!done) setImmediate(count);
    };
    setImmediate(count);
    const compiled = RouteTable.compileInSlices(3, [jobs, other], many, {}, 0);
    await compiled;
    done = true;
    // With no time per slice, every route is a slice of its own: the loop turns once for each.
    assert.ok(turns >= many.length, `${turns} turns of the event loop during a compile of ${many.length} routes`);
  });
});
