import type { CachedResponse, CacheLookup, ResponseCacheStore } from './response-cache-store.js';

interface Slot {
  entry: CachedResponse;
  expiresAt: number;
  bytes: number;
}

/** The single-instance store: an LRU bounded in total body bytes (a Map keeps insertion order). */
export class MemoryCacheStore implements ResponseCacheStore {
  readonly kind = 'memory';
  private readonly slots = new Map<string, Slot>();
  private readonly generations = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.slots.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  lookup(routeId: string, variantKey: string): Promise<CacheLookup> {
    const generation = String(this.generations.get(routeId) ?? 0);
    const key = `${routeId}:${generation}:${variantKey}`;
    const slot = this.slots.get(key);
    if (!slot) return Promise.resolve({ generation, entry: undefined });
    this.slots.delete(key);
    if (slot.expiresAt <= Date.now()) {
      this.bytes -= slot.bytes;
      return Promise.resolve({ generation, entry: undefined });
    }
    this.slots.set(key, slot);
    return Promise.resolve({ generation, entry: slot.entry });
  }

  save(routeId: string, generation: string, variantKey: string, entry: CachedResponse, ttlMs: number): Promise<void> {
    // Filled under a generation a purge has since moved past: it could never be read.
    if (generation !== String(this.generations.get(routeId) ?? 0)) return Promise.resolve();
    const bytes = entry.body.length + 512;
    if (bytes > this.maxBytes) return Promise.resolve();
    const key = `${routeId}:${generation}:${variantKey}`;
    const previous = this.slots.get(key);
    if (previous) {
      this.slots.delete(key);
      this.bytes -= previous.bytes;
    }
    this.slots.set(key, { entry, expiresAt: Date.now() + ttlMs, bytes });
    this.bytes += bytes;
    for (const [oldest, slot] of this.slots) {
      if (this.bytes <= this.maxBytes) break;
      this.slots.delete(oldest);
      this.bytes -= slot.bytes;
    }
    return Promise.resolve();
  }

  /** O(1): the old generation's entries can no longer be found, and as nothing reads them they are the first the LRU drops. */
  purge(routeId: string): Promise<void> {
    this.generations.set(routeId, (this.generations.get(routeId) ?? 0) + 1);
    return Promise.resolve();
  }
}
