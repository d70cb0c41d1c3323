import type { ServiceEntity } from '../entities/service.entity.js';
import type { TargetEntity } from '../entities/target.entity.js';
import { HEALTH_CHECK_DEFAULTS } from '../entities/resilience-settings.js';
import type { ActiveCheck, CompiledService, ServiceTarget, UpstreamTarget } from './compiled-route.js';

type ServiceFields =
  | 'id'
  | 'name'
  | 'connectTimeoutMs'
  | 'timeoutMs'
  | 'headersTimeoutMs'
  | 'bodyTimeoutMs'
  | 'retries'
  | 'retryBufferBytes'
  | 'loadBalancing'
  | 'hashOn'
  | 'hashOnHeader'
  | 'healthCheck'
  | 'passiveHealthCheck'
  | 'circuitBreaker'
  | 'maxConcurrentRequests';

type TargetFields = 'id' | 'url' | 'weight' | 'source' | 'checkPath' | 'checkIntervalS' | 'ttlSeconds';

export type TargetDefinition = Pick<TargetEntity, TargetFields>;
export type ServiceDefinition = Pick<ServiceEntity, ServiceFields> & { targets: TargetDefinition[] };

export function compileTarget(id: string, url: string, weight: number): UpstreamTarget {
  const parsed = new URL(url);
  const basePath = parsed.pathname.replace(/\/+$/, '');
  return { id, origin: parsed.origin, basePath, hostHeader: parsed.host, weight };
}

/**
 * A target's active check: the service's `health_check`, with a registration's own path and
 * interval in its place when it gave them. A registration with a path checks even when the
 * service has no `health_check` (with the default thresholds and timeout).
 */
function activeCheckOf(service: ServiceDefinition, target: TargetDefinition): ActiveCheck | null {
  const settings = service.healthCheck;
  const path = target.checkPath ?? settings?.path;
  if (!path) return null;
  const intervalMs = (target.checkIntervalS ?? settings?.interval_s ?? HEALTH_CHECK_DEFAULTS.interval_s) * 1_000;
  return {
    path,
    intervalMs,
    // A check never outlives its interval, whatever the registration asked for.
    timeoutMs: Math.min(settings?.timeout_ms ?? HEALTH_CHECK_DEFAULTS.timeout_ms, intervalMs),
    healthyThreshold: settings?.healthy_threshold ?? HEALTH_CHECK_DEFAULTS.healthy_threshold,
    unhealthyThreshold: settings?.unhealthy_threshold ?? HEALTH_CHECK_DEFAULTS.unhealthy_threshold,
  };
}

function compileServiceTarget(service: ServiceDefinition, target: TargetDefinition): ServiceTarget {
  return {
    ...compileTarget(target.id, target.url, target.weight),
    url: target.url,
    source: target.source,
    check: activeCheckOf(service, target),
    hasTtl: target.ttlSeconds !== null,
  };
}

/** A service's settings in the shape the data plane reads them: milliseconds, defaults resolved. */
export function compileService(service: ServiceDefinition): CompiledService {
  const breaker = service.circuitBreaker;
  const passive = service.passiveHealthCheck;
  return {
    id: service.id,
    name: service.name,
    connectTimeoutMs: service.connectTimeoutMs,
    headersTimeoutMs: service.headersTimeoutMs ?? service.timeoutMs,
    bodyTimeoutMs: service.bodyTimeoutMs ?? service.timeoutMs,
    retries: service.retries,
    retryBufferBytes: service.retryBufferBytes,
    loadBalancing: service.loadBalancing,
    hashOn: service.hashOn,
    hashOnHeader: service.hashOnHeader?.toLowerCase() ?? null,
    passiveCheck: passive ? { unhealthyThreshold: passive.unhealthy_threshold, cooldownMs: passive.cooldown_s * 1_000 } : null,
    circuitBreaker: breaker
      ? {
          failureThreshold: breaker.failure_threshold,
          failureWindowMs: breaker.failure_window_s * 1_000,
          minThroughput: breaker.min_throughput,
          recoveryTimeoutMs: breaker.recovery_timeout_s * 1_000,
          halfOpenMaxRequests: breaker.half_open_max_requests,
        }
      : null,
    maxConcurrentRequests: service.maxConcurrentRequests,
    targets: service.targets.filter((t) => t.weight > 0).map((t) => compileServiceTarget(service, t)),
  };
}
