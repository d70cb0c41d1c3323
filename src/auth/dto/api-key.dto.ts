import { PageView } from '../../common/page.view.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { NotTogetherWith, Satisfies } from '../../common/validators.js';

const MAX_LIFETIME_S = 10 * 365 * 24 * 3600;
const LABEL = /^[\x20-\x7e]{1,128}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export const labelProblem = (value: unknown) => (typeof value === 'string' && LABEL.test(value) ? undefined : 'must be 1-128 printable characters');

function expiryProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) return 'must be an RFC 3339 date-time such as 2030-01-31T00:00:00Z';
  const at = Date.parse(value);
  if (at <= Date.now()) return 'must lie in the future';
  return at - Date.now() > MAX_LIFETIME_S * 1000 ? 'must lie within ten years' : undefined;
}

export class CreateApiKeyDto {
  @ApiPropertyOptional({ example: 'ci-pipeline', description: 'What the key is for, to tell keys apart.' })
  @IsOptional() @Satisfies('isLabel', labelProblem)
  name?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2030-01-31T00:00:00Z', description: 'When the key stops working. Give this or ttl_seconds; neither: never.' })
  @IsOptional() @Satisfies('isExpiry', expiryProblem) @NotTogetherWith('ttl_seconds')
  expires_at?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIFETIME_S, example: 7_776_000, description: 'Lifetime from now, in seconds.' })
  @IsOptional() @IsInt() @Min(1) @Max(MAX_LIFETIME_S)
  ttl_seconds?: number;
}

export const API_KEY_STATUSES = ['active', 'expired', 'revoked'] as const;

export class ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) consumer_id: string;
  @ApiProperty({ nullable: true, type: String, example: 'ci-pipeline' }) name: string | null;
  @ApiProperty({ example: 'gwk_3kT9xQ2a', description: 'The first characters of the key.' }) prefix: string;
  @ApiProperty({ enum: API_KEY_STATUSES }) status: (typeof API_KEY_STATUSES)[number];
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expires_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) revoked_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class CreatedApiKeyView extends ApiKeyView {
  @ApiProperty({ example: 'gwk_3kT9xQ2a…', description: 'The key. Shown only in this answer: only a keyed hash of it is stored.' })
  key: string;
}

export class ApiKeyList extends PageView(ApiKeyView) {}
