import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, redactSetting } from './redact.js';

describe('redactSetting', () => {
  const cases: Array<[string, unknown, unknown]> = [
    ['ADMIN_API_KEY', 'super-secret-key-123', REDACTED],
    ['JWT_SECRET', 'x', REDACTED],
    ['OTEL_EXPORTER_TOKEN', 'x', REDACTED],
    ['DATABASE_URL', 'postgres://gw:hunter2@db:5432/gw', `postgres://gw:${REDACTED}@db:5432/gw`],
    ['REDIS_URL', 'redis://:pw@cache:6379/0', `redis://:${REDACTED}@cache:6379/0`],
    ['REDIS_URL', 'redis://cache:6379', 'redis://cache:6379'],
    ['REDIS_KEY_PREFIX', 'gw:', 'gw:'],
    ['PORT', 8080, 8080],
    ['GATEWAY_CONFIG', undefined, null],
  ];
  for (const [name, value, shown] of cases) {
    it(`${name}=${String(value)} → ${String(shown)}`, () => assert.equal(redactSetting(name, value), shown));
  }
});
