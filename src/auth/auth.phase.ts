import { Injectable } from '@nestjs/common';
import { GatewayEvents } from '../common/gateway-events.js';
import { GatewayConfig } from '../config/gateway-config.js';
import type { Identity, RequestContext, RequestPhase } from '../proxy/request-context.js';
import type { CompiledAuthPolicy } from '../routing/table/compiled-route.js';
import { AuthError, AuthErrors, type CredentialKind } from './auth-errors.js';
import { Authenticator } from './authenticator.js';
import { bearerTokenOf, headerOf } from './credentials-of-request.js';
import { holdsScopes } from './identity.js';
import type { VerifiedToken } from './jwt/jwt-verifier.js';

/**
 * The data plane's auth step: checks the credential the matched route accepts (a Bearer JWT is
 * looked at first, then the API key header), then the route's scopes, and leaves the identity on
 * the context. A credential that is sent must be valid even where none is required. Credentials
 * are withheld from the upstream: the API key header always, Authorization unless the route
 * forwards it.
 */
@Injectable()
export class AuthPhase implements RequestPhase {
  readonly name = 'auth';
  private readonly keyHeader: string;
  private readonly withholdAll: ReadonlySet<string>;
  private readonly withholdKeyOnly: ReadonlySet<string>;

  constructor(
    config: GatewayConfig,
    private readonly auth: Authenticator,
    private readonly errors: AuthErrors,
    private readonly events: GatewayEvents,
  ) {
    this.keyHeader = config.apiKeyHeader;
    this.withholdAll = new Set(['authorization', config.apiKeyHeader]);
    this.withholdKeyOnly = new Set([config.apiKeyHeader]);
  }

  run(context: RequestContext): void | Promise<void> {
    const policy = context.match!.route.auth;
    context.withheldHeaders = policy.forwardAuthorization ? this.withholdKeyOnly : this.withholdAll;
    if (!policy.jwt && !policy.apiKey) return;
    const headers = context.req.headers;
    let kind: CredentialKind = 'jwt';
    try {
      const token = policy.jwt ? bearerTokenOf(headers.authorization) : undefined;
      if (token !== undefined) {
        const verified = this.auth.token(token);
        if (verified instanceof Promise) return this.admitWhenVerified(context, verified, policy);
        return this.admit(context, verified.identity, policy);
      }
      const key = policy.apiKey ? headerOf(headers, this.keyHeader) : undefined;
      if (key !== undefined) {
        kind = 'api_key';
        const apiKey = this.auth.apiKey(key);
        context.apiKeyId = apiKey.id;
        return this.admit(context, apiKey.consumer.keyIdentity, policy);
      }
      if (policy.required) throw policy.jwt && policy.apiKey ? this.errors.missing.both : policy.jwt ? this.errors.missing.jwt : this.errors.missing.apiKey;
    } catch (error) {
      this.refuse(context, kind, error);
    }
  }

  /** A token seen for the first time on this instance: verified asynchronously, then cached. */
  private async admitWhenVerified(context: RequestContext, pending: Promise<VerifiedToken>, policy: CompiledAuthPolicy): Promise<void> {
    try {
      this.admit(context, (await pending).identity, policy);
    } catch (error) {
      this.refuse(context, 'jwt', error);
    }
  }

  private admit(context: RequestContext, identity: Identity, policy: CompiledAuthPolicy): void {
    if (policy.scopes.length !== 0 && !holdsScopes(identity.scopes, policy.scopes, policy.matchAll)) {
      context.identity = identity; // who was refused, for the access line
      throw this.errors.insufficientScope(policy.scopes, policy.matchAll);
    }
    context.identity = identity;
  }

  private refuse(context: RequestContext, kind: CredentialKind, error: unknown): never {
    if (error instanceof AuthError) {
      context.authFailure = error.reason;
      this.events.emit('auth.failed', { reason: error.reason, method: error.reason === 'missing' ? 'none' : kind, route: context.match!.route.name });
    }
    throw error;
  }
}
