import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { ConfigurationError, SECRET_VARIABLES, validateEnvironment } from './environment.js';
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
  // A secret is never repeated, not even a wrong one: only its length is.
  const quoted = SECRET_VARIABLES.has(variable) ? `(got ${got.length} characters)` : `(got "${got}")`;
  for (const problem of mine) assert.ok(problem.includes(quoted), `"${problem}" quotes the bad value`);
  if (SECRET_VARIABLES.has(variable)) for (const problem of problems) assert.ok(!problem.includes(got), `"${problem}" does not repeat the secret`);
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
    assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, undefined);
    assert.equal(env.OTEL_SERVICE_NAME, 'api-gateway');
    assert.equal(env.OTEL_TRACES_SAMPLER_ARG, 1);
    assert.equal(env.DEPENDENCY_CHECK_INTERVAL_MS, 10_000);
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
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'grpc://collector:4317'],
    ['OTEL_SERVICE_NAME', 'api gateway'],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
    ['OTEL_TRACES_SAMPLER_ARG', 'half'],
    ['DEPENDENCY_CHECK_INTERVAL_MS', '100'],
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
    ['AUTH_SECRET', 'too-short-to-key-a-hash'],
    ['JWT_SECRET', '0123456789abcdef0123456789abcde'], // 31 characters: one short
    ['JWT_PUBLIC_KEY', 'not a key'],
    ['JWT_PUBLIC_KEY', '-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----'],
    ['JWT_JWKS_URL', 'ftp://keys.example.com/jwks.json'],
    ['JWT_CLOCK_SKEW_SECONDS', '301'],
    ['JWT_MAX_TOKEN_BYTES', '100'],
    ['JWT_JWKS_COOLDOWN_MS', '0'],
    ['AUTH_TOKEN_TTL_SECONDS', '10'],
    ['API_KEY_HEADER', 'X API Key'],
    ['API_KEY_HEADER', 'Authorization'],
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
    assert.deepEqual(problemsOf({ ADMIN_API_KEY: 'short' }), ['ADMIN_API_KEY must be at least 16 characters long (got 5 characters)']);
    assert.deepEqual(problemsOf({ DATABASE_URL: 'mysql://x' }), ['DATABASE_URL must be a postgres:// or postgresql:// URL (got "mysql://x")']);
  });

  it('never prints a rejected secret, and masks the password of a rejected URL', () => {
    const secret = 'almost-secret';
    const problems = problemsOf({ ADMIN_API_KEY: secret, DATABASE_URL: 'mysql://gw:hunter2-password@db/gw', REDIS_URL: 'http://:redis-pass@cache:6379' });
    const text = problems.join('\n');
    for (const leaked of [secret, 'hunter2-password', 'redis-pass']) assert.ok(!text.includes(leaked), `"${leaked}" must not be printed: ${text}`);
    assert.ok(text.includes('(got "mysql://gw:***@db/gw")'), text);
  });

  it('parses the tracing and dependency-check settings', () => {
    const env = validateEnvironment({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_SERVICE_NAME: 'edge-gw',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      DEPENDENCY_CHECK_INTERVAL_MS: '2000',
    });
    const config = new GatewayConfig(env);
    assert.equal(config.otlpEndpoint, 'http://collector:4318');
    assert.equal(config.otelServiceName, 'edge-gw');
    assert.equal(config.traceSampleRatio, 0.25);
    assert.equal(config.dependencyCheckIntervalMs, 2000);
    assert.equal(new GatewayConfig(validateEnvironment({})).otlpEndpoint, undefined);
  });

  it('applies the auth defaults', () => {
    const env = validateEnvironment({});
    assert.equal(env.AUTH_SECRET, undefined);
    assert.equal(env.JWT_SECRET, undefined);
    assert.equal(env.JWT_CLOCK_SKEW_SECONDS, 30);
    assert.equal(env.JWT_MAX_TOKEN_BYTES, 8192);
    assert.equal(env.JWT_JWKS_COOLDOWN_MS, 30_000);
    assert.equal(env.AUTH_TOKEN_TTL_SECONDS, 3600);
    assert.equal(env.API_KEY_HEADER, 'X-API-Key');
  });

  it('takes JWT_PUBLIC_KEY as a PEM, with real or escaped newlines, RSA or EC', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.equal(validateEnvironment({ JWT_PUBLIC_KEY: rsa }).JWT_PUBLIC_KEY, rsa);
    const oneLine = ec.trim().replaceAll('\n', '\\n');
    assert.equal(new GatewayConfig(validateEnvironment({ JWT_PUBLIC_KEY: oneLine })).jwtPublicKey, ec.trim());
  });

  it('refuses a DH public key for JWT_PUBLIC_KEY, and JWT_PUBLIC_KEY together with JWT_JWKS_URL', () => {
    const x25519 = generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.match(problemsOf({ JWT_PUBLIC_KEY: x25519 })[0], /^JWT_PUBLIC_KEY is a x25519 key/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const problems = problemsOf({ JWT_PUBLIC_KEY: ec, JWT_JWKS_URL: 'https://idp.example.com/jwks.json' });
    assert.ok(problems.some((p) => p.startsWith('JWT_PUBLIC_KEY and JWT_JWKS_URL are mutually exclusive')), problems.join());
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

  it('splits JWT_ISSUER and JWT_AUDIENCE into lists, and lower-cases API_KEY_HEADER for lookups', () => {
    const c = config({ JWT_ISSUER: 'https://a.test, https://b.test,https://a.test', JWT_AUDIENCE: 'orders', API_KEY_HEADER: 'X-Gateway-Key' });
    assert.deepEqual(c.jwtIssuers, ['https://a.test', 'https://b.test']);
    assert.deepEqual(c.jwtAudiences, ['orders']);
    assert.equal(c.apiKeyHeader, 'x-gateway-key');
    assert.equal(c.apiKeyHeaderName, 'X-Gateway-Key');
    assert.deepEqual(config({}).jwtIssuers, []);
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

describe('admin listener settings', () => {
  const BAD_CIDRS = ['10.0.0.0/33', 'not-an-ip', '10.0.0.0/8,,', '::1/129', '10.0.0.0/8/1'];
  for (const value of BAD_CIDRS) {
    it(`refuses ADMIN_ALLOWED_CIDRS=${value}`, () => assertNames(problemsOf({ ADMIN_ALLOWED_CIDRS: value }), 'ADMIN_ALLOWED_CIDRS', value));
  }

  it('refuses an ADMIN_PORT out of range', () => assertNames(problemsOf({ ADMIN_PORT: '70000' }), 'ADMIN_PORT', '70000'));

  it('matches addresses against ADMIN_ALLOWED_CIDRS, v4 and v6', async () => {
    const { cidrSetHas } = await import('./cidr.js');
    const c = new GatewayConfig(validateEnvironment({ ADMIN_PORT: '9001', ADMIN_ALLOWED_CIDRS: '10.0.0.0/8, 192.168.1.7, fd00::/8' }));
    assert.equal(c.adminPort, 9001);
    const allowed = c.adminAllowedCidrs!;
    assert.equal(cidrSetHas(allowed, '10.20.30.40'), true);
    assert.equal(cidrSetHas(allowed, '192.168.1.7'), true);
    assert.equal(cidrSetHas(allowed, '192.168.1.8'), false);
    assert.equal(cidrSetHas(allowed, '11.0.0.1'), false);
    assert.equal(cidrSetHas(allowed, 'fd12::1'), true);
    assert.equal(cidrSetHas(allowed, '::1'), false);
  });
});
