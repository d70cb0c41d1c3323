import type { KeyObject } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { LRUCache } from 'lru-cache';
import { GatewayConfig } from '../../config/gateway-config.js';
import type { Identity } from '../../proxy/request-context.js';
import { type AuthFailureReason, AuthErrors } from '../auth-errors.js';
import { buildIdentity } from '../identity.js';
import { ServerSecret } from '../server-secret.js';
import { CONSUMER_CLAIM, revocationIdOf, scopesOf, stringClaim, subjectOf } from './jwt-claims.js';
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS, hmacKey, staticPublicKey } from './jwt-keys.js';

/** A token whose signature and claims have been checked, as it is cached until it expires. */
export interface VerifiedToken {
  readonly identity: Identity;
  /** `exp`, epoch ms (the clock skew not added). */
  readonly expiresAtMs: number;
  readonly revocationId: string;
  readonly jti: string | null;
  readonly clientId: string | null;
  /** Set for tokens the gateway issued to a consumer; checked against the live consumers on use. */
  readonly consumerId: string | null;
}

// Each distinct valid token takes one entry until it expires; beyond this the least recently used go.
const CACHE_MAX_TOKENS = 10_000;
const JWKS_TIMEOUT_MS = 5_000;
// Keys removed from the JWKS stop being trusted within this long (an unknown kid refetches sooner).
const JWKS_REFRESH_MS = 5 * 60_000;

class JwksCoolingDown extends Error {}

type KeySource = { key: KeyObject | ReturnType<typeof createRemoteJWKSet>; algorithms: string[] };

/**
 * Verifies Bearer JWTs (jose): HS256/384/512 with JWT_SECRET (or the gateway's own signing key),
 * RS/PS/ES/EdDSA with JWT_PUBLIC_KEY or the keys of JWT_JWKS_URL. The token's `alg` picks the key
 * source and each source accepts only the algorithms its keys are for: `none` and algorithm
 * confusion cannot get through. `exp` and `sub` are required; `nbf`, `iss`, `aud` checked with the
 * clock skew. A verified token is cached until it expires, so it is verified about once per instance.
 */
@Injectable()
export class JwtVerifier implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Jwt');
  private readonly cache = new LRUCache<string, VerifiedToken>({ max: CACHE_MAX_TOKENS });
  private readonly hmac: KeySource;
  private readonly publicKey: KeySource | undefined;
  private readonly jwks: (KeySource & { key: ReturnType<typeof createRemoteJWKSet> }) | undefined;
  private readonly options: JWTVerifyOptions;
  private readonly skewMs: number;
  private jwksAttemptAt = -Infinity;
  private jwksFetches = 0;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: GatewayConfig,
    secret: ServerSecret,
    private readonly errors: AuthErrors,
  ) {
    this.hmac = { key: hmacKey(config, secret), algorithms: [...HMAC_ALGORITHMS] };
    this.publicKey = config.jwtPublicKey ? staticPublicKey(config.jwtPublicKey) : undefined;
    if (config.jwtJwksUrl) {
      const key = createRemoteJWKSet(new URL(config.jwtJwksUrl), {
        timeoutDuration: JWKS_TIMEOUT_MS,
        cooldownDuration: config.jwtJwksCooldownMs,
        // A failed refresh must not stop the keys already known from verifying: refreshed by the timer below.
        cacheMaxAge: Infinity,
        [customFetch]: this.boundedFetch,
      });
      this.jwks = { key, algorithms: ASYMMETRIC_ALGORITHMS };
    }
    this.skewMs = config.jwtClockSkewSeconds * 1000;
    this.options = {
      issuer: config.jwtIssuers.length ? [...config.jwtIssuers] : undefined,
      audience: config.jwtAudiences.length ? [...config.jwtAudiences] : undefined,
      clockTolerance: config.jwtClockSkewSeconds,
      requiredClaims: ['exp', 'sub'],
    };
  }

  onModuleInit(): void {
    if (!this.jwks) return;
    const reload = () => void this.jwks!.key.reload().catch(() => undefined); // failures are logged by boundedFetch
    reload();
    this.refreshTimer = setInterval(reload, Math.max(JWKS_REFRESH_MS, this.config.jwtJwksCooldownMs));
    this.refreshTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.refreshTimer);
  }

  /** Fetches of the JWKS so far, failed ones included. */
  get jwksFetchCount(): number {
    return this.jwksFetches;
  }

  /** The verified token, synchronously when cached; throws (or rejects with) an AuthError. */
  verify(token: string): VerifiedToken | Promise<VerifiedToken> {
    if (token.length > this.config.jwtMaxTokenBytes) throw this.errors.invalid('jwt', 'oversized');
    const cached = this.cache.get(token);
    if (cached !== undefined) return cached;
    return this.verifyFresh(token);
  }

  private async verifyFresh(token: string): Promise<VerifiedToken> {
    const source = this.keySourceFor(token);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, source.key as KeyObject, { ...this.options, algorithms: source.algorithms }));
    } catch (error) {
      throw this.errors.invalid('jwt', reasonOf(error, source === this.jwks));
    }
    const subject = subjectOf(payload);
    const scopes = scopesOf(payload);
    if (subject === undefined || scopes === undefined) throw this.errors.invalid('jwt', 'malformed');
    const consumerId = stringClaim(payload, CONSUMER_CLAIM);
    const verified: VerifiedToken = {
      identity: buildIdentity('jwt', consumerId, subject, scopes),
      expiresAtMs: payload.exp! * 1000,
      revocationId: revocationIdOf(payload, token),
      jti: stringClaim(payload, 'jti'),
      clientId: stringClaim(payload, 'client_id'),
      consumerId,
    };
    const ttl = Math.floor(verified.expiresAtMs + this.skewMs - Date.now());
    if (ttl > 0) this.cache.set(token, verified, { ttl });
    return verified;
  }

  /** The key source for the token's `alg`, refusing `none` and any algorithm no configured key is for. */
  private keySourceFor(token: string): KeySource {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw this.errors.invalid('jwt', 'malformed');
    }
    if (typeof alg !== 'string') throw this.errors.invalid('jwt', 'malformed');
    if (this.hmac.algorithms.includes(alg)) return this.hmac;
    if (this.publicKey?.algorithms.includes(alg)) return this.publicKey;
    if (this.jwks?.algorithms.includes(alg)) return this.jwks;
    throw this.errors.invalid('jwt', 'unsupported_alg');
  }

  /**
   * jose's fetch for the JWKS, at most once per JWT_JWKS_COOLDOWN_MS whatever happens: jose itself
   * waits that long only after a successful fetch, so tokens with made-up `kid`s could otherwise
   * hammer a key server that is failing.
   */
  private readonly boundedFetch = async (url: string, init: RequestInit): Promise<Response> => {
    const now = Date.now();
    if (now - this.jwksAttemptAt < this.config.jwtJwksCooldownMs) throw new JwksCoolingDown('the JWKS was fetched moments ago');
    this.jwksAttemptAt = now;
    this.jwksFetches++;
    try {
      const response = await fetch(url, init);
      if (response.status !== 200) this.logger.warn(`JWKS ${url} answered ${response.status}`);
      return response;
    } catch (error) {
      this.logger.warn(`JWKS ${url} could not be fetched: ${(error as Error).message}`);
      throw error;
    }
  };
}

/** The bounded reason word for a failed verification. */
export function reasonOf(error: unknown, viaJwks: boolean): AuthFailureReason {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return 'missing_claim';
    switch (error.claim) {
      case 'nbf':
        return 'not_yet_valid';
      case 'iss':
        return 'wrong_issuer';
      case 'aud':
        return 'wrong_audience';
      default:
        return 'malformed';
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'unsupported_alg';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return 'unknown_key';
  // The key server's fault, not the token's: a timeout, a bad answer (jose's plain JOSEError), a bad document.
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error instanceof JwksCoolingDown) return 'jwks_unavailable';
  if (error instanceof errors.JOSEError) return error.constructor === errors.JOSEError && viaJwks ? 'jwks_unavailable' : 'malformed';
  // Not jose's own: on the JWKS path, the fetch itself failed (a refused connection, say).
  return viaJwks ? 'jwks_unavailable' : 'malformed';
}
