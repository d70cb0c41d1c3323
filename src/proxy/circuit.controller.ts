import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/admin-auth.decorator.js';
import { conflict } from '../common/gateway-error.js';
import { ProblemView } from '../common/problem.view.js';
import { ServiceHealthService } from '../discovery/service-health.service.js';
import { CircuitBreakerView } from '../routing/dto/resilience.dto.js';
import type { CompiledService } from '../routing/table/compiled-route.js';
import { CircuitResets } from './circuit-resets.service.js';
import { breakerClock, ServiceRuntimes } from './service-runtimes.service.js';

class CircuitServiceRef {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'orders' }) name: string;
}

export class CircuitView {
  @ApiProperty({ type: CircuitServiceRef }) service: CircuitServiceRef;
  @ApiProperty({ description: 'Whether the service has a circuit_breaker.' }) enabled: boolean;
  @ApiProperty({ nullable: true, enum: ['CLOSED', 'OPEN', 'HALF_OPEN'], description: 'On this gateway instance (each keeps its own).' }) state: string | null;
  @ApiProperty({ nullable: true, type: CircuitBreakerView }) settings: CircuitBreakerView | null;
  @ApiProperty({ example: 12, description: 'Finished requests in the current window (while CLOSED).' }) requests_in_window: number;
  @ApiProperty({ example: 3, description: 'Failed ones among them.' }) failures_in_window: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When it last opened.' }) opened_at: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'While OPEN: seconds until trial requests are let through.' }) retry_after_seconds: number | null;
  @ApiProperty({ example: 0, description: 'While HALF_OPEN: trial requests let through.' }) half_open_admitted: number;
  @ApiProperty({ example: 0 }) half_open_successes: number;
}

const ID_OR_NAME = { name: 'idOrName', description: 'The service id (UUID) or name.', example: 'orders' };

@ApiTags('services')
@AdminAuth()
@Controller('admin/services')
export class CircuitController {
  constructor(
    private readonly services: ServiceHealthService,
    private readonly runtimes: ServiceRuntimes,
    private readonly resets: CircuitResets,
  ) {}

  @Get(':idOrName/circuit')
  @ApiOperation({ summary: "A service's circuit breaker", description: 'State and window counts on this gateway instance.' })
  @ApiParam(ID_OR_NAME)
  @ApiOkResponse({ type: CircuitView })
  @ApiNotFoundResponse({ type: ProblemView })
  get(@Param('idOrName') idOrName: string): CircuitView {
    return this.view(this.services.require(idOrName));
  }

  @Post(':idOrName/circuit/reset')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Close the circuit',
    description: 'Back to CLOSED with an empty window: on this gateway instance at once (the view returned), on every other instance sharing the database within a second.',
  })
  @ApiParam(ID_OR_NAME)
  @ApiOkResponse({ type: CircuitView })
  @ApiNotFoundResponse({ type: ProblemView })
  @ApiConflictResponse({ description: 'The service has no circuit breaker.', type: ProblemView })
  @ApiServiceUnavailableResponse({ description: 'Closed on this instance only: the database, through which the others hear of it, was unreachable.', type: ProblemView })
  async reset(@Param('idOrName') idOrName: string): Promise<CircuitView> {
    const service = this.services.require(idOrName);
    if (!this.runtimes.get(service.id)?.breaker) throw conflict(`service "${service.name}" has no circuit breaker`);
    await this.resets.resetEverywhere(service.id);
    return this.view(service);
  }

  private view(service: CompiledService): CircuitView {
    const breaker = this.runtimes.get(service.id)?.breaker ?? null;
    const ref = { id: service.id, name: service.name };
    if (!breaker) {
      return { service: ref, enabled: false, state: null, settings: null, requests_in_window: 0, failures_in_window: 0, opened_at: null, retry_after_seconds: null, half_open_admitted: 0, half_open_successes: 0 };
    }
    const now = breakerClock();
    const snapshot = breaker.snapshot(now);
    const settings = breaker.settings;
    return {
      service: ref,
      enabled: true,
      state: snapshot.state,
      settings: {
        failure_threshold: settings.failureThreshold,
        failure_window_s: settings.failureWindowMs / 1_000,
        min_throughput: settings.minThroughput,
        recovery_timeout_s: settings.recoveryTimeoutMs / 1_000,
        half_open_max_requests: settings.halfOpenMaxRequests,
      },
      requests_in_window: snapshot.requestsInWindow,
      failures_in_window: snapshot.failuresInWindow,
      opened_at: snapshot.openedAt === null ? null : new Date(performance.timeOrigin + snapshot.openedAt).toISOString(),
      retry_after_seconds: snapshot.state === 'OPEN' ? breaker.retryAfterSeconds(now) : null,
      half_open_admitted: snapshot.halfOpenAdmitted,
      half_open_successes: snapshot.halfOpenSuccesses,
    };
  }
}
