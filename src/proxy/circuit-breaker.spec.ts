import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CircuitBreakerConfig } from '../routing/table/compiled-route.js';
import { CircuitBreaker, type CircuitState, Outcome, REFUSED } from './circuit-breaker.js';

const CONFIG: CircuitBreakerConfig = { failureThreshold: 3, failureWindowMs: 10_000, minThroughput: 5, recoveryTimeoutMs: 30_000, halfOpenMaxRequests: 2 };

function breaker(config: Partial<CircuitBreakerConfig> = {}) {
  const transitions: string[] = [];
  const b = new CircuitBreaker({ ...CONFIG, ...config }, (from: CircuitState, to: CircuitState) => transitions.push(`${from}>${to}`));
  /** One request from admission to its outcome; the ticket, or REFUSED. */
  const run = (now: number, outcome: Outcome) => {
    const ticket = b.admit(now);
    if (ticket !== REFUSED) b.record(ticket, outcome, now);
    return ticket;
  };
  return { b, transitions, run };
}

describe('CircuitBreaker', () => {
  it('stays CLOSED below the failure threshold', () => {
    const { b, run } = breaker();
    for (let i = 0; i < 20; i++) run(i, i === 3 || i === 12 ? Outcome.Failure : Outcome.Success);
    assert.equal(b.state, 'CLOSED', '2 failures, threshold 3');
    assert.equal(b.snapshot(20).failuresInWindow, 2);
    assert.equal(b.snapshot(20).requestsInWindow, 20);
  });

  it('opens when the threshold of failures sits in the window with enough throughput', () => {
    const { b, run, transitions } = breaker();
    run(0, Outcome.Success);
    run(1, Outcome.Success);
    run(2, Outcome.Failure);
    run(3, Outcome.Failure);
    assert.equal(b.state, 'CLOSED');
    run(4, Outcome.Failure); // 3 failures among 5 requests
    assert.equal(b.state, 'OPEN');
    assert.deepEqual(transitions, ['CLOSED>OPEN']);
  });

  it('opens when a success brings a window with enough failures up to min_throughput', () => {
    const { b, run } = breaker({ minThroughput: 4, failureThreshold: 2 });
    run(0, Outcome.Failure);
    run(1, Outcome.Failure);
    run(2, Outcome.Success);
    assert.equal(b.state, 'CLOSED');
    run(3, Outcome.Success);
    assert.equal(b.state, 'OPEN');
  });

  it('does not open below min_throughput, however many of the few failed', () => {
    const { b, run } = breaker({ minThroughput: 10 });
    for (let i = 0; i < 9; i++) run(i, Outcome.Failure);
    assert.equal(b.state, 'CLOSED');
    run(9, Outcome.Failure);
    assert.equal(b.state, 'OPEN');
  });

  it('forgets failures that left the window', () => {
    const { b, run } = breaker({ minThroughput: 1 });
    run(0, Outcome.Failure);
    run(1_000, Outcome.Failure);
    run(11_500, Outcome.Failure); // the first two are more than 10 s old
    assert.equal(b.state, 'CLOSED');
    run(12_000, Outcome.Failure);
    assert.equal(b.state, 'CLOSED');
    run(12_500, Outcome.Failure);
    assert.equal(b.state, 'OPEN');
  });

  it('ignores neutral outcomes (client gone, bulkhead, no target)', () => {
    const { b, run } = breaker({ minThroughput: 1, failureThreshold: 1 });
    for (let i = 0; i < 10; i++) run(i, Outcome.Neutral);
    assert.equal(b.snapshot(10).requestsInWindow, 0);
    assert.equal(b.state, 'CLOSED');
  });

  it('refuses everything while OPEN and says how long to wait', () => {
    const { b, run } = breaker({ minThroughput: 1, failureThreshold: 1 });
    run(1_000, Outcome.Failure);
    assert.equal(b.admit(1_001), REFUSED);
    assert.equal(b.admit(30_999), REFUSED);
    assert.equal(b.retryAfterSeconds(1_001), 30);
    assert.equal(b.retryAfterSeconds(30_500), 1);
    assert.equal(b.snapshot(11_000).retryInMs, 20_000);
  });

  it('half-opens after the recovery timeout and admits only half_open_max_requests at a time', () => {
    const { b, run, transitions } = breaker({ minThroughput: 1, failureThreshold: 1 });
    run(0, Outcome.Failure);
    const first = b.admit(30_000);
    assert.notEqual(first, REFUSED);
    assert.equal(b.state, 'HALF_OPEN');
    const second = b.admit(30_001);
    assert.notEqual(second, REFUSED);
    assert.equal(b.admit(30_002), REFUSED, 'a third trial waits');
    assert.equal(b.retryAfterSeconds(30_002), 1);
    b.record(first, Outcome.Success, 30_010);
    assert.equal(b.state, 'HALF_OPEN', 'one success of two is not enough');
    assert.equal(b.admit(30_011), REFUSED, 'half_open_max_requests counts trials, not trials at once: no third one');
    b.record(second, Outcome.Success, 30_020);
    assert.equal(b.state, 'CLOSED');
    assert.deepEqual(transitions, ['CLOSED>OPEN', 'OPEN>HALF_OPEN', 'HALF_OPEN>CLOSED']);
    assert.equal(b.snapshot(30_021).failuresInWindow, 0, 'the window starts empty');
  });

  it('a trial that fails opens the circuit again for a full recovery timeout', () => {
    const { b, run, transitions } = breaker({ minThroughput: 1, failureThreshold: 1, halfOpenMaxRequests: 1 });
    run(0, Outcome.Failure);
    run(30_000, Outcome.Failure);
    assert.equal(b.state, 'OPEN');
    assert.equal(b.admit(59_999), REFUSED);
    assert.notEqual(b.admit(60_000), REFUSED);
    assert.deepEqual(transitions, ['CLOSED>OPEN', 'OPEN>HALF_OPEN', 'HALF_OPEN>OPEN', 'OPEN>HALF_OPEN']);
  });

  it('a neutral trial frees its slot without deciding anything', () => {
    const { b, run } = breaker({ minThroughput: 1, failureThreshold: 1, halfOpenMaxRequests: 1 });
    run(0, Outcome.Failure);
    const trial = b.admit(30_000);
    assert.equal(b.admit(30_001), REFUSED);
    b.record(trial, Outcome.Neutral, 30_002);
    assert.equal(b.state, 'HALF_OPEN');
    assert.notEqual(b.admit(30_003), REFUSED);
  });

  it('ignores the outcome of a request admitted before the last transition', () => {
    const { b, run } = breaker({ minThroughput: 1, failureThreshold: 1, halfOpenMaxRequests: 1 });
    const slow = b.admit(0); // admitted while CLOSED
    run(1, Outcome.Failure); // opens
    b.admit(30_001); // half-open, the one trial slot taken
    b.record(slow, Outcome.Success, 30_002);
    assert.equal(b.state, 'HALF_OPEN', 'the slow success does not close the circuit');
    assert.equal(b.admit(30_003), REFUSED, 'nor free the trial slot');
  });

  it('settle() moves OPEN to HALF_OPEN on time without a request, and snapshot() shows it', () => {
    const { b, run } = breaker({ minThroughput: 1, failureThreshold: 1 });
    run(0, Outcome.Failure);
    b.settle(29_999);
    assert.equal(b.state, 'OPEN');
    assert.equal(b.snapshot(30_000).state, 'HALF_OPEN');
  });

  it('reset() closes it with an empty window', () => {
    const { b, run, transitions } = breaker({ minThroughput: 1, failureThreshold: 2 });
    run(0, Outcome.Failure);
    b.reset();
    run(1, Outcome.Failure);
    assert.equal(b.state, 'CLOSED', 'the failure before the reset is forgotten');
    run(2, Outcome.Failure);
    assert.equal(b.state, 'OPEN');
    b.reset();
    assert.equal(b.state, 'CLOSED');
    assert.notEqual(b.admit(3), REFUSED);
    assert.deepEqual(transitions, ['CLOSED>OPEN', 'OPEN>CLOSED']);
  });

  it('reconfigure() keeps the state and applies the new thresholds', () => {
    const { b, run } = breaker({ minThroughput: 1, failureThreshold: 5 });
    run(0, Outcome.Failure);
    b.reconfigure({ ...CONFIG, minThroughput: 1, failureThreshold: 2 });
    run(1, Outcome.Failure);
    assert.equal(b.state, 'OPEN');
    b.reconfigure({ ...CONFIG, minThroughput: 1, failureThreshold: 2, recoveryTimeoutMs: 1_000 });
    assert.equal(b.state, 'OPEN');
    assert.notEqual(b.admit(1_001), REFUSED, 'the new recovery timeout applies');
  });
});
