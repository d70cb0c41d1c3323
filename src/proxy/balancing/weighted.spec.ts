import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countOf, longestRun, picks, poolOf, setHealthy } from './pool.fixture.js';
import { WeightedBalancer } from './weighted.js';

const balancer = (pool: ReturnType<typeof poolOf>) => new WeightedBalancer(pool.targets.length);

describe('WeightedBalancer', () => {
  it('picks in exact proportion to the weights (5:1:1 over 700 picks)', () => {
    const pool = poolOf(5, 1, 1);
    const sequence = picks(balancer(pool), pool, 700);
    assert.deepEqual([countOf(sequence, 'a'), countOf(sequence, 'b'), countOf(sequence, 'c')], [500, 100, 100]);
  });

  it('keeps the proportions in every window of one cycle', () => {
    const pool = poolOf(5, 1, 1);
    const sequence = picks(balancer(pool), pool, 70);
    for (let start = 0; start + 7 <= sequence.length; start++) {
      const window = sequence.slice(start, start + 7);
      assert.deepEqual([countOf(window, 'a'), countOf(window, 'b'), countOf(window, 'c')], [5, 1, 1], `window at ${start}: ${window}`);
    }
  });

  it('interleaves rather than sending bursts (nginx smooth weighted round robin)', () => {
    const seq = (...weights: number[]) => {
      const pool = poolOf(...weights);
      return (count: number) => picks(balancer(pool), pool, count);
    };
    assert.equal(seq(5, 1, 1)(7), 'aabacaa');
    assert.equal(seq(1, 1)(6), 'ababab');
    assert.equal(seq(3, 1)(8), 'aabaaaba');
    assert.ok(longestRun(seq(5, 1, 1)(700)) <= 4);
    assert.equal(longestRun(seq(1, 1, 1)(300)), 1);
  });

  it('holds proportions for uneven weights (2:3:5 over 1000 picks)', () => {
    const pool = poolOf(2, 3, 5);
    const sequence = picks(balancer(pool), pool, 1_000);
    assert.deepEqual([countOf(sequence, 'a'), countOf(sequence, 'b'), countOf(sequence, 'c')], [200, 300, 500]);
    assert.ok(longestRun(sequence) <= 2, `longest run ${longestRun(sequence)}`);
  });

  it('skips unhealthy targets and keeps the others in proportion', () => {
    const pool = poolOf(5, 1, 3);
    setHealthy(pool, 0, false);
    const sequence = picks(balancer(pool), pool, 400);
    assert.equal(countOf(sequence, 'a'), 0);
    assert.deepEqual([countOf(sequence, 'b'), countOf(sequence, 'c')], [100, 300]);
  });

  it('brings a target back in proportion once it is healthy again', () => {
    const pool = poolOf(1, 1);
    const b = balancer(pool);
    setHealthy(pool, 1, false);
    assert.equal(picks(b, pool, 4), 'aaaa');
    setHealthy(pool, 1, true);
    const sequence = picks(b, pool, 100);
    assert.deepEqual([countOf(sequence, 'a'), countOf(sequence, 'b')], [50, 50]);
  });

  it('answers -1 when no target is healthy, or there is none', () => {
    const pool = poolOf(1, 2);
    setHealthy(pool, 0, false);
    setHealthy(pool, 1, false);
    assert.equal(picks(balancer(pool), pool, 3), '---');
    const empty = poolOf();
    assert.equal(picks(balancer(empty), empty, 1), '-');
  });

  it('a retry avoids tried targets while an untried healthy one is left', () => {
    const pool = poolOf(5, 1, 1);
    assert.notEqual(picks(balancer(pool), pool, 1, [0]), 'a');
    assert.equal(picks(balancer(pool), pool, 1, [0, 1]), 'c');
    const two = poolOf(1, 9);
    assert.equal(picks(balancer(two), two, 3, [1]), 'aaa');
  });

  it("a retry's pick leaves the rotation as it was", () => {
    const pool = poolOf(1, 1);
    const b = balancer(pool);
    let firstAttempts = '';
    for (let i = 0; i < 10; i++) {
      const first = picks(b, pool, 1);
      firstAttempts += first;
      picks(b, pool, 1, [first === 'a' ? 0 : 1]); // the retry of that request
    }
    assert.equal(firstAttempts, 'ababababab', 'a dead first target meets every other request, not every one');
  });

  it('falls back to a tried target when it is the only healthy one', () => {
    const pool = poolOf(3, 3);
    setHealthy(pool, 1, false);
    assert.equal(picks(balancer(pool), pool, 3, [0]), 'aaa');
    const single = poolOf(3);
    assert.equal(picks(balancer(single), single, 2, [0]), 'aa');
  });
});
