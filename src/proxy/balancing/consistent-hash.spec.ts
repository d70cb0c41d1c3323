import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConsistentHashBalancer } from './consistent-hash.js';
import { hash32 } from './hash.js';
import { poolOf, request, setHealthy } from './pool.fixture.js';

const users = Array.from({ length: 3_000 }, (_, i) => `user-${i}`);
const byHeader = (pool: ReturnType<typeof poolOf>) => new ConsistentHashBalancer(pool.targets, 'header', 'x-user');
const owner = (balancer: ConsistentHashBalancer, pool: ReturnType<typeof poolOf>, user: string, tried?: number[]) =>
  balancer.pick(pool, request('10.9.9.9', { 'x-user': user }), tried);

describe('hash32', () => {
  it('is stable, 32-bit unsigned, and spreads near keys apart', () => {
    assert.equal(hash32('abc'), hash32('abc'));
    for (const key of ['', 'a', 'user-1', 'ü']) {
      const h = hash32(key);
      assert.ok(Number.isInteger(h) && h >= 0 && h < 2 ** 32);
    }
    assert.notEqual(hash32('user-1') >>> 24, hash32('user-2') >>> 24);
  });
});

describe('ConsistentHashBalancer', () => {
  it('sends the same key to the same target every time', () => {
    const pool = poolOf(1, 1, 1);
    const balancer = byHeader(pool);
    for (const user of users.slice(0, 200)) {
      const first = owner(balancer, pool, user);
      for (let i = 0; i < 5; i++) assert.equal(owner(balancer, pool, user), first);
    }
  });

  it('spreads keys over the targets by weight (within 15%)', () => {
    const pool = poolOf(1, 1, 2);
    const balancer = byHeader(pool);
    const counts = [0, 0, 0];
    for (const user of users) counts[owner(balancer, pool, user)]++;
    const expected = [0.25, 0.25, 0.5].map((share) => share * users.length);
    counts.forEach((count, i) => assert.ok(Math.abs(count - expected[i]) <= expected[i] * 0.15, `target ${i}: ${count} vs ${expected[i]}`));
  });

  it("moves only the unhealthy target's keys, and moves them back when it recovers", () => {
    const pool = poolOf(1, 1, 1);
    const balancer = byHeader(pool);
    const before = users.map((user) => owner(balancer, pool, user));
    setHealthy(pool, 1, false);
    const during = users.map((user) => owner(balancer, pool, user));
    users.forEach((_, i) => {
      if (before[i] !== 1) assert.equal(during[i], before[i], 'a key of a healthy target stays');
      else assert.notEqual(during[i], 1);
    });
    setHealthy(pool, 1, true);
    assert.deepEqual(users.map((user) => owner(balancer, pool, user)), before);
  });

  it('keeps most keys in place when a target joins the set', () => {
    const three = poolOf(1, 1, 1);
    const four = poolOf(1, 1, 1, 1);
    const before = users.map((user) => owner(byHeader(three), three, user));
    const after = users.map((user) => owner(byHeader(four), four, user));
    const moved = before.filter((target, i) => after[i] !== target).length;
    // Ideal is a quarter: only the newcomer's share moves.
    assert.ok(moved < users.length * 0.35, `${moved} of ${users.length} moved`);
    assert.ok(before.every((target, i) => after[i] === target || after[i] === 3), 'keys move only to the new target');
  });

  it('hashes the client IP when asked to, or when the header is absent', () => {
    const pool = poolOf(1, 1, 1);
    const byIp = new ConsistentHashBalancer(pool.targets, 'ip', null);
    const ipOwners = new Set(Array.from({ length: 50 }, (_, i) => byIp.pick(pool, request(`10.0.${i}.1`), undefined)));
    assert.ok(ipOwners.size > 1, 'different clients spread');
    assert.equal(byIp.pick(pool, request('10.0.0.7', { 'x-user': 'a' }), undefined), byIp.pick(pool, request('10.0.0.7', { 'x-user': 'b' }), undefined));
    const balancer = byHeader(pool);
    assert.equal(balancer.keyOf(request('10.0.0.7')), '10.0.0.7');
    assert.equal(balancer.keyOf(request('10.0.0.7', { 'x-user': '' })), '10.0.0.7');
    assert.equal(balancer.keyOf(request('10.0.0.7', { 'x-user': 'u1' })), 'u1');
  });

  it('avoids a tried target on a retry, and answers -1 when none is healthy', () => {
    const pool = poolOf(1, 1);
    const balancer = byHeader(pool);
    const first = owner(balancer, pool, 'someone');
    assert.equal(owner(balancer, pool, 'someone', [first]), 1 - first);
    setHealthy(pool, 1 - first, false);
    assert.equal(owner(balancer, pool, 'someone', [first]), first, 'the tried one is better than nothing');
    setHealthy(pool, first, false);
    assert.equal(owner(balancer, pool, 'someone'), -1);
  });
});
