import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { METHODS, methodIndex, STATUS_CLASSES, statusClassIndex, UNMATCHED } from './request-labels.js';

describe('request labels', () => {
  it('keeps the standard methods and folds every other method into OTHER', () => {
    for (const method of METHODS.filter((m) => m !== 'OTHER')) assert.equal(METHODS[methodIndex(method)], method);
    for (const method of ['PROPFIND', 'get', 'BREW', '', undefined]) assert.equal(METHODS[methodIndex(method)], 'OTHER');
  });

  it('classes statuses by hundreds, and an unfinished response as aborted', () => {
    const cases: Array<[boolean, number, string]> = [
      [true, 101, '1xx'],
      [true, 200, '2xx'],
      [true, 204, '2xx'],
      [true, 304, '3xx'],
      [true, 429, '4xx'],
      [true, 503, '5xx'],
      [true, 599, '5xx'],
      [false, 200, 'aborted'],
      [false, 502, 'aborted'],
    ];
    for (const [finished, status, expected] of cases) assert.equal(STATUS_CLASSES[statusClassIndex(finished, status)], expected, `${finished} ${status}`);
  });

  it('names unmatched traffic with a value no configured route or service can take', () => {
    // Route and service names must start with a letter or digit (src/common/validators.ts).
    assert.doesNotMatch(UNMATCHED, /^[A-Za-z0-9]/);
  });
});
