import { Global, Module } from '@nestjs/common';
import { GatewayEvents } from './gateway-events.js';

@Global()
@Module({
  providers: [GatewayEvents],
  exports: [GatewayEvents],
})
export class CommonModule {}
