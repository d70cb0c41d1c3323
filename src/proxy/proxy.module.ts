import { Module } from '@nestjs/common';
import { AuthPhase } from '../auth/auth.phase.js';
import { CacheModule } from '../cache/cache.module.js';
import { ResponseCachePhase } from '../cache/response-cache.phase.js';
import { DiscoveryModule } from '../discovery/discovery.module.js';
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
  imports: [RoutingModule, DiscoveryModule, CacheModule, MetricsModule],
  controllers: [CircuitController],
  providers: [
    UpstreamPools,
    ServiceRuntimes,
    UpstreamForwarder,
    DataPlane,
    // The phases between route resolution and the upstream call, in order (see pipeline.ts).
    // Auth first: the cache key may depend on the caller, and a refused request must never be
    // answered from the cache. Response caching stays last: only a request every earlier phase let
    // through may be answered from the cache.
    {
      provide: REQUEST_PHASES,
      inject: [AuthPhase, ResponseCachePhase],
      useFactory: (auth: AuthPhase, cache: ResponseCachePhase): RequestPhase[] => [auth, cache],
    },
  ],
  exports: [DataPlane, UpstreamPools, ServiceRuntimes],
})
export class ProxyModule {}
