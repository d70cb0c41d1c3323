import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SlidingWindow } from './sliding-window.js';

describe('SlidingWindow', () => {
  it('counts requests and failures inside the window', () => {
    const window = new SlidingWindow(10_000);
    window.add(0, true);
    window.add(500, false);
    window.add(9_000, true);
    assert.equal(window.total(9_500), 3);
    assert.equal(window.failures(9_500), 2);
  });

  it('drops each bucket as it leaves the window, a tenth at a time', () => {
    const window = new SlidingWindow(10_000);
    window.add(0, true); // bucket 0
    window.add(2_500, true); // bucket 2
    assert.equal(window.failures(9_999), 2);
    assert.equal(window.failures(10_000), 1, 'bucket 0 left');
    assert.equal(window.failures(11_999), 1);
    assert.equal(window.failures(12_000), 0, 'bucket 2 left');
  });

  it('empties after a gap longer than the window', () => {
    const window = new SlidingWindow(1_000);
    for (let i = 0; i < 50; i++) window.add(i * 10, i % 2 === 0);
    assert.equal(window.total(499), 50);
    assert.equal(window.total(5_000), 0);
    assert.equal(window.failures(5_000), 0);
    window.add(5_000, true);
    assert.equal(window.failures(5_001), 1);
  });

  it('keeps counting when the clock steps back', () => {
    const window = new SlidingWindow(1_000);
    window.add(500, true);
    window.add(400, true);
    assert.equal(window.failures(500), 2);
  });

  it('clear() forgets everything', () => {
    const window = new SlidingWindow(1_000);
    window.add(1, true);
    window.clear();
    assert.equal(window.total(2), 0);
  });
});
