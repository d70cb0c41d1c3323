import type { Redis } from 'ioredis';
import type { CachedResponse, CacheLookup, ResponseCacheStore } from './response-cache-store.js';

// The route's generation and the entry under it in one round trip. Both keys share the `{route}`
// hash tag, so they live in one slot on a Redis Cluster too.
const LOOKUP = `
local generation = redis.call('GET', KEYS[1]) or '0'
local entry = redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2])
return { generation, entry or '' }`;

interface EntryMeta {
  s: number;
  h: Record<string, string | string[]>;
  t: number;
  v: Record<string, string>;
}

type LookupCommand = (generationKey: string, entryPrefix: string, variantKey: string) => Promise<[Buffer, Buffer]>;

/** Entries as one binary string: a 4-byte length, the metadata as JSON, then the body bytes. */
export function encodeEntry(entry: CachedResponse): Buffer {
  const meta: EntryMeta = { s: entry.status, h: entry.headers as EntryMeta['h'], t: entry.storedAt, v: entry.upstreamVary as EntryMeta['v'] };
  const json = Buffer.from(JSON.stringify(meta));
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(json.length, 0);
  return Buffer.concat([head, json, entry.body]);
}

export function decodeEntry(raw: Buffer): CachedResponse | undefined {
  if (raw.length < 4) return undefined;
  const length = raw.readUInt32BE(0);
  if (4 + length > raw.length) return undefined;
  const meta = JSON.parse(raw.subarray(4, 4 + length).toString('utf8')) as EntryMeta;
  return { status: meta.s, headers: meta.h, storedAt: meta.t, upstreamVary: meta.v, body: raw.subarray(4 + length) };
}

/** The shared store: every instance sees the same entries and the same purges. */
export class RedisCacheStore implements ResponseCacheStore {
  readonly kind = 'redis';
  private readonly lookupCommand: LookupCommand;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {
    if (!('gatewayCacheLookupBuffer' in redis)) redis.defineCommand('gatewayCacheLookup', { numberOfKeys: 1, lua: LOOKUP });
    const command = (redis as unknown as { gatewayCacheLookupBuffer: LookupCommand }).gatewayCacheLookupBuffer;
    this.lookupCommand = command.bind(redis);
  }

  async lookup(routeId: string, variantKey: string): Promise<CacheLookup> {
    const [generation, raw] = await this.lookupCommand(this.generationKey(routeId), this.entryPrefix(routeId), variantKey);
    return { generation: generation.toString(), entry: raw.length ? decodeEntry(raw) : undefined };
  }

  async save(routeId: string, generation: string, variantKey: string, entry: CachedResponse, ttlMs: number): Promise<void> {
    await this.redis.set(`${this.entryPrefix(routeId)}${generation}:${variantKey}`, encodeEntry(entry), 'PX', ttlMs);
  }

  async purge(routeId: string): Promise<void> {
    await this.redis.incr(this.generationKey(routeId));
  }

  private generationKey(routeId: string): string {
    return `${this.keyPrefix}cache:{${routeId}}:generation`;
  }

  private entryPrefix(routeId: string): string {
    return `${this.keyPrefix}cache:{${routeId}}:`;
  }
}
