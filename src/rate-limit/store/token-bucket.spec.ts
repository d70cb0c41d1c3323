import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type TokenBucket, tokenBucketState, tokenBucketTtlMs, tokensAt } from './token-bucket.js';

// 10 tokens per second (one per 100 ms), at most 5 at once.
const LIMIT = { limit: 10, windowMs: 1_000, burst: 5 };

/** Takes one token at each of `times`, as a store would; returns the answers. */
function replay(times: number[], bucket?: TokenBucket) {
  return times.map((now) => {
    const tokens = tokensAt(bucket, LIMIT, now);
    const state = tokenBucketState(tokens, LIMIT, true);
    if (state.allowed) bucket = { tokens: tokens - 1, atMs: now };
    return state;
  });
}

describe('token bucket', () => {
  it('starts full: admits a burst of `burst`, then refuses', () => {
    const answers = replay([0, 0, 0, 0, 0, 0]);
    assert.deepEqual(
      answers.map((a) => [a.allowed, a.remaining]),
      [
        [true, 4],
        [true, 3],
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
      ],
    );
  });

  it('refills at limit/windowMs and tells a refused request when the next token comes', () => {
    const answers = replay([0, 0, 0, 0, 0, 40, 99, 100, 150, 200]);
    assert.deepEqual(answers[5], { allowed: false, remaining: 0, resetMs: 460, retryAfterMs: 60 });
    assert.deepEqual(
      answers.slice(6).map((a) => a.allowed),
      [false, true, false, true],
    );
  });

  it('never holds more than `burst`, however long it idles', () => {
    assert.equal(tokensAt({ tokens: 0, atMs: 0 }, LIMIT, 60_000), 5);
    assert.equal(tokensAt({ tokens: 1, atMs: 0 }, LIMIT, 250), 3.5);
  });

  it('resetMs is the time back to full; remaining rounds fractions down', () => {
    assert.deepEqual(tokenBucketState(2.5, LIMIT, true), { allowed: true, remaining: 1, resetMs: 350, retryAfterMs: 0 });
    assert.deepEqual(tokenBucketState(2.5, LIMIT, false), { allowed: true, remaining: 2, resetMs: 250, retryAfterMs: 0 });
  });

  it('refills nothing when the clock steps back', () => {
    assert.equal(tokensAt({ tokens: 1.5, atMs: 1_000 }, LIMIT, 900), 1.5);
  });

  it('counts a refill that floating point lands just under a whole token as that token', () => {
    const nineteen = { limit: 19, windowMs: 1_000, burst: 1 };
    const tokens = tokensAt({ tokens: 0, atMs: 0 }, nineteen, 1_000 / 19);
    assert.ok(tokens < 1, 'the arithmetic this guards against');
    assert.equal(tokenBucketState(tokens, nineteen, true).allowed, true);
  });

  it('is kept until it is full again, plus a margin', () => {
    assert.equal(tokenBucketTtlMs(0, LIMIT), 1_500);
    assert.equal(tokenBucketTtlMs(5, LIMIT), 1_000);
  });
});
