// Kernel and feature-map layouts (tfjs [h, w, in, out] and [h, w, c]) and the colour mapping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KernelSnapshot } from '../../../src/shared/events.ts';
import {
  DIVERGING,
  GREY,
  INFERNO,
  gradientCss,
  kernelMean,
  kernelSlice,
  mapChannel,
  maxAbs,
  maxOf,
  toRgba,
} from '../../../renderer/src/lib/viz/colormap.ts';
import { overlayRgba } from '../../../renderer/src/lib/viz/overlay.ts';

/** A 2×2×3×4 kernel whose value encodes its position: 1000y + 100x + 10i + o. */
function kernel(): KernelSnapshot {
  const [h, w, ins, outs] = [2, 2, 3, 4];
  const values = new Float32Array(h * w * ins * outs);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let i = 0; i < ins; i++)
        for (let o = 0; o < outs; o++)
          values[((y * w + x) * ins + i) * outs + o] = 1000 * y + 100 * x + 10 * i + o;
  return { layer: 'conv2', shape: [h, w, ins, outs], values };
}

test('kernelSlice reads [h, w, in, out] row-major', () => {
  assert.deepEqual([...kernelSlice(kernel(), 3, 2)], [23, 123, 1023, 1123]);
});

test('kernelMean averages over input channels', () => {
  assert.deepEqual([...kernelMean(kernel(), 1)], [11, 111, 1011, 1111]);
});

test('mapChannel reads channels-last maps', () => {
  const values = Float32Array.from({ length: 2 * 3 * 4 }, (_, k) => k);
  assert.deepEqual([...mapChannel(values, [2, 3, 4], 2)], [2, 6, 10, 14, 18, 22]);
});

test('diverging: zero is the middle colour, ±scale the ends, beyond is clamped', () => {
  const map = DIVERGING.light;
  const rgba = toRgba([-2, -1, 0, 1, 2, NaN], map, 1, 'diverging');
  const px = (i: number) => [...rgba.subarray(i * 4, i * 4 + 4)];
  assert.deepEqual(px(0), px(1), 'clamped below');
  assert.deepEqual(px(3), px(4), 'clamped above');
  assert.deepEqual(px(1), [map[0], map[1], map[2], 255]);
  assert.deepEqual(px(3), [map[765], map[766], map[767], 255]);
  const mid = Math.round(0.5 * 255) * 3;
  assert.deepEqual(px(2), [map[mid], map[mid + 1], map[mid + 2], 255]);
  assert.deepEqual(px(5), px(2), 'NaN shows as zero');
  // Blue below, red above, pale in the middle (light theme).
  assert.ok(px(1)[2]! > px(1)[0]! && px(3)[0]! > px(3)[2]!);
  assert.ok(
    px(2)
      .slice(0, 3)
      .every((c) => c! > 230),
  );
});

test('sequential maps 0..scale; grey is black to white', () => {
  const rgba = toRgba([0, 255, 510], GREY, 255, 'sequential');
  assert.deepEqual([...rgba], [0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255]);
  assert.deepEqual([...toRgba([0], INFERNO, 1, 'sequential')].slice(0, 3), [0, 0, 4]);
});

test('scales and legends', () => {
  assert.equal(maxAbs([0.1, -0.3, 0.2]), 0.3);
  assert.equal(maxAbs([]), 1e-6);
  assert.equal(maxOf([0, 2, -5]), 2);
  assert.match(
    gradientCss(DIVERGING.dark),
    /^linear-gradient\(to right, rgb\(\d+, \d+, \d+\) 0%, .* 100%\)$/,
  );
});

test('an overlay leaves the grey image where the map is zero and takes the map colour where it is strongest', () => {
  const base = [0, 1, 0.5, 0.5];
  const heat = [0, 0, 1, -1];
  const rgba = overlayRgba(base, heat, DIVERGING.dark, 1, 'diverging');
  assert.deepEqual([...rgba.subarray(0, 4)], [0, 0, 0, 255], 'background, no heat');
  assert.deepEqual([...rgba.subarray(4, 8)], [255, 255, 255, 255], 'ink, no heat');
  // Full strength: 85 % map colour (the top of the table for +1, the bottom for −1), 15 % grey.
  const mix = (c: number) => Math.round(127.5 * 0.15 + c * 0.85);
  const top = DIVERGING.dark.subarray(255 * 3, 256 * 3);
  const bottom = DIVERGING.dark.subarray(0, 3);
  assert.deepEqual([...rgba.subarray(8, 11)], [...top].map(mix));
  assert.deepEqual([...rgba.subarray(12, 15)], [...bottom].map(mix));
  // A sequential map at half its scale: half the opacity.
  const half = overlayRgba([0], [0.5], INFERNO, 1, 'sequential');
  const mid = INFERNO.subarray(128 * 3, 129 * 3);
  assert.deepEqual(
    [...half.subarray(0, 3)],
    [...mid].map((c) => Math.round(c * 0.425)),
  );
});
