import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createRootLogger, loggableUrl, REDACTED_PATHS, redactUrl, SECRET_FIELDS, SECRET_HEADERS } from './logger.js';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, stream };
}

describe('root logger redaction', () => {
  it('replaces every secret header wherever a headers object is logged', () => {
    const { lines, stream } = capture();
    const logger = createRootLogger({ logLevel: 'trace', logFormat: 'json' }, stream);
    const headers = Object.fromEntries(SECRET_HEADERS.map((name) => [name, `secret-${name}-value`]));
    logger.info({ req: { headers: { ...headers, accept: 'kept' } } }, 'request');
    logger.info({ res: { headers: { ...headers } } }, 'response');
    logger.info({ headers: { ...headers } }, 'bare headers');
    assert.equal(lines.length, 3);
    for (const line of lines) {
      for (const name of SECRET_HEADERS) assert.ok(!line.includes(`secret-${name}-value`), `${name} leaked: ${line}`);
      assert.ok(line.includes('[redacted]'), line);
    }
    assert.ok(lines[0].includes('"accept":"kept"'), 'other headers stay');
  });

  it('replaces token and password fields of a logged object', () => {
    const { lines, stream } = capture();
    const logger = createRootLogger({ logLevel: 'info', logFormat: 'json' }, stream);
    const fields = Object.fromEntries(SECRET_FIELDS.map((name) => [name, `value-of-${name}`]));
    logger.info({ ...fields, user: 'alice' }, 'fields');
    const [line] = lines;
    for (const name of SECRET_FIELDS) assert.ok(!line.includes(`value-of-${name}`), `${name} leaked: ${line}`);
    assert.ok(line.includes('"user":"alice"'));
  });

  it('also replaces the header API keys arrive in when API_KEY_HEADER renames it', () => {
    const { lines, stream } = capture();
    const logger = createRootLogger({ logLevel: 'info', logFormat: 'json', apiKeyHeader: 'x-gateway-key' }, stream);
    logger.info({ req: { headers: { 'x-gateway-key': 'renamed-key-value', 'x-api-key': 'default-key-value' } } }, 'request');
    const [line] = lines;
    assert.ok(!line.includes('renamed-key-value') && !line.includes('default-key-value'), line);
  });

  it('uses explicit paths only (a wildcard path makes every log line several times dearer)', () => {
    assert.deepEqual(REDACTED_PATHS.filter((p) => p.includes('*')), []);
  });
});

describe('redactUrl', () => {
  const cases: Array<[string, string]> = [
    ['/admin/routes', '/admin/routes'],
    ['/cb?token=abc&x=1', '/cb?token=[redacted]&x=1'],
    ['/cb?x=1&access_token=abc', '/cb?x=1&access_token=[redacted]'],
    ['/cb?API_KEY=abc#frag', '/cb?API_KEY=[redacted]#frag'],
    ['/cb?apikey=abc&key=def&jwt=ghi&password=jkl&sig=mno', '/cb?apikey=[redacted]&key=[redacted]&jwt=[redacted]&password=[redacted]&sig=[redacted]'],
    ['/cb?monkey=banana&tokenizer=x', '/cb?monkey=banana&tokenizer=x'],
  ];
  for (const [url, expected] of cases) {
    it(`${url} → ${expected}`, () => assert.equal(redactUrl(url), expected));
  }
});

describe('loggableUrl', () => {
  it('drops the whole query of the gateway\'s own auth endpoints, and masks token-like parameters elsewhere', () => {
    assert.equal(loggableUrl('/api/v1/auth/token?client_secret=s3cret&grant_type=x'), '/api/v1/auth/token');
    assert.equal(loggableUrl('/admin/routes?token=abc&page=2'), '/admin/routes?token=[redacted]&page=2');
    assert.equal(loggableUrl('/admin/routes'), '/admin/routes');
  });
});
