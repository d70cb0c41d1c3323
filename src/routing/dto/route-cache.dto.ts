import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CACHE_DEFAULTS, CACHE_LIMITS } from '../../cache/route-cache-settings.js';

// RFC 9110 token characters: what a header name may hold.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

export class RouteCacheDto {
  @ApiProperty({ example: true, description: 'Cache GET and HEAD answers of this route.' })
  @IsBoolean()
  enabled: boolean;

  @ApiPropertyOptional({ default: CACHE_DEFAULTS.ttl_s, minimum: 1, maximum: CACHE_LIMITS.maxTtlS, description: "Upper bound on an entry's life; the upstream's max-age / s-maxage may shorten it." })
  @IsOptional() @IsInt() @Min(1) @Max(CACHE_LIMITS.maxTtlS)
  ttl_s?: number;

  @ApiPropertyOptional({ type: [String], example: ['accept-language'], description: "Request headers whose values select a separate entry, besides the upstream's own Vary." })
  @IsOptional() @IsArray() @ArrayMaxSize(CACHE_LIMITS.maxVary) @ArrayUnique()
  @Matches(HEADER_NAME, { each: true, message: 'vary must hold header names' })
  vary?: string[];

  @ApiPropertyOptional({ default: false, description: 'Also cache requests that carry credentials (an identity, Authorization or X-API-Key). Only for answers that are the same for every caller.' })
  @IsOptional() @IsBoolean()
  cache_authenticated?: boolean;

  @ApiPropertyOptional({ default: CACHE_DEFAULTS.max_body_bytes, minimum: 1, maximum: CACHE_LIMITS.maxBodyBytes, description: 'Larger bodies are streamed through and not cached.' })
  @IsOptional() @IsInt() @Min(1) @Max(CACHE_LIMITS.maxBodyBytes)
  max_body_bytes?: number;
}

export class RouteCacheView {
  @ApiProperty() enabled: boolean;
  @ApiProperty() ttl_s: number;
  @ApiProperty({ type: [String] }) vary: string[];
  @ApiProperty() cache_authenticated: boolean;
  @ApiProperty() max_body_bytes: number;
}
