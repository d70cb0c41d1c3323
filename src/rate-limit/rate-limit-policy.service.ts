import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConsumerEntity } from '../auth/entities/consumer.entity.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { ConfigVersionService } from '../database/config-version.service.js';
import { DatabaseService } from '../database/database.service.js';
import { SnapshotLoader } from '../database/snapshot-loader.js';
import { RateLimitRuleEntity } from './entities/rate-limit-rule.entity.js';
import { RateLimitPolicy } from './policy/rate-limit-policy.js';

/**
 * Holds the compiled rate-limit policy the data plane reads: rebuilt from the rules (and the
 * consumers' names they may use) whenever the configuration version moves, here or on another
 * instance, and swapped whole (see SnapshotLoader).
 */
@Injectable()
export class RateLimitPolicyService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private policy: RateLimitPolicy;
  private version: number | undefined;
  private readonly loader: SnapshotLoader<RateLimitPolicy>;

  constructor(db: DatabaseService, versions: ConfigVersionService, private readonly config: GatewayConfig) {
    this.policy = new RateLimitPolicy([], config.rateLimitDefaults, []);
    this.loader = new SnapshotLoader('rate-limit policy', db, versions, {
      loadedVersion: () => this.version,
      read: (manager) => this.build(manager),
      compile: (policy) => policy,
      apply: (next, version) => {
        this.policy = next;
        this.version = version;
      },
    }, this.logger);
  }

  get current(): RateLimitPolicy {
    return this.policy;
  }

  onModuleInit(): Promise<void> {
    return this.loader.start();
  }

  onApplicationShutdown(): void {
    this.loader.stop();
  }

  private async build(manager: EntityManager): Promise<RateLimitPolicy> {
    const [rules, consumers] = await Promise.all([
      manager.find(RateLimitRuleEntity, { where: { enabled: true } }),
      manager.find(ConsumerEntity, { select: { id: true, username: true, customId: true } }),
    ]);
    return new RateLimitPolicy(
      rules.map((r) => ({ id: r.id, scope: r.scope, match: r.match, limit: r.limit, window_s: r.windowS, burst: r.burst, algorithm: r.algorithm, enabled: r.enabled })),
      this.config.rateLimitDefaults,
      consumers,
    );
  }
}
