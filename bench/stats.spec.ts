import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median } from './stats.js';
import { parseVmRss } from './rss.js';

describe('bench statistics', () => {
  it('takes the median of odd and even counts, unsorted', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('reads VmRSS from /proc/<pid>/status in bytes', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1200000 kB\nVmRSS:\t   81234 kB\nRssAnon:\t   60000 kB\n';
    assert.equal(parseVmRss(status), 81234 * 1024);
    assert.equal(parseVmRss('Name:\tkthreadd\nState:\tS (sleeping)\n'), undefined);
  });
});
