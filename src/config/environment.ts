import { plainToInstance, Transform } from 'class-transformer';
import { createPublicKey } from 'node:crypto';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidateBy,
  type ValidationError,
} from 'class-validator';
import { originPatternProblem } from '../edge/cors-policy.js';
import { splitList } from '../common/list.js';
import { cidrProblem, parseCidr } from './cidr.js';
import { NotTogetherWith, Satisfies } from '../common/validators.js';
import { parseLimitExpression } from '../rate-limit/policy/limit-expression.js';

const limitExpressionProblem = (value: unknown) => {
  if (typeof value !== 'string') return 'must be N/window such as 100/1s';
  const parsed = parseLimitExpression(value);
  return typeof parsed === 'string' ? parsed : undefined;
};

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

const cidrListProblem = (value: unknown) => {
  if (typeof value !== 'string') return 'must be a comma-separated list of CIDRs';
  const bad = splitList(value).filter((entry) => !parseCidr(entry));
  return bad.length ? `holds entries that are not an IP address or CIDR: ${bad.join(', ')}` : undefined;
};

const originListProblem = (value: unknown) => {
  if (typeof value !== 'string') return 'must be a comma-separated list of origins';
  const bad = splitList(value).filter((entry) => originPatternProblem(entry) !== undefined);
  return bad.length ? `holds entries that are not origins such as https://app.example.com, https://*.example.com or *: ${bad.join(', ')}` : undefined;
};

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?(\d+\.?\d*|\.\d+)$/.test(value.trim()) ? Number(value) : value;

/** A PEM given in one line of an env file carries its newlines as `\n`. */
export const unescapePem = (pem: string) => pem.replaceAll('\\n', '\n').trim();

/** Why a value is not a PEM public key (or certificate) of a type JWTs are signed with, if it is not. */
function publicKeyProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a PEM public key';
  try {
    const type = createPublicKey(unescapePem(value)).asymmetricKeyType;
    return type === 'rsa' || type === 'rsa-pss' || type === 'ec' || type === 'ed25519' ? undefined : `is a ${type} key; JWTs are verified with RSA, EC or Ed25519 keys`;
  } catch {
    return 'must be a PEM public key ("-----BEGIN PUBLIC KEY-----"); newlines may be written as \\n';
  }
}

// An HTTP header name (RFC 9110 token) the gateway may claim for API keys: not one it rewrites or owns.
const RESERVED_KEY_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'host', 'connection', 'x-consumer-id', 'x-user-id', 'x-scopes', 'x-request-id', 'x-forwarded-for']);
function apiKeyHeaderProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/.test(value)) return 'must be an HTTP header name such as X-API-Key';
  return RESERVED_KEY_HEADERS.has(value.toLowerCase()) ? 'names a header the gateway uses for something else' : undefined;
}

/**
 * Every environment variable the gateway reads. The names are the variables' own names so that
 * an error message can point at exactly what to fix.
 */
export class EnvironmentVariables {
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT: number = 8080;

  @IsOptional() @IsString() @MinLength(1)
  HOST: string = '0.0.0.0';

  @IsOptional() @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsOptional() @IsString() @MinLength(1)
  DATA_DIR: string = './data';

  @IsOptional() @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsOptional() @IsString() @MinLength(16, { message: 'ADMIN_API_KEY must be at least 16 characters long' })
  ADMIN_API_KEY?: string;

  @IsOptional() @IsIn(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
  LOG_LEVEL: string = 'info';

  @IsOptional() @IsIn(['json', 'pretty'])
  LOG_FORMAT: string = 'json';

  @IsOptional()
  @Matches(/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*(\s*,\s*\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)*$/, {
    message: 'PROXY_PREFIXES must be a comma-separated list of paths such as /api/v1,/api/v2 (no trailing slash)',
  })
  PROXY_PREFIXES: string = '/api/v1';

  @IsOptional() @IsString() @MinLength(1)
  GATEWAY_CONFIG?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(600_000)
  SHUTDOWN_GRACE_MS: number = 10_000;

  /** Cap on sockets per upstream origin; undici queues beyond it. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(10_000)
  UPSTREAM_MAX_CONNECTIONS: number = 256;

  /** Seconds a registration whose TTL lapsed stays (out of rotation) before it is deleted. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(604_800)
  DISCOVERY_GRACE_PERIOD_S: number = 60;
  /** Keys the hashes of API keys and client secrets, and (without JWT_SECRET) signs the gateway's tokens. */
  @IsOptional() @IsString() @MinLength(32, { message: 'AUTH_SECRET must be at least 32 characters long' })
  AUTH_SECRET?: string;

  /** HS256/384/512 key: verifies HMAC-signed JWTs and signs the tokens of /api/v1/auth/token. */
  @IsOptional() @IsString() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters long (256 bits for HS256)' })
  JWT_SECRET?: string;

  @IsOptional() @Satisfies('isPublicKeyPem', publicKeyProblem) @NotTogetherWith('JWT_JWKS_URL')
  JWT_PUBLIC_KEY?: string;

  @IsOptional() @Matches(/^https?:\/\/\S+$/, { message: 'JWT_JWKS_URL must be an http:// or https:// URL' })
  JWT_JWKS_URL?: string;

  /** Accepted `iss` values, comma-separated; the first is what the gateway's own tokens carry. */
  @IsOptional() @IsString() @MinLength(1)
  JWT_ISSUER?: string;

  /** Accepted `aud` values, comma-separated; the first is what the gateway's own tokens carry. */
  @IsOptional() @IsString() @MinLength(1)
  JWT_AUDIENCE?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(300)
  JWT_CLOCK_SKEW_SECONDS: number = 30;

  @IsOptional() @Transform(toInt) @IsInt() @Min(512) @Max(16_384)
  JWT_MAX_TOKEN_BYTES: number = 8192;

  /** Least time between two JWKS fetches, failed ones included: what an unknown `kid` can cost the key server. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(3_600_000)
  JWT_JWKS_COOLDOWN_MS: number = 30_000;

  /** Lifetime of the tokens /api/v1/auth/token issues. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(60) @Max(86_400)
  AUTH_TOKEN_TTL_SECONDS: number = 3600;

  @IsOptional() @Satisfies('isApiKeyHeader', apiKeyHeaderProblem)
  API_KEY_HEADER: string = 'X-API-Key';

  /** Prefix for every Redis key, so that several gateways (or test runs) can share one Redis. */
  @IsOptional() @Matches(/^[A-Za-z0-9:_-]{0,64}$/, { message: 'REDIS_KEY_PREFIX may hold letters, digits, ":", "_" and "-" (64 at most)' })
  REDIS_KEY_PREFIX: string = 'gw:';

  /** Largest request body in bytes, checked from Content-Length before reading and counted while streaming. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(10 * 1024 ** 3)
  MAX_REQUEST_SIZE: number = 10 * 1024 * 1024;

  /** Longest request target (path and query) in bytes; longer gets 414. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(64) @Max(1024 * 1024)
  MAX_URL_LENGTH: number = 8192;

  /** Node's `maxHeaderSize`: the request line and headers together, in bytes; more gets 431. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) @Max(1024 * 1024)
  MAX_HEADER_SIZE: number = 16 * 1024;

  /** Most request headers (fields) one request may carry; more gets 431. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(8) @Max(10_000)
  MAX_HEADER_COUNT: number = 100;

  /** Comma-separated CIDRs (or addresses) whose X-Forwarded-For and Forwarded headers are believed. */
  @IsOptional() @Satisfies('cidrList', cidrListProblem)
  TRUSTED_PROXIES: string = '';

  /** Strict-Transport-Security max-age in seconds on every response; 0 sends none. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(2 * 365 * 24 * 3600)
  HSTS_MAX_AGE: number = 0;

  /** Origins every route without its own `cors` allows: `https://app.example.com`, `https://*.example.com`, `*`. Empty: CORS off by default. */
  @IsOptional() @Satisfies('originList', originListProblem)
  CORS_ORIGINS: string = '';

  @IsOptional() @Transform(toBool) @IsBoolean()
  CORS_CREDENTIALS: boolean = false;

  /** Seconds a browser may cache a preflight answer. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(86_400)
  CORS_MAX_AGE: number = 600;
  /** Bound on the in-process response cache used when REDIS_URL is not set. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(4_294_967_296)
  CACHE_MEMORY_MAX_BYTES: number = 67_108_864;

  /** When set, the admin API, discovery and /docs listen here instead of on PORT. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  ADMIN_PORT?: number;

  /** Comma-separated CIDRs allowed to reach the admin API (its own listener with ADMIN_PORT, else the shared port); default: anyone. */
  @IsOptional() @IsString()
  @ValidateBy({
    name: 'isCidrList',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && value.split(',').every((c) => cidrProblem(c.trim()) === undefined),
      defaultMessage: (args) =>
        `ADMIN_ALLOWED_CIDRS must be a comma-separated list of CIDRs such as 10.0.0.0/8,127.0.0.1/32: ${String(args?.value).split(',').map((c) => cidrProblem(c.trim())).find(Boolean) ?? ''}`,
    },
  })
  ADMIN_ALLOWED_CIDRS?: string;
  /** OTLP/HTTP collector base URL (`/v1/traces` is appended); unset: no spans are recorded or exported. */
  @IsOptional() @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL such as http://otel-collector:4318' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** `service.name` of the exported spans. */
  @IsOptional() @Matches(/^[A-Za-z0-9._-]{1,128}$/, { message: 'OTEL_SERVICE_NAME may hold letters, digits, ".", "_" and "-" (128 at most)' })
  OTEL_SERVICE_NAME: string = 'api-gateway';

  /** Share of new traces sampled (0 to 1); a sampled or unsampled incoming traceparent is followed. */
  @IsOptional() @Transform(toNumber) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  OTEL_TRACES_SAMPLER_ARG: number = 1;

  /** Every proxied request together, across all instances sharing REDIS_URL: `N/window` such as 1000/1s. Unset: no global limit. */
  @IsOptional() @Satisfies('isLimitExpression', limitExpressionProblem)
  GLOBAL_RATE_LIMIT?: string;

  /** Each client IP's requests (failed authentications included), unless a rule says otherwise: `N/window`. */
  @IsOptional() @Satisfies('isLimitExpression', limitExpressionProblem)
  IP_RATE_LIMIT?: string;

  /** Each authenticated caller's requests (consumer or token subject), unless a rule says otherwise: `N/window`. */
  @IsOptional() @Satisfies('isLimitExpression', limitExpressionProblem)
  USER_RATE_LIMIT?: string;

  /** With Redis away: `open` counts on each instance alone (limits per instance), `closed` refuses with 503. */
  @IsOptional() @IsIn(['open', 'closed'])
  RATE_LIMIT_FAIL_MODE: 'open' | 'closed' = 'open';

  /** Each client IP's calls to the token and revocation endpoints (they take client secrets): `N/window`. */
  @IsOptional() @Satisfies('isLimitExpression', limitExpressionProblem)
  AUTH_ENDPOINT_RATE_LIMIT: string = '60/1m';

  /** Longest wait for Redis on a rate-limit decision; past it the decision is made as during an outage (RATE_LIMIT_FAIL_MODE). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(10) @Max(10_000)
  RATE_LIMIT_REDIS_TIMEOUT_MS: number = 250;

  /** How often the database and Redis are pinged for the reachability metrics. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(500) @Max(600_000)
  DEPENDENCY_CHECK_INTERVAL_MS: number = 10_000;
}

/** Variables whose values must never be printed, not even when they are rejected. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set(['ADMIN_API_KEY', 'AUTH_SECRET', 'JWT_SECRET']);
/** Variables that are URLs and may carry a password. */
const URL_VARIABLES = new Set(['DATABASE_URL', 'REDIS_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'JWT_JWKS_URL']);

/** How a rejected value is quoted in the error message: secrets by length only, URL passwords masked. */
function quoted(property: string, value: unknown): string {
  const text = String(value);
  if (SECRET_VARIABLES.has(property)) return `(got ${text.length} characters)`;
  if (URL_VARIABLES.has(property)) return `(got "${text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/i, '$1:***@')}")`;
  return `(got "${text}")`;
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? `${message} ${quoted(error.property, error.value)}` : `${error.property}: ${message} ${quoted(error.property, error.value)}`,
    ),
  );
}

/** Reads and validates the environment once at boot; throws with every bad variable listed. */
export function validateEnvironment(env: NodeJS.ProcessEnv): EnvironmentVariables {
  // An empty variable means "not set", as in most shells' `VAR= cmd` usage.
  const raw = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { whitelist: true, forbidUnknownValues: true, stopAtFirstError: true });
  if (errors.length > 0) throw new ConfigurationError(describe(errors));
  return parsed;
}
