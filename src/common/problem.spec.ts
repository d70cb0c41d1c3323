import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { ERROR_STATUS, ERROR_TITLE, type ErrorCode } from './error-codes.js';
import { problem, PROBLEM_CONTENT_TYPE, sendProblem } from './problem.js';

describe('problem', () => {
  it('has the RFC 9457 members plus code and request_id, and nothing else by default', () => {
    assert.deepEqual(problem('ROUTE_NOT_FOUND', 'no route for GET /api/v1/x', 'req-1'), {
      type: 'https://gateway.dev/problems/route-not-found',
      title: 'No route matches this request',
      status: 404,
      detail: 'no route for GET /api/v1/x',
      code: 'ROUTE_NOT_FOUND',
      request_id: 'req-1',
    });
  });

  for (const code of Object.keys(ERROR_STATUS) as ErrorCode[]) {
    it(`${code}: type, title and status follow the code`, () => {
      const body = problem(code, 'd', 'r');
      assert.equal(body.type, `https://gateway.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`);
      assert.equal(body.title, ERROR_TITLE[code]);
      assert.equal(body.status, ERROR_STATUS[code]);
      assert.equal(body.code, code);
    });
  }

  it('spells a few types and statuses out', () => {
    assert.equal(problem('GATEWAY_TIMEOUT', 'd', 'r').type, 'https://gateway.dev/problems/gateway-timeout');
    assert.equal(problem('GATEWAY_TIMEOUT', 'd', 'r').status, 504);
    assert.equal(problem('BAD_GATEWAY', 'd', 'r').status, 502);
    assert.equal(problem('RATE_LIMIT', 'd', 'r').type, 'https://gateway.dev/problems/rate-limit');
    assert.equal(problem('RATE_LIMIT', 'd', 'r').status, 429);
  });

  it('adds instance, errors and retry_after_seconds when given', () => {
    const body = problem('INVALID_REQUEST', 'bad', 'req-2', {
      instance: '/admin/routes',
      errors: [{ field: 'paths[0]', message: 'must start with "/"' }],
      retryAfterSeconds: 0,
    });
    assert.equal(body.instance, '/admin/routes');
    assert.deepEqual(body.errors, [{ field: 'paths[0]', message: 'must start with "/"' }]);
    assert.equal(body.retry_after_seconds, 0);
  });

  it('leaves out an empty instance, an empty errors list and an absent retry', () => {
    const body = problem('INVALID_REQUEST', 'bad', 'req-2', { instance: '', errors: [] });
    assert.equal(Object.hasOwn(body, 'instance'), false);
    assert.equal(Object.hasOwn(body, 'errors'), false);
    assert.equal(Object.hasOwn(body, 'retry_after_seconds'), false);
  });

  it('adds extension members, which cannot override the standard ones', () => {
    const body = problem('CONFLICT', 'taken', 'req-3', { extensions: { conflicting_id: 'abc', status: 200, code: 'OK' } });
    assert.equal(body.conflicting_id, 'abc');
    assert.equal(body.status, 409);
    assert.equal(body.code, 'CONFLICT');
  });
});

describe('sendProblem', () => {
  function fakeResponse(headersSent = false) {
    const calls: { status?: number; headers?: Record<string, string | number>; body?: string; destroyed: boolean } = { destroyed: false };
    const res = {
      headersSent,
      writeHead(status: number, headers: Record<string, string | number>) {
        calls.status = status;
        calls.headers = headers;
      },
      end(body: string) {
        calls.body = body;
      },
      destroy() {
        calls.destroyed = true;
      },
    } as unknown as ServerResponse;
    return { res, calls };
  }

  it('writes problem+json with its status, length, no-store and Retry-After', () => {
    const { res, calls } = fakeResponse();
    const body = problem('RATE_LIMIT', 'slow down', 'req-4', { retryAfterSeconds: 7 });
    sendProblem(res, body, { 'x-request-id': 'req-4', 'content-type': 'text/plain' });
    assert.equal(calls.status, 429);
    assert.equal(calls.headers?.['content-type'], PROBLEM_CONTENT_TYPE);
    assert.equal(calls.headers?.['cache-control'], 'no-store');
    assert.equal(calls.headers?.['retry-after'], '7');
    assert.equal(calls.headers?.['x-request-id'], 'req-4');
    assert.equal(calls.headers?.['content-length'], Buffer.byteLength(calls.body!));
    assert.deepEqual(JSON.parse(calls.body!), body);
    assert.equal(calls.destroyed, false);
  });

  it('sends no Retry-After without a retry', () => {
    const { res, calls } = fakeResponse();
    sendProblem(res, problem('NOT_FOUND', 'ü', 'r'));
    assert.equal(Object.hasOwn(calls.headers!, 'retry-after'), false);
    assert.equal(calls.headers?.['content-length'], Buffer.byteLength(calls.body!, 'utf8'));
  });

  it('destroys the response when the headers are already out', () => {
    const { res, calls } = fakeResponse(true);
    sendProblem(res, problem('BAD_GATEWAY', 'd', 'r'));
    assert.equal(calls.destroyed, true);
    assert.equal(calls.status, undefined);
    assert.equal(calls.body, undefined);
  });
});
