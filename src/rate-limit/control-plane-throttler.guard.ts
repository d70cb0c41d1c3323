import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import type { Request } from 'express';
import { GatewayError } from '../common/gateway-error.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { clientAddress } from '../proxy/headers.js';

/** The throttler behind AUTH_ENDPOINT_RATE_LIMIT, by this name in @Throttle / @SkipThrottle. */
export const AUTH_ENDPOINT_THROTTLER = 'auth-endpoints';

/**
 * @nestjs/throttler's guard for the control plane's public endpoints (the token endpoint takes
 * client secrets, so it is where guessing happens), counting per client IP in the same store as the
 * data plane (shared through Redis). Two changes to the stock guard: the client is the address
 * TRUSTED_PROXIES resolve, not the socket's; a refusal is the gateway's 429 problem.
 */
@Injectable()
export class ControlPlaneThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly config: GatewayConfig,
  ) {
    super(options, storage, reflector);
  }

  protected override getTracker(req: Record<string, any>): Promise<string> {
    const request = req as Request;
    const peer = clientAddress(request);
    const trusted = this.config.trustedProxies;
    return Promise.resolve(trusted.isEmpty ? peer : trusted.clientOf(peer, request.headers['x-forwarded-for']));
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    throw new GatewayError('RATE_LIMIT', `too many requests from this address: the limit is ${detail.limit} per ${detail.ttl / 1000}s`, {
      retryAfterSeconds: retryAfter,
      extensions: { scope: 'ip', limit: detail.limit, window_s: detail.ttl / 1000 },
    });
  }
}
