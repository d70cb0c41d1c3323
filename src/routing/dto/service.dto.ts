import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsEntityName, IsHeaderName, IsTag, IsUpstreamUrl, NotTogetherWith, Satisfies, upstreamUrlProblem } from '../../common/validators.js';
import { HASH_ON, LOAD_BALANCING, TARGET_SOURCES } from '../entities/resilience-settings.js';
import {
  CircuitBreakerInput,
  CircuitBreakerView,
  HealthCheckInput,
  HealthCheckView,
  PassiveHealthCheckInput,
  PassiveHealthCheckView,
} from './resilience.dto.js';

const NULLABLE = (_: unknown, value: unknown) => value !== null;

export class TargetInput {
  @ApiProperty({ example: 'http://orders-1.internal:8080', description: 'http or https URL; its path is prepended to every upstream path.' })
  @IsUpstreamUrl()
  url: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 1000, default: 100, description: 'Relative share of traffic; 0 takes the target out of rotation.' })
  @IsOptional() @IsInt() @Min(0) @Max(1000)
  weight?: number;
}

export class CreateServiceDto {
  @ApiProperty({ example: 'orders', description: 'Unique; letters, digits, ".", "_", "-".' })
  @IsEntityName()
  name: string;

  @ApiPropertyOptional({ example: 'http://orders.internal:8080/v1', description: 'A single upstream. Give `url` or `targets`, not both.' })
  @ValidateIf((body: CreateServiceDto) => body.url !== undefined || body.targets === undefined, { message: 'url or targets is required' })
  @IsUpstreamUrl({ message: 'url or targets is required: url must be an http(s) URL' })
  @NotTogetherWith('targets')
  url?: string;

  @ApiPropertyOptional({ type: [TargetInput], description: 'Several upstreams, balanced by weight.' })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => TargetInput)
  targets?: TargetInput[];

  @ApiPropertyOptional({ minimum: 1, maximum: 600000, default: 5000 })
  @IsOptional() @IsInt() @Min(1) @Max(600_000)
  connect_timeout_ms?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 3600000, default: 60000, description: 'Time to the response headers, and the longest pause inside a body.' })
  @IsOptional() @IsInt() @Min(1) @Max(3_600_000)
  timeout_ms?: number;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 1, maximum: 3600000, description: 'Time to the response headers; default: timeout_ms.' })
  @IsOptional() @ValidateIf(NULLABLE) @IsInt() @Min(1) @Max(3_600_000)
  headers_timeout_ms?: number | null;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 1, maximum: 3600000, description: 'Longest pause inside a response body; default: timeout_ms.' })
  @IsOptional() @ValidateIf(NULLABLE) @IsInt() @Min(1) @Max(3_600_000)
  body_timeout_ms?: number | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 10, default: 2, description: 'Retries on connect errors and 502/503/504, each on another target when there is one.' })
  @IsOptional() @IsInt() @Min(0) @Max(10)
  retries?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1048576,
    default: 65536,
    description: 'Request bodies with a Content-Length up to this many bytes are read whole before the first attempt, so that a retry can resend them; larger or chunked bodies stream and are never retried. 0 turns buffering off.',
  })
  @IsOptional() @IsInt() @Min(0) @Max(1_048_576)
  retry_buffer_bytes?: number;

  @ApiPropertyOptional({ enum: LOAD_BALANCING, default: 'weighted', description: 'How a target is chosen among the healthy ones.' })
  @IsOptional() @IsIn(LOAD_BALANCING, { message: `load_balancing must be one of ${LOAD_BALANCING.join(', ')}` })
  load_balancing?: (typeof LOAD_BALANCING)[number];

  @ApiPropertyOptional({ enum: HASH_ON, default: 'ip', description: 'consistent_hash: the client IP, or the header `hash_on_header` (the client IP when the header is absent).' })
  @IsOptional() @IsIn(HASH_ON, { message: `hash_on must be one of ${HASH_ON.join(', ')}` })
  hash_on?: (typeof HASH_ON)[number];

  @ApiPropertyOptional({ nullable: true, type: String, example: 'X-User-Id', description: 'The header hashed when hash_on is header.' })
  @IsOptional() @ValidateIf(NULLABLE) @IsHeaderName()
  hash_on_header?: string | null;

  @ApiPropertyOptional({ nullable: true, type: HealthCheckInput, description: 'Active health checks; null turns them off.' })
  @IsOptional() @ValidateIf(NULLABLE) @IsObject() @ValidateNested() @Type(() => HealthCheckInput)
  health_check?: HealthCheckInput | null;

  @ApiPropertyOptional({ nullable: true, type: PassiveHealthCheckInput, description: 'Passive health checks from live traffic; null turns them off.' })
  @IsOptional() @ValidateIf(NULLABLE) @IsObject() @ValidateNested() @Type(() => PassiveHealthCheckInput)
  passive_health_check?: PassiveHealthCheckInput | null;

  @ApiPropertyOptional({ nullable: true, type: CircuitBreakerInput, description: 'Circuit breaker (per gateway instance); null turns it off.' })
  @IsOptional() @ValidateIf(NULLABLE) @IsObject() @ValidateNested() @Type(() => CircuitBreakerInput)
  circuit_breaker?: CircuitBreakerInput | null;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 1, maximum: 1000000, description: 'Bulkhead: requests in flight to the service per instance; the overflow gets 503 at once. null: no limit.' })
  @IsOptional() @ValidateIf(NULLABLE) @IsInt() @Min(1) @Max(1_000_000)
  max_concurrent_requests?: number | null;

  @ApiPropertyOptional({ type: [String], example: ['team-orders'] })
  @IsOptional() @IsArray() @ArrayMaxSize(32) @ArrayUnique() @IsTag()
  tags?: string[];

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '/openapi.json',
    description: "The service's OpenAPI document (JSON): a path under its first target's URL, or an absolute http(s) URL. Merged into <prefix>/docs.",
  })
  @IsOptional() @ValidateIf((_, value) => value !== null)
  @Satisfies('isOpenapiUrl', (v) => (typeof v === 'string' && v.startsWith('/') ? (/^\/[^\s?#]{0,2046}$/.test(v) ? undefined : 'must be a path without spaces, query or fragment') : upstreamUrlProblem(v)))
  openapi_url?: string | null;
}

/** PUT: the whole service; the name may be left out when the path names it. */
export class ReplaceServiceDto extends OmitType(CreateServiceDto, ['name'] as const) {
  @ApiPropertyOptional({ example: 'orders' })
  @IsOptional() @IsEntityName()
  name?: string;
}

/** PATCH: only what is given changes; `url` or `targets` replaces the whole target set. */
export class UpdateServiceDto extends PartialType(OmitType(CreateServiceDto, ['url'] as const)) {
  @ApiPropertyOptional({ example: 'http://orders.internal:8080/v1' })
  @IsOptional() @IsUpstreamUrl() @NotTogetherWith('targets')
  url?: string;
}

export class TargetView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'http://orders-1.internal:8080' }) url: string;
  @ApiProperty({ example: 100 }) weight: number;
  @ApiProperty({ enum: TARGET_SOURCES, description: 'admin: set through /admin/services; registration: self-registered through /discovery.' })
  source: string;
  @ApiProperty({ nullable: true, type: String, example: '/health', description: "A registration's own health check path." }) check_endpoint: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 10, description: "A registration's own check interval, in seconds." }) check_interval: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 30 }) ttl_seconds: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_heartbeat_at: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { zone: 'eu-1' } }) metadata: Record<string, unknown>;
}

export class ServiceView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'orders' }) name: string;
  @ApiProperty({ nullable: true, type: String, example: 'http://orders.internal:8080/v1', description: 'The URL when the service has exactly one target.' })
  url: string | null;
  @ApiProperty({ type: [TargetView] }) targets: TargetView[];
  @ApiProperty({ example: 5000 }) connect_timeout_ms: number;
  @ApiProperty({ example: 60000 }) timeout_ms: number;
  @ApiProperty({ nullable: true, type: Number }) headers_timeout_ms: number | null;
  @ApiProperty({ nullable: true, type: Number }) body_timeout_ms: number | null;
  @ApiProperty({ example: 2 }) retries: number;
  @ApiProperty({ example: 65536 }) retry_buffer_bytes: number;
  @ApiProperty({ enum: LOAD_BALANCING }) load_balancing: string;
  @ApiProperty({ enum: HASH_ON }) hash_on: string;
  @ApiProperty({ nullable: true, type: String }) hash_on_header: string | null;
  @ApiProperty({ nullable: true, type: HealthCheckView }) health_check: HealthCheckView | null;
  @ApiProperty({ nullable: true, type: PassiveHealthCheckView }) passive_health_check: PassiveHealthCheckView | null;
  @ApiProperty({ nullable: true, type: CircuitBreakerView }) circuit_breaker: CircuitBreakerView | null;
  @ApiProperty({ nullable: true, type: Number }) max_concurrent_requests: number | null;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ nullable: true, type: String, example: '/openapi.json' }) openapi_url: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class ServiceList {
  @ApiProperty({ type: [ServiceView] }) data: ServiceView[];
  @ApiProperty({ example: 1 }) total: number;
  @ApiProperty({ example: 100 }) limit: number;
  @ApiProperty({ example: 0 }) offset: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Offset of the next page, null on the last one.' }) next_offset: number | null;
}
