import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigurationError, validateEnvironment } from './environment.js';
import { GatewayConfig } from './gateway-config.js';

/** The problems a rejected environment is reported with (fails the test when it is accepted). */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    validateEnvironment(env);
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
    assert.equal(error.name, 'ConfigurationError');
    assert.ok(error.problems.length > 0);
    for (const problem of error.problems) assert.ok(error.message.includes(problem), `message lists "${problem}"`);
    return error.problems;
  }
  return assert.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

/** Every problem names the variable first, and at least one names it. */
function assertNames(problems: string[], variable: string, got: string): void {
  const mine = problems.filter((p) => p.startsWith(`${variable} `) || p.startsWith(`${variable}:`));
  assert.ok(mine.length > 0, `a problem names ${variable}: ${JSON.stringify(problems)}`);
  for (const problem of mine) assert.ok(problem.includes(`(got "${got}")`), `"${problem}" quotes the bad value`);
}

describe('validateEnvironment', () => {
  it('applies every default when the environment is empty', () => {
    const env = validateEnvironment({});
    assert.equal(env.PORT, 8080);
    assert.equal(env.HOST, '0.0.0.0');
    assert.equal(env.DATABASE_URL, undefined);
    assert.equal(env.DATA_DIR, './data');
    assert.equal(env.REDIS_URL, undefined);
    assert.equal(env.ADMIN_API_KEY, undefined);
    assert.equal(env.LOG_LEVEL, 'info');
    assert.equal(env.LOG_FORMAT, 'json');
    assert.equal(env.PROXY_PREFIXES, '/api/v1');
    assert.equal(env.GATEWAY_CONFIG, undefined);
    assert.equal(env.SHUTDOWN_GRACE_MS, 10_000);
    assert.equal(env.UPSTREAM_MAX_CONNECTIONS, 256);
    assert.equal(env.REDIS_KEY_PREFIX, 'gw:');
  });

  it('parses PORT (and the other integers) as numbers, not strings', () => {
    const env = validateEnvironment({ PORT: '9000', SHUTDOWN_GRACE_MS: '2500', UPSTREAM_MAX_CONNECTIONS: '16' });
    assert.equal(env.PORT, 9000);
    assert.equal(env.SHUTDOWN_GRACE_MS, 2500);
    assert.equal(env.UPSTREAM_MAX_CONNECTIONS, 16);
  });

  it('accepts the boundaries of PORT', () => {
    assert.equal(validateEnvironment({ PORT: '0' }).PORT, 0);
    assert.equal(validateEnvironment({ PORT: '65535' }).PORT, 65535);
  });

  it('keeps values that are set and valid', () => {
    const env = validateEnvironment({
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgresql://gw:secret@db:5432/gw',
      REDIS_URL: 'rediss://cache:6380',
      ADMIN_API_KEY: '0123456789abcdef',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'pretty',
      PROXY_PREFIXES: '/api/v1,/api/v2',
    });
    assert.equal(env.HOST, '127.0.0.1');
    assert.equal(env.DATABASE_URL, 'postgresql://gw:secret@db:5432/gw');
    assert.equal(env.REDIS_URL, 'rediss://cache:6380');
    assert.equal(env.ADMIN_API_KEY, '0123456789abcdef');
    assert.equal(env.LOG_LEVEL, 'debug');
    assert.equal(env.LOG_FORMAT, 'pretty');
    assert.equal(env.PROXY_PREFIXES, '/api/v1,/api/v2');
  });

  it('reads the edge settings into GatewayConfig', () => {
    const config = new GatewayConfig(
      validateEnvironment({ TRUSTED_PROXIES: '10.0.0.0/8', CORS_ORIGINS: 'https://a.test, https://*.b.test', CORS_CREDENTIALS: 'true', CORS_MAX_AGE: '60', MAX_REQUEST_SIZE: '2048' }),
    );
    assert.ok(config.trustedProxies.trusts('10.1.2.3'));
    assert.deepEqual(config.defaultCors, { origins: ['https://a.test', 'https://*.b.test'], credentials: true, max_age: 60 });
    assert.equal(config.maxRequestSize, 2048);
    const defaults = new GatewayConfig(validateEnvironment({}));
    assert.equal(defaults.defaultCors, undefined, 'CORS is off without CORS_ORIGINS');
    assert.ok(defaults.trustedProxies.isEmpty);
    assert.equal(defaults.maxRequestSize, 10 * 1024 * 1024);
    assert.equal(defaults.hstsMaxAge, 0);
  });

  it('ignores variables it does not know', () => {
    const env = validateEnvironment({ PATH: '/usr/bin', HOME: '/root' });
    assert.equal(Object.hasOwn(env, 'PATH'), false);
    assert.equal(Object.hasOwn(env, 'HOME'), false);
  });

  it('counts empty strings as unset', () => {
    const env = validateEnvironment({ PORT: '', LOG_LEVEL: '', DATABASE_URL: '', ADMIN_API_KEY: '', PROXY_PREFIXES: '', REDIS_URL: '' });
    assert.equal(env.PORT, 8080);
    assert.equal(env.LOG_LEVEL, 'info');
    assert.equal(env.DATABASE_URL, undefined);
    assert.equal(env.ADMIN_API_KEY, undefined);
    assert.equal(env.PROXY_PREFIXES, '/api/v1');
    assert.equal(env.REDIS_URL, undefined);
  });

  const bad: Array<[variable: string, value: string]> = [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['LOG_LEVEL', 'verbose'],
    ['LOG_FORMAT', 'xml'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'http://cache'],
    ['ADMIN_API_KEY', 'short'],
    ['ADMIN_API_KEY', '0123456789abcde'], // 15 characters: one short
    ['PROXY_PREFIXES', 'api/v1'],
    ['PROXY_PREFIXES', '/api/v1/'],
    ['PROXY_PREFIXES', '/api/v1,api/v2'],
    ['PROXY_PREFIXES', '/'],
    ['UPSTREAM_MAX_CONNECTIONS', '0'],
    ['REDIS_KEY_PREFIX', 'gw/'],
    ['MAX_REQUEST_SIZE', '0'],
    ['MAX_REQUEST_SIZE', '10mb'],
    ['MAX_URL_LENGTH', '10'],
    ['MAX_HEADER_SIZE', '100'],
    ['MAX_HEADER_COUNT', '2'],
    ['TRUSTED_PROXIES', '10.0.0.0/8, example.com'],
    ['TRUSTED_PROXIES', '10.0.0.0/40'],
    ['HSTS_MAX_AGE', '-5'],
    ['CORS_ORIGINS', 'app.example.com'],
    ['CORS_ORIGINS', 'https://ok.test, https://bad.test/path'],
    ['CORS_CREDENTIALS', 'yes'],
    ['CORS_MAX_AGE', '100000'],
  ];
  for (const [variable, value] of bad) {
    it(`rejects ${variable}=${JSON.stringify(value)} with a problem naming ${variable}`, () => {
      const problems = problemsOf({ [variable]: value });
      assertNames(problems, variable, value);
      // Only the bad variable is blamed.
      for (const problem of problems) assert.ok(problem.startsWith(variable), `"${problem}" is about ${variable}`);
    });
  }

  it('explains the short ADMIN_API_KEY and the bad DATABASE_URL in its own words', () => {
    assert.deepEqual(problemsOf({ ADMIN_API_KEY: 'short' }), ['ADMIN_API_KEY must be at least 16 characters long (got "short")']);
    assert.deepEqual(problemsOf({ DATABASE_URL: 'mysql://x' }), ['DATABASE_URL must be a postgres:// or postgresql:// URL (got "mysql://x")']);
  });

  it('lists every bad variable at once', () => {
    const problems = problemsOf({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
      ADMIN_API_KEY: 'short',
      PROXY_PREFIXES: '/api/v1/',
      HOST: '127.0.0.1', // valid: not blamed
    });
    assertNames(problems, 'PORT', 'abc');
    assertNames(problems, 'LOG_LEVEL', 'loud');
    assertNames(problems, 'DATABASE_URL', 'mysql://x');
    assertNames(problems, 'ADMIN_API_KEY', 'short');
    assertNames(problems, 'PROXY_PREFIXES', '/api/v1/');
    assert.equal(problems.some((p) => p.startsWith('HOST')), false);
  });
});

describe('GatewayConfig', () => {
  const config = (env: NodeJS.ProcessEnv) => new GatewayConfig(validateEnvironment(env));

  it('carries the validated settings over', () => {
    const c = config({ PORT: '9001', ADMIN_API_KEY: '0123456789abcdef', DATA_DIR: 'some/dir', GATEWAY_CONFIG: 'gw.yaml', LOG_FORMAT: 'pretty' });
    assert.equal(c.port, 9001);
    assert.equal(c.adminApiKey, '0123456789abcdef');
    assert.equal(c.dataDir, path.resolve('some/dir'));
    assert.equal(c.declarativeConfigPath, path.resolve('gw.yaml'));
    assert.equal(c.logFormat, 'pretty');
    assert.equal(config({}).declarativeConfigPath, undefined);
  });

  it('sorts the proxy prefixes longest first, trimmed and without duplicates', () => {
    const c = config({ PROXY_PREFIXES: '/a,/api/v1 , /api/v1/internal,/api/v1' });
    assert.deepEqual(c.proxyPrefixes, ['/api/v1/internal', '/api/v1', '/a']);
  });

  it('proxyPrefixOf matches at segment boundaries only', () => {
    const c = config({ PROXY_PREFIXES: '/api/v1' });
    assert.equal(c.proxyPrefixOf('/api/v1'), '/api/v1');
    assert.equal(c.proxyPrefixOf('/api/v1/'), '/api/v1');
    assert.equal(c.proxyPrefixOf('/api/v1/a'), '/api/v1');
    assert.equal(c.proxyPrefixOf('/api/v1x'), undefined);
    assert.equal(c.proxyPrefixOf('/api/v10/a'), undefined);
    assert.equal(c.proxyPrefixOf('/api'), undefined);
    assert.equal(c.proxyPrefixOf('/'), undefined);
    assert.equal(c.proxyPrefixOf(''), undefined);
  });

  it('proxyPrefixOf prefers the longest prefix', () => {
    const c = config({ PROXY_PREFIXES: '/api/v1,/api/v1/internal' });
    assert.equal(c.proxyPrefixOf('/api/v1/internal'), '/api/v1/internal');
    assert.equal(c.proxyPrefixOf('/api/v1/internal/x'), '/api/v1/internal');
    assert.equal(c.proxyPrefixOf('/api/v1/internalx'), '/api/v1');
    assert.equal(c.proxyPrefixOf('/api/v1/other'), '/api/v1');
  });
});
