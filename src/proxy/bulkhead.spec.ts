import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Bulkhead } from './bulkhead.js';

describe('Bulkhead', () => {
  it('admits up to its limit and refuses exactly the overflow', () => {
    const bulkhead = new Bulkhead(3);
    const admitted = Array.from({ length: 7 }, () => bulkhead.tryAcquire());
    assert.deepEqual(admitted, [true, true, true, false, false, false, false]);
    assert.equal(bulkhead.inFlight, 3);
  });

  it('admits again as requests finish', () => {
    const bulkhead = new Bulkhead(1);
    assert.equal(bulkhead.tryAcquire(), true);
    assert.equal(bulkhead.tryAcquire(), false);
    bulkhead.release();
    assert.equal(bulkhead.tryAcquire(), true);
  });

  it('has no cap without a limit, and takes a new limit without losing count', () => {
    const bulkhead = new Bulkhead(null);
    for (let i = 0; i < 1_000; i++) assert.equal(bulkhead.tryAcquire(), true);
    bulkhead.limit = 1_000;
    assert.equal(bulkhead.tryAcquire(), false);
    bulkhead.release();
    assert.equal(bulkhead.tryAcquire(), true);
  });
});
