import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { validateEnvironment } from '../../config/environment.js';
import { GatewayConfig } from '../../config/gateway-config.js';
import { AuthError, AuthErrors } from '../auth-errors.js';
import { ServerSecret } from '../server-secret.js';
import { JwtVerifier } from './jwt-verifier.js';

const JWT_SECRET = 'unit-test-jwt-secret-0123456789abcdef';

function hs256(payload: Record<string, unknown>): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', JWT_SECRET).update(input).digest('base64url')}`;
}

function verifier(env: Record<string, string> = {}): JwtVerifier {
  const config = new GatewayConfig(validateEnvironment({ JWT_SECRET, ...env }));
  return new JwtVerifier(config, new ServerSecret('unit-test-server-secret-0123456789abcdef', false), new AuthErrors('gateway', 'X-API-Key'));
}

const now = () => Math.floor(Date.now() / 1000);

describe('JwtVerifier', () => {
  it('verifies a token once, then answers from its cache synchronously', async () => {
    const jwt = verifier();
    const token = hs256({ sub: 'u-1', scope: 'a b', exp: now() + 60, jti: 'j-1' });
    const first = jwt.verify(token);
    assert.ok(first instanceof Promise, 'the first sight verifies');
    const verified = await first;
    assert.equal(verified.identity.subject, 'u-1');
    assert.deepEqual([...verified.identity.scopes], ['a', 'b']);
    assert.equal(verified.revocationId, 'jti:j-1');
    const second = jwt.verify(token);
    assert.ok(!(second instanceof Promise), 'the second is a cache hit');
    assert.equal(second, verified);
  });

  it('stops answering from the cache once the token expires (with no clock skew)', async () => {
    const jwt = verifier({ JWT_CLOCK_SKEW_SECONDS: '0' });
    const token = hs256({ sub: 'u-2', exp: now() + 1 });
    await jwt.verify(token);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await assert.rejects(async () => jwt.verify(token), (error: unknown) => error instanceof AuthError && error.reason === 'expired');
  });

  it('never caches a refusal', async () => {
    const jwt = verifier();
    const bad = `${hs256({ sub: 'u-3', exp: now() + 60 }).slice(0, -2)}xx`;
    for (let i = 0; i < 2; i++) {
      const attempt = jwt.verify(bad);
      assert.ok(attempt instanceof Promise);
      await assert.rejects(attempt, (error: unknown) => error instanceof AuthError && error.reason === 'bad_signature');
    }
  });

  it('refuses an oversized token before reading it', () => {
    const jwt = verifier({ JWT_MAX_TOKEN_BYTES: '512' });
    assert.throws(() => jwt.verify('x'.repeat(513)), (error: unknown) => error instanceof AuthError && error.reason === 'oversized');
  });
});
