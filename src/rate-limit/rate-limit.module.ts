import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RoutingModule } from '../routing/routing.module.js';
import { RateLimitRuleEntity } from './entities/rate-limit-rule.entity.js';
import { RateLimitPhase } from './rate-limit.phase.js';
import { RateLimitPolicyService } from './rate-limit-policy.service.js';
import { RateLimitRulesService } from './rate-limit-rules.service.js';
import { RateLimitStatusService } from './rate-limit-status.service.js';
import { rateLimitStoreProvider } from './rate-limit-store.provider.js';
import { RateLimitsController } from './rate-limits.controller.js';
import { RATE_LIMIT_STORE } from './store/rate-limit-store.js';

/** Rate limiting: rules and their admin API, the compiled policy, the counter store, the data plane's phase. */
@Module({
  imports: [TypeOrmModule.forFeature([RateLimitRuleEntity]), RoutingModule],
  controllers: [RateLimitsController],
  providers: [rateLimitStoreProvider, RateLimitPolicyService, RateLimitRulesService, RateLimitStatusService, RateLimitPhase],
  exports: [RateLimitPhase, RATE_LIMIT_STORE],
})
export class RateLimitModule {}
