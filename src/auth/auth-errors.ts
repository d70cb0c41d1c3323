import { GatewayError } from '../common/gateway-error.js';

/**
 * Why a credential was refused: the bounded vocabulary of `auth.failed` events, access lines and
 * metrics. Never anything taken from the credential itself.
 */
export const AUTH_FAILURE_REASONS = {
  missing: 'no credential was sent',
  malformed: 'the token is not a well-formed JWT',
  oversized: 'the token is larger than this gateway accepts',
  unsupported_alg: 'the token is signed with an algorithm this gateway does not accept',
  bad_signature: 'the token signature does not verify',
  unknown_key: 'the token is signed with a key this gateway does not know',
  expired: 'the credential has expired',
  not_yet_valid: 'the token is not valid yet',
  wrong_issuer: 'the token was issued by an issuer this gateway does not accept',
  wrong_audience: 'the token is meant for another audience',
  missing_claim: 'the token lacks a claim this gateway requires (exp, sub)',
  revoked: 'the credential has been revoked',
  unknown_consumer: 'the consumer or client this token was issued to no longer exists',
  unknown_api_key: 'the API key is not valid',
  invalid_client: 'the client credentials are not valid',
  insufficient_scope: 'the credential lacks a scope this call needs',
  jwks_unavailable: 'the keys to verify the token could not be fetched; try again shortly',
} as const;

const JWKS_RETRY_AFTER_SECONDS = 5;

export type AuthFailureReason = keyof typeof AUTH_FAILURE_REASONS;
export type CredentialKind = 'jwt' | 'api_key';

/** A refused credential: 401 (or 403 for a missing scope) with the reason for events and logs. */
export class AuthError extends GatewayError {
  constructor(
    readonly reason: AuthFailureReason,
    detail: string,
    headers: Record<string, string>,
    extensions?: Record<string, unknown>,
  ) {
    // A token that could not be checked for want of keys may well be good: the client should retry, not re-authenticate.
    const code = reason === 'insufficient_scope' ? 'FORBIDDEN' : reason === 'jwks_unavailable' ? 'SERVICE_UNAVAILABLE' : 'AUTH_ERROR';
    super(code, detail, { headers, extensions, retryAfterSeconds: reason === 'jwks_unavailable' ? JWKS_RETRY_AFTER_SECONDS : undefined });
    this.name = 'AuthError';
  }
}

const quoted = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/**
 * The refusals, with their RFC 6750 challenges, built once: a flood of bad credentials costs a
 * lookup here, not a new error and header strings per request.
 */
export class AuthErrors {
  /** Challenges for a request that sent no credential, by the methods the route accepts. */
  readonly missing: { jwt: AuthError; apiKey: AuthError; both: AuthError };
  private readonly invalidToken = new Map<AuthFailureReason, AuthError>();
  private readonly invalidKey = new Map<AuthFailureReason, AuthError>();

  constructor(
    private readonly realm: string,
    apiKeyHeader: string,
  ) {
    const bearer = `Bearer realm=${quoted(realm)}`;
    const apiKey = `ApiKey realm=${quoted(realm)}, header=${quoted(apiKeyHeader)}`;
    const missing = (challenge: string, detail: string) => new AuthError('missing', detail, { 'www-authenticate': challenge });
    this.missing = {
      jwt: missing(bearer, 'this route needs a Bearer token in the Authorization header'),
      apiKey: missing(apiKey, `this route needs an API key in the ${apiKeyHeader} header`),
      both: missing(`${bearer}, ${apiKey}`, `this route needs a Bearer token in the Authorization header or an API key in the ${apiKeyHeader} header`),
    };
    for (const reason of Object.keys(AUTH_FAILURE_REASONS) as AuthFailureReason[]) {
      if (reason === 'missing' || reason === 'insufficient_scope' || reason === 'invalid_client') continue;
      const detail = AUTH_FAILURE_REASONS[reason];
      if (reason === 'jwks_unavailable') {
        this.invalidToken.set(reason, new AuthError(reason, detail, {}));
        continue;
      }
      this.invalidToken.set(
        reason,
        new AuthError(reason, detail, { 'www-authenticate': `${bearer}, error="invalid_token", error_description=${quoted(detail)}` }, { error: 'invalid_token' }),
      );
      this.invalidKey.set(reason, new AuthError(reason, detail, { 'www-authenticate': `${apiKey}, error="invalid_key"` }));
    }
  }

  invalid(kind: CredentialKind, reason: AuthFailureReason): AuthError {
    return (kind === 'jwt' ? this.invalidToken : this.invalidKey).get(reason) ?? this.invalidToken.get('malformed')!;
  }

  /** 403: the credential is good but lacks scopes; names them as RFC 6750 §3.1 asks. */
  insufficientScope(needed: readonly string[], matchAll: boolean): AuthError {
    const list = needed.join(' ');
    const how = needed.length === 1 ? `the scope ${needed[0]}` : `${matchAll ? 'all' : 'one'} of the scopes ${needed.join(', ')}`;
    return new AuthError(
      'insufficient_scope',
      `this call needs ${how}`,
      { 'www-authenticate': `Bearer realm=${quoted(this.realm)}, error="insufficient_scope", scope=${quoted(list)}` },
      { error: 'insufficient_scope', scope: list },
    );
  }
}
