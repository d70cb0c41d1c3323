import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { MemoryRateLimitStore } from '../../src/rate-limit/store/memory-rate-limit.store.js';
import type { LimitCheck, LimitDecision, RateLimitStore } from '../../src/rate-limit/store/rate-limit-store.js';
import { RedisRateLimitStore } from '../../src/rate-limit/store/redis-rate-limit.store.js';
import { ThrottlerStorageAdapter } from '../../src/rate-limit/store/throttler-storage.adapter.js';
import { dropRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../helpers/redis.js';

const prefix = uniqueRedisPrefix('ratestore');
const opened: RedisRateLimitStore[] = [];

/**
 * A Redis store as a gateway instance has one: its own connection, the shared prefix. A patient
 * command timeout: these tests are about what the counters answer, and a loaded machine can hold a
 * reply past the gateway's 250 ms (store-fallback.e2e-spec.ts covers failing fast).
 */
async function redisStore(): Promise<RedisRateLimitStore> {
  const store = new RedisRateLimitStore({ url: TEST_REDIS_URL, keyPrefix: prefix, commandTimeoutMs: 5_000 });
  opened.push(store);
  assert.equal(await store.whenReady(), true, `redis at ${TEST_REDIS_URL}`);
  return store;
}

/** A counter of its own per test, so the tests never share one. */
const counter = (check: Omit<LimitCheck, 'key' | 'burst'> & { burst?: number }): LimitCheck => ({
  key: `k-${randomBytes(6).toString('hex')}`,
  burst: check.limit,
  ...check,
});

/** Runs `call` and the wall-clock interval around it: the store's clock read the time somewhere inside. */
async function timed<T>(call: () => Promise<T>): Promise<{ result: T; before: number; after: number }> {
  const before = Date.now();
  const result = await call();
  return { result, before, after: Date.now() };
}

/** Redis's clock (microseconds, rounded up to ms in answers) against Date.now(): a ms either way. */
const SLACK_MS = 2;
function assertBetween(value: number, low: number, high: number, what: string): void {
  assert.ok(value >= low - SLACK_MS && value <= high + SLACK_MS, `${what}: ${value} not in [${low}, ${high}]`);
}

const admitted = (decisions: LimitDecision[]) => decisions.filter((d) => d.allowed).length;

after(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await dropRedisPrefix(prefix);
});

for (const kind of ['redis', 'memory'] as const) {
  describe(`${kind} rate-limit store`, () => {
    let store: RateLimitStore;
    before(async () => {
      store = kind === 'redis' ? await redisStore() : new MemoryRateLimitStore();
    });

    it('admits exactly L of 3L concurrent requests, each told a distinct remaining', async () => {
      for (const algorithm of ['sliding_window', 'token_bucket'] as const) {
        const check = counter({ algorithm, limit: 20, windowMs: 60_000 });
        const decisions = await Promise.all(Array.from({ length: 60 }, () => store.consume([check])));
        assert.equal(admitted(decisions), 20, algorithm);
        const remaining = decisions.filter((d) => d.allowed).map((d) => d.states[0].remaining);
        assert.deepEqual(
          remaining.sort((a, b) => a - b),
          Array.from({ length: 20 }, (_, i) => i),
          algorithm,
        );
        assert.ok(decisions.every((d) => d.store === kind));
        assert.ok(decisions.filter((d) => !d.allowed).every((d) => d.refusedIndex === 0 && d.states[0].remaining === 0 && d.states[0].retryAfterMs > 0));
      }
    });

    it('sliding window: no double burst across a window edge, the full allowance again after the window', async () => {
      const windowMs = 1_000;
      const check = counter({ algorithm: 'sliding_window', limit: 5, windowMs });
      const fill = await timed(() => Promise.all(Array.from({ length: 5 }, () => store.consume([check]))));
      assert.equal(admitted(fill.result), 5);
      // Past half the window: a fixed window would have rolled over here, a sliding one has not.
      await sleep(Math.max(0, fill.before + windowMs * 0.6 - Date.now()));
      const late = await timed(() => store.consume([check]));
      // Every admission happened after fill.before, so none has left before fill.before + windowMs.
      if (late.after < fill.before + windowMs) assert.equal(late.result.allowed, false, 'refused while the window is full');
      if (!late.result.allowed) assertBetween(late.result.states[0].retryAfterMs, fill.before + windowMs - late.after, fill.after + windowMs - late.before, 'retryAfterMs');
      await sleep(Math.max(0, fill.after + windowMs + 20 - Date.now()));
      const again = await timed(() => Promise.all(Array.from({ length: 6 }, () => store.consume([check]))));
      // Still inside the window of the admissions just made: exactly five of six.
      if (again.after < again.before + windowMs) assert.equal(admitted(again.result), 5);
      else assert.ok(admitted(again.result) >= 5);
    });

    it('token bucket: a burst of `burst`, then tokens at limit/windowMs', async () => {
      // 10 per second (one per 100 ms), at most 5 at once.
      const check = counter({ algorithm: 'token_bucket', limit: 10, windowMs: 1_000, burst: 5 });
      const burst = await timed(() => Promise.all(Array.from({ length: 8 }, () => store.consume([check]))));
      assert.equal(admitted(burst.result), 5);
      const refused = burst.result.find((d) => !d.allowed)!;
      assert.ok(refused.states[0].retryAfterMs > 0 && refused.states[0].retryAfterMs <= 100, `retryAfterMs ${refused.states[0].retryAfterMs}`);
      // Take every token as it comes for 700 ms (draining at each look): about seven, never more than the rate allows.
      let taken = 0;
      let lastBefore = burst.after;
      let lastAfter = burst.after;
      while (Date.now() < burst.after + 700) {
        await sleep(15);
        for (;;) {
          const call = await timed(() => store.consume([check]));
          lastBefore = call.before;
          lastAfter = call.after;
          if (!call.result.allowed) break;
          taken++;
        }
      }
      assert.ok(taken <= Math.floor((lastAfter - burst.before) / 100), `${taken} tokens in ${lastAfter - burst.before} ms`);
      assert.ok(taken >= Math.floor((lastBefore - burst.after) / 100) - 1, `${taken} tokens in ${lastBefore - burst.after} ms`);
    });

    it('all or nothing: a request one counter refuses takes nothing from the others', async () => {
      const wide = counter({ algorithm: 'sliding_window', limit: 5, windowMs: 60_000 });
      const bucket = counter({ algorithm: 'token_bucket', limit: 1, windowMs: 60_000, burst: 3 });
      const narrow = counter({ algorithm: 'sliding_window', limit: 1, windowMs: 60_000 });
      const first = await store.consume([wide, bucket, narrow]);
      assert.equal(first.allowed, true);
      assert.deepEqual(
        first.states.map((s) => s.remaining),
        [4, 2, 0],
      );
      for (let i = 0; i < 3; i++) {
        const refused = await store.consume([wide, bucket, narrow]);
        assert.equal(refused.allowed, false);
        assert.equal(refused.refusedIndex, 2);
        // The others would admit and say what they still hold: nothing was taken.
        assert.deepEqual(
          refused.states.map((s) => [s.allowed, s.remaining]),
          [
            [true, 4],
            [true, 2],
            [false, 0],
          ],
        );
      }
      const alone = await store.consume([wide, bucket]);
      assert.deepEqual(
        alone.states.map((s) => s.remaining),
        [3, 1],
      );
    });

    it('peek answers without taking anything', async () => {
      const window = counter({ algorithm: 'sliding_window', limit: 3, windowMs: 60_000 });
      const bucket = counter({ algorithm: 'token_bucket', limit: 1, windowMs: 60_000, burst: 3 });
      const fresh = await store.peek([window, bucket]);
      assert.equal(fresh.allowed, true);
      assert.deepEqual(fresh.states, [
        { allowed: true, remaining: 3, resetMs: 0, retryAfterMs: 0 },
        { allowed: true, remaining: 3, resetMs: 0, retryAfterMs: 0 },
      ]);
      for (let i = 0; i < 5; i++) assert.equal((await store.peek([window, bucket])).states[0].remaining, 3);
      await store.consume([window, bucket]);
      await store.consume([window, bucket]);
      await store.consume([window, bucket]);
      const empty = await store.peek([window, bucket]);
      assert.equal(empty.allowed, false);
      assert.equal(empty.refusedIndex, 0);
      assert.deepEqual(
        empty.states.map((s) => [s.allowed, s.remaining]),
        [
          [false, 0],
          [false, 0],
        ],
      );
      assert.ok(empty.states[1].retryAfterMs > 59_000, 'a token comes in a minute');
    });

    it('remaining, resetMs and retryAfterMs of a sliding window follow the admissions', async () => {
      const windowMs = 60_000;
      const check = counter({ algorithm: 'sliding_window', limit: 3, windowMs });
      const calls = [];
      for (let i = 0; i < 3; i++) {
        calls.push(await timed(() => store.consume([check])));
        await sleep(30);
      }
      assert.deepEqual(
        calls.map((c) => c.result.states[0]),
        [2, 1, 0].map((remaining) => ({ allowed: true, remaining, resetMs: windowMs, retryAfterMs: 0 })),
      );
      const refused = await timed(() => store.consume([check]));
      const state = refused.result.states[0];
      assert.equal(state.allowed, false);
      assert.equal(state.remaining, 0);
      // The oldest admission leaves first (retryAfterMs), the newest last (resetMs).
      assertBetween(state.retryAfterMs, calls[0].before + windowMs - refused.after, calls[0].after + windowMs - refused.before, 'retryAfterMs');
      assertBetween(state.resetMs, calls[2].before + windowMs - refused.after, calls[2].after + windowMs - refused.before, 'resetMs');
    });

    it('a token bucket tells how long until the next token and until it is full', async () => {
      // One token per 500 ms, at most 4.
      const check = counter({ algorithm: 'token_bucket', limit: 2, windowMs: 1_000, burst: 4 });
      const first = await store.consume([check]);
      assert.deepEqual(first.states[0], { allowed: true, remaining: 3, resetMs: 500, retryAfterMs: 0 });
      const rest = await timed(() => Promise.all([store.consume([check]), store.consume([check]), store.consume([check]), store.consume([check])]));
      const refused = rest.result.find((d) => !d.allowed)?.states[0];
      assert.ok(refused, 'the fifth request within a few ms is refused');
      assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 500, `retryAfterMs ${refused.retryAfterMs}`);
      assert.ok(refused.resetMs > 1_500 && refused.resetMs <= 2_000, `resetMs ${refused.resetMs}`);
    });

    it('after a lowered limit, a request waits for the entry that brings the count under it, not the oldest', async () => {
      const windowMs = 60_000;
      const check = counter({ algorithm: 'sliding_window', limit: 5, windowMs });
      const calls = [];
      for (let i = 0; i < 5; i++) {
        calls.push(await timed(() => store.consume([check])));
        await sleep(40);
      }
      assert.ok(calls.every((c) => c.result.allowed));
      const lowered = { ...check, limit: 2 };
      const refused = await timed(() => store.consume([lowered]));
      const state = refused.result.states[0];
      assert.equal(state.allowed, false);
      // Four of five must leave for one more to fit under 2: the fourth oldest.
      assertBetween(state.retryAfterMs, calls[3].before + windowMs - refused.after, calls[3].after + windowMs - refused.before, 'retryAfterMs');
      // Raised again, the same log admits at once.
      assert.equal((await store.consume([{ ...check, limit: 6 }])).allowed, true);
    });
  });
}

describe('redis rate-limit store shared by three gateway instances', () => {
  it('admits exactly L of 3L concurrent requests spread over three connections', async () => {
    const stores = await Promise.all([redisStore(), redisStore(), redisStore()]);
    for (const algorithm of ['sliding_window', 'token_bucket'] as const) {
      const check = counter({ algorithm, limit: 30, windowMs: 60_000 });
      const decisions = await Promise.all(Array.from({ length: 90 }, (_, i) => stores[i % 3].consume([check])));
      assert.equal(admitted(decisions), 30, algorithm);
    }
  });

  it('keeps its keys under the prefix and expires them', async () => {
    const store = await redisStore();
    const check = counter({ algorithm: 'sliding_window', limit: 3, windowMs: 5_000 });
    const bucket = counter({ algorithm: 'token_bucket', limit: 1, windowMs: 2_000, burst: 2 });
    await store.consume([check, bucket]);
    const ttlWindow = await store.client.pttl(`${prefix}sliding_window:${check.key}`);
    const ttlBucket = await store.client.pttl(`${prefix}token_bucket:${bucket.key}`);
    assert.ok(ttlWindow > 4_000 && ttlWindow <= 5_000, `window ttl ${ttlWindow}`);
    // One token missing at one per 2 s: full in 2 s, kept a second longer.
    assert.ok(ttlBucket > 2_000 && ttlBucket <= 3_000, `bucket ttl ${ttlBucket}`);
  });
});

@Controller('ping')
class PingController {
  @Get()
  ping() {
    return { ok: true };
  }
}

/** A control plane as the gateway would have it: ThrottlerGuard on the shared counters, 3 per minute. */
async function controlPlane(): Promise<INestApplication> {
  const storage = new ThrottlerStorageAdapter(await redisStore());
  @Module({
    imports: [ThrottlerModule.forRoot({ throttlers: [{ ttl: 60_000, limit: 3 }], storage })],
    controllers: [PingController],
    providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
  })
  class ControlPlaneModule {}
  const app = await NestFactory.create(ControlPlaneModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

describe('ThrottlerStorage on the shared counters', () => {
  it('reports hits, expiry and blocking as @nestjs/throttler expects', async () => {
    const adapter = new ThrottlerStorageAdapter(await redisStore());
    const key = randomBytes(8).toString('hex');
    const records = [];
    for (let i = 0; i < 4; i++) records.push(await adapter.increment(key, 1_000, 3, 1_000, 'default'));
    assert.deepEqual(
      records.map((r) => [r.totalHits, r.isBlocked, r.timeToExpire]),
      [
        [1, false, 1],
        [2, false, 1],
        [3, false, 1],
        [4, true, 1],
      ],
    );
    assert.deepEqual(
      records.map((r) => r.timeToBlockExpire),
      [0, 0, 0, 1],
    );
    // Another throttler name is another counter.
    assert.equal((await adapter.increment(key, 1_000, 3, 1_000, 'burst')).totalHits, 1);
    await sleep(1_050);
    const later = await adapter.increment(key, 1_000, 3, 1_000, 'default');
    assert.deepEqual([later.totalHits, later.isBlocked], [1, false]);
  });

  it("ThrottlerGuard on two instances counts one client's requests together", async () => {
    const apps = [await controlPlane(), await controlPlane()];
    try {
      const replies = [];
      for (let i = 0; i < 5; i++) replies.push(await fetch(`${await apps[i % 2].getUrl()}/ping`));
      assert.deepEqual(
        replies.map((r) => r.status),
        [200, 200, 200, 429, 429],
      );
      assert.deepEqual(
        replies.slice(0, 3).map((r) => r.headers.get('x-ratelimit-remaining')),
        ['2', '1', '0'],
      );
      const retryAfter = Number(replies[3].headers.get('retry-after'));
      assert.ok(retryAfter > 50 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
    }
  });
});
