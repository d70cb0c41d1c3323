import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { isIP } from 'node:net';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min, ValidateIf } from 'class-validator';
import { IsCheckPath, IsEntityName, Satisfies } from '../../common/validators.js';
import { TargetHealthView } from '../health-views.js';

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const METADATA_KEY = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const METADATA_MAX_KEYS = 32;
const METADATA_MAX_BYTES = 4_096;

/** `[::1]` or `::1` → `::1`; anything else unchanged. */
export const bareHost = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

function hostProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a host name or an IP address';
  const host = bareHost(value);
  if (isIP(host) !== 0 || HOST_NAME.test(host)) return undefined;
  return 'must be a host name (such as orders-1.internal) or an IP address';
}

function metadataProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'must be an object of names to strings, numbers, booleans or null';
  const entries = Object.entries(value);
  if (entries.length > METADATA_MAX_KEYS) return `may hold at most ${METADATA_MAX_KEYS} entries`;
  for (const [key, item] of entries) {
    if (!METADATA_KEY.test(key)) return `key "${key}" must be 1-64 letters, digits, ".", "_", ":", "/" or "-"`;
    if (item !== null && !['string', 'number', 'boolean'].includes(typeof item)) return `"${key}" must be a string, number, boolean or null`;
  }
  if (Buffer.byteLength(JSON.stringify(value)) > METADATA_MAX_BYTES) return `must be at most ${METADATA_MAX_BYTES} bytes as JSON`;
  return undefined;
}

export class RegisterTargetDto {
  @ApiProperty({ example: 'orders', description: 'The service to join; created (with default settings) when it does not exist.' })
  @IsEntityName()
  service_name: string;

  @ApiProperty({ example: '10.0.3.17', description: 'Host name or IP address the gateway reaches the instance at.' })
  @Satisfies('isTargetHost', hostProblem)
  host: string;

  @ApiProperty({ example: 8080, minimum: 1, maximum: 65535 })
  @IsInt() @Min(1) @Max(65_535)
  port: number;

  @ApiPropertyOptional({ enum: ['http', 'https'], default: 'http' })
  @IsOptional() @IsIn(['http', 'https'], { message: 'scheme must be http or https' })
  scheme?: 'http' | 'https';

  @ApiPropertyOptional({ nullable: true, type: String, example: '/health', description: "Path checked on the instance's host and port; 2xx and 3xx are healthy." })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsCheckPath()
  check_endpoint?: string | null;

  @ApiPropertyOptional({ nullable: true, type: Number, example: 10, minimum: 1, maximum: 3600, description: "Seconds between checks; default: the service's health_check interval, else 10." })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsInt() @Min(1) @Max(3600)
  check_interval?: number | null;

  @ApiPropertyOptional({ example: 100, minimum: 0, maximum: 1000, default: 100 })
  @IsOptional() @IsInt() @Min(0) @Max(1000)
  weight?: number;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    example: 30,
    minimum: 1,
    maximum: 86400,
    description: 'Without a heartbeat for this many seconds the target leaves rotation, and DISCOVERY_GRACE_PERIOD_S later it is deleted. null: no TTL.',
  })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsInt() @Min(1) @Max(86_400)
  ttl_seconds?: number | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { zone: 'eu-west-1a', version: '2.4.1' }, description: 'Free-form labels (32 entries, 4 KB at most).' })
  @IsOptional() @Satisfies('isMetadata', metadataProblem)
  metadata?: Record<string, string | number | boolean | null>;
}

export class TargetIdParam {
  @ApiProperty({ format: 'uuid', description: 'The id /discovery/register returned.' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

export class RegistrationServiceRef {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'orders' }) name: string;
}

export class RegistrationView {
  @ApiProperty({ format: 'uuid', description: 'Send heartbeats and the deregistration to this id.' }) id: string;
  @ApiProperty({ type: RegistrationServiceRef }) service: RegistrationServiceRef;
  @ApiProperty({ example: 'http://10.0.3.17:8080' }) url: string;
  @ApiProperty({ example: '10.0.3.17' }) host: string;
  @ApiProperty({ example: 8080 }) port: number;
  @ApiProperty({ example: 100 }) weight: number;
  @ApiProperty({ nullable: true, type: String }) check_endpoint: string | null;
  @ApiProperty({ nullable: true, type: Number }) check_interval: number | null;
  @ApiProperty({ nullable: true, type: Number }) ttl_seconds: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) last_heartbeat_at: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When the target leaves rotation without another heartbeat.' })
  expires_at: string | null;
}

export class HeartbeatView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) last_heartbeat_at: string;
  @ApiProperty({ nullable: true, type: Number }) ttl_seconds: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expires_at: string | null;
}

export class DiscoveredTargetView extends TargetHealthView {
  @ApiProperty({ nullable: true, type: String }) check_endpoint: string | null;
  @ApiProperty({ nullable: true, type: Number }) check_interval: number | null;
  @ApiProperty({ nullable: true, type: Number }) ttl_seconds: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_heartbeat_at: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
}

export class DiscoveredServiceView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'orders' }) name: string;
  @ApiProperty({ example: 'weighted' }) load_balancing: string;
  @ApiProperty({ enum: ['up', 'degraded', 'down', 'no_targets'] }) status: string;
  @ApiProperty({ example: 2 }) healthy_targets: number;
  @ApiProperty({ type: [DiscoveredTargetView], description: 'Every target, admin and registered; weight-0 ones are out of rotation.' })
  targets: DiscoveredTargetView[];
}

export class DiscoveredServiceList {
  @ApiProperty({ type: [DiscoveredServiceView] }) data: DiscoveredServiceView[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
  @ApiProperty({ nullable: true, type: Number }) next_offset: number | null;
}
