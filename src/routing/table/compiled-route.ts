import type { CompiledCors } from '../../edge/cors-policy.js';

/** The route table's view of the configuration: plain data, built once per configuration version. */
import type { CompiledCachePolicy } from '../../cache/compiled-cache-policy.js';
import type { CompiledLimit, RateLimitScope } from '../../rate-limit/policy/limit-settings.js';
import type { HashOn, LoadBalancing, TargetSource } from '../entities/resilience-settings.js';

/** An active health check of one target, resolved from its service and its registration. */
export interface ActiveCheck {
  /** Path (and query) asked of the target's origin. */
  readonly path: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

export interface PassiveCheck {
  readonly unhealthyThreshold: number;
  readonly cooldownMs: number;
}

export interface CircuitBreakerConfig {
  readonly failureThreshold: number;
  readonly failureWindowMs: number;
  readonly minThroughput: number;
  readonly recoveryTimeoutMs: number;
  readonly halfOpenMaxRequests: number;
}

export interface UpstreamTarget {
  readonly id: string;
  /** `http://10.0.0.5:8080`: the key of the connection pool. */
  readonly origin: string;
  /** The target URL's path without a trailing slash (`''` for the root). */
  readonly basePath: string;
  /** What the Host header says upstream unless the route preserves the client's. */
  readonly hostHeader: string;
  readonly weight: number;
}

/** A target as the resilience pieces see it: where it came from and how it is checked. */
export interface ServiceTarget extends UpstreamTarget {
  readonly url: string;
  readonly source: TargetSource;
  readonly check: ActiveCheck | null;
  /** Whether liveness also depends on heartbeats (a registration with a TTL). */
  readonly hasTtl: boolean;
}

export interface CompiledService {
  readonly id: string;
  readonly name: string;
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly retries: number;
  /** Bodies with a Content-Length up to this are read whole first, so that a retry can resend them. */
  readonly retryBufferBytes: number;
  readonly loadBalancing: LoadBalancing;
  readonly hashOn: HashOn;
  /** Lower-case header name, for `hashOn: 'header'`. */
  readonly hashOnHeader: string | null;
  readonly passiveCheck: PassiveCheck | null;
  readonly circuitBreaker: CircuitBreakerConfig | null;
  readonly maxConcurrentRequests: number | null;
  /** In rotation (weight > 0), in creation order. */
  readonly targets: readonly ServiceTarget[];
}

/** A route's authentication policy, ready for the auth phase. */
export interface CompiledAuthPolicy {
  /** Without a credential the request is refused; with a bad one it is refused either way. */
  readonly required: boolean;
  readonly jwt: boolean;
  readonly apiKey: boolean;
  /** Empty: any authenticated caller. */
  readonly scopes: readonly string[];
  /** `all` of the scopes, else `any` one of them. */
  readonly matchAll: boolean;
  /** Send the client's Authorization header upstream (never the gateway API key). */
  readonly forwardAuthorization: boolean;
}

export interface CompiledRoute {
  readonly id: string;
  readonly name: string;
  readonly service: CompiledService;
  readonly stripPrefix: boolean;
  readonly preserveHost: boolean;
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly retries: number;
  readonly retryNonIdempotent: boolean;
  readonly priority: number;
  /** undefined: CORS off (neither the route nor CORS_ORIGINS turned it on). */
  readonly cors: CompiledCors | undefined;
  /** Added to each proxied response where the upstream did not set them; empty when `security_headers` is off. */
  readonly responseHeaders: ReadonlyArray<readonly [string, string]>;
  readonly websocket: boolean;
  /** The version the route matches on (X-API-Version / Accept-Version), or null for any. */
  readonly apiVersion: string | null;
  readonly auth: CompiledAuthPolicy;
  /** Response caching; null (the usual case) costs the data plane one comparison. */
  readonly cache: CompiledCachePolicy | null;
  /** The route's own rate limits by scope; null (the usual case) when it has none. */
  readonly rateLimits: Readonly<Partial<Record<RateLimitScope, CompiledLimit>>> | null;
}

export interface RouteMatch {
  readonly route: CompiledRoute;
  /** The literal part of the matched path pattern: what `strip_prefix` removes from the request path. */
  readonly literalPrefix: string;
  readonly params: Readonly<Record<string, string | undefined>>;
}
