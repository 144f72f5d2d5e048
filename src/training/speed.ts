// How fast this engine trains and tests the tutorial network, measured once at start-up so the
// window can say how long a run will take before Train is pressed. A few steps at the tutorial's
// batch size on blank images (the arithmetic does not depend on the pixels), then a test-sized
// inference batch; everything it allocates is freed.
import * as tf from '@tensorflow/tfjs';
import { buildModel, compileModel, logits } from '../model/cnn.ts';
import { disposeModel } from '../model/load.ts';
import { DEFAULT_CONFIG } from '../shared/config.ts';
import type { EngineSpeed } from '../shared/events.ts';
import { trainStep } from './step.ts';
import { batchShape } from '../shared/dataset.ts';

const now = (): number => performance.now() / 1000;
const noPause = (): Promise<void> => Promise.resolve();

export async function measureSpeed({
  batch = DEFAULT_CONFIG.batchSize,
  steps = 3,
  testBatch = 500,
} = {}): Promise<EngineSpeed> {
  const model = buildModel(DEFAULT_CONFIG.seed);
  compileModel(model, DEFAULT_CONFIG.learningRate);
  const x = tf.zeros(batchShape(batch)) as tf.Tensor4D;
  const y = tf.tidy(() =>
    tf.oneHot(tf.zeros([batch], 'int32') as tf.Tensor1D, 10).toFloat(),
  ) as tf.Tensor2D;
  const xt = tf.zeros(batchShape(testBatch)) as tf.Tensor4D;
  try {
    await trainStep(model, x, y, noPause); // the first step compiles kernels and grows memory
    let seconds = 0;
    for (let i = 0; i < steps; i++) seconds += (await trainStep(model, x, y, noPause)).seconds;
    const infer = async (): Promise<number> => {
      const t0 = now();
      const out = logits(model, xt);
      await out.data();
      out.dispose();
      return now() - t0;
    };
    await infer();
    const testSeconds = await infer();
    return {
      trainImagesPerSec: (batch * steps) / seconds,
      testImagesPerSec: testBatch / testSeconds,
    };
  } finally {
    tf.dispose([x, y, xt]);
    disposeModel(model);
  }
}
