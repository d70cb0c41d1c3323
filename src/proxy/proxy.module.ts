import { Module } from '@nestjs/common';
import { AuthPhase } from '../auth/auth.phase.js';
import { CacheModule } from '../cache/cache.module.js';
import { ResponseCachePhase } from '../cache/response-cache.phase.js';
import { DiscoveryModule } from '../discovery/discovery.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { CorsPhase } from '../edge/cors.phase.js';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { RateLimitPhase } from '../rate-limit/rate-limit.phase.js';
import { CircuitResets } from './circuit-resets.service.js';
import { CircuitController } from './circuit.controller.js';
import { DataPlane } from './data-plane.js';
import { WebSocketProxy } from './websocket-proxy.js';
import { REQUEST_PHASES } from './pipeline.js';
import type { RequestPhase } from './request-context.js';
import { UpstreamForwarder } from './upstream-forwarder.js';
import { ServiceRuntimes } from './service-runtimes.service.js';
import { UpstreamPools } from './upstream-pools.js';

@Module({
  imports: [RoutingModule, DiscoveryModule, CacheModule, MetricsModule, RateLimitModule],
  controllers: [CircuitController],
  providers: [
    UpstreamPools,
    ServiceRuntimes,
    CircuitResets,
    UpstreamForwarder,
    DataPlane,
    WebSocketProxy,
    CorsPhase,
    // The phases between route resolution and the upstream call, in order (see pipeline.ts).
    // CORS first: a preflight carries no credentials, so it is answered before auth could refuse it.
    // Auth before rate limiting: the consumer, API key and route × consumer scopes need the caller (a
    // refused credential still costs its IP, through onEarlierRefusal). Rate limiting before the cache:
    // a cached answer is still a request. Response caching stays last: only a request every earlier
    // phase let through may be answered from the cache, and a refused request never is.
    {
      provide: REQUEST_PHASES,
      inject: [CorsPhase, AuthPhase, RateLimitPhase, ResponseCachePhase],
      useFactory: (cors: CorsPhase, auth: AuthPhase, rateLimit: RateLimitPhase, cache: ResponseCachePhase): RequestPhase[] => [cors, auth, rateLimit, cache],
    },
  ],
  exports: [DataPlane, WebSocketProxy, UpstreamPools, ServiceRuntimes],
})
export class ProxyModule {}
