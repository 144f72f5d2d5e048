// A saved model's network is read back from its tfjs topology: every preset and random specs with
// every layer kind come back exactly; layers the editor cannot express are refused by name.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelFileError } from '../../../src/library/model-files.ts';
import { specFromTopology } from '../../../src/library/topology-spec.ts';
import { buildNetwork } from '../../../src/model/cnn.ts';
import { MNIST } from '../../../src/shared/dataset.ts';
import { PRESETS, describeLayer, type NetworkSpec } from '../../../src/shared/network.ts';
import { checkNetwork } from '../../../src/shared/network-shapes.ts';
import { randomSpec, rng } from './random-spec.ts';

await tf.setBackend('cpu');

const topologyOf = (spec: NetworkSpec): Record<string, unknown> => {
  const model = buildNetwork(spec, 1);
  const json = model.toJSON(null, false) as Record<string, unknown>;
  model.dispose();
  return json;
};
const layersText = (s: NetworkSpec): string[] => s.layers.map(describeLayer);

test('every preset comes back from its topology exactly', () => {
  for (const p of PRESETS)
    assert.deepEqual(
      layersText(specFromTopology(topologyOf(p.network), 'm')),
      layersText(p.network),
    );
});

test('40 random specs with every layer kind come back exactly', () => {
  const next = rng(11);
  let n = 0;
  for (let tries = 0; n < 40 && tries < 1000; tries++) {
    const spec = randomSpec(next);
    if (!checkNetwork(spec, MNIST).ok) continue;
    assert.deepEqual(specFromTopology(topologyOf(spec), 'm'), spec);
    n++;
  }
  assert.equal(n, 40);
});

test('a layer the editor cannot express is refused with its name and class', () => {
  const topology = topologyOf(PRESETS[0]!.network);
  const layers = (topology['config'] as { layers: unknown[] }).layers;
  layers.splice(2, 0, { class_name: 'BatchNormalization', config: { name: 'bn_1' } });
  assert.throws(
    () => specFromTopology(topology, 'model.json'),
    (e: unknown) =>
      e instanceof ModelFileError &&
      e.kind === 'unsupported' &&
      /^layer "bn_1" \("BatchNormalization"\) is a kind of layer CNN Studio cannot build/.test(
        e.problem,
      ),
  );
  const conv = layers[0] as { config: Record<string, unknown> };
  conv.config['kernel_size'] = [5, 3];
  assert.throws(() => specFromTopology(topology, 'm'), /layer "conv1" .* kernel of 5×3;/);
  conv.config['kernel_size'] = [5, 5];
  conv.config['activation'] = 'softmax';
  assert.throws(() => specFromTopology(topology, 'm'), /uses the activation "softmax"/);
  assert.throws(
    () => specFromTopology({ class_name: 'Model', config: { layers: [] } }, 'm'),
    /the model is a "Model"; CNN Studio reads Sequential models/,
  );
});
