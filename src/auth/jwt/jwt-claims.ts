import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { isScopeToken } from '../../common/validators.js';

/** The private claim naming the consumer a gateway-issued token belongs to. */
export const CONSUMER_CLAIM = 'gateway_consumer_id';
const MAX_SUBJECT_LENGTH = 1024;
const JTI = /^[\x21-\x7e]{1,256}$/;

/**
 * Scopes from `scope` (space-separated, RFC 8693/9068) and `scopes` (a list, or a string as some
 * issuers write it). Undefined when either is not made of valid scope tokens.
 */
export function scopesOf(payload: JWTPayload): string[] | undefined {
  const found: string[] = [];
  for (const value of [payload.scope, payload.scopes]) {
    if (value === undefined) continue;
    const items = typeof value === 'string' ? value.split(' ').filter(Boolean) : value;
    if (!Array.isArray(items)) return undefined;
    for (const item of items) {
      if (!isScopeToken(item)) return undefined;
      found.push(item);
    }
  }
  return found;
}

export function subjectOf(payload: JWTPayload): string | undefined {
  const sub = payload.sub;
  return typeof sub === 'string' && sub.length > 0 && sub.length <= MAX_SUBJECT_LENGTH ? sub : undefined;
}

/**
 * What a revocation of this token is recorded under: its `jti`, or, for a token without a usable
 * one, a hash of the token itself (so that it can be revoked all the same).
 */
export function revocationIdOf(payload: JWTPayload, token: string): string {
  return typeof payload.jti === 'string' && JTI.test(payload.jti) ? `jti:${payload.jti}` : `tok:${createHash('sha256').update(token).digest('base64url')}`;
}

export const stringClaim = (payload: JWTPayload, name: string): string | null => {
  const value = payload[name];
  return typeof value === 'string' && value.length > 0 && value.length <= 256 ? value : null;
};
