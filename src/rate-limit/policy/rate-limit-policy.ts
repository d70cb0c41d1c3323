import { createHash } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';
import type { Identity } from '../../proxy/request-context.js';
import type { LimitCheck } from '../store/rate-limit-store.js';
import { compileLimit, type CompiledLimit, type LimitSettings, type RateLimitScope } from './limit-settings.js';
import { ANY, canonicalIp } from './rule-match.js';

/** A rule as the policy is built from it (the entity's fields). */
export interface RuleDefinition extends LimitSettings {
  id: string;
  scope: RateLimitScope;
  match: string;
  enabled: boolean;
}

/** The defaults from GLOBAL_RATE_LIMIT, IP_RATE_LIMIT and USER_RATE_LIMIT: `*` rules that a stored `*` rule replaces. */
export interface EnvironmentLimits {
  global?: LimitSettings;
  ip?: LimitSettings;
  consumer?: LimitSettings;
}

/** Consumers by id, username and custom_id, so that a rule may name a consumer any of those ways. */
export interface ConsumerNames {
  id: string;
  username: string;
  customId: string | null;
}

/** What a route brings to the policy: its identity and its own overrides. */
export interface RouteLimits {
  readonly id: string;
  readonly name: string;
  /** The route's `rate_limits`, by scope; null when it has none. */
  readonly rateLimits: Readonly<Partial<Record<RateLimitScope, CompiledLimit>>> | null;
}

/** Who is asking, as far as rate limiting cares. */
export interface Caller {
  readonly clientIp: string;
  readonly identity?: Identity;
  readonly apiKeyId?: string;
}

/** The counters one request is checked against, and the limit behind each (same order). */
export interface LimitPlan {
  readonly checks: LimitCheck[];
  readonly limits: CompiledLimit[];
}

class ScopeRules {
  readonly exact = new Map<string, CompiledLimit>();
  any: CompiledLimit | null = null;

  get isEmpty(): boolean {
    return this.any === null && this.exact.size === 0;
  }

  lookup(a: string | null | undefined, b?: string | null): CompiledLimit | null {
    if (this.exact.size !== 0) {
      const found = (a != null ? this.exact.get(a) : undefined) ?? (b != null ? this.exact.get(b) : undefined);
      if (found) return found;
    }
    return this.any;
  }
}

/** IP rules: an address's own rule first, then the narrowest CIDR holding it, then `*`. */
class IpRules extends ScopeRules {
  /** Longest prefix first. */
  readonly cidrs: Array<{ prefix: number; set: BlockList; limit: CompiledLimit }> = [];

  override get isEmpty(): boolean {
    return super.isEmpty && this.cidrs.length === 0;
  }

  forAddress(ip: string): CompiledLimit | null {
    const own = this.exact.size !== 0 ? this.exact.get(ip) : undefined;
    if (own) return own;
    if (this.cidrs.length !== 0) {
      const family = isIPv4(ip) ? 'ipv4' : 'ipv6';
      for (const cidr of this.cidrs) if (cidr.set.check(ip, family)) return cidr.limit;
    }
    return this.any;
  }
}

// Printable values that are safe and short enough to be part of a Redis key as they are.
const KEY_SAFE = /^[A-Za-z0-9._@+|=-]{1,64}$/;
const keyPart = (value: string) => (KEY_SAFE.test(value) ? value : `#${createHash('sha256').update(value).digest('base64url').slice(0, 22)}`);

/** The counter a caller's requests go to: its consumer when it has one, else the token's subject. */
export function callerKey(identity: Identity): string {
  return identity.consumerId !== null ? identity.consumerId : `sub:${keyPart(identity.subject)}`;
}

/**
 * The rate limits of one configuration version, compiled for lookups: per scope, the rule for a
 * value (most specific first: an exact value, a CIDR, then `*`), the environment defaults where no
 * stored `*` rule replaces them, and each route's own overrides. Immutable; swapped whole.
 */
export class RateLimitPolicy {
  private readonly global = new ScopeRules();
  private readonly ip = new IpRules();
  private readonly consumer = new ScopeRules();
  private readonly apiKey = new ScopeRules();
  private readonly route = new ScopeRules();
  /** Keyed `<route>\n<caller>` with `*` on either side. */
  private readonly routeConsumer = new ScopeRules();
  private readonly consumerIds = new Map<string, string>();
  /** Whether any gateway-wide limit exists; without one, only routes with overrides are checked. */
  readonly active: boolean;

  static empty(): RateLimitPolicy {
    return new RateLimitPolicy([], {}, []);
  }

  constructor(
    rules: readonly RuleDefinition[],
    environment: EnvironmentLimits,
    consumers: readonly ConsumerNames[],
  ) {
    for (const c of consumers) {
      this.consumerIds.set(c.id, c.id);
      this.consumerIds.set(c.username, c.id);
      if (c.customId !== null && !this.consumerIds.has(c.customId)) this.consumerIds.set(c.customId, c.id);
    }
    if (environment.global) this.global.any = compileLimit('global', 'env', null, ANY, environment.global);
    if (environment.ip) this.ip.any = compileLimit('ip', 'env', null, ANY, environment.ip);
    if (environment.consumer) this.consumer.any = compileLimit('consumer', 'env', null, ANY, environment.consumer);
    for (const rule of rules) if (rule.enabled) this.add(rule);
    this.ip.cidrs.sort((a, b) => b.prefix - a.prefix);
    this.active = !(this.global.isEmpty && this.ip.isEmpty && this.consumer.isEmpty && this.apiKey.isEmpty && this.route.isEmpty && this.routeConsumer.isEmpty);
  }

  private add(rule: RuleDefinition): void {
    const limit = compileLimit(rule.scope, 'rule', rule.id, rule.match, rule);
    const set = (rules: ScopeRules, key: string) => (key === ANY ? (rules.any = limit) : rules.exact.set(key, limit));
    switch (rule.scope) {
      case 'global':
        this.global.any = limit;
        return;
      case 'ip': {
        const slash = rule.match.indexOf('/');
        if (slash < 0) return void set(this.ip, rule.match);
        const set4or6 = new BlockList();
        const address = rule.match.slice(0, slash);
        set4or6.addSubnet(address, Number(rule.match.slice(slash + 1)), isIPv4(address) ? 'ipv4' : 'ipv6');
        this.ip.cidrs.push({ prefix: Number(rule.match.slice(slash + 1)), set: set4or6, limit });
        return;
      }
      case 'consumer':
        return void set(this.consumer, this.consumerIds.get(rule.match) ?? rule.match);
      case 'api_key':
        return void set(this.apiKey, rule.match);
      case 'route':
        return void set(this.route, rule.match);
      case 'route_consumer': {
        const colon = rule.match.indexOf(':');
        const caller = rule.match.slice(colon + 1);
        const key = `${rule.match.slice(0, colon)}\n${this.consumerIds.get(caller) ?? caller}`;
        return void (key === `${ANY}\n${ANY}` ? (this.routeConsumer.any = limit) : this.routeConsumer.exact.set(key, limit));
      }
    }
  }

  /** The counters a request is checked against; empty when no limit applies to it. */
  plan(route: RouteLimits, caller: Caller, only?: RateLimitScope): LimitPlan {
    const checks: LimitCheck[] = [];
    const limits: CompiledLimit[] = [];
    const overrides = route.rateLimits;
    const add = (limit: CompiledLimit | null | undefined, key: string) => {
      if (!limit || (only !== undefined && limit.scope !== only)) return;
      limits.push(limit);
      checks.push({ key: `${key}:${limit.counterTag}`, algorithm: limit.algorithm, limit: limit.limit, windowMs: limit.windowMs, burst: limit.burst });
    };
    const { identity, apiKeyId } = caller;
    const ip = caller.clientIp;

    add(this.global.any, 'g');
    if (overrides?.ip) add(overrides.ip, `o:${route.id}:ip:${ip}`);
    else add(this.ip.forAddress(ip), `ip:${ip}`);
    const who = identity ? callerKey(identity) : undefined;
    if (identity && who) {
      if (overrides?.consumer) add(overrides.consumer, `o:${route.id}:c:${who}`);
      else add(this.consumer.lookup(identity.consumerId, identity.subject), `c:${who}`);
    }
    if (apiKeyId !== undefined) {
      if (overrides?.api_key) add(overrides.api_key, `o:${route.id}:k:${apiKeyId}`);
      else add(this.apiKey.lookup(apiKeyId), `k:${apiKeyId}`);
    }
    add(overrides?.route ?? this.route.lookup(route.id, route.name), `r:${route.id}`);
    if (identity && who) add(overrides?.route_consumer ?? this.routeConsumerFor(route, identity), `rc:${route.id}:${who}`);
    return { checks, limits };
  }

  private routeConsumerFor(route: RouteLimits, identity: Identity): CompiledLimit | null {
    const rules = this.routeConsumer;
    if (rules.exact.size === 0) return rules.any;
    const callers = [identity.consumerId, identity.subject, ANY];
    for (const r of [route.id, route.name, ANY]) {
      for (const c of callers) {
        if (c === null) continue;
        const found = rules.exact.get(`${r}\n${c}`);
        if (found) return found;
      }
    }
    return rules.any;
  }

  /**
   * The counter and rule for one concrete value of a scope, as the status endpoint asks: an IP, a
   * consumer (id, username, custom_id or subject), an API key id, a route, or `<route>:<consumer>`.
   * `routeOf` resolves a route name or id; null when no limit applies.
   */
  describe(scope: RateLimitScope, value: string, routeOf: (ref: string) => RouteLimits | undefined): { check: LimitCheck; limit: CompiledLimit } | null {
    const consumerId = this.consumerIds.get(value) ?? null;
    const identity = (ref: string): Identity => {
      const id = this.consumerIds.get(ref) ?? null;
      return { method: 'jwt', consumerId: id, subject: ref, scopes: new Set(), headers: { userId: ref, scopes: '' } };
    };
    let plan: LimitPlan;
    const noRoute: RouteLimits = { id: '-', name: '-', rateLimits: null };
    switch (scope) {
      case 'global':
      case 'ip':
        plan = this.plan(noRoute, { clientIp: scope === 'ip' ? canonicalIp(value) : '0.0.0.0', identity: undefined, apiKeyId: undefined }, scope);
        break;
      case 'consumer':
        plan = this.plan(noRoute, { clientIp: '0.0.0.0', identity: identity(consumerId ?? value), apiKeyId: undefined }, scope);
        break;
      case 'api_key':
        plan = this.plan(noRoute, { clientIp: '0.0.0.0', identity: undefined, apiKeyId: value.toLowerCase() }, scope);
        break;
      case 'route':
      case 'route_consumer': {
        const colon = value.indexOf(':');
        const route = routeOf(scope === 'route' || colon < 0 ? value : value.slice(0, colon));
        if (!route) return null;
        const caller = scope === 'route_consumer' && colon >= 0 ? identity(value.slice(colon + 1)) : undefined;
        if (scope === 'route_consumer' && !caller) return null;
        plan = this.plan(route, { clientIp: '0.0.0.0', identity: caller, apiKeyId: undefined }, scope);
        break;
      }
    }
    return plan.checks.length === 0 ? null : { check: plan.checks[0], limit: plan.limits[0] };
  }
}
