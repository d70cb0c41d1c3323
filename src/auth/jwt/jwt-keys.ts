import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { GatewayConfig } from '../../config/gateway-config.js';
import type { ServerSecret } from '../server-secret.js';

export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const EC_ALGORITHMS: Record<string, string> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };
/** Every asymmetric algorithm a JWKS may serve keys for; each key still has to fit its own. */
export const ASYMMETRIC_ALGORITHMS = [...RSA_ALGORITHMS, ...Object.values(EC_ALGORITHMS), 'EdDSA', 'Ed25519'];

/**
 * The algorithms one public key may verify, pinned by its type, so that a token can never pick an
 * algorithm the key was not made for (an RSA key never serves as an HMAC secret, an EC key only
 * for its own curve).
 */
export function algorithmsFor(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return RSA_ALGORITHMS;
    case 'rsa-pss':
      return RSA_ALGORITHMS.filter((alg) => alg.startsWith('PS'));
    case 'ec': {
      const alg = EC_ALGORITHMS[key.asymmetricKeyDetails?.namedCurve ?? ''];
      return alg ? [alg] : [];
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      return [];
  }
}

/** JWT_PUBLIC_KEY, with the algorithms it may verify. */
export function staticPublicKey(pem: string): { key: KeyObject; algorithms: string[] } {
  const key = createPublicKey(pem);
  return { key, algorithms: algorithmsFor(key) };
}

/** The HMAC key of HS* tokens: JWT_SECRET, else one derived from the server secret (tokens only this gateway can issue). */
export function hmacKey(config: GatewayConfig, secret: ServerSecret): KeyObject {
  return createSecretKey(config.jwtSecret ? Buffer.from(config.jwtSecret, 'utf8') : secret.derivedSigningKey);
}
