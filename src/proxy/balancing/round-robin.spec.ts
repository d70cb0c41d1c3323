import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countOf, picks, poolOf, setHealthy } from './pool.fixture.js';
import { RoundRobinBalancer } from './round-robin.js';

describe('RoundRobinBalancer', () => {
  it('takes each target in turn, weights ignored', () => {
    const pool = poolOf(9, 1, 1);
    assert.equal(picks(new RoundRobinBalancer(), pool, 9), 'abcabcabc');
  });

  it('skips unhealthy targets without upsetting the turn of the others', () => {
    const pool = poolOf(1, 1, 1);
    const balancer = new RoundRobinBalancer();
    assert.equal(picks(balancer, pool, 2), 'ab');
    setHealthy(pool, 2, false);
    assert.equal(picks(balancer, pool, 4), 'abab');
    setHealthy(pool, 2, true);
    assert.equal(picks(balancer, pool, 3), 'cab');
  });

  it('avoids tried targets, falling back to a tried one when nothing else is healthy', () => {
    const pool = poolOf(1, 1, 1);
    const balancer = new RoundRobinBalancer();
    assert.equal(picks(balancer, pool, 1), 'a');
    assert.equal(picks(balancer, pool, 1, [1]), 'c', 'the retry skips the tried b');
    assert.equal(picks(balancer, pool, 1), 'b', "and leaves b's turn in place");
    assert.equal(countOf(picks(new RoundRobinBalancer(), pool, 10, [1]), 'b'), 0);
    setHealthy(pool, 0, false);
    setHealthy(pool, 2, false);
    assert.equal(picks(new RoundRobinBalancer(), pool, 2, [1]), 'bb');
  });

  it('answers -1 when no target is healthy', () => {
    const pool = poolOf(1, 1);
    setHealthy(pool, 0, false);
    setHealthy(pool, 1, false);
    assert.equal(picks(new RoundRobinBalancer(), pool, 2), '--');
  });
});
