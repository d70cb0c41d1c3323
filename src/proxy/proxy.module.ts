import { Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module.js';
import { ResponseCachePhase } from '../cache/response-cache.phase.js';
import { RoutingModule } from '../routing/routing.module.js';
import { DataPlane } from './data-plane.js';
import { REQUEST_PHASES } from './pipeline.js';
import type { RequestPhase } from './request-context.js';
import { UpstreamForwarder } from './upstream-forwarder.js';
import { UpstreamPools } from './upstream-pools.js';

@Module({
  imports: [RoutingModule, CacheModule],
  providers: [
    UpstreamPools,
    UpstreamForwarder,
    DataPlane,
    // The phases between route resolution and the upstream call, in order (see pipeline.ts).
    // Response caching stays last: only a request every earlier phase let through may be answered from the cache.
    { provide: REQUEST_PHASES, inject: [ResponseCachePhase], useFactory: (cache: ResponseCachePhase): RequestPhase[] => [cache] },
  ],
  exports: [DataPlane, UpstreamPools],
})
export class ProxyModule {}
