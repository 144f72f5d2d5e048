// Resuming from a checkpoint continues exactly: the resumed run's losses and final weights equal
// an uninterrupted run's to float tolerance, because Adam's moments and step count come back too.
// Without them (weights only) the very next update differs, which shows the comparison can fail.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadMnist, type MnistData } from '../../../src/data/mnist.ts';
import { selectEngine } from '../../../src/engine/select.ts';
import { readCheckpoint } from '../../../src/library/checkpoint-files.ts';
import { buildModel, compileModel } from '../../../src/model/cnn.ts';
import { disposeModel } from '../../../src/model/load.ts';
import { DEFAULT_CONFIG, type TrainConfig } from '../../../src/shared/config.ts';
import { restoreFromCheckpoint, writeCheckpoint } from '../../../src/training/checkpoint.ts';
import { RunControl } from '../../../src/training/control.ts';
import { train } from '../../../src/training/trainer.ts';

let data: MnistData;
let dir: string;
before(async () => {
  await selectEngine('wasm');
  data = await loadMnist();
  dir = await mkdtemp(join(tmpdir(), 'cnn-ckpt-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  epochs: 2,
  trainLimit: 200, // 4 batches of 50 per epoch
  testLimit: 50,
  learningRate: 1e-3,
  seed: 5,
};

/** Batch losses of `epoch`, and the model's weights after the run, as plain arrays. */
async function run(
  model: tf.LayersModel,
  fromEpoch: number,
  onEpoch: (epoch: number) => Promise<void> = async () => {},
) {
  const losses = new Map<number, number[]>();
  const outcome = await train(
    model,
    data,
    config,
    new RunControl(),
    {
      onBatchEnd: (epoch, _b, logs) =>
        void losses.set(epoch, [...(losses.get(epoch) ?? []), logs.loss]),
      onEpochEnd: (epoch) => onEpoch(epoch),
    },
    { fromEpoch },
  );
  assert.equal(outcome.kind, 'finished');
  const weights = model.getWeights().map((w) => w.dataSync().slice());
  return { losses, weights };
}

const fresh = (): tf.LayersModel => {
  const m = buildModel(config.seed);
  compileModel(m, config.learningRate);
  return m;
};

const maxRelDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1e-3, Math.abs(a[i]!)));
  return worst;
};

test('a run resumed from its epoch-1 checkpoint matches the uninterrupted run', async () => {
  // Uninterrupted: two epochs, checkpoint written after the first.
  const a = fresh();
  const whole = await run(a, 1, async (epoch) => {
    if (epoch === 1)
      await writeCheckpoint(dir, a, {
        runId: 'run-a',
        engine: 'wasm',
        config,
        epochsCompleted: 1,
        activeSeconds: 1,
        history: { epochs: [], batches: [] },
      });
  });
  assert.deepEqual((await readdir(dir)).sort(), [
    'checkpoint.json',
    'model.json',
    'optimizer.bin',
    'weights.bin',
  ]);

  const cp = await readCheckpoint(dir);
  assert.ok(cp);
  assert.equal(cp.meta.epochsCompleted, 1);
  assert.equal(cp.meta.optimizer.iterations, 4, 'Adam took one step per batch of epoch 1');
  assert.equal(cp.meta.optimizer.weights.length, 16, 'm and v for each of the 8 weights');

  // Resumed: a new model from the checkpoint, epoch 2 only.
  const b = await restoreFromCheckpoint(cp, dir);
  const adam = (await b.optimizer.getWeights()).map((w) => w.tensor.dataSync().slice());
  assert.equal(adam[0]![0], 4, 'iteration count restored');
  const resumed = await run(b, 2);

  const l1 = whole.losses.get(2)!;
  const l2 = resumed.losses.get(2)!;
  assert.equal(l2.length, 4);
  assert.ok(!resumed.losses.has(1), 'epoch 1 is not trained again');
  // Batch 1's loss depends on the weights alone; batches 2-4 on every Adam update before them.
  for (let i = 0; i < 4; i++)
    assert.ok(
      Math.abs(l1[i]! - l2[i]!) <= 1e-5 * Math.abs(l1[i]!),
      `epoch 2 batch ${i + 1}: uninterrupted ${l1[i]} vs resumed ${l2[i]}`,
    );
  for (let w = 0; w < whole.weights.length; w++)
    assert.ok(maxRelDiff(whole.weights[w]!, resumed.weights[w]!) < 1e-4, `weight ${w}`);

  // The control: the same weights with a fresh Adam (moments 0, step 0) diverge after one step.
  const cpAgain = await readCheckpoint(dir);
  const weightsOnly = fresh();
  const restored = await restoreFromCheckpoint(cpAgain!, dir);
  weightsOnly.setWeights(restored.getWeights());
  const naive = await run(weightsOnly, 2);
  const n = naive.losses.get(2)!;
  assert.ok(Math.abs(n[0]! - l1[0]!) <= 1e-5 * Math.abs(l1[0]!), 'same starting weights');
  assert.ok(
    Math.abs(n[1]! - l1[1]!) > 1e-4 * Math.abs(l1[1]!),
    `without Adam state batch 2 should differ: ${n[1]} vs ${l1[1]}`,
  );
  for (const m of [a, b, weightsOnly, restored]) disposeModel(m);
});

test('restoring refuses optimizer state that does not fit the network', async () => {
  const cp = await readCheckpoint(dir);
  assert.ok(cp);
  const bad = structuredClone(cp.meta);
  bad.optimizer.weights[0] = { ...bad.optimizer.weights[0]!, shape: [5, 5, 1, 31] };
  const before = tf.memory().numTensors;
  await assert.rejects(
    restoreFromCheckpoint({ ...cp, meta: bad }, dir),
    /optimizer state does not match the network/,
  );
  assert.equal(tf.memory().numTensors, before, 'nothing half-built is left behind');
});
