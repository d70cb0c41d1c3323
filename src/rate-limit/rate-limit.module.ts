import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GatewayConfig } from '../config/gateway-config.js';
import { RoutingModule } from '../routing/routing.module.js';
import { AUTH_ENDPOINT_THROTTLER } from './control-plane-throttler.guard.js';
import { RateLimitRuleEntity } from './entities/rate-limit-rule.entity.js';
import { RateLimitPhase } from './rate-limit.phase.js';
import { RateLimitPolicyService } from './rate-limit-policy.service.js';
import { RateLimitRulesService } from './rate-limit-rules.service.js';
import { RateLimitStatusService } from './rate-limit-status.service.js';
import { RateLimitStoreModule } from './rate-limit-store.module.js';
import { RateLimitsController } from './rate-limits.controller.js';
import { RATE_LIMIT_STORE, type RateLimitStore } from './store/rate-limit-store.js';
import { ThrottlerStorageAdapter } from './store/throttler-storage.adapter.js';

/**
 * Rate limiting: rules and their admin API, the compiled policy, the data plane's phase, and
 * @nestjs/throttler for the control plane's public endpoints, all counting in one store.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([RateLimitRuleEntity]),
    RoutingModule,
    RateLimitStoreModule,
    // Global: ControlPlaneThrottlerGuard may guard a controller in any module.
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStoreModule],
      inject: [GatewayConfig, RATE_LIMIT_STORE],
      useFactory: (config: GatewayConfig, store: RateLimitStore) => ({
        throttlers: [{ name: AUTH_ENDPOINT_THROTTLER, limit: config.authEndpointRateLimit.limit, ttl: Math.round(config.authEndpointRateLimit.window_s * 1000) }],
        storage: new ThrottlerStorageAdapter(store),
        setHeaders: false,
      }),
    }),
  ],
  controllers: [RateLimitsController],
  providers: [RateLimitPolicyService, RateLimitRulesService, RateLimitStatusService, RateLimitPhase],
  exports: [RateLimitPhase, RateLimitStoreModule],
})
export class RateLimitModule {}
