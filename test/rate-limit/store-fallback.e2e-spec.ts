import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger, type LoggerService } from '@nestjs/common';
import { FallbackRateLimitStore, type RateLimitFailMode } from '../../src/rate-limit/store/fallback-rate-limit.store.js';
import { MemoryRateLimitStore } from '../../src/rate-limit/store/memory-rate-limit.store.js';
import { type LimitCheck, type LimitDecision, RateLimitStoreUnavailable } from '../../src/rate-limit/store/rate-limit-store.js';
import { RedisRateLimitStore } from '../../src/rate-limit/store/redis-rate-limit.store.js';
import { eventually } from '../helpers/gateway.js';
import { RedisServer } from '../helpers/redis-server.js';

// A correctness bound, not a performance target: during an outage no call waits on Redis for long.
const MAX_CALL_MS = 1_000;
// Above the gateway's 250 ms so that a loaded machine does not fake an outage while Redis is up.
const COMMAND_TIMEOUT_MS = 500;

/** What the store logged under its context, as `warn: …` / `log: …`. */
const logged: string[] = [];
const capture = (level: string) => (message: unknown, context?: unknown) => {
  if (context === 'RateLimit') logged.push(`${level}: ${String(message)}`);
};
const captureLogger: LoggerService = { log: capture('log'), warn: capture('warn'), error: capture('error') };

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
  Logger.overrideLogger(captureLogger);
});
after(async () => {
  await server?.stop();
});

/** A fallback store over the dedicated Redis for the tests of one describe (set in `before`), with what it reports. */
function useFallbackStore(failMode: RateLimitFailMode) {
  const fixture = { store: undefined as unknown as FallbackRateLimitStore, changes: [] as boolean[] };
  let redis: RedisRateLimitStore;
  before(async () => {
    redis = new RedisRateLimitStore({ url: server.url, keyPrefix: `rl-${failMode}:`, commandTimeoutMs: COMMAND_TIMEOUT_MS });
    fixture.store = new FallbackRateLimitStore(redis, new MemoryRateLimitStore(), { failMode, onStoreChange: (degraded) => fixture.changes.push(degraded) });
    assert.equal(await redis.whenReady(), true);
  });
  after(() => redis.close());
  afterEach(() => logged.splice(0));
  return fixture;
}

/** A call and how long it took, which must stay within MAX_CALL_MS whatever it answered. */
async function bounded<T>(call: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await call();
  } finally {
    const took = Date.now() - started;
    assert.ok(took < MAX_CALL_MS, `a call took ${took} ms`);
  }
}

const check = (key: string, limit = 3): LimitCheck => ({ key, algorithm: 'sliding_window', limit, windowMs: 60_000, burst: limit });

describe('fallback rate-limit store, fail mode open', () => {
  const fixture = useFallbackStore('open');

  it('lets Redis decide while it is up', async () => {
    const { store, changes } = fixture;
    const decision = await store.consume([check('healthy')]);
    assert.equal(decision.store, 'redis');
    assert.equal(decision.allowed, true);
    assert.equal(store.fallbackDecisions, 0);
    assert.deepEqual(changes, []);
  });

  it('decides from memory at once when Redis dies, with per-instance limits, and says so once', async () => {
    const { store, changes } = fixture;
    // Two taken in Redis; the memory store does not know them: per-instance limits start afresh.
    await store.consume([check('outage')]);
    await store.consume([check('outage')]);
    await server.stop();
    const decisions: LimitDecision[] = [];
    for (let i = 0; i < 10; i++) {
      decisions.push(await bounded(() => store.consume([check('outage')])));
      await sleep(20);
    }
    assert.deepEqual(
      decisions.map((d) => d.store),
      Array(10).fill('memory'),
    );
    assert.deepEqual(
      decisions.map((d) => d.allowed),
      [true, true, true, ...Array(7).fill(false)],
    );
    assert.equal(store.fallbackDecisions, 10);
    assert.equal((await bounded(() => store.peek([check('outage')]))).store, 'memory');
    assert.equal(store.fallbackDecisions, 11);
    assert.deepEqual(changes, [true]);
    assert.equal(logged.length, 1, logged.join('\n'));
    assert.match(logged[0], /^warn: the shared rate-limit store is unavailable .*per instance/);
  });

  it('returns to Redis by itself once Redis is back on the same address, and says so once', async () => {
    const { store, changes } = fixture;
    await server.restart();
    // Redis restarted empty, without the script: EVALSHA meets NOSCRIPT and the script is sent again.
    await eventually(async () => (await bounded(() => store.consume([check('after')]))).store === 'redis', 10_000, 50);
    const decision = await store.consume([check('after')]);
    assert.equal(decision.store, 'redis');
    assert.equal(decision.states[0].remaining, 1, 'the counter lives in Redis again');
    assert.deepEqual(changes, [true, false]);
    assert.deepEqual(logged, ['log: the shared rate-limit store is back: limits hold across instances again']);
  });

  it('does not wait on a Redis that stopped answering for every request, and comes back when it answers', async () => {
    const { store, changes } = fixture;
    server.pause();
    const durations: number[] = [];
    const stores: string[] = [];
    const started = Date.now();
    while (Date.now() - started < 800) {
      const callStarted = Date.now();
      stores.push((await bounded(() => store.consume([check(`frozen-${durations.length}`)]))).store);
      durations.push(Date.now() - callStarted);
      await sleep(20);
    }
    server.resume();
    // Only the call that found Redis silent (and maybe one probe) paid the command timeout.
    assert.ok(durations.filter((ms) => ms >= COMMAND_TIMEOUT_MS * 0.8).length <= 2, `durations ${durations.join(', ')}`);
    assert.ok(stores.length >= 5 && stores.every((s) => s === 'memory'), stores.join(', '));
    assert.deepEqual(changes, [true, false, true]);
    // The connection never dropped, so no 'ready' tells when it is back: a probe does, within about a second.
    await eventually(async () => (await bounded(() => store.consume([check('thawed')]))).store === 'redis', 10_000, 50);
    assert.deepEqual(changes, [true, false, true, false]);
  });
});

describe('fallback rate-limit store, fail mode closed', () => {
  const fixture = useFallbackStore('closed');

  it('refuses with RateLimitStoreUnavailable while Redis is down, then uses Redis again', async () => {
    const { store, changes } = fixture;
    assert.equal((await store.consume([check('closed')])).store, 'redis');
    await server.stop();
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        bounded(() => store.consume([check('closed')])),
        (error: unknown) => error instanceof RateLimitStoreUnavailable && error.cause instanceof Error,
      );
    }
    assert.equal(store.fallbackDecisions, 0);
    assert.deepEqual(changes, [true]);
    assert.match(logged.join('\n'), /^warn: .*refused/);
    await server.restart();
    await eventually(async () => (await store.consume([check('closed')])).store === 'redis', 10_000, 50);
    assert.deepEqual(changes, [true, false]);
  });
});
