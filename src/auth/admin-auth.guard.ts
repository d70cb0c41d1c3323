import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { GatewayEvents } from '../common/gateway-events.js';
import type { Identity } from '../proxy/request-context.js';
import { AdminKeyService } from './admin-key.service.js';
import { ADMIN_SCOPE, ADMIN_SCOPE_METADATA, scopesAdmitting } from './admin-scopes.js';
import { AuthError, AuthErrors, type CredentialKind } from './auth-errors.js';
import { Authenticator } from './authenticator.js';
import { headerOf } from './credentials-of-request.js';
import { holdsScopes } from './identity.js';

export const ADMIN_KEY_HEADER = 'x-api-key';

/** Who a control-plane call acts as, for the audit log (see src/audit/audit-context.ts). */
export type AdminActorRequest = Request & { adminActor?: string };

export function adminActorOf(identity: Identity): string {
  return identity.consumerId !== null ? `consumer:${identity.consumerId}` : `${identity.method}:${identity.subject}`;
}

/**
 * Lets a control-plane call through with the admin key in X-API-Key, or with a consumer's Bearer
 * JWT or API key whose scopes admit it (see AdminAuth).
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly noCredential: AuthError;

  constructor(
    private readonly keys: AdminKeyService,
    private readonly auth: Authenticator,
    private readonly errors: AuthErrors,
    private readonly events: GatewayEvents,
    private readonly reflector: Reflector,
  ) {
    this.noCredential = new AuthError('missing', 'this endpoint needs the admin key in the X-API-Key header, or a Bearer token or API key with an admin scope', {
      'www-authenticate': `ApiKey header="X-API-Key", ${errors.missing.jwt.extras.headers!['www-authenticate']}`,
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AdminActorRequest>();
    const presented = headerOf(req.headers, ADMIN_KEY_HEADER);
    if (presented !== undefined && this.keys.verify(presented)) {
      req.adminActor = 'admin-key';
      return true;
    }
    const scope = this.reflector.getAllAndOverride<string | undefined>(ADMIN_SCOPE_METADATA, [context.getHandler(), context.getClass()]) ?? ADMIN_SCOPE;
    let kind: CredentialKind | 'none' = 'none';
    try {
      const identity = await this.identify(req, (k) => (kind = k));
      const admitting = scopesAdmitting(scope, req.method);
      if (!holdsScopes(identity.scopes, admitting, false)) throw this.errors.insufficientScope(admitting, false);
      req.adminActor = adminActorOf(identity);
      return true;
    } catch (error) {
      if (error instanceof AuthError) this.events.emit('auth.failed', { reason: error.reason, method: kind, route: null });
      throw error;
    }
  }

  private async identify(req: Request, attempt: (kind: CredentialKind) => void): Promise<Identity> {
    const credential = await this.auth.fromHeaders(req.headers, attempt);
    if (credential) return credential.identity;
    // An X-API-Key that is not the admin key, when consumer keys travel in another header.
    if (headerOf(req.headers, ADMIN_KEY_HEADER) !== undefined) {
      throw new AuthError('unknown_api_key', 'the admin key is not valid', { 'www-authenticate': 'ApiKey header="X-API-Key"' });
    }
    throw this.noCredential;
  }
}
