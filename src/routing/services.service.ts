import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service.js';
import { conflict, invalidRequest, notFound } from '../common/gateway-error.js';
import { isUuid } from '../common/validators.js';
import { DatabaseService } from '../database/database.service.js';
import { ConfigWriter } from './config-writer.service.js';
import type { CreateServiceDto, ReplaceServiceDto, ServiceView, TargetInput, UpdateServiceDto } from './dto/service.dto.js';
import { assertCoherent, settingsPatch, toServiceView, withDefaults } from './service-settings.js';
import type { ListQueryDto } from './dto/list-query.dto.js';
import { RouteEntity } from './entities/route.entity.js';
import { ServiceEntity } from './entities/service.entity.js';
import { TargetEntity } from './entities/target.entity.js';
import { findAllByName, findByIdOrName, findPage, page, type Page } from './lookup.js';

function targetInputs(body: { url?: string; targets?: TargetInput[] }): TargetInput[] | undefined {
  if (body.url !== undefined) return [{ url: body.url, weight: 100 }];
  return body.targets;
}

@Injectable()
export class ServicesService {
  constructor(
    private readonly db: DatabaseService,
    private readonly writer: ConfigWriter,
    private readonly audit: AuditLogService,
  ) {}

  list(query: ListQueryDto): Promise<Page<ServiceView>> {
    return this.db.read(async (manager) => {
      const [services, total] = await findPage(manager, ServiceEntity, query);
      const targets = await this.targetsOf(manager, services.map((s) => s.id));
      return page(services.map((s) => toServiceView(s, targets.get(s.id) ?? [])), total, query.limit, query.offset);
    });
  }

  get(idOrName: string): Promise<ServiceView> {
    return this.db.read(async (manager) => {
      const service = await this.require(manager, idOrName);
      return toServiceView(service, (await this.targetsOf(manager, [service.id])).get(service.id) ?? []);
    });
  }

  /** The services of these names that exist, by name (the declarative file's plan reads them all at once). */
  viewsByName(names: string[]): Promise<Map<string, ServiceView>> {
    return this.db.read(async (manager) => {
      const services = await findAllByName(manager, ServiceEntity, names);
      const targets = await this.targetsOf(manager, services.map((s) => s.id));
      return new Map(services.map((s) => [s.name, toServiceView(s, targets.get(s.id) ?? [])]));
    });
  }

  create(body: CreateServiceDto): Promise<ServiceView> {
    return this.writer.change((manager) => this.createWith(manager, body), () => `a service named "${body.name}" already exists`);
  }

  /** Creates the service inside a change the caller opened (the declarative file writes all its entries in one). */
  async createWith(manager: EntityManager, body: CreateServiceDto): Promise<ServiceView> {
    await this.assertNameFree(manager, body.name);
    const service = manager.create(ServiceEntity, { id: randomUUID(), name: body.name, ...settingsPatch(withDefaults(body)) });
    assertCoherent(service);
    await manager.save(service);
    const targets = await this.replaceTargets(manager, service.id, targetInputs(body) ?? []);
    const view = toServiceView(service, targets);
    await this.audit.record(manager, { action: 'create', entityType: 'service', entityId: service.id, entityName: service.name, after: view });
    return view;
  }

  update(idOrName: string, body: UpdateServiceDto): Promise<ServiceView> {
    return this.writer.change((manager) => this.updateWith(manager, idOrName, body), () => `a service named "${body.name}" already exists`);
  }

  /** Changes the service inside a change the caller opened. */
  async updateWith(manager: EntityManager, idOrName: string, body: UpdateServiceDto): Promise<ServiceView> {
    const service = await this.require(manager, idOrName);
    const currentTargets = (await this.targetsOf(manager, [service.id])).get(service.id) ?? [];
    const before = toServiceView(service, currentTargets);
    if (body.name !== undefined && body.name !== service.name) await this.assertNameFree(manager, body.name);
    if (body.name !== undefined) service.name = body.name;
    Object.assign(service, settingsPatch(body));
    assertCoherent(service);
    service.updatedAt = new Date();
    await manager.save(service);
    const inputs = targetInputs(body);
    const targets = inputs ? await this.replaceTargets(manager, service.id, inputs) : currentTargets;
    const view = toServiceView(service, targets);
    await this.audit.record(manager, { action: 'update', entityType: 'service', entityId: service.id, entityName: service.name, before, after: view });
    return view;
  }

  /** PUT: replaces the whole service; a name that does not exist yet is created. */
  replace(idOrName: string, body: ReplaceServiceDto): Promise<{ view: ServiceView; created: boolean }> {
    return this.writer.change((manager) => this.replaceWith(manager, idOrName, body), () => `a service named "${body.name ?? idOrName}" already exists`);
  }

  /** PUT inside a change the caller opened. */
  async replaceWith(manager: EntityManager, idOrName: string, body: ReplaceServiceDto): Promise<{ view: ServiceView; created: boolean }> {
    const name = body.name ?? (isUuid(idOrName) ? undefined : idOrName);
    const existing = await findByIdOrName(manager, ServiceEntity, idOrName);
    if (!existing) {
      if (isUuid(idOrName) || !name) throw notFound(`no service with id ${idOrName}`);
      if (name !== idOrName) throw conflict(`the body names "${name}" but the path names "${idOrName}"`);
      return { view: await this.createWith(manager, { ...body, name }), created: true };
    }
    const full: UpdateServiceDto = { ...withDefaults(body), name: name ?? existing.name };
    return { view: await this.updateWith(manager, existing.id, full), created: false };
  }

  remove(idOrName: string, cascade: boolean): Promise<void> {
    return this.writer.change(async (manager) => {
      const service = await this.require(manager, idOrName);
      const routes = await manager.find(RouteEntity, { where: { serviceId: service.id }, select: { id: true, name: true }, order: { name: 'ASC' } });
      if (routes.length > 0 && !cascade) {
        const names = routes.slice(0, 10).map((r) => r.name).join(', ');
        throw conflict(`service "${service.name}" is used by ${routes.length} route(s) (${names}${routes.length > 10 ? ', …' : ''}); delete them first or pass ?cascade=true`);
      }
      if (routes.length > 0) await manager.delete(RouteEntity, { serviceId: service.id });
      const before = toServiceView(service, (await this.targetsOf(manager, [service.id])).get(service.id) ?? []);
      await manager.delete(ServiceEntity, { id: service.id });
      for (const route of routes) await this.audit.record(manager, { action: 'delete', entityType: 'route', entityId: route.id, entityName: route.name });
      await this.audit.record(manager, { action: 'delete', entityType: 'service', entityId: service.id, entityName: service.name, before });
    }, () => 'conflicting change');
  }

  private async require(manager: EntityManager, idOrName: string): Promise<ServiceEntity> {
    const service = await findByIdOrName(manager, ServiceEntity, idOrName);
    if (!service) throw notFound(`no service with ${isUuid(idOrName) ? 'id' : 'name'} "${idOrName}"`);
    return service;
  }

  private async assertNameFree(manager: EntityManager, name: string): Promise<void> {
    if (await manager.exists(ServiceEntity, { where: { name } })) throw conflict(`a service named "${name}" already exists`);
  }

  private async targetsOf(manager: EntityManager, serviceIds: string[]): Promise<Map<string, TargetEntity[]>> {
    const byService = new Map<string, TargetEntity[]>();
    if (serviceIds.length === 0) return byService;
    const targets = await manager.find(TargetEntity, { where: { serviceId: In(serviceIds) }, order: { createdAt: 'ASC', id: 'ASC' } });
    for (const target of targets) {
      const list = byService.get(target.serviceId) ?? [];
      list.push(target);
      byService.set(target.serviceId, list);
    }
    return byService;
  }

  /**
   * Brings the service's admin targets to `inputs`: a URL kept keeps its id (and so its health
   * state); registered targets are left alone, and an admin target may not take a registered URL.
   */
  private async replaceTargets(manager: EntityManager, serviceId: string, inputs: TargetInput[]): Promise<TargetEntity[]> {
    const wanted = new Map<string, number>();
    for (const input of inputs) wanted.set(input.url, input.weight ?? 100);
    const current = await manager.find(TargetEntity, { where: { serviceId }, order: { createdAt: 'ASC', id: 'ASC' } });
    const registered = current.filter((t) => t.source === 'registration');
    const taken = [...wanted.keys()].flatMap((url) => (registered.some((t) => t.url === url) ? [url] : []));
    if (taken.length) {
      throw invalidRequest('invalid field: targets', taken.map((url) => ({ field: 'targets', message: `${url} is a registered target of this service; deregister it first` })));
    }
    const kept: TargetEntity[] = [];
    for (const target of current) {
      if (target.source !== 'admin') continue;
      const weight = wanted.get(target.url);
      if (weight === undefined) {
        await manager.delete(TargetEntity, { id: target.id });
        continue;
      }
      if (target.weight !== weight) await manager.update(TargetEntity, { id: target.id }, { weight });
      target.weight = weight;
      kept.push(target);
      wanted.delete(target.url);
    }
    // Creation times one millisecond apart keep new targets in the order they were given.
    const base = Date.now();
    const added = [...wanted].map(([url, weight], index) =>
      manager.create(TargetEntity, { id: randomUUID(), serviceId, url, weight, source: 'admin', metadata: {}, createdAt: new Date(base + index) }),
    );
    if (added.length) await manager.save(added);
    return [...kept, ...added, ...registered].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  }
}
