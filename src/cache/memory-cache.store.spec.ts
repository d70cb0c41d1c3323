import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryCacheStore } from './memory-cache.store.js';
import type { CachedResponse } from './response-cache-store.js';

const entry = (bytes: number): CachedResponse => ({ status: 200, headers: {}, body: Buffer.alloc(bytes), storedAt: Date.now(), upstreamVary: {} });

describe('MemoryCacheStore', () => {
  it('stays within its byte bound, dropping the least recently used entry first', async () => {
    const store = new MemoryCacheStore(3 * (1000 + 512));
    for (const key of ['a', 'b', 'c']) await store.save('r', '0', key, entry(1000), 60_000);
    assert.ok((await store.lookup('r', 'a')).entry); // a is now the most recent
    await store.save('r', '0', 'd', entry(1000), 60_000);
    assert.equal(store.size, 3);
    assert.ok(store.usedBytes <= 3 * 1512);
    assert.equal((await store.lookup('r', 'b')).entry, undefined);
    assert.ok((await store.lookup('r', 'a')).entry);
  });

  it('forgets an entry after its TTL', async () => {
    const store = new MemoryCacheStore(1_000_000);
    await store.save('r', '0', 'k', entry(10), 20);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal((await store.lookup('r', 'k')).entry, undefined);
  });

  it('purges one route by generation, and refuses a fill begun before the purge', async () => {
    const store = new MemoryCacheStore(1_000_000);
    await store.save('r', '0', 'k', entry(10), 60_000);
    await store.save('other', '0', 'k', entry(10), 60_000);
    const before = await store.lookup('r', 'k');
    await store.purge('r');
    const after = await store.lookup('r', 'k');
    assert.equal(after.entry, undefined);
    assert.notEqual(after.generation, before.generation);
    await store.save('r', before.generation, 'k', entry(10), 60_000);
    assert.equal((await store.lookup('r', 'k')).entry, undefined);
    assert.ok((await store.lookup('other', 'k')).entry);
  });

  it('does not keep an entry larger than the whole bound', async () => {
    const store = new MemoryCacheStore(100);
    await store.save('r', '0', 'k', entry(1000), 60_000);
    assert.equal(store.size, 0);
  });
});
