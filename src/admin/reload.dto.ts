import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';

export class ReloadQueryDto {
  @ApiPropertyOptional({ default: false, description: 'Only compute and return the diff; write nothing.' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value))
  @IsBoolean({ message: 'dry_run must be true or false' })
  dry_run?: boolean;
}

export class ReloadUpdate {
  @ApiProperty({ enum: ['service', 'route'] }) entity: string;
  @ApiProperty({ example: 'orders' }) name: string;
  @ApiProperty({ type: Object, description: 'Each changed field as `{before, after}`.', example: { timeout_ms: { before: 60000, after: 5000 } } })
  changes: Record<string, { before: unknown; after: unknown }>;
}

export class ReloadResult {
  @ApiProperty() dry_run: boolean;
  @ApiProperty({ example: '/etc/gateway/gateway.yaml' }) file: string;
  @ApiProperty({ type: [String], example: ['service:orders', 'route:orders-api'] }) created: string[];
  @ApiProperty({ type: [ReloadUpdate] }) updated: ReloadUpdate[];
  @ApiProperty({ type: [String] }) unchanged: string[];
}
