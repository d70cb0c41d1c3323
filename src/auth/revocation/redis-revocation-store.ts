import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { RedisConnections } from '../../redis/redis-connections.js';
import type { RevocationListener, RevocationStore } from './revocation-store.js';

const SCAN_BATCH = 500;
const RESYNC_RETRY_MS = 2_000;

/**
 * Revocations in Redis: each is a key `<prefix>revoked:<id>` that expires with the token (its value
 * is the expiry, epoch ms), and a message on `<prefix>revocations` that every instance subscribes
 * to. Requests never ask Redis: each instance keeps the list in memory, loads it whole at start and
 * again after every reconnection (messages sent while it was away are lost), and adds what it hears.
 */
export class RedisRevocationStore implements RevocationStore {
  private readonly logger = new Logger('Revocations');
  private readonly keyPrefix: string;
  private readonly channel: string;
  private subscriber: Redis | undefined;
  private listener: RevocationListener | undefined;

  constructor(private readonly redis: RedisConnections) {
    this.keyPrefix = redis.key('revoked:');
    this.channel = redis.key('revocations');
  }

  async start(listener: RevocationListener): Promise<void> {
    this.listener = listener;
    const subscriber = this.redis.dedicated('revocations');
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const space = message.indexOf(' ');
      const expiresAtMs = Number(message.slice(0, space));
      if (space > 0 && Number.isFinite(expiresAtMs)) listener(message.slice(space + 1), expiresAtMs);
    });
    // 'ready' comes after the first connection and after every reconnection: subscribe (again;
    // harmless if ioredis already did), then load what was revoked meanwhile.
    const firstSync = new Promise<void>((resolve) => subscriber.on('ready', () => void this.synchronise(subscriber).finally(resolve)));
    const connected = subscriber.connect().then(
      () => firstSync,
      (error: Error) => {
        // Redis holds what may be lost: start without it; a later connection synchronises.
        this.logger.warn(`revocations are not shared until redis is reachable (${error.message})`);
      },
    );
    await connected;
  }

  async revoke(id: string, expiresAtMs: number): Promise<void> {
    const ttlMs = Math.max(1, Math.ceil(expiresAtMs - Date.now()));
    const results = await this.redis
      .client()
      .multi()
      .set(`${this.keyPrefix}${id}`, String(expiresAtMs), 'PX', ttlMs)
      .publish(this.channel, `${expiresAtMs} ${id}`)
      .exec();
    const failed = results?.find(([error]) => error !== null);
    if (!results || failed) throw failed?.[0] ?? new Error('the revocation was not stored');
  }

  async stop(): Promise<void> {
    this.listener = undefined;
    this.subscriber = undefined;
  }

  /** Subscribes, then loads every stored revocation (SCAN, never KEYS: the Redis may be shared and large). */
  private async synchronise(subscriber: Redis): Promise<void> {
    const listener = this.listener;
    if (!listener) return;
    try {
      await subscriber.subscribe(this.channel);
      const client = this.redis.client();
      let cursor = '0';
      let loaded = 0;
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${this.keyPrefix}*`, 'COUNT', SCAN_BATCH);
        cursor = next;
        if (keys.length === 0) continue;
        const values = await client.mget(...keys);
        keys.forEach((key, index) => {
          const expiresAtMs = Number(values[index]);
          if (values[index] !== null && Number.isFinite(expiresAtMs)) {
            listener(key.slice(this.keyPrefix.length), expiresAtMs);
            loaded++;
          }
        });
      } while (cursor !== '0');
      this.logger.log({ revoked_tokens: loaded }, 'revocations loaded from redis');
    } catch (error) {
      this.logger.warn(`could not load the revocations from redis: ${(error as Error).message}; retrying`);
      setTimeout(() => {
        if (this.subscriber === subscriber) void this.synchronise(subscriber);
      }, RESYNC_RETRY_MS).unref();
    }
  }
}
