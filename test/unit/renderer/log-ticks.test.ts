// The loss chart's log axis never stacks equal labels, however narrow its range.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logTicks, tickLabels } from '../../../renderer/src/lib/charts/log-ticks.ts';

describe('log axis ticks', () => {
  it('uses 1, 2, 5 × 10^k on a wide range', () => {
    assert.deepEqual(logTicks(0.03, 2.5), [0.05, 0.1, 0.2, 0.5, 1, 2]);
    assert.deepEqual(tickLabels(logTicks(0.03, 2.5)), ['0.05', '0.1', '0.2', '0.5', '1', '2']);
  });

  it('spaces a few ticks evenly on a narrow range, with distinct labels', () => {
    const ticks = logTicks(1.88, 2.31);
    assert.ok(ticks.length >= 3 && ticks.length <= 6, String(ticks));
    assert.ok(ticks.every((t) => t >= 1.88 && t <= 2.31));
    const labels = tickLabels(ticks);
    assert.equal(new Set(labels).size, labels.length, labels.join(' '));
    assert.deepEqual(labels, ['1.9', '2', '2.1', '2.2', '2.3']);
  });

  it('keeps only powers of ten when the range spans many decades', () => {
    assert.deepEqual(logTicks(0.0001, 10), [0.0001, 0.001, 0.01, 0.1, 1, 10]);
  });

  it('gives nothing for a range a log axis cannot have', () => {
    assert.deepEqual(logTicks(0, 1), []);
    assert.deepEqual(logTicks(2, 2), []);
  });

  it('labels with more digits only when fewer would repeat', () => {
    assert.deepEqual(tickLabels([2.01, 2.02, 2.03]), ['2.01', '2.02', '2.03']);
    assert.deepEqual(tickLabels([1, 10, 100]), ['1', '10', '100']);
  });
});
