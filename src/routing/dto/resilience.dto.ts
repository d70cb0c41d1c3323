import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsCheckPath, SatisfiesWith } from '../../common/validators.js';
import { CIRCUIT_BREAKER_DEFAULTS, HEALTH_CHECK_DEFAULTS, PASSIVE_HEALTH_CHECK_DEFAULTS } from '../entities/resilience-settings.js';

export class HealthCheckInput {
  @ApiProperty({ example: '/health', description: "Asked of each target's host and port (not under the target's base path); 2xx and 3xx are healthy." })
  @IsCheckPath()
  path: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 3600, default: HEALTH_CHECK_DEFAULTS.interval_s, description: 'Seconds between checks of one target.' })
  @IsOptional() @IsInt() @Min(1) @Max(3600)
  interval_s?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 60000, default: HEALTH_CHECK_DEFAULTS.timeout_ms, description: 'A check slower than this fails; shorter than the interval.' })
  @IsOptional() @IsInt() @Min(1) @Max(60_000)
  @SatisfiesWith('shorterThanInterval', (value, check) => {
    const intervalMs = (typeof check.interval_s === 'number' ? check.interval_s : HEALTH_CHECK_DEFAULTS.interval_s) * 1_000;
    return typeof value === 'number' && value > intervalMs ? `must not exceed the interval (${intervalMs} ms)` : undefined;
  })
  timeout_ms?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: HEALTH_CHECK_DEFAULTS.healthy_threshold, description: 'Consecutive good checks that bring a target back.' })
  @IsOptional() @IsInt() @Min(1) @Max(100)
  healthy_threshold?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: HEALTH_CHECK_DEFAULTS.unhealthy_threshold, description: 'Consecutive failed checks that take a target out.' })
  @IsOptional() @IsInt() @Min(1) @Max(100)
  unhealthy_threshold?: number;
}

export class PassiveHealthCheckInput {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 1000,
    default: PASSIVE_HEALTH_CHECK_DEFAULTS.unhealthy_threshold,
    description: 'Consecutive failures of live requests (connect errors, timeouts, 5xx) that take a target out.',
  })
  @IsOptional() @IsInt() @Min(1) @Max(1000)
  unhealthy_threshold?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 3600,
    default: PASSIVE_HEALTH_CHECK_DEFAULTS.cooldown_s,
    description: 'Seconds a target stays out; with active checks, their healthy_threshold brings it back sooner.',
  })
  @IsOptional() @IsInt() @Min(1) @Max(3600)
  cooldown_s?: number;
}

export class CircuitBreakerInput {
  @ApiPropertyOptional({ minimum: 1, maximum: 10000, default: CIRCUIT_BREAKER_DEFAULTS.failure_threshold, description: 'Failed requests within the window that open the circuit.' })
  @IsOptional() @IsInt() @Min(1) @Max(10_000)
  failure_threshold?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 3600, default: CIRCUIT_BREAKER_DEFAULTS.failure_window_s, description: 'Sliding window, in seconds.' })
  @IsOptional() @IsInt() @Min(1) @Max(3600)
  failure_window_s?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100000, default: CIRCUIT_BREAKER_DEFAULTS.min_throughput, description: 'Requests the window must hold before the circuit may open.' })
  @IsOptional() @IsInt() @Min(1) @Max(100_000)
  min_throughput?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 3600, default: CIRCUIT_BREAKER_DEFAULTS.recovery_timeout_s, description: 'Seconds open before trial requests are let through.' })
  @IsOptional() @IsInt() @Min(1) @Max(3600)
  recovery_timeout_s?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 1000,
    default: CIRCUIT_BREAKER_DEFAULTS.half_open_max_requests,
    description: 'Trial requests let through while half-open (the rest get 503 CIRCUIT_OPEN); all of them successful close the circuit, one failure opens it again.',
  })
  @IsOptional() @IsInt() @Min(1) @Max(1000)
  half_open_max_requests?: number;
}

/** The documented shapes of the stored settings (every field present). */
export class HealthCheckView {
  @ApiProperty({ example: '/health' }) path: string;
  @ApiProperty({ example: 10 }) interval_s: number;
  @ApiProperty({ example: 1000 }) timeout_ms: number;
  @ApiProperty({ example: 2 }) healthy_threshold: number;
  @ApiProperty({ example: 3 }) unhealthy_threshold: number;
}

export class PassiveHealthCheckView {
  @ApiProperty({ example: 5 }) unhealthy_threshold: number;
  @ApiProperty({ example: 30 }) cooldown_s: number;
}

export class CircuitBreakerView {
  @ApiProperty({ example: 5 }) failure_threshold: number;
  @ApiProperty({ example: 10 }) failure_window_s: number;
  @ApiProperty({ example: 10 }) min_throughput: number;
  @ApiProperty({ example: 30 }) recovery_timeout_s: number;
  @ApiProperty({ example: 1 }) half_open_max_requests: number;
}
