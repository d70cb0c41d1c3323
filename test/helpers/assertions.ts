import assert from 'node:assert/strict';
import type { Reply } from './gateway.js';

/** Asserts the error format of DESIGN.md: problem+json with status, code and the echoed request id. */
export function assertProblem(reply: Reply, status: number, code: string): void {
  assert.equal(reply.status, status, `expected ${status} ${code}, got ${reply.status}: ${reply.text}`);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(reply.body.status, status);
  assert.equal(reply.body.code, code);
  assert.equal(typeof reply.body.title, 'string');
  assert.equal(typeof reply.body.detail, 'string');
  assert.ok(reply.body.request_id, 'problem has a request_id');
  assert.equal(reply.headers.get('x-request-id'), reply.body.request_id);
  assert.ok(!('stack' in reply.body), 'no stack trace leaks');
}

/** The fields a 400 names. */
export function badFields(reply: Reply): string[] {
  return (reply.body.errors ?? []).map((e: { field: string }) => e.field);
}
