import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditScopeInterceptor } from './audit-scope.interceptor.js';
import { AuditLogService } from './audit-log.service.js';

@Global()
@Module({
  providers: [AuditLogService, { provide: APP_INTERCEPTOR, useClass: AuditScopeInterceptor }],
  exports: [AuditLogService],
})
export class AuditModule {}
