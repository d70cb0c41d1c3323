import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildIdentity } from '../../auth/identity.js';
import { parseLimitExpression } from './limit-expression.js';
import { compileLimit, type LimitSettings } from './limit-settings.js';
import { RateLimitPolicy, type RuleDefinition } from './rate-limit-policy.js';
import { canonicalIp, normaliseMatch } from './rule-match.js';

const limit = (n: number, extra: Partial<LimitSettings> = {}): LimitSettings => ({ limit: n, window_s: 60, burst: null, algorithm: 'sliding_window', ...extra });
let ids = 0;
const rule = (scope: RuleDefinition['scope'], match: string, n: number): RuleDefinition => ({ id: `r${++ids}`, scope, match, enabled: true, ...limit(n) });
const route = { id: 'route-1', name: 'orders', rateLimits: null };
const alice = buildIdentity('api_key', 'c-alice', 'alice-crm', []);
const consumers = [{ id: 'c-alice', username: 'alice', customId: 'alice-crm' }];

describe('parseLimitExpression', () => {
  it('reads N/window in ms, s, m and h, with or without a count before the unit', () => {
    assert.deepEqual(parseLimitExpression('100/1s'), limit(100, { window_s: 1 }));
    assert.deepEqual(parseLimitExpression('100/s'), limit(100, { window_s: 1 }));
    assert.deepEqual(parseLimitExpression(' 6000 / 1m '), limit(6000, { window_s: 60 }));
    assert.deepEqual(parseLimitExpression('50/500ms'), limit(50, { window_s: 0.5 }));
    assert.deepEqual(parseLimitExpression('10/2h'), limit(10, { window_s: 7200 }));
  });

  it('says what is wrong with anything else', () => {
    for (const bad of ['', '100', '100/', '100/1d', '0/1s', '-1/1s', 'ten/1s', '100/10ms', '100/48h', '1e3/1s']) {
      assert.equal(typeof parseLimitExpression(bad), 'string', bad);
    }
  });
});

describe('normaliseMatch', () => {
  it('accepts each scope\'s forms and writes addresses one way', () => {
    assert.deepEqual(normaliseMatch('ip', '2001:DB8:0::1'), { value: '2001:db8::1' });
    assert.deepEqual(normaliseMatch('ip', '10.0.0.0/8'), { value: '10.0.0.0/8' });
    assert.deepEqual(normaliseMatch('ip', '10.0.0.1/32'), { value: '10.0.0.1' });
    assert.deepEqual(normaliseMatch('route_consumer', '*:alice'), { value: '*:alice' });
    assert.deepEqual(normaliseMatch('api_key', '4D7D9A4E-0000-4000-8000-000000000000'), { value: '4d7d9a4e-0000-4000-8000-000000000000' });
    assert.equal(canonicalIp('::ffff:10.0.0.1'), '10.0.0.1');
  });

  it('refuses what a scope cannot match', () => {
    for (const [scope, match] of [['global', 'x'], ['ip', 'host'], ['ip', '10.0.0.0/33'], ['api_key', 'abc'], ['route', 'has space'], ['route_consumer', 'orders'], ['consumer', 'a b']] as const) {
      assert.ok('problem' in normaliseMatch(scope, match), `${scope} ${match}`);
    }
  });
});

describe('RateLimitPolicy', () => {
  it('is inactive without rules or defaults, so the phase is skipped', () => {
    assert.equal(RateLimitPolicy.empty().active, false);
    assert.equal(RateLimitPolicy.empty().plan(route, { clientIp: '10.0.0.1', identity: alice }).checks.length, 0);
  });

  it('picks, per scope, an address over the narrowest CIDR over a wider one over *', () => {
    const policy = new RateLimitPolicy([rule('ip', '*', 100), rule('ip', '10.0.0.0/8', 50), rule('ip', '10.1.0.0/16', 20), rule('ip', '10.1.2.3', 5)], {}, []);
    const limitFor = (ip: string) => policy.plan(route, { clientIp: ip }).checks[0].limit;
    assert.deepEqual(['10.1.2.3', '10.1.9.9', '10.9.9.9', '192.0.2.1'].map(limitFor), [5, 20, 50, 100]);
    assert.equal(policy.plan(route, { clientIp: '10.1.9.9' }).checks[0].key, 'ip:10.1.9.9:s60000', 'a CIDR rule counts each address apart');
  });

  it('lets a stored * rule replace an environment default of its scope', () => {
    const env = { ip: limit(7), consumer: limit(9) };
    const defaults = new RateLimitPolicy([], env, []);
    assert.deepEqual(defaults.plan(route, { clientIp: '10.0.0.1', identity: alice }).limits.map((l) => [l.scope, l.source, l.limit]), [['ip', 'env', 7], ['consumer', 'env', 9]]);
    const replaced = new RateLimitPolicy([rule('ip', '*', 3)], env, []);
    assert.deepEqual(replaced.plan(route, { clientIp: '10.0.0.1' }).limits.map((l) => [l.source, l.limit]), [['rule', 3]]);
  });

  it('finds a consumer rule by username, custom_id or id, and counts the caller by consumer id', () => {
    for (const match of ['alice', 'alice-crm', 'c-alice']) {
      const plan = new RateLimitPolicy([rule('consumer', match, 4)], {}, consumers).plan(route, { clientIp: '10.0.0.1', identity: alice });
      assert.deepEqual(plan.checks.map((c) => [c.key, c.limit]), [['c:c-alice:s60000', 4]], match);
    }
    const external = buildIdentity('jwt', null, 'auth0|a b', []);
    const plan = new RateLimitPolicy([rule('consumer', '*', 4)], {}, []).plan(route, { clientIp: '10.0.0.1', identity: external });
    assert.match(plan.checks[0].key, /^c:sub:#[\w-]{22}:s60000$/, 'an odd subject is hashed into the key');
  });

  it('checks every scope that applies, in a fixed order, each on its own key', () => {
    const policy = new RateLimitPolicy(
      [rule('global', '*', 1000), rule('ip', '*', 100), rule('consumer', '*', 50), rule('api_key', '*', 40), rule('route', 'orders', 30), rule('route_consumer', 'orders:alice', 2), rule('route_consumer', '*:*', 20)],
      {},
      consumers,
    );
    const plan = policy.plan(route, { clientIp: '10.0.0.1', identity: alice, apiKeyId: 'k1' });
    assert.deepEqual(plan.limits.map((l) => l.scope), ['global', 'ip', 'consumer', 'api_key', 'route', 'route_consumer']);
    assert.deepEqual(plan.checks.map((c) => c.key), ['g:s60000', 'ip:10.0.0.1:s60000', 'c:c-alice:s60000', 'k:k1:s60000', 'r:route-1:s60000', 'rc:route-1:c-alice:s60000']);
    assert.equal(plan.checks[5].limit, 2, 'route:consumer beats *:*');
    assert.deepEqual(policy.plan(route, { clientIp: '10.0.0.1' }).limits.map((l) => l.scope), ['global', 'ip', 'route'], 'anonymous callers have no caller scopes');
    assert.deepEqual(policy.plan(route, { clientIp: '10.0.0.1', identity: alice }, 'ip').limits.map((l) => l.scope), ['ip'], 'one scope on its own (failed authentications)');
  });

  it("replaces a scope's rule on a route with the route's own limit, on a counter of the route's", () => {
    const policy = new RateLimitPolicy([rule('ip', '*', 100)], {}, []);
    const login = { id: 'route-2', name: 'login', rateLimits: { ip: compileLimit('ip', 'route', null, 'login', limit(5, { algorithm: 'token_bucket', burst: 8 })) } };
    const plan = policy.plan(login, { clientIp: '10.0.0.1' });
    assert.deepEqual(plan.checks, [{ key: 'o:route-2:ip:10.0.0.1:t60000', algorithm: 'token_bucket', limit: 5, windowMs: 60_000, burst: 8 }]);
  });

  it('describes the counter behind one value for the status endpoint', () => {
    const policy = new RateLimitPolicy([rule('consumer', 'alice', 4), rule('route_consumer', 'orders:*', 3)], {}, consumers);
    assert.equal(policy.describe('consumer', 'alice', () => undefined)?.check.key, 'c:c-alice:s60000');
    assert.equal(policy.describe('route_consumer', 'orders:alice-crm', (ref) => (ref === 'orders' ? route : undefined))?.check.key, 'rc:route-1:c-alice:s60000');
    assert.equal(policy.describe('ip', '10.0.0.1', () => undefined), null);
  });
});
