import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsTag } from '../../common/validators.js';
import { PageView } from '../../common/page.view.js';
import { ListQueryDto } from '../../routing/dto/list-query.dto.js';
import { RATE_LIMIT_ALGORITHMS, RATE_LIMIT_SCOPES, type RateLimitScope } from '../policy/limit-settings.js';
import { LimitDto } from './limit.dto.js';

const MATCH_DESCRIPTION =
  'Which values of the scope the rule holds, each on a counter of its own. `*`: every value. ' +
  'ip: an address or a CIDR (each address in it counted alone); consumer: a consumer id, username or custom_id, or a JWT subject; ' +
  'api_key: an API key id; route: a route name or id; route_consumer: `<route>:<consumer>` with `*` allowed on either side. ' +
  'The most specific rule of a scope wins: a value, then a CIDR (narrowest first), then `*`.';

export class CreateRateLimitRuleDto extends LimitDto {
  @ApiProperty({ enum: RATE_LIMIT_SCOPES, example: 'consumer' })
  @IsIn(RATE_LIMIT_SCOPES)
  scope: RateLimitScope;

  @ApiPropertyOptional({ default: '*', example: 'billing-app', description: MATCH_DESCRIPTION })
  @IsOptional() @IsString() @MaxLength(400)
  match?: string;

  @ApiPropertyOptional({ default: true, description: 'A disabled rule is kept but not applied.' })
  @IsOptional() @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ type: [String], example: ['plan-gold'] })
  @IsOptional() @IsArray() @ArrayMaxSize(32) @ArrayUnique() @IsTag()
  tags?: string[];
}

export class UpdateRateLimitRuleDto extends PartialType(CreateRateLimitRuleDto) {}

export class RateLimitListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: RATE_LIMIT_SCOPES, description: 'Only rules of this scope.' })
  @IsOptional() @IsIn(RATE_LIMIT_SCOPES)
  scope?: RateLimitScope;
}

export class RateLimitRuleView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: RATE_LIMIT_SCOPES }) scope: RateLimitScope;
  @ApiProperty({ example: '*' }) match: string;
  @ApiProperty({ example: 100 }) limit: number;
  @ApiProperty({ example: 60 }) window_s: number;
  @ApiProperty({ nullable: true, type: Number }) burst: number | null;
  @ApiProperty({ enum: RATE_LIMIT_ALGORITHMS }) algorithm: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class RateLimitRuleList extends PageView(RateLimitRuleView) {}

export class RateLimitSourceView {
  @ApiProperty({ enum: ['rule', 'env'], description: 'rule: an /admin/rate-limits rule (see rule_id); env: GLOBAL_RATE_LIMIT, IP_RATE_LIMIT or USER_RATE_LIMIT.' }) kind: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) rule_id: string | null;
  @ApiProperty({ example: '*' }) match: string;
}

export class RateLimitStatusView {
  @ApiProperty({ enum: RATE_LIMIT_SCOPES }) scope: RateLimitScope;
  @ApiProperty({ example: '203.0.113.7' }) value: string;
  @ApiProperty({ type: RateLimitSourceView }) source: RateLimitSourceView;
  @ApiProperty({ enum: RATE_LIMIT_ALGORITHMS }) algorithm: string;
  @ApiProperty({ example: 100 }) limit: number;
  @ApiProperty({ example: 60 }) window_s: number;
  @ApiProperty({ nullable: true, type: Number, description: 'token_bucket only.' }) burst: number | null;
  @ApiProperty({ example: 42, description: 'Requests the counter would admit now.' }) remaining: number;
  @ApiProperty({ example: 12.5, description: 'Seconds until the counter is full again.' }) reset_seconds: number;
  @ApiProperty({ enum: ['redis', 'memory'], description: 'memory: this instance alone (no REDIS_URL, or Redis unreachable).' }) store: string;
}
