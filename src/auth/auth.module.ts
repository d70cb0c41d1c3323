import { Global, Module } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { AdminKeyService } from './admin-key.service.js';

@Global()
@Module({
  providers: [AdminKeyService, AdminAuthGuard],
  exports: [AdminKeyService, AdminAuthGuard],
})
export class AuthModule {}
