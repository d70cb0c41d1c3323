import { Module } from '@nestjs/common';
import { AuthPhase } from '../auth/auth.phase.js';
import { CacheModule } from '../cache/cache.module.js';
import { ResponseCachePhase } from '../cache/response-cache.phase.js';
import { DiscoveryModule } from '../discovery/discovery.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { CorsPhase } from '../edge/cors.phase.js';
import { CircuitController } from './circuit.controller.js';
import { DataPlane } from './data-plane.js';
import { WebSocketProxy } from './websocket-proxy.js';
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
    WebSocketProxy,
    CorsPhase,
    // The phases between route resolution and the upstream call, in order (see pipeline.ts).
    // CORS first: a preflight carries no credentials, so it is answered before auth could refuse it.
    // Auth before the cache: the cache key may depend on the caller, and a refused request must never
    // be answered from the cache. Response caching stays last: only a request every earlier phase let
    // through may be answered from the cache.
    {
      provide: REQUEST_PHASES,
      inject: [CorsPhase, AuthPhase, ResponseCachePhase],
      useFactory: (cors: CorsPhase, auth: AuthPhase, cache: ResponseCachePhase): RequestPhase[] => [cors, auth, cache],
    },
  ],
  exports: [DataPlane, WebSocketProxy, UpstreamPools, ServiceRuntimes],
})
export class ProxyModule {}
