import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/admin-auth.decorator.js';
import { ProblemView } from '../common/problem.view.js';
import { ServiceHealthView } from './health-views.js';
import { ServiceHealthService } from './service-health.service.js';

@ApiTags('services')
@AdminAuth()
@Controller('admin/services')
export class ServiceHealthController {
  constructor(private readonly health: ServiceHealthService) {}

  @Get(':idOrName/health')
  @ApiOperation({
    summary: "A service's targets and their health",
    description: 'State, reason, last check, its latency and last error, passive failures, requests in flight; as this gateway instance sees them.',
  })
  @ApiParam({ name: 'idOrName', description: 'The service id (UUID) or name.', example: 'orders' })
  @ApiOkResponse({ type: ServiceHealthView })
  @ApiNotFoundResponse({ type: ProblemView })
  get(@Param('idOrName') idOrName: string): ServiceHealthView {
    return this.health.of(this.health.require(idOrName));
  }
}
