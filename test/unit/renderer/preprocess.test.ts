// The draw pad's MNIST-style preprocessing: crop, scale into 20×20 keeping the aspect ratio with
// area averaging, centre of mass to (14, 14), blank canvases recognised.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CENTRE,
  centreOfMass,
  inkBounds,
  preprocess,
  type ImageLike,
} from '../../../renderer/src/lib/digit/preprocess.ts';
import { loadMnist } from '../../../src/data/mnist.ts';

/** A transparent canvas; `paint(x, y)` returns the ink (alpha 0..1) of each pixel. */
function canvas(width: number, height: number, paint: (x: number, y: number) => number): ImageLike {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = 20; // dark ink; only alpha counts
      data[i + 3] = Math.round(255 * paint(x, y));
    }
  return { width, height, data };
}

const rect =
  (x0: number, y0: number, w: number, h: number) =>
  (x: number, y: number): boolean =>
    x >= x0 && x < x0 + w && y >= y0 && y < y0 + h;

/** A small "7": a bar along the top and a thick diagonal down to the left. */
const seven =
  (ox: number, oy: number, s = 1) =>
  (x: number, y: number): number => {
    const u = (x - ox) / s;
    const v = (y - oy) / s;
    if (u < 0 || v < 0 || u >= 40 || v >= 60) return 0;
    if (v < 8) return 1;
    return Math.abs(u - (40 - ((v - 8) / 52) * 30) + 4) < 4.5 ? 1 : 0;
  };

const sum = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
};
const near = (a: number, b: number, eps: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= eps, `${what}: ${a} is not within ${eps} of ${b}`);

describe('preprocess', () => {
  test('a small digit drawn off-centre is scaled to a 20 px box and centred by mass', () => {
    // 40×60 "7" in the top-left corner of a 280×280 pad.
    const r = preprocess(canvas(280, 280, seven(12, 9)))!;
    assert.ok(r, 'not blank');
    assert.deepEqual(r.source.slice(2), [40, 60]);
    const box = inkBounds(r.pixels, 28, 28)!;
    assert.equal(box[3], 20, 'the longer side (height) is 20 px');
    assert.equal(box[2], Math.ceil((40 / 60) * 20), 'the width keeps the 2:3 aspect ratio');
    const [cx, cy] = centreOfMass(r.pixels, 28, 28)!;
    near(cx, CENTRE, 0.5, 'centre of mass x');
    near(cy, CENTRE, 0.5, 'centre of mass y');
    assert.deepEqual(
      r.centre.map((v) => v.toFixed(6)),
      [cx, cy].map((v) => v.toFixed(6)),
    );
    assert.ok(
      r.pixels.every((v) => v >= 0 && v <= 1),
      'values in [0, 1]',
    );
    assert.ok(
      r.pixels.some((v) => v === 1) && r.pixels.some((v) => v > 0 && v < 1),
      'anti-aliased',
    );
  });

  test('where and how big it was drawn does not matter', () => {
    const a = preprocess(canvas(280, 280, seven(12, 9)))!;
    const b = preprocess(canvas(280, 280, seven(200, 190)))!;
    assert.deepEqual(b.pixels, a.pixels, 'translation');
    // Every source pixel drawn as a 3×3 block (180 px tall): area averaging gives the same image.
    const small = seven(0, 0);
    const big = preprocess(
      canvas(280, 280, (x, y) => small(Math.floor((x - 20) / 3), Math.floor((y - 30) / 3))),
    )!;
    assert.deepEqual(big.source, [20, 30, 120, 180]);
    for (let i = 0; i < 784; i++) near(big.pixels[i]!, a.pixels[i]!, 1e-5, `pixel ${i}`);
  });

  test('keeps the aspect ratio and conserves ink (area averaging)', () => {
    // A 30×90 bar: scale 20/90, so 6.67×20 px: six full columns and one two-thirds column.
    const r = preprocess(canvas(200, 200, (x, y) => (rect(50, 40, 30, 90)(x, y) ? 1 : 0)))!;
    const [, , w, h] = inkBounds(r.pixels, 28, 28)!;
    assert.deepEqual([w, h], [7, 20]);
    near(sum(r.pixels), 30 * 90 * (20 / 90) ** 2, 1e-3, 'total ink');
    const [ox, oy] = r.placed;
    near(r.pixels[(oy + 10) * 28 + ox + 6]!, 2 / 3, 1e-5, 'the partial column');
    // Wide shapes too: 120×24 becomes 20×4.
    const wide = preprocess(canvas(300, 100, (x, y) => (rect(10, 10, 120, 24)(x, y) ? 1 : 0)))!;
    assert.deepEqual(inkBounds(wide.pixels, 28, 28)!.slice(2), [20, 4]);
    near(wide.centre[0], CENTRE, 0.5, 'x');
    near(wide.centre[1], CENTRE, 0.5, 'y');
  });

  test('a thin vertical "1" becomes one 20 px column at the centre', () => {
    const r = preprocess(canvas(280, 280, (x, y) => (rect(100, 30, 8, 200)(x, y) ? 1 : 0)))!;
    // Centre of mass (0, 9.5) in the box: shifted by round(14 - 9.5) = 5 rows, 14 columns.
    assert.deepEqual(r.placed, [14, 5, 1, 20]);
    near(
      r.pixels[14 * 28 + 14]!,
      0.8,
      1e-5,
      'an 8 px wide line is 0.8 of a 25 px-wide output pixel',
    );
  });

  test('a blank canvas has no image; faint ink is still ink', () => {
    assert.equal(preprocess(canvas(280, 280, () => 0)), null);
    assert.equal(preprocess({ width: 0, height: 0, data: new Uint8ClampedArray(0) }), null);
    const black = new Uint8ClampedArray(50 * 50 * 4).fill(0);
    for (let i = 3; i < black.length; i += 4) black[i] = 255; // opaque black: no brightness
    assert.equal(preprocess({ width: 50, height: 50, data: black }, 'brightness'), null);
    const faint = preprocess(canvas(50, 50, (x, y) => (x === 7 && y === 9 ? 1 / 255 : 0)));
    assert.ok(faint !== null && faint.pixels.every((v) => v >= 0 && v <= 1));
  });

  test('a tiny dot and a huge drawing are both scaled to the 20 px box', () => {
    const dot = preprocess(canvas(280, 280, (x, y) => (rect(5, 250, 3, 3)(x, y) ? 1 : 0)))!;
    assert.deepEqual(dot.placed.slice(2), [20, 20]);
    assert.ok(dot.pixels.every((v) => v >= 0 && v <= 1));
    near(sum(dot.pixels), 400, 1e-3, 'a full 20×20 square');
    const huge = preprocess(canvas(1200, 1500, (x, y) => (rect(0, 0, 1200, 1500)(x, y) ? 1 : 0)))!;
    assert.deepEqual(huge.placed.slice(2), [16, 20]);
  });

  test('a lopsided shape is moved just inside the field rather than cut off', () => {
    // Mass far left: a heavy post with a hair-thin arm to the right.
    const r = preprocess(
      canvas(300, 300, (x, y) =>
        rect(0, 0, 20, 200)(x, y) ? 1 : rect(20, 0, 180, 200)(x, y) && y === 0 ? 1 : 0,
      ),
    )!;
    assert.equal(r.placed[0] + r.placed[2], 28, 'the box touches the right edge');
    const total = 20 * 200 + 180;
    near(sum(r.pixels), total * (20 / 200) ** 2, 1e-3, 'no ink lost');
  });

  test('brightness mode reads white-on-black images; size errors are reported', () => {
    const data = new Uint8ClampedArray(40 * 40 * 4);
    for (let i = 0; i < 40 * 40; i++) {
      const on = rect(10, 5, 10, 30)(i % 40, Math.floor(i / 40));
      data.fill(on ? 255 : 0, i * 4, i * 4 + 3);
      data[i * 4 + 3] = 255;
    }
    const r = preprocess({ width: 40, height: 40, data }, 'brightness')!;
    assert.deepEqual(r.source, [10, 5, 10, 30]);
    assert.throws(
      () => preprocess({ width: 10, height: 10, data: new Uint8Array(10) }),
      RangeError,
    );
  });

  test('real MNIST digits, drawn 10× larger, come back as themselves', async () => {
    const { test: split } = await loadMnist();
    for (const n of [0, 1, 2, 3, 4, 17, 1234]) {
      const S = 280;
      const data = new Uint8ClampedArray(S * S * 4);
      for (let y = 0; y < S; y++)
        for (let x = 0; x < S; x++) {
          const v = split.images[n * 784 + Math.floor(y / 10) * 28 + Math.floor(x / 10)]!;
          data[(y * S + x) * 4 + 3] = v;
        }
      const r = preprocess({ width: S, height: S, data })!;
      const original = Float32Array.from(
        split.images.subarray(n * 784, (n + 1) * 784),
        (v) => v / 255,
      );
      // Pearson correlation with the original image.
      const mean = (a: Float32Array) => sum(a) / a.length;
      const [ma, mb] = [mean(r.pixels), mean(original)];
      let ab = 0;
      let aa = 0;
      let bb = 0;
      for (let i = 0; i < 784; i++) {
        const a = r.pixels[i]! - ma;
        const b = original[i]! - mb;
        ab += a * b;
        aa += a * a;
        bb += b * b;
      }
      const corr = ab / Math.sqrt(aa * bb);
      assert.ok(corr > 0.95, `test image ${n}: correlation ${corr.toFixed(3)}`);
    }
  });
});
