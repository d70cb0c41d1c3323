import { Global, Module } from '@nestjs/common';
import { ProxyModule } from '../proxy/proxy.module.js';
import { TrafficService } from './traffic.service.js';

@Global()
@Module({
  imports: [ProxyModule],
  providers: [TrafficService],
  exports: [TrafficService],
})
export class LifecycleModule {}
