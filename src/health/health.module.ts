import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RoutingModule } from '../routing/routing.module.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), RoutingModule],
  controllers: [HealthController],
})
export class HealthModule {}
