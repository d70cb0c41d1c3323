import { Module } from '@nestjs/common';
import { AuthPhase } from '../auth/auth.phase.js';
import { RoutingModule } from '../routing/routing.module.js';
import { DataPlane } from './data-plane.js';
import { REQUEST_PHASES } from './pipeline.js';
import type { RequestPhase } from './request-context.js';
import { UpstreamForwarder } from './upstream-forwarder.js';
import { UpstreamPools } from './upstream-pools.js';

@Module({
  imports: [RoutingModule],
  providers: [
    UpstreamPools,
    UpstreamForwarder,
    DataPlane,
    // The phases between route resolution and the upstream call, in order (see pipeline.ts).
    { provide: REQUEST_PHASES, useFactory: (auth: AuthPhase): RequestPhase[] => [auth], inject: [AuthPhase] },
  ],
  exports: [DataPlane, UpstreamPools],
})
export class ProxyModule {}
