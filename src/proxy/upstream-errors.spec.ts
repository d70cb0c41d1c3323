import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../common/gateway-error.js';
import { ClientGone } from './request-body.js';
import { codeOf, isRetryableConnectError, isUpstreamFault, upstreamFailure } from './upstream-errors.js';

const TIMEOUTS = { connectTimeoutMs: 1_000, headersTimeoutMs: 5_000, bodyTimeoutMs: 7_000 };
const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('upstreamFailure', () => {
  const cases: Array<[code: string, expectedCode: string, status: number, detail: string]> = [
    ['UND_ERR_HEADERS_TIMEOUT', 'GATEWAY_TIMEOUT', 504, 'service "jobs" did not answer within 5000 ms'],
    ['UND_ERR_BODY_TIMEOUT', 'GATEWAY_TIMEOUT', 504, 'service "jobs" paused its answer for more than 7000 ms'],
    ['UND_ERR_CONNECT_TIMEOUT', 'GATEWAY_TIMEOUT', 504, 'could not connect to service "jobs" within 1000 ms'],
    ['UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'INVALID_REQUEST', 400, 'the request body does not match its Content-Length'],
    ['ECONNREFUSED', 'BAD_GATEWAY', 502, 'service "jobs" could not be reached (ECONNREFUSED)'],
    ['ECONNRESET', 'BAD_GATEWAY', 502, 'service "jobs" could not be reached (ECONNRESET)'],
    ['ENOTFOUND', 'BAD_GATEWAY', 502, 'service "jobs" could not be reached (ENOTFOUND)'],
    ['UND_ERR_SOCKET', 'BAD_GATEWAY', 502, 'service "jobs" could not be reached (UND_ERR_SOCKET)'],
  ];
  for (const [code, expectedCode, status, detail] of cases) {
    it(`${code} → ${expectedCode}`, () => {
      const failure = upstreamFailure(withCode(code), 'jobs', TIMEOUTS);
      assert.ok(failure instanceof GatewayError);
      assert.equal(failure.code, expectedCode);
      assert.equal(failure.status, status);
      assert.equal(failure.detail, detail);
    });
  }

  it('UND_ERR_ABORTED → nothing to answer (the client went away)', () => {
    assert.equal(upstreamFailure(withCode('UND_ERR_ABORTED'), 'jobs', TIMEOUTS), undefined);
  });

  it('an error without a code is a bad gateway without a code in the detail', () => {
    for (const error of [new Error('boom'), undefined, null, 'text']) {
      const failure = upstreamFailure(error, 'jobs', TIMEOUTS);
      assert.equal(failure?.code, 'BAD_GATEWAY');
      assert.equal(failure?.detail, 'service "jobs" could not be reached');
    }
  });
});

describe('isRetryableConnectError', () => {
  const cases: Array<[code: string, expected: boolean]> = [
    ['ECONNREFUSED', true],
    ['ECONNRESET', true],
    ['EHOSTUNREACH', true],
    ['ENETUNREACH', true],
    ['ENOTFOUND', true],
    ['EAI_AGAIN', true],
    ['EPIPE', true],
    ['UND_ERR_SOCKET', true],
    ['UND_ERR_CLOSED', true],
    ['UND_ERR_CONNECT_TIMEOUT', true],
    ['UND_ERR_HEADERS_TIMEOUT', false],
    ['UND_ERR_BODY_TIMEOUT', false],
    ['UND_ERR_ABORTED', false],
    ['UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', false],
    ['', false],
  ];
  for (const [code, expected] of cases) {
    it(`${code || '(no code)'} → ${expected}`, () => {
      assert.equal(isRetryableConnectError(withCode(code)), expected);
    });
  }

  it('is false for values that are not errors', () => {
    assert.equal(isRetryableConnectError(undefined), false);
    assert.equal(isRetryableConnectError(null), false);
    assert.equal(isRetryableConnectError('ECONNREFUSED'), false);
  });
});

describe('isUpstreamFault', () => {
  it("counts the upstream's failures, not the client's", () => {
    for (const code of ['ECONNREFUSED', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', '']) {
      assert.equal(isUpstreamFault(withCode(code)), true, code);
    }
    for (const code of ['UND_ERR_ABORTED', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH']) assert.equal(isUpstreamFault(withCode(code)), false, code);
    assert.equal(isUpstreamFault(new ClientGone()), false);
  });

  it('a client gone while sending its body leaves nothing to answer', () => {
    assert.equal(upstreamFailure(new ClientGone(), 'jobs', TIMEOUTS), undefined);
  });
});

describe('codeOf', () => {
  it('reads the code as a string, or gives an empty string', () => {
    assert.equal(codeOf(withCode('ECONNREFUSED')), 'ECONNREFUSED');
    assert.equal(codeOf({ code: 42 }), '42');
    assert.equal(codeOf(new Error('x')), '');
    assert.equal(codeOf(null), '');
  });
});
