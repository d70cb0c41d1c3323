import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Documentation only: the token endpoint parses its form itself, as OAuth 2.0 asks. */
export class TokenRequestView {
  @ApiProperty({ enum: ['client_credentials'] }) grant_type: string;
  @ApiPropertyOptional({ example: 'gwc_Vb1n8Qm2XyZ0aB3c', description: 'Or HTTP Basic authentication with client_id:client_secret.' }) client_id?: string;
  @ApiPropertyOptional({ description: 'Or HTTP Basic authentication.' }) client_secret?: string;
  @ApiPropertyOptional({ example: 'orders:read orders:write', description: 'Space-separated; default: every scope the consumer holds.' }) scope?: string;
}

export class TokenView {
  @ApiProperty({ description: 'A JWT (HS256) to send as `Authorization: Bearer …`.' }) access_token: string;
  @ApiProperty({ example: 'Bearer' }) token_type: string;
  @ApiProperty({ example: 3600 }) expires_in: number;
  @ApiProperty({ example: 'orders:read', description: 'The scopes granted: those asked for that the consumer holds.' }) scope: string;
}

export class RevokeRequestView {
  @ApiPropertyOptional({ description: 'The token to revoke; default: the Bearer token of the request itself.' }) token?: string;
  @ApiPropertyOptional({ enum: ['access_token'] }) token_type_hint?: string;
  @ApiPropertyOptional({ description: 'A client may revoke the tokens issued to it.' }) client_id?: string;
  @ApiPropertyOptional() client_secret?: string;
}

export class RevokeView {
  @ApiProperty({ description: 'false when the token was not a valid token (RFC 7009 answers 200 all the same).' }) revoked: boolean;
}

export class MeConsumerView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty({ nullable: true, type: String }) custom_id: string | null;
}

export class MeView {
  @ApiProperty({ enum: ['jwt', 'api_key'] }) auth_method: string;
  @ApiProperty({ description: 'As sent upstream in X-User-Id: the token subject, or the consumer custom_id or id.' }) user_id: string;
  @ApiProperty({ type: MeConsumerView, nullable: true }) consumer: MeConsumerView | null;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When the credential stops working.' }) expires_at: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The client a gateway-issued token was issued to.' }) client_id?: string | null;
}
