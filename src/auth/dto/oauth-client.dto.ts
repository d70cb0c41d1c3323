import { PageView } from '../../common/page.view.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { Satisfies } from '../../common/validators.js';
import { labelProblem } from './api-key.dto.js';

export class CreateOAuthClientDto {
  @ApiPropertyOptional({ example: 'billing-backend', description: 'What the client is for.' })
  @IsOptional() @Satisfies('isLabel', labelProblem)
  name?: string;
}

export class OAuthClientView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) consumer_id: string;
  @ApiProperty({ example: 'gwc_Vb1n8Qm2XyZ0aB3c' }) client_id: string;
  @ApiProperty({ nullable: true, type: String, example: 'billing-backend' }) name: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class CreatedOAuthClientView extends OAuthClientView {
  @ApiProperty({ description: 'The client secret. Shown only in this answer: only a keyed hash of it is stored.' })
  client_secret: string;
}

export class OAuthClientList extends PageView(OAuthClientView) {}
