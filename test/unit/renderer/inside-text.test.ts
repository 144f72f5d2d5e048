// The Inside view's words and numbers: every stage of every preset and of random valid networks
// gets a caption whose figures are the layer's own (filters, kernel, shapes) and a size rule whose
// result is the layer's real output size; every idea a stage links to exists; the numbers are
// written with a real minus; per-channel sums add up to the whole; vectors fold into a block.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MNIST } from '../../../src/shared/dataset.ts';
import { checkNetwork, shapeText } from '../../../src/shared/network-shapes.ts';
import { PRESETS, type NetworkSpec } from '../../../src/shared/network.ts';
import { sizeRule, stageText } from '../../../renderer/src/lib/inside/captions.ts';
import { CONCEPTS } from '../../../renderer/src/lib/inside/concepts.ts';
import {
  channelSlice,
  channelSums,
  largestBySize,
  num,
  term,
} from '../../../renderer/src/lib/inside/numbers.ts';
import { foldWidth, stageImage } from '../../../renderer/src/lib/inside/stage-image.ts';
import { randomSpec, rng } from '../model/random-spec.ts';

function checkTexts(spec: NetworkSpec, label: string): void {
  const check = checkNetwork(spec, MNIST);
  assert.ok(check.ok, label);
  const shapes = [check.summary.input, ...check.summary.layers.map((l) => l.output)];
  spec.layers.forEach((layer, i) => {
    const [input, output] = [shapes[i]!, shapes[i + 1]!];
    const t = stageText(layer, input, output, i === spec.layers.length - 1);
    assert.ok(t.title.length > 0 && t.caption.length > 0, `${label} ${i}`);
    for (const id of t.concepts)
      assert.ok(
        CONCEPTS.some((c) => c.id === id),
        `${label} layer ${i + 1} links to ${id}`,
      );
    if (layer.kind === 'conv') {
      assert.ok(t.caption.includes(`${layer.filters} filters`), t.caption);
      assert.ok(
        t.caption.includes(`${layer.kernel}×${layer.kernel}×${input[2]} weights`),
        t.caption,
      );
      assert.ok(t.caption.includes(shapeText(output)), t.caption);
    }
    if (t.rule !== null) assert.ok(t.rule.endsWith(`= ${output[0]}`), `${t.rule} vs ${output[0]}`);
    if (layer.kind === 'flatten')
      assert.ok(t.caption.includes(output[0]!.toLocaleString('en-US')), t.caption);
  });
}

test('captions and size rules of every preset and of random valid networks', () => {
  for (const p of PRESETS) checkTexts(p.network, p.id);
  const next = rng(31);
  let n = 0;
  for (let tries = 0; n < 40 && tries < 2000; tries++) {
    const spec = randomSpec(next);
    if (!checkNetwork(spec, MNIST).ok) continue;
    checkTexts(spec, `random ${n++}`);
  }
  assert.equal(n, 40);
  // The tutorial's own rule, in its words.
  assert.equal(
    sizeRule(28, 2, 2, 'same'),
    'SAME padding: out = ceil(in / stride) = ceil(28 / 2) = 14',
  );
  assert.match(sizeRule(28, 5, 1, 'valid'), /= 24$/);
});

test('ideas: unique ids, each with a name and a few sentences', () => {
  assert.equal(new Set(CONCEPTS.map((c) => c.id)).size, CONCEPTS.length);
  for (const c of CONCEPTS) assert.ok(c.name.length > 2 && c.text.length > 80, c.id);
});

test('numbers: a real minus, signed terms, channel sums and slices, the largest by size', () => {
  assert.equal(num(-0.5), '−0.50');
  assert.equal(num(-0.001), '0.00'); // no "−0.00"
  assert.equal(num(1.23456, 3), '1.235');
  assert.equal(num(Number.NaN), '—');
  assert.equal(term(-0.25), '− 0.25');
  assert.equal(term(0.25), '+ 0.25');
  // A 2×2×3 block: channel c holds c + 1 at each of the 4 places.
  const block = Float32Array.from({ length: 12 }, (_, i) => (i % 3) + 1);
  assert.deepEqual(Array.from(channelSums(block, 3)), [4, 8, 12]);
  assert.deepEqual(Array.from(channelSlice(block, 3, 2)), [3, 3, 3, 3]);
  assert.equal(largestBySize([0.1, -0.9, 0.5]), 1);
});

test('stages as pixels: one channel of a map, a vector folded, signed values diverging', () => {
  const map = { shape: [2, 3, 2], values: Float32Array.from([1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0]) };
  const image = stageImage(map, 0, false);
  assert.deepEqual([image.width, image.height, image.kind, image.scale], [3, 2, 'sequential', 6]);
  assert.equal(image.rgba.length, 3 * 2 * 4);
  assert.equal(foldWidth(10), 10);
  assert.equal(foldWidth(3136), 56);
  const vector = { shape: [1000], values: Float32Array.from({ length: 1000 }, (_, i) => i - 500) };
  const folded = stageImage(vector, 0, true);
  assert.deepEqual([folded.width, folded.height, folded.kind], [32, 32, 'diverging']);
  assert.equal(folded.rgba[1000 * 4 + 3], 0, 'the unused tail of the block is transparent');
  assert.equal(folded.rgba[999 * 4 + 3], 255);
});
