import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { DEFAULT_ALGORITHM, LIMIT_BOUNDS, RATE_LIMIT_ALGORITHMS, type LimitSettings, type RateLimitAlgorithm } from '../policy/limit-settings.js';

/** The limit itself, shared by rules and a route's own overrides. */
export class LimitDto {
  @ApiProperty({ example: 100, minimum: 1, maximum: LIMIT_BOUNDS.maxLimit, description: `Requests per window (sliding_window: at most ${LIMIT_BOUNDS.maxSlidingLimit}); for token_bucket, the refill per window.` })
  @IsInt() @Min(1) @Max(LIMIT_BOUNDS.maxLimit)
  limit: number;

  @ApiProperty({ example: 60, minimum: LIMIT_BOUNDS.minWindowS, maximum: LIMIT_BOUNDS.maxWindowS, description: 'The window in seconds (fractions down to 0.1).' })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 3 }) @Min(LIMIT_BOUNDS.minWindowS) @Max(LIMIT_BOUNDS.maxWindowS)
  window_s: number;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 1, maximum: LIMIT_BOUNDS.maxBurst, description: 'token_bucket only: requests that may arrive at once (the bucket size). Default: limit.' })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsInt() @Min(1) @Max(LIMIT_BOUNDS.maxBurst)
  burst?: number | null;

  @ApiPropertyOptional({ enum: RATE_LIMIT_ALGORITHMS, default: DEFAULT_ALGORITHM, description: 'sliding_window: never more than limit in any window span. token_bucket: limit per window on average, burst at once.' })
  @IsOptional() @IsIn(RATE_LIMIT_ALGORITHMS)
  algorithm?: RateLimitAlgorithm;
}

export function limitSettingsOf(body: LimitDto): LimitSettings {
  return { limit: body.limit, window_s: body.window_s, burst: body.burst ?? null, algorithm: body.algorithm ?? DEFAULT_ALGORITHM };
}
