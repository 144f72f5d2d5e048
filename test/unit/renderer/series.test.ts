import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  appendBatches,
  emptySeries,
  lastIndex,
  latestSmooth,
  recentAccuracy,
  seriesToArrays,
  smoothingFor,
} from '../../../renderer/src/lib/state/series.ts';

describe('loss series', () => {
  it('smooths with an EMA seeded by the first value', () => {
    const s = appendBatches(emptySeries(0, 0.5), 1, [4, 2, 2], [0, 0, 0]);
    assert.deepEqual(seriesToArrays(s).smooth, [4, 3, 2.5]);
    assert.equal(latestSmooth(s), 2.5);
  });

  it('carries the EMA across appends exactly as in one append', () => {
    const one = appendBatches(emptySeries(0, 0.9), 1, [5, 4, 3, 2, 1], [1, 1, 1, 1, 1]);
    let two = appendBatches(emptySeries(0, 0.9), 1, [5, 4], [1, 1]);
    two = appendBatches(two, 3, [3, 2, 1], [1, 1, 1]);
    assert.deepEqual(seriesToArrays(two), seriesToArrays(one));
  });

  it('lets a NaN loss through but keeps the smoothed line where it was', () => {
    const s = appendBatches(emptySeries(0, 0.5), 1, [2, NaN, 4], [0, 0, 0]);
    const { loss, smooth } = seriesToArrays(s);
    assert.ok(Number.isNaN(loss[1]));
    assert.deepEqual(smooth, [2, 2, 3]);
  });

  it('grows past its first capacity without losing points', () => {
    let s = emptySeries(10);
    for (let i = 0; i < 300; i++) s = appendBatches(s, i + 1, [i], [0.5]);
    const a = seriesToArrays(s);
    assert.equal(s.length, 300);
    assert.equal(lastIndex(s), 300);
    assert.deepEqual(a.loss.slice(0, 3), [0, 1, 2]);
    assert.equal(a.loss[299], 299);
  });

  it('copies before appending to an older view, so the newer one is untouched', () => {
    const base = appendBatches(emptySeries(), 1, [1, 2], [0, 0]);
    const newer = appendBatches(base, 3, [3], [0]);
    const branch = appendBatches(base, 3, [30, 40], [0, 0]);
    assert.deepEqual(seriesToArrays(newer).loss, [1, 2, 3]);
    assert.deepEqual(seriesToArrays(branch).loss, [1, 2, 30, 40]);
    assert.deepEqual(seriesToArrays(base).loss, [1, 2]);
    assert.notEqual(branch.store, newer.store);
  });

  it('averages the newest accuracies, ignoring missing ones', () => {
    const s = appendBatches(emptySeries(), 1, [1, 1, 1, 1], [0.1, 0.5, 0.7]);
    assert.ok(Number.isNaN(seriesToArrays(s).accuracy[3]));
    assert.equal(recentAccuracy(s, 2), 0.7);
    assert.ok(Math.abs(recentAccuracy(s, 10) - (0.1 + 0.5 + 0.7) / 3) < 1e-12);
    assert.ok(Number.isNaN(recentAccuracy(emptySeries())));
  });

  it('smooths over a window that grows with the run, from none to 50 batches', () => {
    assert.equal(smoothingFor(12_000), 1 - 1 / 50);
    assert.equal(smoothingFor(100_000), 1 - 1 / 50);
    assert.equal(smoothingFor(80), 1 - 1 / 4);
    assert.equal(smoothingFor(4), 0);
    assert.equal(smoothingFor(0), 0);
  });
});
