import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQueryDto } from '../routing/dto/list-query.dto.js';

export const AUDIT_ACTIONS = ['create', 'update', 'delete', 'purge', 'reload'] as const;
export const AUDIT_ENTITY_TYPES = ['service', 'route', 'settings', 'cache', 'rate_limit'] as const;

export class AuditQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: AUDIT_ENTITY_TYPES })
  @IsOptional() @IsIn(AUDIT_ENTITY_TYPES)
  entity_type?: string;

  @ApiPropertyOptional({ description: 'An entity name or id.', example: 'orders' })
  @IsOptional() @IsString() @MaxLength(128)
  entity?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional() @IsIn(AUDIT_ACTIONS)
  action?: string;

  @ApiPropertyOptional({ example: 'admin-key' })
  @IsOptional() @IsString() @MaxLength(128)
  actor?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Entries at or after this time.' })
  @IsOptional() @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Entries before this time.' })
  @IsOptional() @IsISO8601({ strict: true })
  until?: string;
}

export class AuditEntryView {
  @ApiProperty() id: number;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ example: 'admin-key', description: 'Who made the change: "admin-key", a consumer, or "system" (GATEWAY_CONFIG at start).' }) actor: string;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action: string;
  @ApiProperty({ enum: AUDIT_ENTITY_TYPES }) entity_type: string;
  @ApiProperty({ nullable: true, type: String }) entity_id: string | null;
  @ApiProperty({ nullable: true, type: String }) entity_name: string | null;
  @ApiProperty({ nullable: true, type: Object, description: 'The entity as it was; null for a create.' }) before: unknown;
  @ApiProperty({ nullable: true, type: Object, description: 'The entity as it became; null for a delete.' }) after: unknown;
  @ApiProperty({ nullable: true, type: String }) request_id: string | null;
}

export class AuditList {
  @ApiProperty({ type: [AuditEntryView] }) data: AuditEntryView[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
  @ApiProperty({ nullable: true, type: Number }) next_offset: number | null;
}
