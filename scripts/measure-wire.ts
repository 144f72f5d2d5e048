// Bytes on the browser-mode wire for the three largest messages, as they are encoded today:
// a filters event, a model:inspect answer and a 64-image data:test-images answer, built from a
// real network (seeded, untrained) and real MNIST test images. `npm run measure:wire`.
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../src/data/mnist.ts';
import { toWire } from '../src/host/ws-transport.ts';
import { buildModel } from '../src/model/cnn.ts';
import { readFilterWeights } from '../src/model/filter-weights.ts';
import { IMAGE_PIXELS } from '../src/shared/dataset.ts';
import { inspect, testImages } from '../src/worker/inspect.ts';

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
for (const [name, message] of Object.entries(messages))
  console.log(`${name}: ${Buffer.byteLength(JSON.stringify(toWire(message)))} bytes`);
model.dispose();
