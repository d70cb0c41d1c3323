import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compiledRoute, compiledService } from '../routing/table/service.fixture.js';
import { backoffMs, isRetryableStatus, maxAttempts, RequestBody, requestBodyOf } from './retry-policy.js';

const route = (retries: number, retryNonIdempotent = false) => compiledRoute(compiledService(), { retries, retryNonIdempotent });

describe('requestBodyOf', () => {
  const cases: Array<[string, Record<string, string>, RequestBody]> = [
    ['no framing', {}, RequestBody.None],
    ['Content-Length 0', { 'content-length': '0' }, RequestBody.None],
    ['a small body', { 'content-length': '100' }, RequestBody.Bufferable],
    ['a body of exactly the bound', { 'content-length': '1024' }, RequestBody.Bufferable],
    ['a body over the bound', { 'content-length': '1025' }, RequestBody.Streamed],
    ['a chunked body', { 'transfer-encoding': 'chunked' }, RequestBody.Streamed],
  ];
  for (const [label, headers, expected] of cases) {
    it(label, () => assert.equal(requestBodyOf(headers, 1_024), expected));
  }

  it('buffers nothing when the bound is 0', () => {
    assert.equal(requestBodyOf({ 'content-length': '1' }, 0), RequestBody.Streamed);
  });
});

describe('maxAttempts', () => {
  it('retries idempotent methods without a body or with a buffered one', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']) {
      assert.equal(maxAttempts(method, RequestBody.None, route(2)), 3, method);
      assert.equal(maxAttempts(method, RequestBody.Bufferable, route(2)), 3, method);
    }
  });

  it('never repeats a streamed body', () => {
    assert.equal(maxAttempts('PUT', RequestBody.Streamed, route(2)), 1);
    assert.equal(maxAttempts('POST', RequestBody.Streamed, route(2, true)), 1);
  });

  it('retries POST and PATCH only on a route that opts in', () => {
    for (const method of ['POST', 'PATCH']) {
      assert.equal(maxAttempts(method, RequestBody.Bufferable, route(2)), 1, method);
      assert.equal(maxAttempts(method, RequestBody.None, route(2)), 1, method);
      assert.equal(maxAttempts(method, RequestBody.Bufferable, route(2, true)), 3, method);
    }
  });

  it('makes one attempt when retries are 0', () => {
    assert.equal(maxAttempts('GET', RequestBody.None, route(0)), 1);
  });
});

describe('isRetryableStatus', () => {
  it('is 502, 503 and 504 only', () => {
    assert.deepEqual([500, 501, 502, 503, 504, 505, 429, 200].filter(isRetryableStatus), [502, 503, 504]);
  });
});

describe('backoffMs', () => {
  it('is full jitter: uniform between 0 and base·2^retry', () => {
    assert.equal(backoffMs(0, () => 0), 0);
    assert.equal(backoffMs(0, () => 0.999_999) < 25, true);
    assert.equal(backoffMs(3, () => 0.5), 100); // 0.5 · 25 · 8
  });

  it('is capped at one second', () => {
    assert.equal(backoffMs(20, () => 1), 1_000);
  });

  it('varies from call to call with the real random source, within bounds', () => {
    const samples = Array.from({ length: 200 }, () => backoffMs(2));
    assert.ok(samples.every((ms) => ms >= 0 && ms <= 100));
    assert.ok(new Set(samples).size > 150);
  });
});
