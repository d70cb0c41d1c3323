import { Global, Module } from '@nestjs/common';
import { RedisConnections } from './redis-connections.js';

/** Shared Redis connections (REDIS_URL, REDIS_KEY_PREFIX) for the modules that keep state there. */
@Global()
@Module({
  providers: [RedisConnections],
  exports: [RedisConnections],
})
export class RedisModule {}
