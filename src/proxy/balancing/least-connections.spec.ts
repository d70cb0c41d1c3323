import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LeastConnectionsBalancer } from './least-connections.js';
import { countOf, picks, poolOf, request, setHealthy } from './pool.fixture.js';

describe('LeastConnectionsBalancer', () => {
  it('picks the target with the fewest requests in flight', () => {
    const pool = poolOf(1, 1, 1);
    pool.states[0].inFlight = 4;
    pool.states[1].inFlight = 1;
    pool.states[2].inFlight = 3;
    assert.equal(picks(new LeastConnectionsBalancer(), pool, 3), 'bbb');
  });

  it('weighs the count: 4 in flight on weight 4 is lighter than 2 on weight 1', () => {
    const pool = poolOf(4, 1);
    pool.states[0].inFlight = 4;
    pool.states[1].inFlight = 2;
    assert.equal(picks(new LeastConnectionsBalancer(), pool, 1), 'a');
  });

  it('goes round the targets on ties, so an idle service spreads its load', () => {
    const pool = poolOf(1, 1, 1);
    const sequence = picks(new LeastConnectionsBalancer(), pool, 30);
    assert.deepEqual([countOf(sequence, 'a'), countOf(sequence, 'b'), countOf(sequence, 'c')], [10, 10, 10]);
  });

  it('follows the load as requests start and finish', () => {
    const pool = poolOf(1, 1);
    const balancer = new LeastConnectionsBalancer();
    const held: number[] = [];
    for (let i = 0; i < 6; i++) {
      const index = balancer.pick(pool, request(), undefined);
      pool.states[index].inFlight++;
      held.push(index);
    }
    assert.deepEqual([pool.states[0].inFlight, pool.states[1].inFlight], [3, 3]);
    pool.states[1].inFlight = 0; // b's requests finished
    assert.equal(picks(balancer, pool, 1), 'b');
  });

  it('skips unhealthy and tried targets, and answers -1 when none is healthy', () => {
    const pool = poolOf(1, 1, 1);
    pool.states[0].inFlight = 9;
    setHealthy(pool, 1, false);
    assert.equal(picks(new LeastConnectionsBalancer(), pool, 2, [2]), 'aa');
    setHealthy(pool, 0, false);
    setHealthy(pool, 2, false);
    assert.equal(picks(new LeastConnectionsBalancer(), pool, 1), '-');
  });
});
