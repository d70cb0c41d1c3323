import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Pool } from 'undici';
import { GatewayConfig } from '../config/gateway-config.js';
import type { CompiledService, UpstreamTarget } from '../routing/table/compiled-route.js';
import { RouteTableService } from '../routing/table/route-table.service.js';

const poolKey = (origin: string, connectTimeoutMs: number) => `${origin}|${connectTimeoutMs}`;

/**
 * One keep-alive connection pool per upstream origin (and connect timeout). Pools no target uses
 * any more are closed after a table swap, gracefully: requests in flight on them finish first.
 */
@Injectable()
export class UpstreamPools implements OnModuleInit, OnApplicationShutdown {
  private readonly pools = new Map<string, Pool>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly config: GatewayConfig,
    private readonly routes: RouteTableService,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.routes.onSwap((table) => this.prune(table.services));
  }

  get(target: UpstreamTarget, service: CompiledService): Pool {
    const key = poolKey(target.origin, service.connectTimeoutMs);
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(target.origin, {
        connections: this.config.upstreamMaxConnections,
        connect: { timeout: service.connectTimeoutMs },
        // Bodies stream in both directions; these bounds are set per request from the route.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  get size(): number {
    return this.pools.size;
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((pool) => pool.close()));
  }

  private prune(services: readonly CompiledService[]): void {
    const inUse = new Set<string>();
    for (const service of services) for (const target of service.targets) inUse.add(poolKey(target.origin, service.connectTimeoutMs));
    for (const [key, pool] of this.pools) {
      if (inUse.has(key)) continue;
      this.pools.delete(key);
      void pool.close().catch(() => undefined);
    }
  }
}
