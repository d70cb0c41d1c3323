import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
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
import { cidrProblem } from './cidr.js';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

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

  /** Prefix for every Redis key, so that several gateways (or test runs) can share one Redis. */
  @IsOptional() @Matches(/^[A-Za-z0-9:_-]{0,64}$/, { message: 'REDIS_KEY_PREFIX may hold letters, digits, ":", "_" and "-" (64 at most)' })
  REDIS_KEY_PREFIX: string = 'gw:';

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
      message.startsWith(error.property) ? `${message} (got "${String(error.value)}")` : `${error.property}: ${message} (got "${String(error.value)}")`,
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
