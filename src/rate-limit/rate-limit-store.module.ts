import { Module } from '@nestjs/common';
import { rateLimitStoreProvider } from './rate-limit-store.provider.js';
import { RATE_LIMIT_STORE } from './store/rate-limit-store.js';

/** The counter store alone, for whoever counts in it: the data plane's phase, @nestjs/throttler, the metrics. */
@Module({
  providers: [rateLimitStoreProvider],
  exports: [RATE_LIMIT_STORE],
})
export class RateLimitStoreModule {}
