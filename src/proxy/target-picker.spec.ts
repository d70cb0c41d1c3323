import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledService, UpstreamTarget } from '../routing/table/compiled-route.js';
import { TargetPicker } from './target-picker.js';

function serviceWith(...weights: number[]): CompiledService {
  const targets: UpstreamTarget[] = weights.map((weight, i) => ({
    id: String.fromCharCode(97 + i), // a, b, c, ...
    origin: `http://10.0.0.${i + 1}`,
    basePath: '',
    hostHeader: `10.0.0.${i + 1}`,
    weight,
  }));
  return { id: 's', name: 's', connectTimeoutMs: 1_000, timeoutMs: 5_000, retries: 0, targets };
}

/** The ids of `count` consecutive picks, as one string. */
function picks(picker: TargetPicker, service: CompiledService, count: number, exclude?: UpstreamTarget): string {
  let out = '';
  for (let i = 0; i < count; i++) out += picker.pick(service, exclude)!.id;
  return out;
}

const countOf = (sequence: string, id: string) => sequence.split(id).length - 1;
const longestRun = (sequence: string) => Math.max(...(sequence.match(/(.)\1*/g) ?? []).map((run) => run.length));

describe('TargetPicker', () => {
  it('picks in exact proportion to the weights (5:1:1 over 700 picks)', () => {
    const sequence = picks(new TargetPicker(), serviceWith(5, 1, 1), 700);
    assert.equal(countOf(sequence, 'a'), 500);
    assert.equal(countOf(sequence, 'b'), 100);
    assert.equal(countOf(sequence, 'c'), 100);
  });

  it('keeps the proportions in every window of one cycle', () => {
    const sequence = picks(new TargetPicker(), serviceWith(5, 1, 1), 70);
    for (let start = 0; start + 7 <= sequence.length; start++) {
      const window = sequence.slice(start, start + 7);
      assert.deepEqual([countOf(window, 'a'), countOf(window, 'b'), countOf(window, 'c')], [5, 1, 1], `window at ${start}: ${window}`);
    }
  });

  it('interleaves rather than sending bursts (nginx smooth weighted round robin)', () => {
    assert.equal(picks(new TargetPicker(), serviceWith(5, 1, 1), 7), 'aabacaa');
    assert.equal(picks(new TargetPicker(), serviceWith(1, 1), 6), 'ababab');
    assert.equal(picks(new TargetPicker(), serviceWith(3, 1), 8), 'aabaaaba');
    // Plain weighted round robin would send 5 in a row to a; the smooth one never more than 4.
    assert.ok(longestRun(picks(new TargetPicker(), serviceWith(5, 1, 1), 700)) <= 4);
    assert.equal(longestRun(picks(new TargetPicker(), serviceWith(1, 1, 1), 300)), 1);
  });

  it('holds proportions for uneven weights (2:3:5 over 1000 picks)', () => {
    const sequence = picks(new TargetPicker(), serviceWith(2, 3, 5), 1_000);
    assert.deepEqual([countOf(sequence, 'a'), countOf(sequence, 'b'), countOf(sequence, 'c')], [200, 300, 500]);
    assert.ok(longestRun(sequence) <= 2, `longest run ${longestRun(sequence)}`);
  });

  it('skips the excluded target when others are left', () => {
    const service = serviceWith(5, 1, 1);
    const picker = new TargetPicker();
    const sequence = picks(picker, service, 100, service.targets[0]);
    assert.equal(countOf(sequence, 'a'), 0);
    assert.equal(countOf(sequence, 'b'), 50);
    assert.equal(countOf(sequence, 'c'), 50);
    const two = serviceWith(1, 9);
    assert.equal(picks(new TargetPicker(), two, 20, two.targets[1]), 'a'.repeat(20));
  });

  it('ignores an exclude that is not one of the targets', () => {
    const service = serviceWith(1, 1);
    const stranger = serviceWith(1).targets[0];
    assert.equal(picks(new TargetPicker(), service, 4, stranger), 'abab');
  });

  it('always returns the only target, even when it is excluded', () => {
    const service = serviceWith(3);
    const picker = new TargetPicker();
    for (let i = 0; i < 5; i++) assert.equal(picker.pick(service), service.targets[0]);
    assert.equal(picker.pick(service, service.targets[0]), service.targets[0]);
  });

  it('returns undefined when there is no target', () => {
    assert.equal(new TargetPicker().pick(serviceWith()), undefined);
  });

  it('keeps a separate rotation per service', () => {
    const picker = new TargetPicker();
    const first = serviceWith(1, 1);
    const second = serviceWith(1, 1);
    assert.equal(picker.pick(first)!.id, 'a');
    assert.equal(picker.pick(second)!.id, 'a', 'a new service starts afresh');
    assert.equal(picker.pick(first)!.id, 'b');
    assert.equal(picker.pick(second)!.id, 'b');
  });
});
