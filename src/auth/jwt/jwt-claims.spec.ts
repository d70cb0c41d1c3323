import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { errors } from 'jose';
import { revocationIdOf, scopesOf, subjectOf } from './jwt-claims.js';
import { algorithmsFor } from './jwt-keys.js';
import { reasonOf } from './jwt-verifier.js';

describe('JWT claims', () => {
  it('reads scopes from `scope` (space-separated) and `scopes` (a list or a string)', () => {
    assert.deepEqual(scopesOf({ scope: 'a  b' }), ['a', 'b']);
    assert.deepEqual(scopesOf({ scopes: ['a', 'b'] }), ['a', 'b']);
    assert.deepEqual(scopesOf({ scopes: 'a b' }), ['a', 'b']);
    assert.deepEqual(scopesOf({ scope: 'a', scopes: ['b'] }), ['a', 'b']);
    assert.deepEqual(scopesOf({}), []);
  });

  it('refuses scopes that are not scope tokens, or not text', () => {
    for (const payload of [{ scopes: ['a b'] }, { scopes: [1] }, { scope: 'a"b' }, { scopes: { a: true } }, { scope: 5 }]) {
      assert.equal(scopesOf(payload as never), undefined, JSON.stringify(payload));
    }
  });

  it('takes a non-empty string subject of bounded length', () => {
    assert.equal(subjectOf({ sub: 'u-1' }), 'u-1');
    for (const sub of [undefined, '', 5, 'x'.repeat(1025)]) assert.equal(subjectOf({ sub } as never), undefined);
  });

  it('records a revocation under the jti, or under a hash of the token when the jti is unusable', () => {
    assert.equal(revocationIdOf({ jti: 'abc-1' }, 't'), 'jti:abc-1');
    const byToken = revocationIdOf({ jti: 'has space' }, 'token-1');
    assert.match(byToken, /^tok:[A-Za-z0-9_-]{43}$/);
    assert.equal(revocationIdOf({}, 'token-1'), byToken);
    assert.notEqual(revocationIdOf({}, 'token-2'), byToken);
  });
});

describe('algorithmsFor', () => {
  it('pins each key type to its own algorithms, never an HMAC one', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    assert.deepEqual(algorithmsFor(rsa), ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
    assert.deepEqual(algorithmsFor(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey), ['ES256']);
    assert.deepEqual(algorithmsFor(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey), ['ES384']);
    assert.deepEqual(algorithmsFor(generateKeyPairSync('ed25519').publicKey), ['EdDSA', 'Ed25519']);
    assert.deepEqual(algorithmsFor(generateKeyPairSync('x25519').publicKey), []);
  });
});

describe('reasonOf', () => {
  const cases: Array<[string, unknown, boolean, string]> = [
    ['an expired token', new errors.JWTExpired('x', {}, 'exp', 'check_failed'), false, 'expired'],
    ['nbf in the future', new errors.JWTClaimValidationFailed('x', {}, 'nbf', 'check_failed'), false, 'not_yet_valid'],
    ['another issuer', new errors.JWTClaimValidationFailed('x', {}, 'iss', 'check_failed'), false, 'wrong_issuer'],
    ['another audience', new errors.JWTClaimValidationFailed('x', {}, 'aud', 'check_failed'), false, 'wrong_audience'],
    ['a missing exp', new errors.JWTClaimValidationFailed('x', {}, 'exp', 'missing'), false, 'missing_claim'],
    ['a bad signature', new errors.JWSSignatureVerificationFailed(), false, 'bad_signature'],
    ['an algorithm not allowed', new errors.JOSEAlgNotAllowed('x'), false, 'unsupported_alg'],
    ['an unknown kid', new errors.JWKSNoMatchingKey(), true, 'unknown_key'],
    ['a JWKS timeout', new errors.JWKSTimeout(), true, 'jwks_unavailable'],
    ['a JWKS answering 500', new errors.JOSEError('Expected 200 OK'), true, 'jwks_unavailable'],
    ['a refused JWKS connection', new TypeError('fetch failed'), true, 'jwks_unavailable'],
    ['an invalid JWS on the JWKS path', new errors.JWSInvalid('x'), true, 'malformed'],
    ['an invalid JWT', new errors.JWTInvalid('x'), false, 'malformed'],
    ['anything else', new Error('?'), false, 'malformed'],
  ];
  for (const [label, error, viaJwks, reason] of cases) {
    it(`names ${label} ${reason}`, () => assert.equal(reasonOf(error, viaJwks), reason));
  }
});
