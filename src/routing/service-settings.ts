import { invalidRequest } from '../common/gateway-error.js';
import type { CreateServiceDto, ServiceView, TargetView } from './dto/service.dto.js';
import type { ServiceEntity } from './entities/service.entity.js';
import type { TargetEntity } from './entities/target.entity.js';
import { CIRCUIT_BREAKER_DEFAULTS, HEALTH_CHECK_DEFAULTS, PASSIVE_HEALTH_CHECK_DEFAULTS } from './entities/resilience-settings.js';

/** The fields of a service body that are settings (not its name or targets). */
export type ServiceSettingsInput = Omit<CreateServiceDto, 'name' | 'url' | 'targets'>;

/** What a field left out of a POST or PUT becomes. */
export const SERVICE_SETTING_DEFAULTS: Required<ServiceSettingsInput> = {
  connect_timeout_ms: 5_000,
  timeout_ms: 60_000,
  headers_timeout_ms: null,
  body_timeout_ms: null,
  retries: 2,
  retry_buffer_bytes: 65_536,
  load_balancing: 'weighted',
  hash_on: 'ip',
  hash_on_header: null,
  health_check: null,
  passive_health_check: null,
  circuit_breaker: null,
  max_concurrent_requests: null,
  tags: [],
  openapi_url: null,
};

/** Own fields that are set, as a plain object (a DTO instance may carry undefined ones). */
function given<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Nested settings are stored whole, with their defaults filled in, so that views show what applies. */
function filled<T extends object>(defaults: Omit<T, 'path'>, value: T | null | undefined): T | null | undefined {
  return value ? ({ ...defaults, ...given(value) } as T) : value;
}

/** The entity fields a body changes: only what it gives (PATCH); POST and PUT pass the defaults first. */
export function settingsPatch(body: Partial<ServiceSettingsInput>): Partial<ServiceEntity> {
  const b = given(body);
  const patch: Partial<ServiceEntity> = {};
  if (b.connect_timeout_ms !== undefined) patch.connectTimeoutMs = b.connect_timeout_ms;
  if (b.timeout_ms !== undefined) patch.timeoutMs = b.timeout_ms;
  if (b.headers_timeout_ms !== undefined) patch.headersTimeoutMs = b.headers_timeout_ms;
  if (b.body_timeout_ms !== undefined) patch.bodyTimeoutMs = b.body_timeout_ms;
  if (b.retries !== undefined) patch.retries = b.retries;
  if (b.retry_buffer_bytes !== undefined) patch.retryBufferBytes = b.retry_buffer_bytes;
  if (b.load_balancing !== undefined) patch.loadBalancing = b.load_balancing;
  if (b.hash_on !== undefined) patch.hashOn = b.hash_on;
  if (b.hash_on_header !== undefined) patch.hashOnHeader = b.hash_on_header;
  if (b.health_check !== undefined) patch.healthCheck = filled(HEALTH_CHECK_DEFAULTS, b.health_check) as ServiceEntity['healthCheck'];
  if (b.passive_health_check !== undefined) patch.passiveHealthCheck = filled(PASSIVE_HEALTH_CHECK_DEFAULTS, b.passive_health_check) as ServiceEntity['passiveHealthCheck'];
  if (b.circuit_breaker !== undefined) patch.circuitBreaker = filled(CIRCUIT_BREAKER_DEFAULTS, b.circuit_breaker) as ServiceEntity['circuitBreaker'];
  if (b.max_concurrent_requests !== undefined) patch.maxConcurrentRequests = b.max_concurrent_requests;
  if (b.tags !== undefined) patch.tags = b.tags;
  if (b.openapi_url !== undefined) patch.openapiUrl = b.openapi_url;
  return patch;
}

/** A POST or PUT body with every field left out at its default. */
export function withDefaults<T extends Partial<ServiceSettingsInput>>(body: T): T & Required<ServiceSettingsInput> {
  return { ...SERVICE_SETTING_DEFAULTS, ...given(body) } as T & Required<ServiceSettingsInput>;
}

/** Rules across fields, checked on the service as it will be stored (so a PATCH is judged whole). */
export function assertCoherent(service: ServiceEntity): void {
  if (service.hashOn === 'header' && !service.hashOnHeader) {
    throw invalidRequest('invalid field: hash_on_header', [{ field: 'hash_on_header', message: 'hash_on_header is required when hash_on is header' }]);
  }
}

export function toTargetView(target: TargetEntity): TargetView {
  return {
    id: target.id,
    url: target.url,
    weight: target.weight,
    source: target.source,
    check_endpoint: target.checkPath,
    check_interval: target.checkIntervalS,
    ttl_seconds: target.ttlSeconds,
    last_heartbeat_at: target.lastHeartbeatAt?.toISOString() ?? null,
    metadata: target.metadata,
  };
}

export function toServiceView(service: ServiceEntity, targets: TargetEntity[]): ServiceView {
  return {
    id: service.id,
    name: service.name,
    url: targets.length === 1 ? targets[0].url : null,
    targets: targets.map(toTargetView),
    connect_timeout_ms: service.connectTimeoutMs,
    timeout_ms: service.timeoutMs,
    headers_timeout_ms: service.headersTimeoutMs,
    body_timeout_ms: service.bodyTimeoutMs,
    retries: service.retries,
    retry_buffer_bytes: service.retryBufferBytes,
    load_balancing: service.loadBalancing,
    hash_on: service.hashOn,
    hash_on_header: service.hashOnHeader,
    health_check: service.healthCheck,
    passive_health_check: service.passiveHealthCheck,
    circuit_breaker: service.circuitBreaker,
    max_concurrent_requests: service.maxConcurrentRequests,
    tags: service.tags,
    openapi_url: service.openapiUrl ?? null,
    created_at: service.createdAt.toISOString(),
    updated_at: service.updatedAt.toISOString(),
  };
}
