import { isDeepStrictEqual } from 'node:util';
import { cacheSettingsOf } from '../../cache/route-cache-settings.js';
import { routeRateLimitsOf } from '../../rate-limit/dto/route-rate-limit.dto.js';
import { normalizedCors } from '../../edge/cors-policy.js';
import type { CreateRouteDto, RouteView } from '../dto/route.dto.js';
import type { CreateServiceDto, ServiceView } from '../dto/service.dto.js';
import { routeDefaultsFor } from '../route-defaults.js';
import { SERVICE_SETTING_DEFAULTS, settingsPatch, type ServiceSettingsInput, withDefaults } from '../service-settings.js';

export interface FieldChange {
  before: unknown;
  after: unknown;
}

export interface PlannedChange<Dto> {
  entity: 'service' | 'route';
  name: string;
  action: 'create' | 'update' | 'unchanged';
  /** For an update: each field that differs, as it is and as the file wants it. */
  changes: Record<string, FieldChange>;
  wanted: Dto;
}

export interface DeclarativePlan {
  file: string;
  services: Array<PlannedChange<CreateServiceDto>>;
  routes: Array<PlannedChange<CreateRouteDto>>;
}

/**
 * Each setting as it would be stored (nested settings with their defaults filled in), under its
 * body name: what the file asks for and what the database holds compare alike.
 */
function serviceSettingFields(settings: ServiceSettingsInput): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(SERVICE_SETTING_DEFAULTS) as Array<keyof ServiceSettingsInput>) {
    fields[key] = Object.values(settingsPatch({ [key]: settings[key] }))[0] ?? null;
  }
  return fields;
}

/** The fields of a service the file can set, with the defaults a left-out field takes. */
function wantedServiceFields(wanted: CreateServiceDto): Record<string, unknown> {
  const targets = wanted.url !== undefined ? [{ url: wanted.url, weight: 100 }] : (wanted.targets ?? []).map((t) => ({ url: t.url, weight: t.weight ?? 100 }));
  return { targets, ...serviceSettingFields(withDefaults(wanted)) };
}

function currentServiceFields(current: ServiceView): Record<string, unknown> {
  // Registered targets come and go by themselves; the file describes the admin ones.
  const targets = current.targets.filter((t) => t.source === 'admin').map((t) => ({ url: t.url, weight: t.weight }));
  const settings = Object.fromEntries(Object.keys(SERVICE_SETTING_DEFAULTS).map((key) => [key, current[key as keyof ServiceView]])) as ServiceSettingsInput;
  return { targets, ...serviceSettingFields(settings) };
}

function wantedRouteFields(wanted: CreateRouteDto, current: RouteView | undefined): Record<string, unknown> {
  const defaults = routeDefaultsFor(wanted);
  return {
    // A file may name the service by id; the diff speaks of names.
    service: current && wanted.service === current.service.id ? current.service.name : wanted.service,
    paths: wanted.paths,
    ...defaults,
    cors: defaults.cors ? normalizedCors(defaults.cors) : null,
    cache: cacheSettingsOf(defaults.cache),
    rate_limits: routeRateLimitsOf(defaults.rate_limits),
  };
}

function currentRouteFields(current: RouteView): Record<string, unknown> {
  return {
    service: current.service.name,
    paths: current.paths,
    methods: current.methods,
    hosts: current.hosts,
    strip_prefix: current.strip_prefix,
    preserve_host: current.preserve_host,
    priority: current.priority,
    timeout_ms: current.timeout_ms,
    connect_timeout_ms: current.connect_timeout_ms,
    headers_timeout_ms: current.headers_timeout_ms,
    body_timeout_ms: current.body_timeout_ms,
    retries: current.retries,
    retry_non_idempotent: current.retry_non_idempotent,
    tags: current.tags,
    cors: current.cors,
    security_headers: current.security_headers,
    websocket: current.websocket,
    api_version: current.api_version,
    api_version_default: current.api_version_default,
    auth: current.auth,
    cache: current.cache,
    rate_limits: current.rate_limits,
  };
}

function differences(current: Record<string, unknown>, wanted: Record<string, unknown>): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {};
  for (const field of Object.keys(wanted)) {
    // Deep, key-order-blind: jsonb columns come back with their keys in PostgreSQL's order.
    if (!isDeepStrictEqual(current[field], wanted[field])) changes[field] = { before: current[field], after: wanted[field] };
  }
  return changes;
}

function planned<Dto>(entity: 'service' | 'route', name: string, wanted: Dto, changes: Record<string, FieldChange> | undefined): PlannedChange<Dto> {
  if (!changes) return { entity, name, action: 'create', changes: {}, wanted };
  return { entity, name, action: Object.keys(changes).length ? 'update' : 'unchanged', changes, wanted };
}

export function planService(current: ServiceView | undefined, wanted: CreateServiceDto): PlannedChange<CreateServiceDto> {
  return planned('service', wanted.name, wanted, current && differences(currentServiceFields(current), wantedServiceFields(wanted)));
}

export function planRoute(current: RouteView | undefined, wanted: CreateRouteDto): PlannedChange<CreateRouteDto> {
  return planned('route', wanted.name, wanted, current && differences(currentRouteFields(current), wantedRouteFields(wanted, current)));
}
