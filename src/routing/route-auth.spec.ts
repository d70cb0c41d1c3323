import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authPolicyProblems, DEFAULT_ROUTE_AUTH, mergeAuthPolicy, sameAuthPolicy } from './route-auth.js';

describe('route auth policy', () => {
  it('defaults to a required credential of either method and no scopes', () => {
    assert.deepEqual(mergeAuthPolicy(undefined), { required: true, methods: ['jwt', 'api_key'], scopes: [], scope_match: 'all', forward_authorization: false });
    assert.deepEqual(mergeAuthPolicy({}), DEFAULT_ROUTE_AUTH);
  });

  it('merges the given fields over the base and keeps the rest (PATCH)', () => {
    const base = mergeAuthPolicy({ scopes: ['orders:read'], scope_match: 'any', methods: ['jwt'] });
    const merged = mergeAuthPolicy({ forward_authorization: true }, base);
    assert.deepEqual(merged, { required: true, methods: ['jwt'], scopes: ['orders:read'], scope_match: 'any', forward_authorization: true });
    assert.notEqual(merged.scopes, base.scopes, 'lists are copied, never shared');
  });

  it('refuses a required policy with no method, and scopes on an optional one, naming the field', () => {
    assert.deepEqual(authPolicyProblems(mergeAuthPolicy({ methods: [] })).map((p) => p.field), ['auth.methods']);
    assert.deepEqual(authPolicyProblems(mergeAuthPolicy({ required: false, scopes: ['a'] })).map((p) => p.field), ['auth.scopes']);
    assert.deepEqual(authPolicyProblems(mergeAuthPolicy({ required: false, methods: [] })), []);
    assert.deepEqual(authPolicyProblems(DEFAULT_ROUTE_AUTH), []);
  });

  it('compares policies field by field, lists in order', () => {
    assert.ok(sameAuthPolicy(mergeAuthPolicy({ scopes: ['a', 'b'] }), mergeAuthPolicy({ scopes: ['a', 'b'] })));
    assert.ok(!sameAuthPolicy(mergeAuthPolicy({ scopes: ['a', 'b'] }), mergeAuthPolicy({ scopes: ['b', 'a'] })));
    assert.ok(!sameAuthPolicy(mergeAuthPolicy({}), mergeAuthPolicy({ forward_authorization: true })));
    assert.ok(!sameAuthPolicy(mergeAuthPolicy({}), mergeAuthPolicy({ scope_match: 'any' })));
  });
});
