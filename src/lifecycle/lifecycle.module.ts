import { Global, Module } from '@nestjs/common';
import { DocsModule } from '../docs/docs.module.js';
import { ProxyModule } from '../proxy/proxy.module.js';
import { TrafficService } from './traffic.service.js';

@Global()
@Module({
  imports: [ProxyModule, DocsModule],
  providers: [TrafficService],
  exports: [TrafficService],
})
export class LifecycleModule {}
