import { GatewayError } from '../common/gateway-error.js';
import { isScopeToken } from '../common/validators.js';

/** RFC 6749 §5.2 error codes, carried as the problem's `error` member. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope' | 'unsupported_token_type';

export function oauthError(error: OAuthErrorCode, detail: string, headers?: Record<string, string>): GatewayError {
  return new GatewayError(error === 'invalid_client' ? 'AUTH_ERROR' : 'INVALID_REQUEST', detail, { headers, extensions: { error } });
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** How the client authenticated; a failed Basic one is answered with a Basic challenge. */
  via: 'basic' | 'body';
}

type Params = Record<string, unknown>;

/** One parameter as a string; refused when repeated (RFC 6749 §3.2) or not text. */
export function param(body: Params, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw oauthError('invalid_request', `${name} must be given once, as a string`);
  return value;
}

export const paramsOf = (body: unknown): Params => (body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Params) : {});

/** Client authentication: HTTP Basic (RFC 6749 §2.3.1) or client_id and client_secret in the body, never both. */
export function clientCredentialsOf(body: Params, authorization: string | undefined): ClientCredentials | undefined {
  const bodyId = param(body, 'client_id');
  const bodySecret = param(body, 'client_secret');
  const basic = authorization !== undefined && /^basic /i.test(authorization) ? authorization.slice(6).trim() : undefined;
  if (basic !== undefined) {
    if (bodySecret !== undefined) throw oauthError('invalid_request', 'give the client credentials once: in the Authorization header or in the body');
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw oauthError('invalid_client', 'the Basic credentials are not client_id:client_secret', { 'www-authenticate': 'Basic realm="gateway"' });
    try {
      // The form-urlencoding RFC 6749 §2.3.1 asks clients to apply first.
      const clientId = decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' '));
      const clientSecret = decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' '));
      if (bodyId !== undefined && bodyId !== clientId) throw oauthError('invalid_request', 'client_id in the body differs from the one in the Authorization header');
      return { clientId, clientSecret, via: 'basic' };
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      throw oauthError('invalid_client', 'the Basic credentials are not validly encoded', { 'www-authenticate': 'Basic realm="gateway"' });
    }
  }
  if (bodyId === undefined && bodySecret === undefined) return undefined;
  if (bodyId === undefined || bodySecret === undefined) throw oauthError('invalid_request', 'client_id and client_secret go together');
  return { clientId: bodyId, clientSecret: bodySecret, via: 'body' };
}

export interface TokenRequest {
  client: ClientCredentials;
  /** Undefined: the client asked for no particular scope (it gets all it holds). */
  scopes: string[] | undefined;
}

/** A client credentials token request (RFC 6749 §4.4.2), form-encoded or JSON. */
export function parseTokenRequest(rawBody: unknown, authorization: string | undefined): TokenRequest {
  const body = paramsOf(rawBody);
  const grantType = param(body, 'grant_type');
  if (grantType === undefined) throw oauthError('invalid_request', 'grant_type is required (client_credentials)');
  if (grantType !== 'client_credentials') throw oauthError('unsupported_grant_type', `grant_type "${grantType}" is not supported; use client_credentials`);
  const client = clientCredentialsOf(body, authorization);
  if (!client) throw oauthError('invalid_client', 'the client must authenticate: HTTP Basic, or client_id and client_secret', { 'www-authenticate': 'Basic realm="gateway"' });
  const scope = param(body, 'scope');
  const scopes = scope === undefined ? undefined : [...new Set(scope.split(' ').filter(Boolean))];
  if (scopes?.some((s) => !isScopeToken(s))) throw oauthError('invalid_scope', 'scope must be space-separated scope tokens');
  return { client, scopes };
}

/** The scopes granted: those asked for that the consumer holds; all it holds when none were asked for. */
export function grantedScopes(asked: readonly string[] | undefined, held: readonly string[]): string[] {
  if (asked === undefined || asked.length === 0) return [...held];
  const holds = new Set(held);
  return asked.filter((scope) => holds.has(scope));
}
