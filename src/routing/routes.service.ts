import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service.js';
import { cacheSettingsOf } from '../cache/route-cache-settings.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { conflict, invalidRequest, notFound } from '../common/gateway-error.js';
import { GATEWAY_OWNED_PATH_SET } from '../common/gateway-owned-paths.js';
import { isUuid } from '../common/validators.js';
import { DatabaseService } from '../database/database.service.js';
import { ConfigWriter } from './config-writer.service.js';
import type { ListQueryDto } from './dto/list-query.dto.js';
import { normalizedCors } from '../edge/cors-policy.js';
import { type CreateRouteDto, type ReplaceRouteDto, type RouteView, type UpdateRouteDto } from './dto/route.dto.js';
import { RouteEntity } from './entities/route.entity.js';
import { ServiceEntity } from './entities/service.entity.js';
import { findAllById, findAllByName, findByIdOrName, findPage, page, type Page } from './lookup.js';
import { authPolicyProblems, mergeAuthPolicy, type RouteAuthPolicy } from './route-auth.js';
import { newRouteColumns, routeDefaultsFor } from './route-defaults.js';
import { isUnderPrefix } from './table/route-path.js';
import { routeRateLimitProblems, routeRateLimitsOf, type RouteRateLimitDto } from '../rate-limit/dto/route-rate-limit.dto.js';
import type { RouteRateLimit } from '../rate-limit/policy/limit-settings.js';

function throwIfAny(errors: Array<{ field: string; message: string }>): void {
  if (errors.length) throw invalidRequest(`invalid field${errors.length === 1 ? '' : 's'}: ${errors.map((e) => e.field).join(', ')}`, errors);
}

export function toRouteView(route: RouteEntity, service: { id: string; name: string }): RouteView {
  return {
    id: route.id,
    name: route.name,
    service: { id: service.id, name: service.name },
    paths: route.paths,
    methods: route.methods,
    hosts: route.hosts,
    strip_prefix: route.stripPrefix,
    preserve_host: route.preserveHost,
    priority: route.priority,
    timeout_ms: route.timeoutMs,
    connect_timeout_ms: route.connectTimeoutMs,
    headers_timeout_ms: route.headersTimeoutMs,
    body_timeout_ms: route.bodyTimeoutMs,
    retries: route.retries,
    retry_non_idempotent: route.retryNonIdempotent,
    tags: route.tags,
    cors: route.cors,
    security_headers: route.securityHeaders,
    websocket: route.websocket,
    api_version: route.apiVersion,
    api_version_default: route.apiVersionDefault,
    auth: route.auth,
    cache: route.cache ?? null,
    rate_limits: route.rateLimits ?? [],
    created_at: route.createdAt.toISOString(),
    updated_at: route.updatedAt.toISOString(),
  };
}

function assertVersionDefault(route: RouteEntity): void {
  if (route.apiVersionDefault && route.apiVersion === null) {
    throw invalidRequest('invalid field: api_version_default', [
      { field: 'api_version_default', message: 'api_version_default needs an api_version (the version served to requests that name none)' },
    ]);
  }
}

@Injectable()
export class RoutesService {
  constructor(
    private readonly db: DatabaseService,
    private readonly writer: ConfigWriter,
    private readonly config: GatewayConfig,
    private readonly audit: AuditLogService,
  ) {}

  list(query: ListQueryDto): Promise<Page<RouteView>> {
    return this.db.read(async (manager) => {
      const [routes, total] = await findPage(manager, RouteEntity, query);
      const serviceIds = [...new Set(routes.map((r) => r.serviceId))];
      const services = serviceIds.length ? await manager.find(ServiceEntity, { where: { id: In(serviceIds) }, select: { id: true, name: true } }) : [];
      const byId = new Map(services.map((s) => [s.id, s]));
      return page(routes.map((r) => toRouteView(r, byId.get(r.serviceId)!)), total, query.limit, query.offset);
    });
  }

  get(idOrName: string): Promise<RouteView> {
    return this.db.read(async (manager) => {
      const route = await this.require(manager, idOrName);
      return toRouteView(route, (await manager.findOneBy(ServiceEntity, { id: route.serviceId }))!);
    });
  }

  /** The routes of these names that exist, by name (the declarative file's plan reads them all at once). */
  viewsByName(names: string[]): Promise<Map<string, RouteView>> {
    return this.db.read(async (manager) => {
      const routes = await findAllByName(manager, RouteEntity, names);
      const services = await findAllById(manager, ServiceEntity, [...new Set(routes.map((r) => r.serviceId))]);
      return new Map(routes.map((r) => [r.name, toRouteView(r, services.get(r.serviceId)!)]));
    });
  }

  create(body: CreateRouteDto): Promise<RouteView> {
    return this.writer.change((manager) => this.createWith(manager, body), () => `a route named "${body.name}" already exists`);
  }

  /**
   * Creates the route inside a change the caller opened (the declarative file writes all its
   * entries in one). `createdAt` decides precedence among equal priorities: a batch passes
   * increasing times so that its order still counts, as it did when each entry was its own write.
   */
  async createWith(manager: EntityManager, body: CreateRouteDto, createdAt?: Date): Promise<RouteView> {
    this.assertPathsProxied(body.paths);
    const auth = this.authPolicy(body.auth);
    const rateLimits = this.rateLimits(body.rate_limits);
    if (await manager.exists(RouteEntity, { where: { name: body.name } })) throw conflict(`a route named "${body.name}" already exists`);
    const service = await this.serviceFor(manager, body.service);
    const route = manager.create(RouteEntity, {
      id: randomUUID(),
      name: body.name,
      serviceId: service.id,
      ...newRouteColumns(body),
      cors: body.cors ? normalizedCors(body.cors) : null,
      auth,
      cache: cacheSettingsOf(body.cache),
      rateLimits,
      ...(createdAt ? { createdAt } : {}),
    });
    assertVersionDefault(route);
    await manager.save(route);
    const view = toRouteView(route, service);
    await this.audit.record(manager, { action: 'create', entityType: 'route', entityId: route.id, entityName: route.name, after: view });
    return view;
  }

  update(idOrName: string, body: UpdateRouteDto): Promise<RouteView> {
    return this.writer.change((manager) => this.updateWith(manager, idOrName, body), () => `a route named "${body.name}" already exists`);
  }

  /** Changes the route inside a change the caller opened. */
  async updateWith(manager: EntityManager, idOrName: string, body: UpdateRouteDto): Promise<RouteView> {
    if (body.paths) this.assertPathsProxied(body.paths);
    const rateLimits = body.rate_limits !== undefined ? this.rateLimits(body.rate_limits) : undefined;
    const route = await this.require(manager, idOrName);
    const currentService = (await manager.findOneBy(ServiceEntity, { id: route.serviceId }))!;
    const before = toRouteView(route, currentService);
    if (body.name !== undefined && body.name !== route.name && (await manager.exists(RouteEntity, { where: { name: body.name } }))) {
      throw conflict(`a route named "${body.name}" already exists`);
    }
    const service = body.service !== undefined ? await this.serviceFor(manager, body.service) : currentService;
    route.serviceId = service.id;
    if (body.name !== undefined) route.name = body.name;
    if (body.paths !== undefined) route.paths = body.paths;
    if (body.methods !== undefined) route.methods = body.methods;
    if (body.hosts !== undefined) route.hosts = body.hosts;
    if (body.strip_prefix !== undefined) route.stripPrefix = body.strip_prefix;
    if (body.preserve_host !== undefined) route.preserveHost = body.preserve_host;
    if (body.priority !== undefined) route.priority = body.priority;
    if (body.timeout_ms !== undefined) route.timeoutMs = body.timeout_ms;
    if (body.connect_timeout_ms !== undefined) route.connectTimeoutMs = body.connect_timeout_ms;
    if (body.headers_timeout_ms !== undefined) route.headersTimeoutMs = body.headers_timeout_ms;
    if (body.body_timeout_ms !== undefined) route.bodyTimeoutMs = body.body_timeout_ms;
    if (body.retries !== undefined) route.retries = body.retries;
    if (body.retry_non_idempotent !== undefined) route.retryNonIdempotent = body.retry_non_idempotent;
    if (body.tags !== undefined) route.tags = body.tags;
    if (body.cors !== undefined) route.cors = body.cors ? normalizedCors(body.cors) : null;
    if (body.security_headers !== undefined) route.securityHeaders = body.security_headers;
    if (body.websocket !== undefined) route.websocket = body.websocket;
    if (body.api_version !== undefined) route.apiVersion = body.api_version;
    if (body.api_version_default !== undefined) route.apiVersionDefault = body.api_version_default;
    assertVersionDefault(route);
    if (body.auth !== undefined) route.auth = this.authPolicy(body.auth, route.auth);
    if (body.cache !== undefined) route.cache = cacheSettingsOf(body.cache);
    if (rateLimits !== undefined) route.rateLimits = rateLimits;
    route.updatedAt = new Date();
    await manager.save(route);
    const view = toRouteView(route, service);
    await this.audit.record(manager, { action: 'update', entityType: 'route', entityId: route.id, entityName: route.name, before, after: view });
    return view;
  }

  /** PUT: replaces the whole route; a name that does not exist yet is created. */
  replace(idOrName: string, body: ReplaceRouteDto): Promise<{ view: RouteView; created: boolean }> {
    return this.writer.change((manager) => this.replaceWith(manager, idOrName, body), () => `a route named "${body.name ?? idOrName}" already exists`);
  }

  /** PUT inside a change the caller opened; `createdAt` as for createWith. */
  async replaceWith(manager: EntityManager, idOrName: string, body: ReplaceRouteDto, createdAt?: Date): Promise<{ view: RouteView; created: boolean }> {
    const name = body.name ?? (isUuid(idOrName) ? undefined : idOrName);
    const existing = await findByIdOrName(manager, RouteEntity, idOrName);
    if (!existing) {
      if (isUuid(idOrName) || !name) throw notFound(`no route with id ${idOrName}`);
      if (name !== idOrName) throw conflict(`the body names "${name}" but the path names "${idOrName}"`);
      return { view: await this.createWith(manager, { ...body, name }, createdAt), created: true };
    }
    const full: UpdateRouteDto = { ...body, ...routeDefaultsFor(body), name: name ?? existing.name };
    return { view: await this.updateWith(manager, existing.id, full), created: false };
  }

  remove(idOrName: string): Promise<void> {
    return this.writer.change(async (manager) => {
      const route = await this.require(manager, idOrName);
      const before = toRouteView(route, (await manager.findOneBy(ServiceEntity, { id: route.serviceId }))!);
      await manager.delete(RouteEntity, { id: route.id });
      await this.audit.record(manager, { action: 'delete', entityType: 'route', entityId: route.id, entityName: route.name, before });
    }, () => 'conflicting change');
  }

  private assertPathsProxied(paths: string[]): void {
    const errors = paths.flatMap((path, index) => {
      if (!isUnderPrefix(path, this.config.proxyPrefixes)) {
        return [{ field: `paths[${index}]`, message: `paths[${index}] "${path}" is not under a proxied prefix (${this.config.proxyPrefixes.join(', ')})` }];
      }
      if (GATEWAY_OWNED_PATH_SET.has(path)) return [{ field: `paths[${index}]`, message: `paths[${index}] "${path}" is one of the gateway's own endpoints` }];
      return [];
    });
    throwIfAny(errors);
  }

  /** The whole policy a write leaves on the route, refused when its fields contradict each other. */
  private authPolicy(given: Partial<RouteAuthPolicy> | undefined, base?: RouteAuthPolicy): RouteAuthPolicy {
    const policy = mergeAuthPolicy(given, base);
    throwIfAny(authPolicyProblems(policy));
    return policy;
  }

  private rateLimits(given: RouteRateLimitDto[] | undefined): RouteRateLimit[] {
    throwIfAny(routeRateLimitProblems(given));
    return routeRateLimitsOf(given);
  }

  private async serviceFor(manager: EntityManager, idOrName: string): Promise<ServiceEntity> {
    const service = await findByIdOrName(manager, ServiceEntity, idOrName);
    if (!service) throw invalidRequest('invalid field: service', [{ field: 'service', message: `service "${idOrName}" does not exist` }]);
    return service;
  }

  private async require(manager: EntityManager, idOrName: string): Promise<RouteEntity> {
    const route = await findByIdOrName(manager, RouteEntity, idOrName);
    if (!route) throw notFound(`no route with ${isUuid(idOrName) ? 'id' : 'name'} "${idOrName}"`);
    return route;
  }
}
