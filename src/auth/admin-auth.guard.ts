import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { GatewayError } from '../common/gateway-error.js';
import { AdminKeyService } from './admin-key.service.js';

export const ADMIN_KEY_HEADER = 'x-api-key';

/** Lets a control-plane call through only with the admin key in X-API-Key. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly keys: AdminKeyService) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers[ADMIN_KEY_HEADER];
    if (this.keys.verify(typeof header === 'string' ? header : undefined)) return true;
    throw new GatewayError('AUTH_ERROR', header === undefined ? 'this endpoint needs the admin key in the X-API-Key header' : 'the admin key is not valid', {
      headers: { 'www-authenticate': 'ApiKey header="X-API-Key"' },
    });
  }
}
