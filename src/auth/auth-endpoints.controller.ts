import { Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ControlPlaneThrottlerGuard } from '../rate-limit/control-plane-throttler.guard.js';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { GatewayError } from '../common/gateway-error.js';
import { GatewayEvents } from '../common/gateway-events.js';
import { GATEWAY_OWNED_PATHS } from '../common/gateway-owned-paths.js';
import { ProblemView } from '../common/problem.view.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { ADMIN_SECURITY_SCHEME } from './admin-auth.decorator.js';
import { AdminKeyService } from './admin-key.service.js';
import { ADMIN_KEY_HEADER } from './admin-auth.guard.js';
import { ADMIN_SCOPE } from './admin-scopes.js';
import { AuthError, AuthErrors, type CredentialKind } from './auth-errors.js';
import { Authenticator, type PresentedCredential } from './authenticator.js';
import { bearerTokenOf, headerOf } from './credentials-of-request.js';
import { CredentialTableService } from './credentials/credential-table.service.js';
import { MeView, RevokeRequestView, RevokeView, TokenRequestView, TokenView } from './dto/token.dto.js';
import { JwtVerifier, type VerifiedToken } from './jwt/jwt-verifier.js';
import { TokenIssuer } from './jwt/token-issuer.js';
import { clientCredentialsOf, grantedScopes, oauthError, param, paramsOf, parseTokenRequest } from './oauth-request.js';
import { Denylist } from './revocation/denylist.service.js';

const route = (path: string) => path.slice(1);

/**
 * The endpoints the gateway answers itself under /api/v1 (see GATEWAY_OWNED_PATHS): OAuth 2.0
 * client credentials tokens, token revocation (RFC 7009), and who the caller is.
 */
@ApiTags('auth')
@Controller()
export class AuthEndpointsController {
  constructor(
    private readonly auth: Authenticator,
    private readonly issuer: TokenIssuer,
    private readonly verifier: JwtVerifier,
    private readonly denylist: Denylist,
    private readonly credentials: CredentialTableService,
    private readonly adminKeys: AdminKeyService,
    private readonly errors: AuthErrors,
    private readonly events: GatewayEvents,
    private readonly config: GatewayConfig,
  ) {}

  @Post(route(GATEWAY_OWNED_PATHS.token))
  @UseGuards(ControlPlaneThrottlerGuard)
  @ApiTooManyRequestsResponse({ description: 'More calls from this address than AUTH_ENDPOINT_RATE_LIMIT allows.', type: ProblemView })
  @HttpCode(200)
  @ApiOperation({
    summary: 'Issue an access token (OAuth 2.0 client credentials)',
    description: 'Client authentication by HTTP Basic or client_id/client_secret in the body (form or JSON). Errors carry the OAuth `error` code.',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: TokenRequestView })
  @ApiOkResponse({ type: TokenView })
  @ApiBadRequestResponse({ description: 'invalid_request, unsupported_grant_type or invalid_scope.', type: ProblemView })
  @ApiUnauthorizedResponse({ description: 'invalid_client.', type: ProblemView })
  async token(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenView> {
    noStore(res);
    const request = parseTokenRequest(req.body, req.headers.authorization);
    const client = this.auth.client(request.client.clientId, request.client.clientSecret);
    if (!client) {
      this.events.emit('auth.failed', { reason: 'invalid_client', method: 'client_credentials', route: null });
      throw oauthError('invalid_client', 'the client credentials are not valid', request.client.via === 'basic' ? { 'www-authenticate': 'Basic realm="gateway"' } : undefined);
    }
    const scopes = grantedScopes(request.scopes, client.consumer.scopes);
    if (request.scopes?.length && scopes.length === 0) throw oauthError('invalid_scope', `the client holds none of the scopes asked for (${request.scopes.join(' ')})`);
    const issued = await this.issuer.issue(client, scopes);
    return { access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn, scope: scopes.join(' ') };
  }

  @Post(route(GATEWAY_OWNED_PATHS.revoke))
  @UseGuards(ControlPlaneThrottlerGuard)
  @ApiTooManyRequestsResponse({ description: 'More calls from this address than AUTH_ENDPOINT_RATE_LIMIT allows.', type: ProblemView })
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke a token (RFC 7009)',
    description:
      'Every instance refuses the token from then on, until it expires. Allowed: the token itself as the Bearer credential, ' +
      'the client it was issued to (client credentials), a credential with the admin scope, or the admin key.',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: RevokeRequestView })
  @ApiBearerAuth()
  @ApiSecurity(ADMIN_SECURITY_SCHEME)
  @ApiOkResponse({ type: RevokeView })
  @ApiUnauthorizedResponse({ description: 'The caller is not authenticated.', type: ProblemView })
  @ApiForbiddenResponse({ description: 'The caller may not revoke that token.', type: ProblemView })
  @ApiServiceUnavailableResponse({ description: 'The revocation could not be shared with the other instances (Redis is down).', type: ProblemView })
  async revoke(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<RevokeView> {
    noStore(res);
    const body = paramsOf(req.body);
    const bearer = bearerTokenOf(req.headers.authorization);
    const target = param(body, 'token') ?? bearer;
    if (target === undefined) throw oauthError('invalid_request', 'token is required (or send the token to revoke as the Bearer credential)');
    const mayRevoke = await this.revoker(req, body, bearer);
    let token: VerifiedToken;
    try {
      token = await this.verifier.verify(target);
    } catch (error) {
      if (error instanceof AuthError && error.reason !== 'jwks_unavailable') return { revoked: false }; // RFC 7009 §2.2: an invalid token needs no revoking
      throw error;
    }
    if (!mayRevoke(token)) throw new GatewayError('FORBIDDEN', 'this caller may not revoke that token', { extensions: { error: 'unauthorized_client' } });
    try {
      await this.denylist.revoke(token.revocationId, token.expiresAtMs + this.config.jwtClockSkewSeconds * 1000);
    } catch {
      throw new GatewayError('SERVICE_UNAVAILABLE', 'the token is refused here, but the revocation could not be shared with the other instances; try again', {
        retryAfterSeconds: 1,
      });
    }
    return { revoked: true };
  }

  @Get(route(GATEWAY_OWNED_PATHS.me))
  @ApiOperation({ summary: 'Who the caller is', description: 'The identity and scopes of the Bearer token or API key, as the upstreams see them.' })
  @ApiBearerAuth()
  @ApiSecurity(ADMIN_SECURITY_SCHEME)
  @ApiOkResponse({ type: MeView })
  @ApiUnauthorizedResponse({ type: ProblemView })
  async me(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<MeView> {
    noStore(res);
    const credential = await this.authenticate(req);
    const { identity } = credential;
    const consumer = identity.consumerId === null ? undefined : this.credentials.current.consumers.get(identity.consumerId);
    const expiresAtMs = credential.token?.expiresAtMs ?? credential.apiKey?.expiresAtMs ?? null;
    return {
      auth_method: credential.kind,
      user_id: identity.subject,
      consumer: consumer ? { id: consumer.id, username: consumer.username, custom_id: consumer.customId } : null,
      scopes: [...identity.scopes],
      expires_at: expiresAtMs === null ? null : new Date(expiresAtMs).toISOString(),
      ...(credential.token ? { client_id: credential.token.clientId } : {}),
    };
  }

  /** Which tokens the caller of /revoke may revoke. */
  private async revoker(req: Request, body: Record<string, unknown>, bearer: string | undefined): Promise<(token: VerifiedToken) => boolean> {
    const adminKey = headerOf(req.headers, ADMIN_KEY_HEADER);
    if (adminKey !== undefined && this.adminKeys.verify(adminKey)) return () => true;
    const client = clientCredentialsOf(body, req.headers.authorization);
    if (client) {
      const known = this.auth.client(client.clientId, client.clientSecret);
      if (!known) {
        this.events.emit('auth.failed', { reason: 'invalid_client', method: 'client_credentials', route: null });
        throw oauthError('invalid_client', 'the client credentials are not valid', client.via === 'basic' ? { 'www-authenticate': 'Basic realm="gateway"' } : undefined);
      }
      return (token) => token.clientId === known.clientId;
    }
    const caller = await this.authenticate(req);
    if (caller.identity.scopes.has(ADMIN_SCOPE)) return () => true;
    return (token) => caller.token !== undefined && bearer !== undefined && token.revocationId === caller.token.revocationId;
  }

  private async authenticate(req: Request): Promise<PresentedCredential> {
    let kind: CredentialKind | 'none' = 'none';
    try {
      const credential = await this.auth.fromHeaders(req.headers, (k) => (kind = k));
      if (!credential) throw this.errors.missing.both;
      return credential;
    } catch (error) {
      if (error instanceof AuthError) this.events.emit('auth.failed', { reason: error.reason, method: kind, route: null });
      throw error;
    }
  }
}

/** RFC 6749 §5.1: answers that carry or concern credentials are never cached. */
function noStore(res: Response): void {
  res.setHeader('cache-control', 'no-store');
  res.setHeader('pragma', 'no-cache');
}
