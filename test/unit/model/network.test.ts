// The network as data: shapes and parameter counts computed before training equal what tfjs
// builds (every preset, and random valid specs); impossible networks are refused with the layer
// and the numbers; the tutorial network built from its spec is the one the app always built.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildModel, buildNetwork } from '../../../src/model/cnn.ts';
import { MNIST, type DatasetShape } from '../../../src/shared/dataset.ts';
import {
  PRESETS,
  outputLayer,
  presetOf,
  tutorialNetwork,
  type LayerSpec,
  type NetworkSpec,
} from '../../../src/shared/network.ts';
import { checkNetwork } from '../../../src/shared/network-shapes.ts';
import { randomSpec, rng } from './random-spec.ts';

await tf.setBackend('cpu');

/** Every layer's name, output shape (no batch) and parameters, as tfjs builds them. */
function tfjsRows(spec: NetworkSpec): [string, number[], number][] {
  const model = buildNetwork(spec, 3);
  const rows = model.layers.map(
    (l) =>
      [l.name, (l.outputShape as (number | null)[]).slice(1) as number[], l.countParams()] as [
        string,
        number[],
        number,
      ],
  );
  model.dispose();
  return rows;
}

function summaryRows(spec: NetworkSpec, data: DatasetShape = MNIST): [string, number[], number][] {
  const c = checkNetwork(spec, data);
  assert.ok(c.ok, c.ok ? '' : c.reason);
  return c.summary.layers.map((l) => [l.name, l.output, l.params]);
}

describe('shapes and parameters, computed before training', () => {
  test('equal what tfjs builds, for every preset', () => {
    for (const preset of PRESETS)
      assert.deepEqual(summaryRows(preset.network), tfjsRows(preset.network), preset.name);
  });

  test('equal what tfjs builds, for 60 random valid specs (every layer kind, each padding)', () => {
    const next = rng(7);
    let built = 0;
    const kinds = new Set<string>();
    for (let tries = 0; built < 60 && tries < 1000; tries++) {
      const spec = randomSpec(next);
      if (!checkNetwork(spec, MNIST).ok) continue;
      assert.deepEqual(summaryRows(spec), tfjsRows(spec), JSON.stringify(spec));
      for (const l of spec.layers) kinds.add(`${l.kind}${'padding' in l ? `-${l.padding}` : ''}`);
      built++;
    }
    assert.equal(built, 60);
    assert.equal(kinds.size, 9, [...kinds].join(', '));
  });

  test('the tutorial network has 3 199 106 parameters and its 3136-long flatten', () => {
    const c = checkNetwork(tutorialNetwork(), MNIST);
    assert.ok(c.ok);
    assert.equal(c.summary.params, 3_199_106);
    assert.deepEqual(
      c.summary.layers.map((l) => l.output.join('×')),
      ['28×28×32', '14×14×32', '14×14×64', '7×7×64', '3136', '1000', '10'],
    );
    assert.equal(presetOf(tutorialNetwork())?.id, 'tutorial-cnn');
    assert.equal(presetOf({ layers: [{ kind: 'flatten' }, outputLayer(10)] }), null);
  });
});

describe('impossible networks are refused with the layer and the numbers', () => {
  const refusal = (layers: LayerSpec[], data: DatasetShape = MNIST, batch = 50) => {
    const c = checkNetwork({ layers }, data, batch);
    assert.ok(!c.ok, 'expected a refusal');
    return c;
  };
  const pool = (size: number, padding: 'same' | 'valid' = 'valid'): LayerSpec => ({
    kind: 'maxpool',
    size,
    stride: size,
    padding,
  });

  test('a 1×1 map pooled 2×2 with VALID padding', () => {
    const layers = [pool(4), pool(7), pool(2), { kind: 'flatten' } as const, outputLayer(10)];
    const c = refusal(layers);
    assert.equal(c.index, 2);
    assert.equal(
      c.reason,
      'Layer 3 (max pool 2×2, stride 2, valid): its 1×1 input is smaller than its 2×2 window with VALID padding, so the output would be empty. Use SAME padding, a smaller window, or remove a pooling before it.',
    );
    // With SAME padding the same network is fine: ceil(1 / 2) = 1.
    assert.ok(
      checkNetwork(
        { layers: [pool(4), pool(7), pool(2, 'same'), { kind: 'flatten' }, outputLayer(10)] },
        MNIST,
      ).ok,
    );
  });

  test('dense before flatten, conv after it, a second flatten, the wrong output layer', () => {
    assert.match(
      refusal([outputLayer(10)]).reason,
      /^Layer 1 \(dense 10, linear\): a dense layer needs a flat input, and its input is 28×28×1: add a Flatten before it\.$/,
    );
    const conv: LayerSpec = {
      kind: 'conv',
      filters: 4,
      kernel: 3,
      stride: 1,
      padding: 'same',
      activation: 'relu',
    };
    assert.match(
      refusal([{ kind: 'flatten' }, conv, outputLayer(10)]).reason,
      /^Layer 2 \(conv 3×3×4.*already flat \(784\)/,
    );
    assert.match(
      refusal([{ kind: 'flatten' }, { kind: 'flatten' }, outputLayer(10)]).reason,
      /^Layer 2 \(flatten\): its input is already flat/,
    );
    const wrong = refusal([{ kind: 'flatten' }, { kind: 'dense', units: 10, activation: 'relu' }]);
    assert.equal(wrong.index, 1);
    assert.match(
      wrong.reason,
      /must be dense with 10 units \(one per class of MNIST\) and a linear activation.*It is dense 10, relu\./,
    );
    assert.match(refusal([]).reason, /no layers/);
    const many = Array.from({ length: 40 }, (): LayerSpec => ({ kind: 'dropout', rate: 0 }));
    assert.match(
      refusal([{ kind: 'flatten' }, ...many, outputLayer(10)]).reason,
      /42 layers; at most 32/,
    );
  });

  test('more than 50 M parameters names the biggest layer', () => {
    const c = refusal([
      { kind: 'flatten' },
      { kind: 'dense', units: 4096, activation: 'relu' },
      { kind: 'dense', units: 4096, activation: 'relu' },
      { kind: 'dense', units: 4096, activation: 'relu' },
      { kind: 'dense', units: 4096, activation: 'relu' },
      outputLayer(10),
    ]);
    assert.match(
      c.reason,
      /^The network has 53,\d{3},\d{3} parameters, more than 50,000,000; fc2 alone has 16,781,312\.$/,
    );
  });

  test('a memory estimate over budget names the largest output and the batch', () => {
    const wide: LayerSpec = {
      kind: 'conv',
      filters: 256,
      kernel: 3,
      stride: 1,
      padding: 'same',
      activation: 'relu',
    };
    const layers = [wide, wide, wide, { kind: 'flatten' } as const, outputLayer(10)];
    const c = refusal(layers, MNIST, 4096);
    assert.match(
      c.reason,
      /^Training it at batch 4096 would need about \d+\.\d GB, more than 3\.0 GB; conv1's 28×28×256 output is the largest\./,
    );
    assert.ok(checkNetwork({ layers }, MNIST, 8).ok, 'the same network fits at batch 8');
  });

  test('the output layer follows the dataset: 10 classes for MNIST, 3 for a 3-class set', () => {
    const three: DatasetShape = {
      name: 'Shapes',
      height: 8,
      width: 8,
      channels: 3,
      classNames: ['a', 'b', 'c'],
    };
    assert.match(
      refusal([{ kind: 'flatten' }, outputLayer(10)], three).reason,
      /3 units \(one per class of Shapes\)/,
    );
    assert.deepEqual(summaryRows({ layers: [{ kind: 'flatten' }, outputLayer(3)] }, three), [
      ['flatten', [192], 0],
      ['fc1', [3], 192 * 3 + 3],
    ]);
  });
});

describe('the tutorial network from its spec', () => {
  /** The app's builder as it was before networks were data, kept here as the reference. */
  function reference(seed: number): tf.LayersModel {
    const init = (i: number) => tf.initializers.glorotUniform({ seed: seed * 16 + i });
    const m = tf.sequential({ name: 'mnist_cnn' });
    m.add(
      tf.layers.conv2d({
        name: 'conv1',
        inputShape: [28, 28, 1],
        filters: 32,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(1),
      }),
    );
    m.add(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2, strides: 2 }));
    m.add(
      tf.layers.conv2d({
        name: 'conv2',
        filters: 64,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(2),
      }),
    );
    m.add(tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2, strides: 2 }));
    m.add(tf.layers.flatten({ name: 'flatten' }));
    m.add(
      tf.layers.dense({ name: 'fc1', units: 1000, activation: 'relu', kernelInitializer: init(3) }),
    );
    m.add(
      tf.layers.dense({ name: 'fc2', units: 10, activation: 'linear', kernelInitializer: init(4) }),
    );
    return m;
  }

  test('has the same topology and the same initial weights, seed for seed', () => {
    for (const seed of [42, 7]) {
      const a = buildModel(seed);
      const b = reference(seed);
      assert.deepEqual(a.toJSON(null, false), b.toJSON(null, false));
      const wa = a.getWeights();
      const wb = b.getWeights();
      assert.equal(wa.length, wb.length);
      wa.forEach((w, i) => assert.deepEqual(w.dataSync(), wb[i]!.dataSync(), `weight ${i}`));
      a.dispose();
      b.dispose();
    }
  });
});
