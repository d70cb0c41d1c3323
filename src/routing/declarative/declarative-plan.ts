import { cacheSettingsOf } from '../../cache/route-cache-settings.js';
import type { CreateRouteDto, RouteView } from '../dto/route.dto.js';
import { routeDefaultsFor } from '../routes.service.js';
import type { CreateServiceDto, ServiceView } from '../dto/service.dto.js';

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

/** The fields of a service the file can set, with the defaults a left-out field takes. */
function wantedServiceFields(wanted: CreateServiceDto): Record<string, unknown> {
  const targets = wanted.url !== undefined ? [{ url: wanted.url, weight: 100 }] : (wanted.targets ?? []).map((t) => ({ url: t.url, weight: t.weight ?? 100 }));
  return {
    targets,
    connect_timeout_ms: wanted.connect_timeout_ms ?? 5_000,
    timeout_ms: wanted.timeout_ms ?? 60_000,
    retries: wanted.retries ?? 2,
    tags: wanted.tags ?? [],
    openapi_url: wanted.openapi_url ?? null,
  };
}

function currentServiceFields(current: ServiceView): Record<string, unknown> {
  return {
    targets: current.targets.map((t) => ({ url: t.url, weight: t.weight })),
    connect_timeout_ms: current.connect_timeout_ms,
    timeout_ms: current.timeout_ms,
    retries: current.retries,
    tags: current.tags,
    openapi_url: current.openapi_url,
  };
}

function wantedRouteFields(wanted: CreateRouteDto, current: RouteView | undefined): Record<string, unknown> {
  const defaults = routeDefaultsFor(wanted);
  return {
    // A file may name the service by id; the diff speaks of names.
    service: current && wanted.service === current.service.id ? current.service.name : wanted.service,
    paths: wanted.paths,
    ...defaults,
    cache: cacheSettingsOf(defaults.cache),
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
    retries: current.retries,
    tags: current.tags,
    cache: current.cache,
  };
}

function differences(current: Record<string, unknown>, wanted: Record<string, unknown>): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {};
  for (const field of Object.keys(wanted)) {
    if (JSON.stringify(current[field]) !== JSON.stringify(wanted[field])) changes[field] = { before: current[field], after: wanted[field] };
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
