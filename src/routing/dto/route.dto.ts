import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Matches,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { headerNameProblem, originPatternProblem } from '../../edge/cors-policy.js';
import { EachSatisfies, IsEntityName, IsScopeList, IsTag, Satisfies } from '../../common/validators.js';
import { AUTH_METHODS, type AuthMethod, SCOPE_MATCHES, type ScopeMatch } from '../route-auth.js';
import { isValidHostPattern } from '../table/host-pattern.js';
import { parseRoutePath } from '../table/route-path.js';
import { RouteCacheDto, RouteCacheView } from './route-cache.dto.js';
import { RouteRateLimitDto, RouteRateLimitView } from '../../rate-limit/dto/route-rate-limit.dto.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const upperCaseEach = ({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.toUpperCase() : v)) : value);
const lowerCaseEach = ({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.toLowerCase() : v)) : value);
const routePathProblem = (value: unknown) => {
  const parsed = parseRoutePath(value as string);
  return typeof parsed === 'string' ? parsed : undefined;
};

export const API_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class CorsDto {
  @ApiProperty({ type: [String], example: ['https://app.example.com', 'https://*.example.com'], description: 'Allowed origins: exact, `https://*.example.com`, `*.example.com` (either scheme) or `*`. Empty: CORS off on this route.' })
  @IsArray() @ArrayMaxSize(100) @ArrayUnique()
  @EachSatisfies('isOriginPattern', originPatternProblem)
  origins: string[];

  @ApiPropertyOptional({ type: [String], enum: HTTP_METHODS, isArray: true, description: 'Default: GET, HEAD, POST, PUT, PATCH, DELETE.' })
  @IsOptional() @Transform(upperCaseEach) @IsArray() @ArrayMinSize(1) @ArrayUnique()
  @IsIn(HTTP_METHODS, { each: true, message: `methods may hold only ${HTTP_METHODS.join(', ')}` })
  methods?: string[];

  @ApiPropertyOptional({ type: [String], example: ['authorization', 'content-type'], description: 'Request headers a browser may send. Default: whatever the preflight asks for.' })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @ArrayUnique()
  @EachSatisfies('isHeaderName', headerNameProblem)
  headers?: string[];

  @ApiPropertyOptional({ type: [String], example: ['x-request-id'], description: 'Response headers a browser script may read.' })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @ArrayUnique()
  @EachSatisfies('isHeaderName', headerNameProblem)
  expose_headers?: string[];

  @ApiPropertyOptional({ default: false, description: 'Allow cookies and Authorization (the allowed origin is echoed, never `*`).' })
  @IsOptional() @IsBoolean()
  credentials?: boolean;

  @ApiPropertyOptional({ default: 600, minimum: 0, maximum: 86400, description: 'Seconds a browser may cache the preflight answer.' })
  @IsOptional() @IsInt() @Min(0) @Max(86_400)
  max_age?: number;
}

export class RouteAuthDto {
  @ApiPropertyOptional({ default: true, description: 'Refuse requests without a valid credential. A credential that is sent is checked either way.' })
  @IsOptional() @IsBoolean()
  required?: boolean;

  @ApiPropertyOptional({
    enum: AUTH_METHODS,
    isArray: true,
    default: [...AUTH_METHODS],
    description: 'Credentials the gateway checks: a Bearer JWT, an API key. An empty list (with required: false) leaves credentials to the upstream.',
  })
  @IsOptional() @IsArray() @ArrayUnique() @IsIn(AUTH_METHODS, { each: true, message: `auth.methods may hold only ${AUTH_METHODS.join(', ')}` })
  methods?: AuthMethod[];

  @ApiPropertyOptional({ type: [String], example: ['orders:read'], description: 'Scopes the caller must hold (see scope_match).' })
  @IsOptional() @IsArray() @ArrayMaxSize(32) @ArrayUnique() @IsScopeList()
  scopes?: string[];

  @ApiPropertyOptional({ enum: SCOPE_MATCHES, default: 'all', description: 'Whether every scope is needed or any one of them.' })
  @IsOptional() @IsIn(SCOPE_MATCHES)
  scope_match?: ScopeMatch;

  @ApiPropertyOptional({ default: false, description: 'Send the client\'s Authorization header upstream. The API key header is never sent.' })
  @IsOptional() @IsBoolean()
  forward_authorization?: boolean;
}

export class CreateRouteDto {
  @ApiProperty({ example: 'jobs-search' })
  @IsEntityName()
  name: string;

  @ApiProperty({ example: 'jobs', description: 'The service this route sends to, by id or name.' })
  @IsString() @Satisfies('nonEmpty', (v) => (typeof v === 'string' && v.length > 0 && v.length <= 128 ? undefined : 'must be a service id or name'))
  service: string;

  @ApiProperty({
    type: [String],
    example: ['/api/v1/jobs/search', '/api/v1/notifications/:id/status', '/api/v1/context/*'],
    description: 'Static paths, `:param` segments, or a final `/*` for a prefix. Each must lie under a proxied prefix.',
  })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(32) @ArrayUnique()
  @EachSatisfies('isRoutePath', routePathProblem)
  paths: string[];

  @ApiPropertyOptional({ type: [String], enum: HTTP_METHODS, isArray: true, example: ['GET', 'POST'], description: 'Default: every method.' })
  @IsOptional() @Transform(upperCaseEach) @IsArray() @ArrayMinSize(1, { message: 'methods must list at least one method (leave it out for all)' }) @ArrayUnique()
  @IsIn(HTTP_METHODS, { each: true, message: `methods may hold only ${HTTP_METHODS.join(', ')}` })
  methods?: string[];

  @ApiPropertyOptional({ type: [String], example: ['api.example.com', '*.example.com'], description: 'Default: any host.' })
  @IsOptional() @Transform(lowerCaseEach) @IsArray() @ArrayMaxSize(32) @ArrayUnique()
  @EachSatisfies('isHostPattern', (v) => (isValidHostPattern(v as string) ? undefined : 'is not a host name such as api.example.com or *.example.com'))
  hosts?: string[];

  @ApiPropertyOptional({ default: false, description: 'Remove the literal part of the matched path before appending the rest to the service URL.' })
  @IsOptional() @IsBoolean()
  strip_prefix?: boolean;

  @ApiPropertyOptional({ default: false, description: "Send the client's Host header upstream instead of the target's." })
  @IsOptional() @IsBoolean()
  preserve_host?: boolean;

  @ApiPropertyOptional({ default: 0, minimum: -10000, maximum: 10000, description: 'Breaks ties between routes claiming the same method, host and path; higher wins.' })
  @IsOptional() @IsInt() @Min(-10_000) @Max(10_000)
  priority?: number;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 1, maximum: 3600000, description: "Overrides the service's timeouts for the response headers and for pauses inside the body." })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsInt() @Min(1) @Max(3_600_000)
  timeout_ms?: number | null;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 1, maximum: 600000, description: "Overrides the service's connect_timeout_ms." })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsInt() @Min(1) @Max(600_000)
  connect_timeout_ms?: number | null;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 1, maximum: 3600000, description: "Overrides the service's headers_timeout_ms (and this route's timeout_ms)." })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsInt() @Min(1) @Max(3_600_000)
  headers_timeout_ms?: number | null;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 1, maximum: 3600000, description: "Overrides the service's body_timeout_ms (and this route's timeout_ms)." })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsInt() @Min(1) @Max(3_600_000)
  body_timeout_ms?: number | null;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 0, maximum: 10, description: "Overrides the service's retries." })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsInt() @Min(0) @Max(10)
  retries?: number | null;

  @ApiPropertyOptional({ default: false, description: 'Retry POST and PATCH too (only when the upstream tolerates a repeat); their bodies must fit the service\'s retry_buffer_bytes.' })
  @IsOptional() @IsBoolean()
  retry_non_idempotent?: boolean;

  @ApiPropertyOptional({ type: [String], example: ['public'] })
  @IsOptional() @IsArray() @ArrayMaxSize(32) @ArrayUnique() @IsTag()
  tags?: string[];

  @ApiPropertyOptional({ type: CorsDto, nullable: true, description: 'CORS for this route; null or left out: the CORS_* defaults; `{"origins": []}`: off.' })
  @IsOptional() @ValidateIf((_, value) => value !== null) @ValidateNested() @Type(() => CorsDto)
  cors?: CorsDto | null;

  @ApiPropertyOptional({ default: true, description: "Add the gateway's security headers to responses, each only where the upstream did not set it." })
  @IsOptional() @IsBoolean()
  security_headers?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Proxy WebSocket upgrades (GET with Upgrade: websocket) on this route.' })
  @IsOptional() @IsBoolean()
  websocket?: boolean;

  @ApiPropertyOptional({ nullable: true, type: String, example: '2', description: 'Match only requests naming this version in X-API-Version or Accept-Version (exact). null: any version.' })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsString() @Matches(API_VERSION, { message: 'api_version must be 1-64 letters, digits, ".", "_" or "-"' })
  api_version?: string | null;

  @ApiPropertyOptional({ default: false, description: 'Also serve requests that name no version (needs api_version).' })
  @IsOptional() @IsBoolean()
  api_version_default?: boolean;

  @ApiPropertyOptional({ type: RouteCacheDto, nullable: true, description: 'Response caching for GET and HEAD; null or left out: none.' })
  @IsOptional() @ValidateIf((_, value) => value !== null) @ValidateNested() @Type(() => RouteCacheDto)
  cache?: RouteCacheDto | null;

  @ApiPropertyOptional({
    type: [RouteRateLimitDto],
    example: [{ scope: 'ip', limit: 5, window_s: 60 }],
    description: 'Limits of this route\'s own, at most one per scope: each replaces the gateway-wide rule of its scope for this route\'s requests, on a counter of its own. Default: none.',
  })
  @IsOptional() @IsArray() @ArrayMaxSize(5) @ValidateNested({ each: true }) @Type(() => RouteRateLimitDto)
  rate_limits?: RouteRateLimitDto[];

  @ApiPropertyOptional({ type: RouteAuthDto, description: 'Who may call the route. Default: a valid JWT or API key is required. In a PATCH, the fields given replace those stored.' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RouteAuthDto)
  auth?: RouteAuthDto;
}

export class ReplaceRouteDto extends OmitType(CreateRouteDto, ['name'] as const) {
  @ApiPropertyOptional({ example: 'jobs-search' })
  @IsOptional() @IsEntityName()
  name?: string;
}

export class UpdateRouteDto extends PartialType(CreateRouteDto) {}

export class RouteServiceRef {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'jobs' }) name: string;
}

export class RouteAuthView {
  @ApiProperty() required: boolean;
  @ApiProperty({ enum: AUTH_METHODS, isArray: true }) methods: AuthMethod[];
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ enum: SCOPE_MATCHES }) scope_match: ScopeMatch;
  @ApiProperty() forward_authorization: boolean;
}

export class RouteView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'jobs-search' }) name: string;
  @ApiProperty({ type: RouteServiceRef }) service: RouteServiceRef;
  @ApiProperty({ type: [String] }) paths: string[];
  @ApiProperty({ type: [String] }) methods: string[];
  @ApiProperty({ type: [String] }) hosts: string[];
  @ApiProperty() strip_prefix: boolean;
  @ApiProperty() preserve_host: boolean;
  @ApiProperty() priority: number;
  @ApiProperty({ nullable: true, type: Number }) timeout_ms: number | null;
  @ApiProperty({ nullable: true, type: Number }) connect_timeout_ms: number | null;
  @ApiProperty({ nullable: true, type: Number }) headers_timeout_ms: number | null;
  @ApiProperty({ nullable: true, type: Number }) body_timeout_ms: number | null;
  @ApiProperty({ nullable: true, type: Number }) retries: number | null;
  @ApiProperty() retry_non_idempotent: boolean;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: CorsDto, nullable: true }) cors: CorsDto | null;
  @ApiProperty() security_headers: boolean;
  @ApiProperty() websocket: boolean;
  @ApiProperty({ nullable: true, type: String }) api_version: string | null;
  @ApiProperty() api_version_default: boolean;

  @ApiProperty({ type: RouteCacheView, nullable: true }) cache: RouteCacheView | null;
  @ApiProperty({ type: RouteAuthView }) auth: RouteAuthView;
  @ApiProperty({ type: [RouteRateLimitView] }) rate_limits: RouteRateLimitView[];
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class RouteList {
  @ApiProperty({ type: [RouteView] }) data: RouteView[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
  @ApiProperty({ nullable: true, type: Number }) next_offset: number | null;
}
