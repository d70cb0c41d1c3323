import { Inject, Injectable } from '@nestjs/common';
import { isIP } from 'node:net';
import { invalidRequest, notFound } from '../common/gateway-error.js';
import { isUuid } from '../common/validators.js';
import { RouteTableService } from '../routing/table/route-table.service.js';
import type { RateLimitStatusView } from './dto/rate-limit-rule.dto.js';
import { RATE_LIMIT_SCOPES, type RateLimitScope } from './policy/limit-settings.js';
import { RateLimitPolicyService } from './rate-limit-policy.service.js';
import { RATE_LIMIT_STORE, type RateLimitStore } from './store/rate-limit-store.js';

/** GET /admin/rate-limits/{scope}/{value}/status: which limit holds a value, and how much of it is left (read, not taken). */
@Injectable()
export class RateLimitStatusService {
  constructor(
    private readonly policies: RateLimitPolicyService,
    private readonly routes: RouteTableService,
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
  ) {}

  async status(scope: string, value: string): Promise<RateLimitStatusView> {
    if (!(RATE_LIMIT_SCOPES as readonly string[]).includes(scope)) {
      throw invalidRequest('invalid field: scope', [{ field: 'scope', message: `scope must be one of ${RATE_LIMIT_SCOPES.join(', ')}` }]);
    }
    if (scope === 'ip' && isIP(value) === 0) throw invalidRequest('invalid field: value', [{ field: 'value', message: `value must be an IP address for the ip scope (got "${value}")` }]);
    const routeOf = (ref: string) => this.routes.current.routes.find((r) => (isUuid(ref) ? r.id === ref.toLowerCase() : r.name === ref));
    const found = this.policies.current.describe(scope as RateLimitScope, value, routeOf);
    if (!found) throw notFound(`no rate limit applies to ${scope} "${value}"`);
    const decision = await this.store.peek([found.check]);
    const state = decision.states[0];
    const { limit } = found;
    return {
      scope: scope as RateLimitScope,
      value,
      source: { kind: limit.source, rule_id: limit.ruleId, match: limit.match },
      algorithm: limit.algorithm,
      limit: limit.limit,
      window_s: limit.windowMs / 1000,
      burst: limit.algorithm === 'token_bucket' ? limit.burst : null,
      remaining: state.remaining,
      reset_seconds: Math.round(state.resetMs) / 1000,
      store: decision.store,
    };
  }
}
