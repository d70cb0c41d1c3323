import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { GatewayConfig } from '../config/gateway-config.js';

// A command never waits longer than this, queued or sent: callers decide what a miss means.
const COMMAND_TIMEOUT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * The gateway's Redis connections (REDIS_URL): one shared connection for commands, opened at its
 * first use, and dedicated ones for subscribers, which Redis keeps in a mode of their own. Every
 * key and channel name goes through `key()` so that REDIS_KEY_PREFIX separates gateways sharing
 * one Redis. Without REDIS_URL `enabled` is false and each user falls back to an in-process store.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private shared: Redis | undefined;
  private readonly opened = new Set<Redis>();

  constructor(private readonly config: GatewayConfig) {}

  get enabled(): boolean {
    return this.config.redisUrl !== undefined;
  }

  key(name: string): string {
    return `${this.config.redisKeyPrefix}${name}`;
  }

  /** The shared command connection; throws without REDIS_URL (check `enabled` first). */
  client(): Redis {
    this.shared ??= this.open('commands');
    return this.shared;
  }

  /** A connection of its own, for a subscriber; closed with the application. */
  dedicated(purpose: string): Redis {
    return this.open(purpose);
  }

  async onApplicationShutdown(): Promise<void> {
    const connections = [...this.opened];
    this.opened.clear();
    this.shared = undefined;
    await Promise.allSettled(connections.map((c) => c.quit().catch(() => c.disconnect())));
  }

  private open(purpose: string): Redis {
    if (!this.config.redisUrl) throw new Error('REDIS_URL is not set');
    const connection = new Redis(this.config.redisUrl, {
      lazyConnect: true,
      connectionName: `api-gateway:${purpose}`,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 200, MAX_RECONNECT_DELAY_MS),
    });
    // Told once per outage, not once per reconnection attempt.
    let down = false;
    connection.on('error', (error: Error) => {
      if (down) return;
      down = true;
      this.logger.warn(`redis connection "${purpose}" failed: ${error.message}`);
    });
    connection.on('ready', () => {
      if (!down) return;
      down = false;
      this.logger.log(`redis connection "${purpose}" is back`);
    });
    this.opened.add(connection);
    return connection;
  }
}
