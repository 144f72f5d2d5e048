// Dev benchmark: our wasm kernels one at a time at the tutorial network's training shapes (batch
// 50), median of 15 calls each, as the commit messages and comments quote them. With --cold, the
// dense products run after 100 MB of other traffic, as they do after each step's weight update.
//
//   npx tsx scripts/kernel-bench.ts [--engine wasm] [--cold]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { EngineChoice } from '../src/shared/config.ts';
import { selectEngine } from '../src/engine/select.ts';

const { values: opt } = parseArgs({
  options: {
    engine: { type: 'string', default: 'wasm' },
    cold: { type: 'boolean', default: false },
  },
});
const engine = await selectEngine(opt.engine as EngineChoice);
console.log(`engine: ${engine.label} [${engine.name}]${opt.cold ? ', dense products cold' : ''}`);

const n = (shape: number[]): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', 7);
const n4 = (shape: [number, number, number, number]): tf.Tensor4D => n(shape) as tf.Tensor4D;
const [x1, w1] = [n4([50, 28, 28, 1]), n4([5, 5, 1, 32])];
const [x2, w2, dy2] = [n4([50, 14, 14, 32]), n4([5, 5, 32, 64]), n4([50, 14, 14, 64])];
const [a, w, dy] = [n([50, 3136]), n([3136, 1000]), n([50, 1000])];
const act = n4([50, 28, 28, 32]);
const flush = opt.cold ? n([25_000_000]) : null;

/** Conv2DBackpropFilter of a 5×5 SAME convolution: tfjs has no public op for it. */
const filterGradient = (x: tf.Tensor, dy: tf.Tensor, filterShape: number[]): tf.Tensor =>
  tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
    strides: 1,
    pad: 'same',
    dataFormat: 'NHWC',
    filterShape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;

const pooled = tf.maxPool(act, 2, 2, 'valid');
const poolDy = n(pooled.shape);
/** MaxPoolGrad of the 2×2 stride-2 pool of `act`, whose output was `pooled`. */
const maxPoolGrad = (): tf.Tensor =>
  tf.engine().runKernel(tf.MaxPoolGrad, { dy: poolDy, input: act, output: pooled }, {
    filterSize: 2,
    strides: 2,
    pad: 'valid',
  } as unknown as tf.NamedAttrMap) as tf.Tensor;

const cases: [string, () => tf.Tensor, boolean?][] = [
  ['dense forward x·W [50,3136]×[3136,1000]', () => tf.matMul(a, w), true],
  ['dense dx dy·Wᵀ [50,1000]×[1000,3136]', () => tf.matMul(dy, w, false, true), true],
  ['dense dW xᵀ·dy [3136,50]×[50,1000]', () => tf.matMul(a, dy, true, false), true],
  ['conv1 forward [50,28,28,1] 5×5 → 32', () => tf.conv2d(x1, w1, 1, 'same')],
  ['conv2 forward [50,14,14,32] 5×5 → 64', () => tf.conv2d(x2, w2, 1, 'same')],
  ['conv2 input gradient', () => tf.conv2dTranspose(dy2, w2, [50, 14, 14, 32], 1, 'same')],
  ['conv2 filter gradient', () => filterGradient(x2, dy2, [5, 5, 32, 64])],
  ['conv1 filter gradient', () => filterGradient(x1, act, [5, 5, 1, 32])],
  ['max pool [50,28,28,32] 2×2', () => tf.maxPool(act, 2, 2, 'valid')],
  ['max pool gradient [50,28,28,32] 2×2', () => maxPoolGrad()],
  ['relu [50,28,28,32]', () => tf.relu(act)],
];
for (const [name, f, dense] of cases) {
  const call = (): void => tf.tidy(() => void f()); // the result too: a kept one would leak
  for (let i = 0; i < 3; i++) call();
  const ms: number[] = [];
  for (let r = 0; r < 15; r++) {
    if (dense && flush) tf.tidy(() => tf.add(flush, 1).dataSync().length);
    const t0 = performance.now();
    call();
    ms.push(performance.now() - t0);
  }
  ms.sort((p, q) => p - q);
  console.log(`${ms[7]!.toFixed(2).padStart(7)} ms  ${name}`);
}
