import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DiscoveryModule } from '../discovery/discovery.module.js';
import { ProxyModule } from '../proxy/proxy.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { HealthController } from './health.controller.js';
import { ServicesHealthController } from './services-health.controller.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), RoutingModule, DiscoveryModule, ProxyModule],
  controllers: [HealthController, ServicesHealthController],
})
export class HealthModule {}
