import type { BlockList } from 'node:net';
import path from 'node:path';
import { splitList } from '../common/list.js';
import type { CorsSettings } from '../edge/cors-policy.js';
import { TrustedProxies } from '../edge/trusted-proxies.js';
import { cidrSet } from './cidr.js';
import { type EnvironmentVariables, unescapePem } from './environment.js';
import { parseLimitExpression } from '../rate-limit/policy/limit-expression.js';
import type { LimitSettings } from '../rate-limit/policy/limit-settings.js';

const limitOf = (value: string | undefined): LimitSettings | undefined => {
  if (value === undefined) return undefined;
  const parsed = parseLimitExpression(value);
  return typeof parsed === 'string' ? undefined : parsed;
};

export type LogFormat = 'json' | 'pretty';

const commaList = (value: string | undefined): string[] => [...new Set(splitList(value ?? ''))];

/** The validated settings, in the shape the rest of the gateway uses them. */
export class GatewayConfig {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly adminApiKey: string | undefined;
  readonly logLevel: string;
  readonly logFormat: LogFormat;
  /** Sorted longest first so that `/api/v1/internal` wins over `/api/v1`. */
  readonly proxyPrefixes: readonly string[];
  readonly declarativeConfigPath: string | undefined;
  readonly shutdownGraceMs: number;
  readonly upstreamMaxConnections: number;
  readonly maxRequestSize: number;
  readonly maxUrlLength: number;
  readonly maxHeaderSize: number;
  readonly maxHeaderCount: number;
  readonly trustedProxies: TrustedProxies;
  readonly hstsMaxAge: number;
  /** What routes without their own `cors` use; undefined when CORS_ORIGINS is empty. */
  readonly defaultCors: CorsSettings | undefined;
  readonly cacheMemoryMaxBytes: number;
  /** When set, the control plane (admin API, discovery, /docs) listens here and not on `port`. */
  readonly adminPort: number | undefined;
  /** Who may reach the admin listener; undefined lets anyone who can connect. */
  readonly adminAllowedCidrs: BlockList | undefined;
  /** The validated variables themselves (GET /admin/configuration shows them, secrets redacted). */
  readonly environment: Readonly<EnvironmentVariables>;
  /** OTLP/HTTP collector base URL; tracing is off when undefined. */
  readonly otlpEndpoint: string | undefined;
  readonly otelServiceName: string;
  readonly traceSampleRatio: number;
  readonly dependencyCheckIntervalMs: number;
  readonly discoveryGracePeriodS: number;
  readonly authSecret: string | undefined;
  readonly jwtSecret: string | undefined;
  /** PEM, newlines restored. */
  readonly jwtPublicKey: string | undefined;
  readonly jwtJwksUrl: string | undefined;
  /** Empty: `iss` is not checked. The first is what the gateway's own tokens carry. */
  readonly jwtIssuers: readonly string[];
  /** Empty: `aud` is not checked. The first is what the gateway's own tokens carry. */
  readonly jwtAudiences: readonly string[];
  readonly jwtClockSkewSeconds: number;
  readonly jwtMaxTokenBytes: number;
  readonly jwtJwksCooldownMs: number;
  readonly authTokenTtlSeconds: number;
  /** As configured, for messages and documentation (`X-API-Key`). */
  readonly apiKeyHeaderName: string;
  /** Lower-cased, as node:http names incoming headers. */
  readonly apiKeyHeader: string;
  /** GLOBAL_RATE_LIMIT, IP_RATE_LIMIT, USER_RATE_LIMIT: `*` rules that stored rules of the same scope replace. */
  readonly rateLimitDefaults: { readonly global?: LimitSettings; readonly ip?: LimitSettings; readonly consumer?: LimitSettings };
  readonly rateLimitFailMode: 'open' | 'closed';
  readonly rateLimitRedisTimeoutMs: number;
  /** AUTH_ENDPOINT_RATE_LIMIT: @nestjs/throttler's limit on the token and revocation endpoints, per client IP. */
  readonly authEndpointRateLimit: LimitSettings;

  constructor(env: EnvironmentVariables) {
    this.port = env.PORT;
    this.host = env.HOST;
    this.databaseUrl = env.DATABASE_URL;
    this.dataDir = path.resolve(env.DATA_DIR);
    this.redisUrl = env.REDIS_URL;
    this.redisKeyPrefix = env.REDIS_KEY_PREFIX;
    this.adminApiKey = env.ADMIN_API_KEY;
    this.logLevel = env.LOG_LEVEL;
    this.logFormat = env.LOG_FORMAT as LogFormat;
    this.proxyPrefixes = [...new Set(env.PROXY_PREFIXES.split(',').map((p) => p.trim()))].sort((a, b) => b.length - a.length);
    this.declarativeConfigPath = env.GATEWAY_CONFIG ? path.resolve(env.GATEWAY_CONFIG) : undefined;
    this.shutdownGraceMs = env.SHUTDOWN_GRACE_MS;
    this.upstreamMaxConnections = env.UPSTREAM_MAX_CONNECTIONS;
    this.maxRequestSize = env.MAX_REQUEST_SIZE;
    this.maxUrlLength = env.MAX_URL_LENGTH;
    this.maxHeaderSize = env.MAX_HEADER_SIZE;
    this.maxHeaderCount = env.MAX_HEADER_COUNT;
    this.trustedProxies = new TrustedProxies(env.TRUSTED_PROXIES);
    this.hstsMaxAge = env.HSTS_MAX_AGE;
    const origins = splitList(env.CORS_ORIGINS);
    this.defaultCors = origins.length ? { origins, credentials: env.CORS_CREDENTIALS, max_age: env.CORS_MAX_AGE } : undefined;
    this.cacheMemoryMaxBytes = env.CACHE_MEMORY_MAX_BYTES;
    this.environment = env;
    this.adminPort = env.ADMIN_PORT;
    this.adminAllowedCidrs = env.ADMIN_ALLOWED_CIDRS ? cidrSet(env.ADMIN_ALLOWED_CIDRS) : undefined;
    this.otlpEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
    this.otelServiceName = env.OTEL_SERVICE_NAME;
    this.traceSampleRatio = env.OTEL_TRACES_SAMPLER_ARG;
    this.dependencyCheckIntervalMs = env.DEPENDENCY_CHECK_INTERVAL_MS;
    this.discoveryGracePeriodS = env.DISCOVERY_GRACE_PERIOD_S;
    this.authSecret = env.AUTH_SECRET;
    this.jwtSecret = env.JWT_SECRET;
    this.jwtPublicKey = env.JWT_PUBLIC_KEY ? unescapePem(env.JWT_PUBLIC_KEY) : undefined;
    this.jwtJwksUrl = env.JWT_JWKS_URL;
    this.jwtIssuers = commaList(env.JWT_ISSUER);
    this.jwtAudiences = commaList(env.JWT_AUDIENCE);
    this.jwtClockSkewSeconds = env.JWT_CLOCK_SKEW_SECONDS;
    this.jwtMaxTokenBytes = env.JWT_MAX_TOKEN_BYTES;
    this.jwtJwksCooldownMs = env.JWT_JWKS_COOLDOWN_MS;
    this.authTokenTtlSeconds = env.AUTH_TOKEN_TTL_SECONDS;
    this.apiKeyHeaderName = env.API_KEY_HEADER;
    this.apiKeyHeader = env.API_KEY_HEADER.toLowerCase();
    this.rateLimitDefaults = { global: limitOf(env.GLOBAL_RATE_LIMIT), ip: limitOf(env.IP_RATE_LIMIT), consumer: limitOf(env.USER_RATE_LIMIT) };
    this.rateLimitFailMode = env.RATE_LIMIT_FAIL_MODE;
    this.rateLimitRedisTimeoutMs = env.RATE_LIMIT_REDIS_TIMEOUT_MS;
    this.authEndpointRateLimit = limitOf(env.AUTH_ENDPOINT_RATE_LIMIT)!;
  }

  /** The proxied prefix a path falls under, if any (`/api/v1` covers `/api/v1` and `/api/v1/...`). */
  proxyPrefixOf(pathname: string): string | undefined {
    for (const prefix of this.proxyPrefixes) {
      if (pathname.startsWith(prefix) && (pathname.length === prefix.length || pathname.charCodeAt(prefix.length) === 47 /* / */)) {
        return prefix;
      }
    }
    return undefined;
  }
}
