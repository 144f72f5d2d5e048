// Importing tfjs models trained elsewhere: folders this test writes with plain tfjs (networks our
// code did not build, saved the way tfjs and the Keras converter save them), imported into the
// library, shown as a network spec and predicting exactly as the original did; and tampered or
// unusable copies refused by name with nothing added to the library.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { mnistNode, saveForeign } from './foreign-fixture.ts';
import { ModelLibrary } from '../../../src/library/library.ts';
import { readModelFolder } from '../../../src/library/model-folder.ts';
import { buildFromFiles, disposeModel } from '../../../src/model/load.ts';
import { logits } from '../../../src/model/cnn.ts';
import type { NetworkSpec } from '../../../src/shared/network.ts';

let root: string;
before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'cnn-foreign-'));
});
after(() => rm(root, { recursive: true, force: true }));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const images = () => tf.randomUniform<tf.Rank.R4>([16, 28, 28, 1], 0, 1, 'float32', 5);

/** The imported copy's softmax(logits) must be the original's output. */
async function samePredictions(original: tf.LayersModel, dir: string): Promise<void> {
  const imported = await buildFromFiles(await readModelFolder(dir), dir);
  const [a, b] = tf.tidy(() => {
    const x = images();
    return [
      (original.predict(x) as tf.Tensor).dataSync(),
      tf.softmax(logits(imported, x)).dataSync(),
    ];
  });
  disposeModel(imported);
  a!.forEach((p, i) =>
    assert.ok(Math.abs(p - b![i]!) < 1e-6, `probability ${i}: ${p} vs ${b![i]}`),
  );
}

const MNIST_NODE_SPEC: NetworkSpec = {
  layers: [
    { kind: 'conv', filters: 32, kernel: 3, stride: 1, padding: 'valid', activation: 'relu' },
    { kind: 'conv', filters: 32, kernel: 3, stride: 1, padding: 'valid', activation: 'relu' },
    { kind: 'maxpool', size: 2, stride: 2, padding: 'valid' },
    { kind: 'conv', filters: 64, kernel: 3, stride: 1, padding: 'valid', activation: 'relu' },
    { kind: 'maxpool', size: 2, stride: 2, padding: 'valid' },
    { kind: 'flatten' },
    { kind: 'dropout', rate: 0.25 },
    { kind: 'dense', units: 64, activation: 'relu' },
    { kind: 'dense', units: 10, activation: 'linear' },
  ],
};

test("tfjs-examples' MNIST network imports: its spec, its softmax left to the app, the same predictions", async () => {
  const original = mnistNode();
  const source = await saveForeign(original, join(root, 'mnist-node'));
  const lib = new ModelLibrary(join(root, 'lib-a'));
  const info = await lib.importFrom(source);
  assert.equal(info.name, 'mnist-node');
  assert.equal(info.problem, null);
  assert.deepEqual(info.network, MNIST_NODE_SPEC);
  assert.equal(info.config, null, 'it was not trained here: no settings to repeat');
  assert.equal(info.changes.length, 1);
  assert.match(info.changes[0]!, /output layer "dense_Dense\d+" now gives logits/);
  await samePredictions(original, lib.dirOf(info.name));
  // The source folder is untouched, still with its own softmax.
  const json = JSON.parse(await readFile(join(source, 'model.json'), 'utf8')) as Json;
  assert.equal(json['modelTopology'].config.layers.at(-1).config.activation, 'softmax');
  original.dispose();
});

test('a Keras-style folder (InputLayer, Activation layers, a trailing softmax) imports with each change said', async () => {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, padding: 'same' }),
  );
  model.add(tf.layers.activation({ activation: 'relu', name: 'relu1' }));
  model.add(tf.layers.averagePooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10 }));
  model.add(tf.layers.activation({ activation: 'softmax', name: 'probs' }));
  const source = await saveForeign(model, join(root, 'keras'), (j) => {
    // As tensorflowjs_converter writes a Keras 2 Sequential: an explicit InputLayer first.
    const layers = j['modelTopology'].config.layers as Json[];
    delete layers[0]!['config'].batch_input_shape;
    layers.unshift({
      class_name: 'InputLayer',
      config: {
        batch_input_shape: [null, 28, 28, 1],
        dtype: 'float32',
        sparse: false,
        name: 'input_1',
      },
    });
    j['generatedBy'] = 'keras v2.13.1';
    j['convertedBy'] = 'TensorFlow.js Converter v4.22.0';
  });
  const lib = new ModelLibrary(join(root, 'lib-b'));
  const info = await lib.importFrom(source);
  assert.deepEqual(info.network, {
    layers: [
      { kind: 'conv', filters: 8, kernel: 5, stride: 1, padding: 'same', activation: 'relu' },
      { kind: 'avgpool', size: 2, stride: 2, padding: 'valid' },
      { kind: 'flatten' },
      { kind: 'dense', units: 10, activation: 'linear' },
    ],
  });
  assert.equal(info.changes.length, 2);
  assert.match(info.changes[0]!, /last layer "probs" \(softmax\) was removed/);
  assert.match(info.changes[1]!, /layer "relu1" \(relu\) became the activation of/);
  await samePredictions(model, lib.dirOf(info.name));
  model.dispose();
});

test('unusable and tampered folders are refused by name, and nothing is added to the library', async () => {
  const model = mnistNode();
  const good = await saveForeign(model, join(root, 'good'));
  const lib = new ModelLibrary(join(root, 'lib-c'));
  const refused = async (
    label: string,
    edit: (j: Json) => void,
    message: RegExp,
    weights?: (b: Buffer) => Buffer,
  ) => {
    const dir = await saveForeign(model, join(root, label), edit);
    if (weights) {
      const file = join(dir, 'group1-shard1of1.bin');
      await writeFile(file, weights(await readFile(file)));
    }
    await assert.rejects(lib.importFrom(dir), (e: Error) => message.test(e.message), label);
  };
  await refused(
    'wrong-input',
    (j) => {
      j['modelTopology'].config.layers[0].config.batch_input_shape = [null, 32, 32, 1];
    },
    /the model's input is \[null, 32, 32, 1\]; CNN Studio needs \[null, 28, 28, 1\]/,
  );
  await refused(
    'batchnorm',
    (j) => {
      j['modelTopology'].config.layers.splice(1, 0, {
        class_name: 'BatchNormalization',
        config: { name: 'bn' },
      });
    },
    /layer "bn" \("BatchNormalization"\) is a kind of layer CNN Studio cannot build/,
  );
  await refused(
    'outside',
    (j) => {
      j['weightsManifest'][0].paths = ['../group1-shard1of1.bin'];
    },
    /points outside the folder/,
  );
  await refused(
    'short',
    () => {},
    /bytes, but the manifest's weights need exactly/,
    (b) => b.subarray(0, b.length - 4),
  );
  await refused(
    'nan',
    () => {},
    /every weight must be a finite number/,
    (b) => {
      const copy = Buffer.from(b);
      copy.writeFloatLE(NaN, 40);
      return copy;
    },
  );
  assert.deepEqual(await lib.list(), []);
  assert.equal((await lib.importFrom(good)).name, 'good', 'the untampered original still imports');
  model.dispose();
});
