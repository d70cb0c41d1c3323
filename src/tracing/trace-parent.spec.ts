import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { traceIdOf } from './trace-parent.js';

describe('traceIdOf', () => {
  const id = '4bf92f3577b34da6a3ce929d0e0e4736';
  it('reads the trace id of a valid traceparent', () => {
    assert.equal(traceIdOf(`00-${id}-00f067aa0ba902b7-01`), id);
    assert.equal(traceIdOf(`00-${id}-00f067aa0ba902b7-00`), id);
    // A later version may append fields.
    assert.equal(traceIdOf(`01-${id}-00f067aa0ba902b7-01-extra`), id);
  });

  const invalid: Array<[string, string | string[] | undefined]> = [
    ['absent', undefined],
    ['repeated', [`00-${id}-00f067aa0ba902b7-01`, `00-${id}-00f067aa0ba902b7-01`]],
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['version ff', `ff-${id}-00f067aa0ba902b7-01`],
    ['upper case', `00-${id.toUpperCase()}-00f067aa0ba902b7-01`],
    ['short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['garbage', 'hello'],
  ];
  for (const [name, header] of invalid) {
    it(`ignores a traceparent that is ${name}`, () => assert.equal(traceIdOf(header), undefined));
  }
});
