import { Module } from '@nestjs/common';
import { DiscoveryModule } from '../discovery/discovery.module.js';
import { AuthPhase } from '../auth/auth.phase.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { CircuitController } from './circuit.controller.js';
import { DataPlane } from './data-plane.js';
import { REQUEST_PHASES } from './pipeline.js';
import type { RequestPhase } from './request-context.js';
import { UpstreamForwarder } from './upstream-forwarder.js';
import { ServiceRuntimes } from './service-runtimes.service.js';
import { UpstreamPools } from './upstream-pools.js';

@Module({
  imports: [RoutingModule, DiscoveryModule, MetricsModule],
  controllers: [CircuitController],
  providers: [
    UpstreamPools,
    ServiceRuntimes,
    UpstreamForwarder,
    DataPlane,
    // The phases between route resolution and the upstream call, in order (see pipeline.ts).
    { provide: REQUEST_PHASES, useFactory: (auth: AuthPhase): RequestPhase[] => [auth], inject: [AuthPhase] },
  ],
  exports: [DataPlane, UpstreamPools, ServiceRuntimes],
})
export class ProxyModule {}
