import { ApiProperty } from '@nestjs/swagger';
import { TARGET_SOURCES } from '../routing/entities/resilience-settings.js';
import type { ActiveCheck, CompiledService } from '../routing/table/compiled-route.js';
import type { TargetState } from './target-state.js';

export class TargetHealthView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'http://10.0.0.5:8080' }) url: string;
  @ApiProperty({ example: 100 }) weight: number;
  @ApiProperty({ enum: TARGET_SOURCES }) source: string;
  @ApiProperty({ enum: ['healthy', 'unhealthy', 'disabled'], description: 'As this gateway instance sees it; disabled: weight 0.' }) status: 'healthy' | 'unhealthy' | 'disabled';
  @ApiProperty({ nullable: true, enum: ['ttl_expired', 'active_check', 'passive'], description: 'Why it is out of rotation.' }) reason: string | null;
  @ApiProperty({ description: 'Whether active checks run against it.' }) active_checks: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_check_at: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 1.7 }) last_check_latency_ms: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 200 }) last_check_status: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'ECONNREFUSED', description: 'What the last failed check saw.' }) last_error: string | null;
  @ApiProperty({ example: 0 }) consecutive_check_successes: number;
  @ApiProperty({ example: 0 }) consecutive_check_failures: number;
  @ApiProperty({ example: 0, description: 'Consecutive failures of live requests (passive checks).' }) passive_failures: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'End of a passive ejection.' }) ejected_until: string | null;
  @ApiProperty({ example: 0, description: 'Requests this instance has in flight to it.' }) in_flight: number;
}

export class ServiceHealthView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'orders' }) name: string;
  @ApiProperty({ enum: ['up', 'degraded', 'down', 'no_targets'], description: 'up: every target healthy; degraded: some; down: none.' })
  status: 'up' | 'degraded' | 'down' | 'no_targets';
  @ApiProperty({ example: 2 }) healthy_targets: number;
  @ApiProperty({ example: 3 }) total_targets: number;
  @ApiProperty({ type: [TargetHealthView], description: 'Targets in rotation (weight above 0).' }) targets: TargetHealthView[];
}

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);
const round = (ms: number) => Math.round(ms * 100) / 100;

/** What a health view needs of a target (a compiled target has it all). */
export interface HealthSubject {
  id: string;
  url: string;
  weight: number;
  source: string;
  check: ActiveCheck | null;
}

export function targetHealthView(target: HealthSubject, state: TargetState | undefined): TargetHealthView {
  const check = state?.lastCheck ?? null;
  return {
    id: target.id,
    url: target.url,
    weight: target.weight,
    source: target.source,
    // A target this instance has not met yet starts healthy, as its state will.
    status: state?.healthy === false ? 'unhealthy' : 'healthy',
    reason: state?.reason ?? null,
    active_checks: target.check !== null,
    last_check_at: iso(check?.at),
    last_check_latency_ms: check ? round(check.latencyMs) : null,
    last_check_status: check?.status ?? null,
    last_error: check?.error ?? null,
    consecutive_check_successes: state?.checkSuccesses ?? 0,
    consecutive_check_failures: state?.checkFailures ?? 0,
    passive_failures: state?.passiveFailures ?? 0,
    ejected_until: iso(state?.passiveDownUntil),
    in_flight: state?.inFlight ?? 0,
  };
}

export function serviceHealthView(service: CompiledService, stateOf: (id: string) => TargetState | undefined): ServiceHealthView {
  const targets = service.targets.map((target) => targetHealthView(target, stateOf(target.id)));
  const healthy = targets.filter((t) => t.status === 'healthy').length;
  const status = targets.length === 0 ? 'no_targets' : healthy === targets.length ? 'up' : healthy === 0 ? 'down' : 'degraded';
  return { id: service.id, name: service.name, status, healthy_targets: healthy, total_targets: targets.length, targets };
}
