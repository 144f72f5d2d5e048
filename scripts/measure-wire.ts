// Bytes on the browser-mode wire for the three largest messages: a filters event, a model:inspect
// answer and a 64-image data:test-images answer, built from a real network (seeded, untrained) and
// real MNIST test images. Each as the codec sends it (MessagePack, src/wire) and, for comparison,
// as the JSON text frames of before (typed arrays as number arrays). `npm run measure:wire`.
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../src/data/mnist.ts';
import { buildModel } from '../src/model/cnn.ts';
import { readFilterWeights } from '../src/model/filter-weights.ts';
import { IMAGE_PIXELS } from '../src/shared/dataset.ts';
import { encode } from '../src/wire/codec.ts';
import { inspect, testImages } from '../src/worker/inspect.ts';

/** The old encoding: JSON with every typed array as a plain array of numbers. */
const asJson = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x,
  );

await tf.setBackend('cpu');
const model = buildModel(1);
const data = await loadMnist();
const pixels = Float32Array.from(data.test.images.subarray(0, IMAGE_PIXELS), (v) => v / 255);
const kernels = await readFilterWeights(model);
const messages = {
  'filters event': {
    kind: 'event',
    channel: 'training:event',
    payload: { type: 'filters', runId: 'run-x', epoch: 1, batch: 100, kernels },
  },
  'model:inspect answer': {
    kind: 'result',
    id: 1,
    result: { ok: true, value: await inspect(model, pixels) },
  },
  'data:test-images answer (64)': {
    kind: 'result',
    id: 2,
    result: {
      ok: true,
      value: testImages(
        data.test,
        Array.from({ length: 64 }, (_, i) => i),
      ),
    },
  },
};
for (const [name, message] of Object.entries(messages)) {
  const binary = encode(message).byteLength;
  const json = Buffer.byteLength(asJson(message));
  const ratio = (json / binary).toFixed(1);
  console.log(`${name}: ${binary} bytes (JSON text: ${json} bytes, ${ratio}× more)`);
}
model.dispose();
