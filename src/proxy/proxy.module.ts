import { Module } from '@nestjs/common';
import { DiscoveryModule } from '../discovery/discovery.module.js';
import { AuthPhase } from '../auth/auth.phase.js';
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
  imports: [RoutingModule, DiscoveryModule],
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
    { provide: REQUEST_PHASES, useFactory: (cors: CorsPhase, auth: AuthPhase): RequestPhase[] => [cors, auth], inject: [CorsPhase, AuthPhase] },
  ],
  exports: [DataPlane, WebSocketProxy, UpstreamPools, ServiceRuntimes],
})
export class ProxyModule {}
