import { Controller, Delete, HttpCode, Inject, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiParam, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { AuditLogService } from '../audit/audit-log.service.js';
import { AdminAuth } from '../auth/admin-auth.decorator.js';
import { RESPONSE_CACHE_STORE, type ResponseCacheStore } from '../cache/response-cache-store.js';
import { GatewayError } from '../common/gateway-error.js';
import { ProblemView } from '../common/problem.view.js';
import { DatabaseService } from '../database/database.service.js';
import { RoutesService } from '../routing/routes.service.js';

@ApiTags('admin')
@AdminAuth()
@Controller('admin/cache')
export class CacheAdminController {
  constructor(
    private readonly routes: RoutesService,
    private readonly db: DatabaseService,
    private readonly audit: AuditLogService,
    @Inject(RESPONSE_CACHE_STORE) private readonly store: ResponseCacheStore,
  ) {}

  @Delete(':route')
  @HttpCode(204)
  @ApiOperation({
    summary: "Purge a route's cached responses",
    description: 'Every entry of the route at once, on every instance sharing the Redis store (the in-process store is per instance).',
  })
  @ApiParam({ name: 'route', description: 'The route id or name.', example: 'jobs-search' })
  @ApiNoContentResponse({ description: 'Purged.' })
  @ApiNotFoundResponse({ type: ProblemView })
  @ApiServiceUnavailableResponse({ description: 'The cache store is unreachable.', type: ProblemView })
  async purge(@Param('route') idOrName: string): Promise<void> {
    const route = await this.routes.get(idOrName);
    try {
      await this.store.purge(route.id);
    } catch (error) {
      throw new GatewayError('SERVICE_UNAVAILABLE', `the cache store could not be purged: ${(error as Error).message}`);
    }
    await this.db.write((manager) => this.audit.record(manager, { action: 'purge', entityType: 'cache', entityId: route.id, entityName: route.name }));
  }
}
