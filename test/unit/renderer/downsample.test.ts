import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 as random } from '../../../src/data/batch.ts'; // seeded: failures replay
import { LossDownsampler, type XY } from '../../../renderer/src/lib/state/downsample.ts';
import {
  appendBatches,
  emptySeries,
  seriesToArrays,
  type LossSeries,
} from '../../../renderer/src/lib/state/series.ts';

/** Noisy decaying losses with occasional spikes, repeats, NaNs, infinities, zeros and negatives. */
function losses(n: number, seed: number): number[] {
  const r = random(seed);
  return Array.from({ length: n }, (_, i) => {
    const u = r();
    if (u < 0.02) return NaN;
    if (u < 0.025) return Infinity;
    if (u < 0.04) return 0;
    if (u < 0.05) return -0.5;
    if (u < 0.06) return 1; // equal values: the earliest must win, in both build orders
    if (u < 0.07) return 20 * r(); // a spike
    return 2.3 * Math.exp(-i / 300) + 0.1 * r();
  });
}

function seriesOf(ys: number[], smoothing = 0.9): LossSeries {
  return appendBatches(emptySeries(ys.length, smoothing), 1, ys, []);
}

function build(s: LossSeries, budget: number, log = false): LossDownsampler {
  const d = new LossDownsampler({ budget, log, xPer: 1 });
  d.update(s);
  return d;
}

const plain = (d: LossDownsampler): { raw: XY[]; smooth: XY[] } => ({
  raw: d.raw.map((p) => ({ ...p })),
  smooth: d.smooth.map((p) => ({ ...p })),
});

/**
 * Checks the output against a brute-force pass over the series: per bucket of `width` batches,
 * the points drawn are exactly the kept losses' min and max (earliest of equals) in x order, and
 * the newest kept smoothed value.
 */
function checkAgainstBruteForce(d: LossDownsampler, s: LossSeries, budget: number, log: boolean) {
  const { index, loss, smooth } = seriesToArrays(s);
  const keep = (y: number): boolean => Number.isFinite(y) && (!log || y > 0);
  let width = 1;
  while (Math.ceil(s.length / width) > budget) width *= 2;
  assert.equal(d.width, width);
  assert.equal(d.buckets, Math.ceil(s.length / width));
  assert.ok(d.buckets <= budget);

  const raw: XY[] = [];
  const sm: XY[] = [];
  const first = smooth.findIndex(keep);
  for (let start = 0; start < s.length; start += width) {
    let lo = -1;
    let hi = -1;
    let last = -1;
    for (let p = start; p < Math.min(s.length, start + width); p++) {
      if (keep(loss[p]!)) {
        if (lo < 0 || loss[p]! < loss[lo]!) lo = p;
        if (hi < 0 || loss[p]! > loss[hi]!) hi = p;
      }
      if (keep(smooth[p]!)) last = p;
    }
    for (let p = start; p < Math.min(s.length, start + width); p++)
      if (keep(loss[p]!)) assert.ok(loss[lo]! <= loss[p]! && loss[p]! <= loss[hi]!);
    const at = (p: number): XY => ({ x: index[p]!, y: loss[p]! });
    if (lo >= 0)
      raw.push(...(lo === hi ? [at(lo)] : lo < hi ? [at(lo), at(hi)] : [at(hi), at(lo)]));
    if (first >= start && first < start + width && first !== last)
      sm.push({ x: index[first]!, y: smooth[first]! });
    if (last >= 0) sm.push({ x: index[last]!, y: smooth[last]! });
  }
  assert.deepEqual(plain(d), { raw, smooth: sm });
  for (const p of [...d.raw, ...d.smooth]) assert.ok(keep(p.y));
}

describe('loss downsampler', () => {
  it('keeps every point while the series fits the budget', () => {
    const s = seriesOf([3, 1, 2], 0.5);
    const d = build(s, 8);
    assert.equal(d.width, 1);
    assert.deepEqual(plain(d).raw, [
      { x: 1, y: 3 },
      { x: 2, y: 1 },
      { x: 3, y: 2 },
    ]);
    assert.deepEqual(
      plain(d).smooth.map((p) => p.y),
      [3, 2, 2],
    );
  });

  it('draws each bucket as its min and max in x order', () => {
    const d = build(seriesOf([5, 1, 2, 9, 9, 4, 3, 3]), 4);
    assert.equal(d.width, 2);
    // Buckets [5,1] [2,9] [9,4] [3,3]: the max first where it comes first, one point for equals.
    assert.deepEqual(
      plain(d).raw.map((p) => [p.x, p.y]),
      [
        [1, 5],
        [2, 1],
        [3, 2],
        [4, 9],
        [5, 9],
        [6, 4],
        [7, 3],
      ],
    );
  });

  for (const [n, budget, log] of [
    [1, 2, false],
    [1000, 2, false],
    [5000, 64, false],
    [5000, 64, true],
    [4096, 32, false], // exactly full: no merge yet
    [4097, 32, true], // one more: the merge
    [12000, 1000, false],
  ] as const) {
    it(`matches a brute-force pass: ${n} batches, budget ${budget}, log ${log}`, () => {
      const s = seriesOf(losses(n, n + budget));
      checkAgainstBruteForce(build(s, budget, log), s, budget, log);
    });
  }

  it('gives the same points however the series arrived, keeping its arrays', () => {
    const ys = losses(6000, 7);
    const r = random(42);
    for (const [budget, log] of [
      [16, false],
      [100, true],
      [1000, false],
    ] as const) {
      const d = new LossDownsampler({ budget, log, xPer: 1 });
      const { raw, smooth } = d;
      let s = emptySeries(ys.length, 0.95);
      while (s.length < ys.length) {
        // Mostly single batches (events while training), sometimes a long catch-up.
        const n = Math.min(ys.length - s.length, r() < 0.9 ? 1 + Math.floor(r() * 4) : 700);
        s = appendBatches(s, s.length + 1, ys.slice(s.length, s.length + n), []);
        d.update(s);
        if (r() < 0.02) assert.deepEqual(plain(d), plain(build(s, budget, log)));
      }
      assert.deepEqual(plain(d), plain(build(s, budget, log)));
      checkAgainstBruteForce(d, s, budget, log);
      assert.equal(d.raw, raw);
      assert.equal(d.smooth, smooth);
    }
  });

  it('replaces only the newest bucket when a batch arrives without a merge', () => {
    // Room for the new batch: a store that grows is a new store, which is rebuilt.
    let s = appendBatches(emptySeries(2000), 1, losses(1000, 3), []);
    const d = build(s, 64); // width 16; 63 buckets, the newest holding 8 batches
    const before = [...d.raw];
    s = appendBatches(s, 1001, [0.7], []);
    assert.equal(d.update(s), true);
    const kept = d.raw.slice(0, before.length - 2);
    assert.ok(kept.every((p, i) => p === before[i]));
  });

  it('starts the smoothed line at the first batch, not at the end of the first bucket', () => {
    const d = build(seriesOf([4, 2, 2, 2, 1, 1, 1, 1], 0.5), 2); // width 4
    assert.deepEqual(
      plain(d).smooth.map((p) => [p.x, p.y]),
      [
        [1, 4],
        [4, 2.25],
        [8, 1.078125],
      ],
    );
  });

  it('leaves out non-finite losses and keeps the smoothed line where it was', () => {
    const d = build(seriesOf([NaN, 2, Infinity, NaN, -Infinity, 4], 0.5), 8);
    assert.deepEqual(
      plain(d).raw.map((p) => p.x),
      [2, 6],
    );
    // The EMA starts at the first finite loss and holds through the NaNs.
    assert.deepEqual(
      plain(d).smooth.map((p) => [p.x, p.y]),
      [
        [2, 2],
        [3, 2],
        [4, 2],
        [5, 2],
        [6, 3],
      ],
    );
  });

  it('draws nothing for a bucket with no finite loss', () => {
    const d = build(seriesOf([1, 2, NaN, NaN, 3, 4]), 4); // width 2
    assert.deepEqual(
      plain(d).raw.map((p) => p.x),
      [1, 2, 5, 6],
    );
  });

  it('leaves out values that are not positive on a log axis', () => {
    const s = seriesOf([0, 0.5, -1, 0.25], 0);
    assert.deepEqual(
      plain(build(s, 8, true)).raw.map((p) => p.y),
      [0.5, 0.25],
    );
    assert.deepEqual(
      plain(build(s, 8, true)).smooth.map((p) => p.y),
      [0.5, 0.25],
    );
    assert.equal(build(s, 8, false).raw.length, 4);
  });

  it('rebuilds when the series restarts or gets shorter', () => {
    const long = seriesOf([1, 2, 3, 4, 5]);
    const d = build(long, 8);
    const { raw } = d;
    const short = { ...long, length: 2 };
    assert.equal(d.update(short), true);
    assert.deepEqual(plain(d).raw, plain(build(short, 8)).raw);
    const fresh = seriesOf([NaN, 9]); // its smoothed line starts elsewhere
    assert.equal(d.update(fresh), true);
    assert.deepEqual(plain(d), { raw: [{ x: 2, y: 9 }], smooth: [{ x: 2, y: 9 }] });
    assert.equal(d.update(fresh), false);
    assert.equal(d.update(emptySeries()), true);
    assert.equal(d.raw.length, 0);
    assert.equal(d.raw, raw);
  });

  it('puts x in epochs', () => {
    const d = new LossDownsampler({ budget: 4, log: false, xPer: 4 });
    d.update(seriesOf([1, 2]));
    assert.deepEqual(
      d.raw.map((p) => p.x),
      [0.25, 0.5],
    );
  });

  it('refuses a budget it cannot halve', () => {
    assert.throws(() => new LossDownsampler({ budget: 3, log: false, xPer: 1 }), /budget/);
    assert.throws(() => new LossDownsampler({ budget: 0, log: false, xPer: 1 }), /budget/);
  });
});
