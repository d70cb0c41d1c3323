import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordAdmission, slidingLogState } from './sliding-log.js';

/** Admits `times` in order into a log of `limit` per `windowMs`, as a store would; returns the log and the answers. */
function replay(limit: number, windowMs: number, times: number[]) {
  const log: number[] = [];
  const answers = times.map((now) => {
    const state = slidingLogState(log, limit, windowMs, now, true);
    if (state.allowed) recordAdmission(log, windowMs, now);
    return state;
  });
  return { log, answers };
}

describe('sliding log', () => {
  it('admits `limit` requests and counts down remaining, then refuses', () => {
    const { answers } = replay(3, 1_000, [0, 10, 20, 30]);
    assert.deepEqual(
      answers.map((a) => [a.allowed, a.remaining]),
      [
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
      ],
    );
  });

  it('never admits more than `limit` in any window span: no double burst across a boundary', () => {
    // 3 per second: the full allowance at 900 ms does not refill at 1 000 ms as a fixed window would.
    const { answers } = replay(3, 1_000, [900, 901, 902, 1_000, 1_899, 1_900, 1_901, 1_902]);
    assert.deepEqual(
      answers.map((a) => a.allowed),
      [true, true, true, false, false, true, true, true],
    );
  });

  it('tells a refused request when the oldest entry leaves, and resetMs when the newest does', () => {
    const { answers } = replay(2, 1_000, [100, 400, 700]);
    assert.deepEqual(answers[2], { allowed: false, remaining: 0, resetMs: 700, retryAfterMs: 400 });
  });

  it('an admitted request reports the full window as resetMs; an empty log resets now', () => {
    assert.deepEqual(slidingLogState([], 5, 1_000, 0, true), { allowed: true, remaining: 4, resetMs: 1_000, retryAfterMs: 0 });
    assert.deepEqual(slidingLogState([], 5, 1_000, 0, false), { allowed: true, remaining: 5, resetMs: 0, retryAfterMs: 0 });
  });

  it('peeking counts nothing: remaining is what is left and resetMs follows the newest entry', () => {
    assert.deepEqual(slidingLogState([0, 200], 5, 1_000, 500, false), { allowed: true, remaining: 3, resetMs: 700, retryAfterMs: 0 });
  });

  it('after a lowered limit, waits for the entry that brings the count under the new limit, not the oldest', () => {
    const log = [0, 100, 200, 300, 400]; // five admitted under a limit of five
    const state = slidingLogState(log, 2, 1_000, 500, true);
    // Four must leave for one to fit under 2: the fourth oldest (300) leaves at 1 300.
    assert.deepEqual(state, { allowed: false, remaining: 0, resetMs: 900, retryAfterMs: 800 });
    assert.equal(slidingLogState(log, 2, 1_000, 1_299, true).allowed, false);
    assert.equal(slidingLogState(log, 2, 1_000, 1_300, true).allowed, true);
  });

  it('an entry leaves exactly `windowMs` after it was admitted', () => {
    assert.equal(slidingLogState([0], 1, 1_000, 999, true).allowed, false);
    assert.equal(slidingLogState([0], 1, 1_000, 1_000, true).allowed, true);
  });

  it('recordAdmission drops what left the window and keeps the log ordered when the clock steps back', () => {
    const log = [0, 500];
    recordAdmission(log, 1_000, 1_200);
    assert.deepEqual(log, [500, 1_200]);
    recordAdmission(log, 1_000, 1_100);
    assert.deepEqual(log, [500, 1_200, 1_200]);
  });
});
