import { constants, createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
export const nowSeconds = () => Math.floor(Date.now() / 1000);

export type SigningKey = { alg: 'none' } | { alg: `HS${256 | 384 | 512}`; secret: string | Buffer } | { alg: string; privateKey: KeyObject };

/**
 * Signs a JWT with node:crypto alone, so that a test can make any token a client could send:
 * valid ones and every kind of broken one (alg none, a public key used as an HMAC secret, …).
 */
export function signJwt(payload: Record<string, unknown>, key: SigningKey, header: Record<string, unknown> = {}): string {
  const head = b64url(JSON.stringify({ alg: key.alg, typ: 'JWT', ...header }));
  const body = b64url(JSON.stringify(payload));
  const input = `${head}.${body}`;
  if ('secret' in key) return `${input}.${b64url(createHmac(`sha${key.alg.slice(2)}`, key.secret).update(input).digest())}`;
  if (!('privateKey' in key)) return `${input}.`;
  const hash = `sha${key.alg.slice(2)}`;
  const privateKey = key.privateKey;
  const signature = key.alg.startsWith('ES')
    ? sign(hash, Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
    : key.alg.startsWith('PS')
      ? sign(hash, Buffer.from(input), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(key.alg.slice(2)) / 8 })
      : sign(hash, Buffer.from(input), privateKey);
  return `${input}.${b64url(signature)}`;
}

export interface TestKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
  /** The public key as a JWK with `kid` and `alg`, for a JWKS. */
  jwk: Record<string, unknown>;
  alg: string;
  kid: string;
}

export function rsaKeyPair(kid = 'rsa-1'): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return pair(privateKey, publicKey, 'RS256', kid);
}

export function ecKeyPair(kid = 'ec-1'): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return pair(privateKey, publicKey, 'ES256', kid);
}

function pair(privateKey: KeyObject, publicKey: KeyObject, alg: string, kid: string): TestKeyPair {
  return {
    privateKey,
    publicKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' },
    alg,
    kid,
  };
}

/** A token signed with `pair`, carrying its kid. */
export function signWith(pair: TestKeyPair, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  return signJwt(payload, { alg: pair.alg, privateKey: pair.privateKey }, { kid: pair.kid, ...header });
}
