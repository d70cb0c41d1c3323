import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Where the test Redis is; .ci/run points this at the run's own. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own per test file, so files sharing the Redis never see each other's keys. */
export const uniqueRedisPrefix = (label: string) => `test:${label}:${randomBytes(4).toString('hex')}:`;

/** Deletes every key under `prefix` (SCAN, never KEYS). */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
