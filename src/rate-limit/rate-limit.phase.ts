import { Inject, Injectable } from '@nestjs/common';
import { GatewayError } from '../common/gateway-error.js';
import { GatewayEvents } from '../common/gateway-events.js';
import type { RequestContext, RequestPhase } from '../proxy/request-context.js';
import type { LimitPlan } from './policy/rate-limit-policy.js';
import { RateLimitPolicyService } from './rate-limit-policy.service.js';
import { RATE_LIMIT_STORE, RateLimitStoreUnavailable, type LimitDecision, type RateLimitStore } from './store/rate-limit-store.js';

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/**
 * The data plane's rate-limit step, after auth (identity-based scopes need the caller) and before
 * the cache (a cached answer is still a request). Every scope that applies is checked in one store
 * call, atomically: a refused request takes nothing from any counter. The tightest counter is
 * reported in RateLimit-* headers; a refusal is 429 naming the scope that refused.
 */
@Injectable()
export class RateLimitPhase implements RequestPhase {
  readonly name = 'rate_limit';

  constructor(
    private readonly policies: RateLimitPolicyService,
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    private readonly events: GatewayEvents,
  ) {}

  appliesTo(context: RequestContext): boolean {
    return this.policies.current.active || context.match!.route.rateLimits !== null;
  }

  async run(context: RequestContext): Promise<void> {
    const plan = this.policies.current.plan(context.match!.route, context);
    if (plan.checks.length !== 0) this.apply(context, plan, await this.decide(plan));
  }

  /** A refused credential costs the client's IP one request, so guessing keys runs into the IP limit (429 instead of 401). */
  async onEarlierRefusal(context: RequestContext): Promise<void> {
    if (context.authFailure === undefined || !context.match) return;
    const plan = this.policies.current.plan(context.match.route, context, 'ip');
    if (plan.checks.length !== 0) this.apply(context, plan, await this.decide(plan));
  }

  private async decide(plan: LimitPlan): Promise<LimitDecision> {
    try {
      return await this.store.consume(plan.checks);
    } catch (error) {
      if (error instanceof RateLimitStoreUnavailable) {
        throw new GatewayError('SERVICE_UNAVAILABLE', 'rate limits cannot be checked while the rate-limit store is unreachable (RATE_LIMIT_FAIL_MODE=closed)', { retryAfterSeconds: 1 });
      }
      throw error;
    }
  }

  private apply(context: RequestContext, plan: LimitPlan, decision: LimitDecision): void {
    // The counter to report: the one that refused, else the one closest to refusing.
    let shown = decision.refusedIndex;
    if (shown < 0) {
      shown = 0;
      for (let i = 1; i < decision.states.length; i++) {
        const state = decision.states[i];
        const best = decision.states[shown];
        if (state.remaining < best.remaining || (state.remaining === best.remaining && state.resetMs > best.resetMs)) shown = i;
      }
    }
    const limit = plan.limits[shown];
    const state = decision.states[shown];
    context.phaseHeaders = {
      'ratelimit-limit': String(limit.limit),
      'ratelimit-remaining': String(state.remaining),
      'ratelimit-reset': String(seconds(state.resetMs)),
      'ratelimit-policy': limit.policyHeader,
    };
    if (decision.allowed) return;
    const route = context.match!.route.name;
    this.events.emit('rate_limit.refused', { scope: limit.scope, route });
    const retryAfter = Math.max(1, seconds(state.retryAfterMs));
    throw new GatewayError('RATE_LIMIT', `too many requests: the ${limit.scope} limit of ${limit.limit} per ${limit.windowMs / 1000}s is used up`, {
      retryAfterSeconds: retryAfter,
      extensions: { scope: limit.scope, limit: limit.limit, window_s: limit.windowMs / 1000 },
    });
  }
}
