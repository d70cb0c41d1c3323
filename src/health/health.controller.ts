import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { CredentialTableService } from '../auth/credentials/credential-table.service.js';
import { DatabaseService } from '../database/database.service.js';
import { MigrationState } from '../database/migration-state.js';
import { TrafficService } from '../lifecycle/traffic.service.js';
import { DeclarativeConfigService } from '../routing/declarative/declarative-config.service.js';
import { RouteTableService } from '../routing/table/route-table.service.js';
import { ProblemView } from '../common/problem.view.js';

const DATABASE_TIMEOUT_MS = 2_000;

/** Kubernetes probes: liveness, readiness, startup. */
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: DatabaseService,
    private readonly migrations: MigrationState,
    private readonly routes: RouteTableService,
    private readonly declarative: DeclarativeConfigService,
    private readonly traffic: TrafficService,
    private readonly credentials: CredentialTableService,
  ) {}

  @Get('health')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness: the process answers', description: 'Checks nothing outside the process, so a database outage never restarts the gateway.' })
  @ApiOkResponse({ description: 'Alive.' })
  liveness(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: the database answers, the route and credential tables are loaded' })
  @ApiOkResponse({ description: 'Ready for traffic.' })
  @ApiServiceUnavailableResponse({ description: 'Not ready; `checks` names the failing part.', type: ProblemView })
  readiness(): Promise<HealthCheckResult> {
    return this.health.check([
      () => (this.traffic.isDraining ? this.indicators.check('shutdown').down('draining') : this.indicators.check('shutdown').up()),
      () => this.indicators.check('database').attempt(() => this.db.ping()).withTimeout(DATABASE_TIMEOUT_MS),
      () => this.routeTable(),
      () => this.credentialTable(),
    ]);
  }

  @Get('health/startup')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Startup: migrations done, route and credential tables loaded, declarative configuration applied' })
  @ApiOkResponse({ description: 'Started.' })
  @ApiServiceUnavailableResponse({ description: 'Still starting; `checks` names what is pending.', type: ProblemView })
  startup(): Promise<HealthCheckResult> {
    return this.health.check([
      () => (this.migrations.isDone ? this.indicators.check('migrations').up() : this.indicators.check('migrations').down('pending')),
      () => this.routeTable(),
      () => this.credentialTable(),
      () =>
        this.declarative.isApplied
          ? this.indicators.check('declarative_config').up()
          : this.indicators.check('declarative_config').down('not applied yet'),
    ]);
  }

  private credentialTable() {
    const table = this.credentials.current;
    const indicator = this.indicators.check('credential_table');
    return this.credentials.isLoaded ? indicator.up({ version: table.version, consumers: table.consumers.size }) : indicator.down('not loaded yet');
  }

  private routeTable() {
    const table = this.routes.current;
    const indicator = this.indicators.check('route_table');
    return this.routes.isLoaded ? indicator.up({ version: table.version, routes: table.routeCount }) : indicator.down('not loaded yet');
  }
}
