import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Redis } from 'ioredis';
import type { Gauge } from 'prom-client';
import { GatewayConfig } from '../config/gateway-config.js';
import { DatabaseService } from '../database/database.service.js';
import { METRIC } from './metric-definitions.js';

const CHECK_TIMEOUT_MS = 2_000;

export type Dependency = 'database' | 'redis';

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Pings the database and (when REDIS_URL is set) Redis every DEPENDENCY_CHECK_INTERVAL_MS, off the
 * request path, for `gateway_dependency_up` and the health score. A change of state is logged once.
 */
@Injectable()
export class DependencyMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Dependencies');
  private readonly state = new Map<Dependency, boolean>();
  private readonly redis: Redis | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly config: GatewayConfig,
    private readonly db: DatabaseService,
    @InjectMetric(METRIC.dependencyUp) private readonly up: Gauge,
  ) {
    if (config.redisUrl) {
      // Its own small connection: a ping must not queue behind rate-limit traffic, nor wait offline.
      this.redis = new Redis(config.redisUrl, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: CHECK_TIMEOUT_MS,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
        connectionName: 'gateway-dependency-check',
      });
      this.redis.on('error', () => undefined); // reported through the check, not as unhandled errors
    }
  }

  onApplicationBootstrap(): void {
    this.up.set({ dependency: 'database' }, 0);
    if (this.redis) {
      this.up.set({ dependency: 'redis' }, 0);
      this.redis.connect().catch(() => undefined);
    }
    void this.checkNow();
    this.timer = setInterval(() => void this.checkNow(), this.config.dependencyCheckIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    this.redis?.disconnect();
  }

  /** The last result of each configured dependency's check (undefined before the first). */
  states(): ReadonlyMap<Dependency, boolean | undefined> {
    const states = new Map<Dependency, boolean | undefined>([['database', this.state.get('database')]]);
    if (this.redis) states.set('redis', this.state.get('redis'));
    return states;
  }

  checkNow(): Promise<void> {
    this.running ??= (async () => {
      try {
        const checks: Array<Promise<void>> = [this.check('database', () => this.db.ping())];
        const redis = this.redis;
        if (redis) checks.push(this.check('redis', async () => void (await redis.ping())));
        await Promise.all(checks);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async check(dependency: Dependency, ping: () => Promise<void>): Promise<void> {
    let ok = true;
    let reason = '';
    try {
      await within(ping(), CHECK_TIMEOUT_MS);
    } catch (error) {
      ok = false;
      reason = (error as Error).message;
    }
    const before = this.state.get(dependency);
    this.state.set(dependency, ok);
    this.up.set({ dependency }, ok ? 1 : 0);
    if (before !== undefined && before !== ok) {
      if (ok) this.logger.log(`${dependency} reachable again`);
      else this.logger.warn(`${dependency} unreachable: ${reason}`);
    } else if (before === undefined && !ok) {
      this.logger.warn(`${dependency} unreachable: ${reason}`);
    }
  }
}
