import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module.js';
import { DiscoveryController } from './discovery.controller.js';
import { HealthChecker } from './health-checker.service.js';
import { HealthRegistry } from './health-registry.service.js';
import { HeartbeatMonitor } from './heartbeat-monitor.service.js';
import { RegistrationReaper } from './registration-reaper.service.js';
import { RegistrationService } from './registration.service.js';
import { ServiceHealthController } from './service-health.controller.js';
import { ServiceHealthService } from './service-health.service.js';

/** Self-registration and heartbeats, active checks, the health state the balancers read, health views. */
@Module({
  imports: [RoutingModule],
  controllers: [DiscoveryController, ServiceHealthController],
  providers: [HealthRegistry, HealthChecker, HeartbeatMonitor, RegistrationReaper, RegistrationService, ServiceHealthService],
  exports: [HealthRegistry, ServiceHealthService],
})
export class DiscoveryModule {}
