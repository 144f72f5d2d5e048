// Child process for wasm-threads.test.ts (the wasm backend is process-wide, so each thread count
// needs its own process): selects the wasm engine with CNN_STUDIO_WASM_THREADS as set by the
// test, trains the real CNN a few Adam steps at batch 50 on fixed data, prints one JSON line.
import * as tf from '@tensorflow/tfjs';
import {
  kernelThreadsFor,
  type WasmBackendLike,
} from '../../../src/engine/kernels/heap-backend.ts';
import { selectEngine } from '../../../src/engine/select.ts';
import { buildModel, compileModel } from '../../../src/model/cnn.ts';
import { values } from './compare.ts';

const STEPS = 3;
const BATCH = 50;
const info = await selectEngine('wasm');
const model = buildModel(11);
compileModel(model, 1e-4);
const x = tf.tensor4d(
  values(BATCH * 784, 5).map((v) => (v + 1) / 2),
  [BATCH, 28, 28, 1],
);
const y = tf.oneHot(
  tf.tensor1d(
    Array.from({ length: BATCH }, (_, i) => (i * 7) % 10),
    'int32',
  ),
  10,
);
const losses: number[] = [];
for (let i = 0; i < STEPS; i++) {
  const [loss] = (await model.trainOnBatch(x, y)) as number[];
  losses.push(loss!);
}
const weights = await Promise.all(
  model.getWeights().map(async (w) => Array.from((await w.data()) as Float32Array)),
);
// conv2 runs by Winograd on the backend's thread count once its helper threads are up.
const winograd = kernelThreadsFor(tf.backend() as unknown as WasmBackendLike);
await winograd.whenReady();
const logits = model.predict(x) as tf.Tensor;
console.log(
  JSON.stringify({
    label: info.label,
    threads: info.threads,
    winogradThreads: winograd.lastThreads.conv,
    losses,
    weights,
    logits: Array.from(await logits.data()),
  }),
);
