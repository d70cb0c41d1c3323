import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** PUT /admin/configuration: only what is given changes. */
export class UpdateRuntimeSettingsDto {
  @ApiPropertyOptional({ enum: LOG_LEVELS, description: 'Level of the structured log on every instance (the access log is at info).' })
  @IsOptional() @IsIn(LOG_LEVELS)
  log_level?: string;

  @ApiPropertyOptional({ description: 'Switch response caching off (or back on) for every route at once, e.g. while an upstream serves bad data.' })
  @IsOptional() @IsBoolean()
  response_cache_enabled?: boolean;
}

export class RuntimeSettingsView {
  @ApiProperty({ enum: LOG_LEVELS }) log_level: string;
  @ApiProperty() response_cache_enabled: boolean;
}

export class ConfigurationView {
  @ApiProperty({ type: RuntimeSettingsView, description: 'Settings in force that PUT /admin/configuration may change; they override the environment.' })
  runtime: RuntimeSettingsView;

  @ApiProperty({ type: Object, description: 'Every environment variable the gateway reads, as validated at start; secrets and URL passwords redacted.', example: { PORT: 8080, DATABASE_URL: 'postgres://gw:[redacted]@db:5432/gw' } })
  environment: Record<string, unknown>;

  @ApiProperty({ description: 'The configuration version this instance serves.' }) config_version: number;
  @ApiProperty({ enum: ['redis', 'memory'] }) cache_store: string;
}
