import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsInt,
  IsOptional,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsEntityName, IsTag, IsUpstreamUrl, NotTogetherWith, Satisfies, upstreamUrlProblem } from '../../common/validators.js';

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

  @ApiPropertyOptional({ minimum: 0, maximum: 10, default: 2, description: 'Retries of idempotent requests on connect errors and 502/503/504.' })
  @IsOptional() @IsInt() @Min(0) @Max(10)
  retries?: number;

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
}

export class ServiceView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'orders' }) name: string;
  @ApiProperty({ nullable: true, type: String, example: 'http://orders.internal:8080/v1', description: 'The URL when the service has exactly one target.' })
  url: string | null;
  @ApiProperty({ type: [TargetView] }) targets: TargetView[];
  @ApiProperty({ example: 5000 }) connect_timeout_ms: number;
  @ApiProperty({ example: 60000 }) timeout_ms: number;
  @ApiProperty({ example: 2 }) retries: number;
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
