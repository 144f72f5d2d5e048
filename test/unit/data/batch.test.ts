// The seeded shuffle and the batch gather, on the real MNIST splits.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { fillBatch, mulberry32, shuffleInPlace, shuffledIndices } from '../../../src/data/batch.ts';
import { type MnistData, loadMnist } from '../../../src/data/mnist.ts';

const isPermutation = (order: Uint32Array, n: number): boolean => {
  if (order.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const i of order) {
    if (i >= n || seen[i]) return false;
    seen[i] = 1;
  }
  return true;
};

const equal = (a: Uint32Array, b: Uint32Array): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

describe('shuffledIndices', () => {
  test('is a permutation of 0..n-1', () => {
    for (const n of [0, 1, 2, 7, 60_000])
      assert.ok(isPermutation(shuffledIndices(n, 42), n), `n=${n}`);
  });

  test('is deterministic per seed', () => {
    assert.ok(equal(shuffledIndices(60_000, 42), shuffledIndices(60_000, 42)));
    assert.ok(equal(shuffledIndices(60_000, 2 ** 31 - 1), shuffledIndices(60_000, 2 ** 31 - 1)));
  });

  test('differs across seeds, and across epochs (seed + epoch)', () => {
    const seed = 42;
    const epochs = [0, 1, 2, 3].map((epoch) => shuffledIndices(60_000, seed + epoch));
    for (let a = 0; a < epochs.length; a++)
      for (let b = a + 1; b < epochs.length; b++)
        assert.ok(!equal(epochs[a]!, epochs[b]!), `epochs ${a} and ${b} share an order`);
  });

  test('actually shuffles: few fixed points, not the identity', () => {
    const order = shuffledIndices(60_000, 7);
    let fixed = 0;
    for (let i = 0; i < order.length; i++) if (order[i] === i) fixed++;
    // A random permutation has about one fixed point on average.
    assert.ok(fixed < 20, `${fixed} fixed points`);
  });

  test('is pinned, so a seeded run repeats across versions', () => {
    assert.deepEqual(Array.from(shuffledIndices(10, 42)), [0, 7, 3, 5, 2, 1, 8, 9, 4, 6]);
    assert.deepEqual(
      Array.from(shuffledIndices(60_000, 42).subarray(0, 5)),
      [12582, 29085, 32398, 34949, 5264],
    );
  });

  test('rejects an impossible length', () => {
    assert.throws(() => shuffledIndices(-1, 1), RangeError);
    assert.throws(() => shuffledIndices(1.5, 1), RangeError);
  });

  test('shuffleInPlace permutes the given values (a training subset) in place', () => {
    const subset = shuffledIndices(60_000, 42).slice(0, 1000);
    const before = Array.from(subset).sort((a, b) => a - b);
    const same = shuffleInPlace(subset, 43);
    assert.equal(same, subset);
    assert.deepEqual(
      Array.from(subset).sort((a, b) => a - b),
      before,
    );
  });

  test('mulberry32 yields values in [0, 1) that depend on the seed', () => {
    const a = mulberry32(1);
    const b = mulberry32(2);
    const xs = Array.from({ length: 1000 }, () => a());
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.notEqual(xs[0], b());
  });
});

describe('fillBatch', () => {
  let data: MnistData;
  const PIXELS = 784;

  before(async () => {
    data = await loadMnist();
  });

  test('scales pixels to [0, 1] and one-hot encodes labels, in order when order is null', () => {
    const rows = 3;
    const xs = new Float32Array(rows * PIXELS);
    const ys = new Float32Array(rows * 10);
    fillBatch(data.train, null, 0, rows, xs, ys);
    for (let i = 0; i < rows * PIXELS; i++)
      assert.equal(xs[i], Math.fround(data.train.images[i]! / 255));
    assert.equal(Math.min(...xs), 0);
    assert.equal(Math.max(...xs), 1);
    // The first three MNIST training labels are 5, 0, 4.
    const expected = [5, 0, 4];
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < 10; c++) assert.equal(ys[r * 10 + c], c === expected[r] ? 1 : 0);
  });

  test('follows the order array and the [start, end) range', () => {
    const order = new Uint32Array([59_999, 0, 1]);
    const xs = new Float32Array(2 * PIXELS);
    const ys = new Float32Array(2 * 10);
    fillBatch(data.train, order, 1, 3, xs, ys);
    const single = { xs: new Float32Array(PIXELS), ys: new Float32Array(10) };
    fillBatch(data.train, null, 1, 2, single.xs, single.ys);
    assert.deepEqual(xs.subarray(PIXELS), single.xs, 'row 1 is image 1');
    fillBatch(data.train, order, 0, 1, single.xs, single.ys);
    assert.equal(single.ys.indexOf(1), data.train.labels[59_999]);
    assert.equal(single.xs[400], Math.fround(data.train.images[59_999 * PIXELS + 400]! / 255));
  });

  test('overwrites stale buffer contents and leaves rows past the batch alone', () => {
    const xs = new Float32Array(4 * PIXELS).fill(7);
    const ys = new Float32Array(4 * 10).fill(7);
    fillBatch(data.test, shuffledIndices(data.test.count, 1), 100, 102, xs, ys);
    for (let r = 0; r < 2; r++) {
      const row = ys.subarray(r * 10, r * 10 + 10);
      assert.equal(
        row.reduce((s, v) => s + v, 0),
        1,
      );
      assert.equal(row.filter((v) => v === 1).length, 1);
      assert.ok(xs.subarray(r * PIXELS, (r + 1) * PIXELS).every((v) => v >= 0 && v <= 1));
    }
    assert.ok(xs.subarray(2 * PIXELS).every((v) => v === 7));
    assert.ok(ys.subarray(2 * 10).every((v) => v === 7));
  });

  test('uses the split it is given: test images with test labels', () => {
    const xs = new Float32Array(PIXELS);
    const ys = new Float32Array(10);
    fillBatch(data.test, null, 0, 1, xs, ys);
    assert.equal(ys.indexOf(1), 7, 'the first MNIST test label is 7');
  });

  test('rejects bad ranges, short buffers and out-of-split indices', () => {
    const xs = new Float32Array(2 * PIXELS);
    const ys = new Float32Array(2 * 10);
    assert.throws(() => fillBatch(data.test, null, 9_999, 10_001, xs, ys), RangeError);
    assert.throws(() => fillBatch(data.test, null, 2, 1, xs, ys), RangeError);
    assert.throws(() => fillBatch(data.test, null, 0, 3, xs, ys), RangeError);
    assert.throws(() => fillBatch(data.test, null, 0, 2, xs, new Float32Array(19)), RangeError);
    assert.throws(
      () => fillBatch(data.test, new Uint32Array([10_000]), 0, 1, xs, ys),
      /index 10000 is outside the split of 10000 images/,
    );
  });
});
