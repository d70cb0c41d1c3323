import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/admin-auth.decorator.js';
import { ServiceHealthView } from '../discovery/health-views.js';
import { ServiceHealthService } from '../discovery/service-health.service.js';
import { ServiceRuntimes } from '../proxy/service-runtimes.service.js';

class ServiceHealthWithCircuit extends ServiceHealthView {
  @ApiProperty({ nullable: true, enum: ['CLOSED', 'OPEN', 'HALF_OPEN'], description: 'null: no circuit breaker.' }) circuit: string | null;
}

class ServicesHealth {
  @ApiProperty({ enum: ['up', 'degraded', 'down'], description: 'down when some service has no healthy target, degraded when some lost a target or has an open circuit.' })
  status: 'up' | 'degraded' | 'down';
  @ApiProperty({ type: [ServiceHealthWithCircuit] }) services: ServiceHealthWithCircuit[];
}

/**
 * Every service's targets and circuit as this instance sees them. Always 200: it reports on the
 * backends, so a probe pointed at it by mistake must not restart the gateway when one is down.
 * It names internal addresses, hence the admin key.
 */
@ApiTags('health')
@AdminAuth()
@Controller('health')
export class ServicesHealthController {
  constructor(
    private readonly health: ServiceHealthService,
    private readonly runtimes: ServiceRuntimes,
  ) {}

  @Get('services')
  @ApiOperation({ summary: "Every service's targets and circuit", description: 'Each target: state, reason, last check, latency, last error. On this gateway instance.' })
  @ApiOkResponse({ type: ServicesHealth })
  services(): ServicesHealth {
    const services = this.health.all().map((view) => ({ ...view, circuit: this.runtimes.get(view.id)?.breaker?.state ?? null }));
    const down = services.some((s) => s.status === 'down');
    const degraded = services.some((s) => s.status === 'degraded' || (s.circuit !== null && s.circuit !== 'CLOSED'));
    return { status: down ? 'down' : degraded ? 'degraded' : 'up', services };
  }
}
