import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class FieldErrorView {
  @ApiProperty({ example: 'paths[0]' }) field: string;
  @ApiProperty({ example: 'paths must be a path pattern (must start with "/")' }) message: string;
}

/** The documented shape of every error (RFC 9457 problem details). */
export class ProblemView {
  @ApiProperty({ example: 'https://gateway.dev/problems/invalid-request' }) type: string;
  @ApiProperty({ example: 'Invalid request' }) title: string;
  @ApiProperty({ example: 400 }) status: number;
  @ApiProperty({ example: 'invalid field: paths[0]' }) detail: string;
  @ApiPropertyOptional({ example: '/admin/routes' }) instance?: string;
  @ApiProperty({ example: 'INVALID_REQUEST', description: 'Stable upper-case error code.' }) code: string;
  @ApiProperty({ example: '6f1c2a0e-8d1b-4a57-9a3e-2f0a1c9b7d11' }) request_id: string;
  @ApiPropertyOptional({ type: [FieldErrorView] }) errors?: FieldErrorView[];
  @ApiPropertyOptional({ example: 3 }) retry_after_seconds?: number;
}
