import { plainToInstance, Transform } from 'class-transformer';
import {
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
  type ValidationError,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?(\d+\.?\d*|\.\d+)$/.test(value.trim()) ? Number(value) : value;

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

  /** Prefix for every Redis key, so that several gateways (or test runs) can share one Redis. */
  @IsOptional() @Matches(/^[A-Za-z0-9:_-]{0,64}$/, { message: 'REDIS_KEY_PREFIX may hold letters, digits, ":", "_" and "-" (64 at most)' })
  REDIS_KEY_PREFIX: string = 'gw:';

  /** OTLP/HTTP collector base URL (`/v1/traces` is appended); unset: no spans are recorded or exported. */
  @IsOptional() @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL such as http://otel-collector:4318' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** `service.name` of the exported spans. */
  @IsOptional() @Matches(/^[A-Za-z0-9._-]{1,128}$/, { message: 'OTEL_SERVICE_NAME may hold letters, digits, ".", "_" and "-" (128 at most)' })
  OTEL_SERVICE_NAME: string = 'api-gateway';

  /** Share of new traces sampled (0 to 1); a sampled or unsampled incoming traceparent is followed. */
  @IsOptional() @Transform(toNumber) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  OTEL_TRACES_SAMPLER_ARG: number = 1;

  /** How often the database and Redis are pinged for the reachability metrics. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(500) @Max(600_000)
  DEPENDENCY_CHECK_INTERVAL_MS: number = 10_000;
}

/** Variables whose values must never be printed, not even when they are rejected. */
const SECRET_VARIABLES = new Set(['ADMIN_API_KEY']);
/** Variables that are URLs and may carry a password. */
const URL_VARIABLES = new Set(['DATABASE_URL', 'REDIS_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT']);

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
