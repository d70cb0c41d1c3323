import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { limitProblems, ROUTE_OVERRIDE_SCOPES, type RouteOverrideScope, type RouteRateLimit } from '../policy/limit-settings.js';
import { LimitDto, limitSettingsOf } from './limit.dto.js';

/** One of a route's `rate_limits`. */
export class RouteRateLimitDto extends LimitDto {
  @ApiProperty({
    enum: ROUTE_OVERRIDE_SCOPES,
    example: 'ip',
    description: "On this route, this scope is counted apart and held to this limit instead of the gateway-wide rule (ip: each client IP's requests to this route).",
  })
  @IsIn(ROUTE_OVERRIDE_SCOPES)
  scope: RouteOverrideScope;
}

export class RouteRateLimitView {
  @ApiProperty({ enum: ROUTE_OVERRIDE_SCOPES }) scope: RouteOverrideScope;
  @ApiProperty() limit: number;
  @ApiProperty() window_s: number;
  @ApiProperty({ nullable: true, type: Number }) burst: number | null;
  @ApiProperty() algorithm: string;
}

/** Stored form: defaults filled in, in scope order. */
export function routeRateLimitsOf(given: RouteRateLimitDto[] | undefined): RouteRateLimit[] {
  return (given ?? [])
    .map((entry) => ({ scope: entry.scope, ...limitSettingsOf(entry) }))
    .sort((a, b) => ROUTE_OVERRIDE_SCOPES.indexOf(a.scope) - ROUTE_OVERRIDE_SCOPES.indexOf(b.scope));
}

/** Rules across fields and entries, named by the entries' positions as given. */
export function routeRateLimitProblems(given: RouteRateLimitDto[] | undefined): Array<{ field: string; message: string }> {
  const entries = given ?? [];
  const problems = entries.flatMap((entry, index) => limitProblems(limitSettingsOf(entry), `rate_limits[${index}].`));
  const scopes = entries.map((l) => l.scope);
  const twice = scopes.filter((scope, i) => scopes.indexOf(scope) !== i);
  if (twice.length) problems.push({ field: 'rate_limits', message: `rate_limits may hold one entry per scope; ${[...new Set(twice)].join(', ')} appears more than once` });
  return problems;
}
