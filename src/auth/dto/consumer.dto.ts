import { PageView } from '../../common/page.view.js';
import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional, ValidateIf } from 'class-validator';
import { isUuid, IsScopeList, IsTag, Satisfies } from '../../common/validators.js';

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;
const CUSTOM_ID = /^[\x21-\x7e]{1,256}$/;

const usernameProblem = (value: unknown) => {
  if (typeof value !== 'string' || !USERNAME.test(value)) return 'must be 1-128 letters, digits, ".", "_", "@", "+" or "-", starting with a letter or digit';
  return isUuid(value) ? 'must not be shaped like a UUID (UUIDs address consumers by id)' : undefined;
};

export class CreateConsumerDto {
  @ApiProperty({ example: 'billing-app', description: 'Unique; addresses the consumer in the admin API as its id does.' })
  @Satisfies('isUsername', usernameProblem)
  username: string;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'crm-4711', description: "The consumer's id in your own systems; unique. Sent upstream as X-User-Id." })
  @IsOptional() @ValidateIf((_, value) => value !== null)
  @Satisfies('isCustomId', (v) => (typeof v === 'string' && CUSTOM_ID.test(v) ? undefined : 'must be 1-256 printable characters without spaces'))
  custom_id?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['orders:read', 'orders:write'], description: 'Scopes its credentials carry.' })
  @IsOptional() @IsArray() @ArrayMaxSize(64) @ArrayUnique() @IsScopeList()
  scopes?: string[];

  @ApiPropertyOptional({ type: [String], example: ['team-billing'] })
  @IsOptional() @IsArray() @ArrayMaxSize(32) @ArrayUnique() @IsTag()
  tags?: string[];
}

/** PUT: the whole consumer; the username may be left out when the path names it. */
export class ReplaceConsumerDto extends OmitType(CreateConsumerDto, ['username'] as const) {
  @ApiPropertyOptional({ example: 'billing-app' })
  @IsOptional() @Satisfies('isUsername', usernameProblem)
  username?: string;
}

export class UpdateConsumerDto extends PartialType(CreateConsumerDto) {}

export class ConsumerView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'billing-app' }) username: string;
  @ApiProperty({ nullable: true, type: String, example: 'crm-4711' }) custom_id: string | null;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class ConsumerList extends PageView(ConsumerView) {}
