import { Injectable } from '@nestjs/common';
import { notFound } from '../common/gateway-error.js';
import type { CompiledService } from '../routing/table/compiled-route.js';
import { RouteTableService } from '../routing/table/route-table.service.js';
import { HealthRegistry } from './health-registry.service.js';
import { serviceHealthView, type ServiceHealthView } from './health-views.js';

/** Health views of the services in the current route table, as this instance sees them. */
@Injectable()
export class ServiceHealthService {
  constructor(
    private readonly routes: RouteTableService,
    private readonly registry: HealthRegistry,
  ) {}

  /** A service of the current table by id or name; 404 when there is none. */
  require(idOrName: string): CompiledService {
    const service = this.routes.current.service(idOrName);
    if (!service) throw notFound(`no service with id or name "${idOrName}"`);
    return service;
  }

  of(service: CompiledService): ServiceHealthView {
    return serviceHealthView(service, (id) => this.registry.get(id));
  }

  all(): ServiceHealthView[] {
    return this.routes.current.services.map((service) => this.of(service));
  }
}
