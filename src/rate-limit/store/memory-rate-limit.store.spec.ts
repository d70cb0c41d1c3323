import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryRateLimitStore } from './memory-rate-limit.store.js';

const check = (key: string) => ({ key, algorithm: 'sliding_window' as const, limit: 1, windowMs: 60_000, burst: 1 });

describe('MemoryRateLimitStore', () => {
  it('holds at most maxCounters, forgetting the least recently used', async () => {
    const store = new MemoryRateLimitStore({ maxCounters: 10 });
    for (let i = 0; i < 25; i++) await store.consume([check(`client-${i}`)]);
    assert.equal(store.size, 10);
    assert.equal((await store.consume([check('client-24')])).allowed, false, 'a recent counter is kept');
    assert.equal((await store.consume([check('client-0')])).allowed, true, 'the oldest was forgotten');
  });

  it('keeps nothing for a peek or a refused request', async () => {
    const store = new MemoryRateLimitStore();
    await store.peek([check('peek')]);
    await store.consume([check('taken'), { ...check('refused'), limit: 0 }]);
    assert.equal(store.size, 0);
  });
});
