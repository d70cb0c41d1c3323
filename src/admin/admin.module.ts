import { Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { AuditLogController } from './audit-log.controller.js';
import { CacheAdminController } from './cache-admin.controller.js';
import { ConfigurationController } from './configuration.controller.js';
import { ReloadController } from './reload.controller.js';
import { RuntimeSettingsService } from './runtime-settings.service.js';

/** Admin operations: configuration view and run-time settings, reload, audit log, cache purge. */
@Module({
  imports: [RoutingModule, CacheModule],
  controllers: [ConfigurationController, ReloadController, AuditLogController, CacheAdminController],
  providers: [RuntimeSettingsService],
})
export class AdminModule {}
