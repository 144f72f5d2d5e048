// The ONNX export, proven by a second runtime: each exported file is loaded by onnxruntime-node
// (Microsoft's, not ours) and must give tfjs's logits within 1e-4 and the same class on 1 000
// MNIST test images: the tutorial network after a short training, every preset, and random valid
// networks that use every layer kind. Every file is also read back through the protobuf schema.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { loadMnist, type MnistData } from '../../../src/data/mnist.ts';
import { selectEngine } from '../../../src/engine/select.ts';
import { realFs } from '../../../src/library/atomic.ts';
import { readModelFolder } from '../../../src/library/model-folder.ts';
import { exportOnnx, ONNX_OPSET } from '../../../src/library/onnx/onnx-export.ts';
import { decodeModel } from '../../../src/library/onnx/onnx-schema.ts';
import { buildNetwork, compileModel, logits } from '../../../src/model/cnn.ts';
import { disposeModel } from '../../../src/model/load.ts';
import { saveModelAtomic } from '../../../src/model/store.ts';
import { DEFAULT_CONFIG } from '../../../src/shared/config.ts';
import { MNIST } from '../../../src/shared/dataset.ts';
import { checkNetwork } from '../../../src/shared/network-shapes.ts';
import { PRESETS, type NetworkSpec } from '../../../src/shared/network.ts';
import { RunControl } from '../../../src/training/control.ts';
import { train } from '../../../src/training/trainer.ts';
import { randomSpec, rng } from '../model/random-spec.ts';

const IMAGES = 1000;
let data: MnistData;
let images: Float32Array;
let root: string;

before(async () => {
  await selectEngine('wasm');
  data = await loadMnist();
  images = Float32Array.from(data.test.images.subarray(0, IMAGES * 784), (p) => p / 255);
  root = await mkdtemp(join(tmpdir(), 'onnx-export-'));
});
after(() => rm(root, { recursive: true, force: true }));

/** Saves `model` as the app does, exports it, and compares onnxruntime's answers with tfjs's. */
async function exportAndCompare(model: tf.LayersModel, label: string): Promise<string> {
  const dir = join(root, label);
  await saveModelAtomic(model, dir, {
    name: label,
    createdAt: '2026-12-01T00:00:00.000Z',
    engine: 'wasm',
    config: {},
    epochsTrained: 1,
    testAccuracy: 0.5,
  });
  const files = await readModelFolder(dir);
  const started = performance.now();
  const { path } = await exportOnnx(files, dir, label, join(root, 'exports'));
  const exportMs = performance.now() - started;
  const expected = tf.tidy(() =>
    logits(model, tf.tensor4d(images, [IMAGES, 28, 28, 1])).dataSync(),
  ) as Float32Array;

  checkGraph(decodeModel(await readFile(path)), label);
  const session = await ort.InferenceSession.create(path);
  assert.deepEqual(session.inputNames, ['image']);
  assert.deepEqual(session.outputNames, ['logits', 'probabilities']);
  const out = await session.run({ image: new ort.Tensor('float32', images, [IMAGES, 28, 28, 1]) });
  const got = out['logits']!.data as Float32Array;
  const probs = out['probabilities']!.data as Float32Array;
  await session.release();
  assert.equal(got.length, IMAGES * 10);
  let worst = 0;
  for (let i = 0; i < IMAGES; i++) {
    const row = (a: Float32Array) => Array.from(a.subarray(i * 10, i * 10 + 10));
    const argmax = (r: number[]) => r.indexOf(Math.max(...r));
    assert.equal(argmax(row(got)), argmax(row(expected)), `${label}: image ${i}'s class differs`);
    assert.equal(argmax(row(probs)), argmax(row(expected)));
    for (let k = 0; k < 10; k++)
      worst = Math.max(worst, Math.abs(got[i * 10 + k]! - expected[i * 10 + k]!));
  }
  if (process.env['ONNX_REPORT'])
    console.log(
      `${label}: worst logit difference ${worst.toExponential(2)}, ` +
        `${(await stat(path)).size} bytes, exported in ${exportMs.toFixed(0)} ms`,
    );
  assert.ok(worst <= 1e-4, `${label}: logits differ from tfjs's by up to ${worst}`);
  return path;
}

/** Read back: every node's inputs exist before it (input, weight, earlier output), and the outputs do. */
function checkGraph(onnx: ReturnType<typeof decodeModel>, label: string): void {
  const known = new Set([
    ...onnx.graph.input.map((v) => v.name),
    ...onnx.graph.initializer.map((t) => t.name),
  ]);
  for (const t of onnx.graph.initializer)
    assert.equal(
      t.rawData.byteLength,
      t.dims.reduce((a, b) => a * b, 1) * 4,
      `${label}: ${t.name}`,
    );
  for (const n of onnx.graph.node) {
    for (const i of n.input)
      assert.ok(known.has(i), `${label}: ${n.name} reads ${i} before it exists`);
    n.output.forEach((o) => known.add(o));
  }
  for (const o of onnx.graph.output)
    assert.ok(known.has(o.name), `${label}: no node makes ${o.name}`);
}

const EVERY_KIND = [
  'conv-same',
  'conv-valid',
  'maxpool-same',
  'maxpool-valid',
  'avgpool-same',
  'avgpool-valid',
  'dropout',
  'dense',
  'flatten',
];

function built(spec: NetworkSpec, seed: number): tf.LayersModel {
  const model = buildNetwork(spec, seed);
  compileModel(model, 1e-3);
  return model;
}

test("the tutorial network after a short training runs in onnxruntime with tfjs's logits", async () => {
  const model = built(PRESETS[0]!.network, 1);
  const config = {
    ...DEFAULT_CONFIG,
    epochs: 1,
    trainLimit: 500,
    testLimit: 100,
    learningRate: 1e-3,
  };
  const outcome = await train(model, data, config, new RunControl());
  assert.equal(outcome.kind, 'finished');
  const path = await exportAndCompare(model, 'tutorial');
  disposeModel(model);

  const onnx = decodeModel(await readFile(path));
  assert.equal(onnx.opsetImport[0]!.version, ONNX_OPSET);
  assert.ok(ONNX_OPSET >= 13);
  const meta = Object.fromEntries(onnx.metadataProps.map((p) => [p.key, p.value]));
  assert.equal(meta['name'], 'tutorial');
  assert.equal(meta['dataset'], 'MNIST');
  assert.deepEqual(JSON.parse(meta['class_names']!), MNIST.classNames);
  assert.equal(meta['test_accuracy'], '0.5');
  assert.deepEqual(JSON.parse(meta['network']!), PRESETS[0]!.network);
  const ops = onnx.graph.node.map((n) => n.opType);
  assert.deepEqual(ops, [
    'Transpose',
    'Conv',
    'Relu',
    'MaxPool',
    'Conv',
    'Relu',
    'MaxPool',
    'Transpose',
    'Flatten',
    'Gemm',
    'Relu',
    'Gemm',
    'Softmax',
  ]);
  assert.deepEqual(onnx.graph.input[0]!.type.tensorType.shape.dim.slice(1), [
    { dimValue: 28, dimParam: '' },
    { dimValue: 28, dimParam: '' },
    { dimValue: 1, dimParam: '' },
  ]);
});

for (const preset of PRESETS.slice(1))
  test(`preset ${preset.name}: onnxruntime gives tfjs's logits`, async () => {
    const model = built(preset.network, 5);
    await exportAndCompare(model, preset.id);
    disposeModel(model);
  });

test("random valid networks with every layer kind: onnxruntime gives tfjs's logits", async () => {
  const next = rng(2026);
  const kinds = new Set<string>();
  const kindsOf = (spec: NetworkSpec) =>
    spec.layers.map((l) => ('padding' in l ? `${l.kind}-${l.padding}` : l.kind));
  const covered = () => EVERY_KIND.every((k) => kinds.has(k));
  let made = 0;
  for (let tries = 0; (made < 6 || !covered()) && made < 20 && tries < 2000; tries++) {
    const spec = randomSpec(next);
    if (!checkNetwork(spec, MNIST).ok) continue;
    // After the first six, only networks that bring a kind (or padding) not yet covered.
    if (made >= 6 && kindsOf(spec).every((k) => kinds.has(k))) continue;
    kindsOf(spec).forEach((k) => kinds.add(k));
    const model = built(spec, 11 + made);
    await exportAndCompare(model, `random-${made}`);
    disposeModel(model);
    made++;
  }
  for (const k of EVERY_KIND)
    assert.ok(kinds.has(k), `no random network used ${k}: ${[...kinds].join(', ')}`);
  assert.equal(
    (await readdir(join(root, 'exports'))).filter((f) => f.endsWith('.onnx')).length,
    PRESETS.length + made,
  );
});

test('an export never replaces a file, and a write cut short leaves nothing behind', async () => {
  const model = built(PRESETS[1]!.network, 3);
  const dir = join(root, 'plain');
  await saveModelAtomic(model, dir, {
    name: 'plain',
    createdAt: '2026-12-01T00:00:00.000Z',
    engine: 'wasm',
    config: {},
    epochsTrained: 0,
    testAccuracy: null,
  });
  disposeModel(model);
  const files = await readModelFolder(dir);
  const target = join(root, 'once');
  await exportOnnx(files, dir, 'plain', target);
  const before = await readFile(join(target, 'plain.onnx'));
  await assert.rejects(exportOnnx(files, dir, 'plain', target), (e: Error) =>
    /already contains "plain\.onnx"/.test(e.message),
  );
  assert.deepEqual(await readFile(join(target, 'plain.onnx')), before);

  const failing = {
    ...realFs,
    rename: () => Promise.reject(Object.assign(new Error('disk gone'), { code: 'EIO' })),
  };
  await assert.rejects(exportOnnx(files, dir, 'cut', target, { fs: failing }), /disk gone/);
  assert.deepEqual(await readdir(target), ['plain.onnx']);
});
