// Every optimizer's run resumes exactly from its checkpoint: SGD (whose state is its step count),
// SGD with momentum and RMSprop (whose slots must come back, or the next update differs, as the
// control shows). Adam's own test, with the tutorial network, is checkpoint.test.ts.
import type * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadMnist, type MnistData } from '../../../src/data/mnist.ts';
import { selectEngine } from '../../../src/engine/select.ts';
import { readCheckpoint } from '../../../src/library/checkpoint-files.ts';
import { OPTIMIZER_SLOTS } from '../../../src/library/checkpoint-optimizer.ts';
import { buildNetwork, compileModel } from '../../../src/model/cnn.ts';
import { disposeModel } from '../../../src/model/load.ts';
import { DEFAULT_CONFIG, type TrainConfig } from '../../../src/shared/config.ts';
import { presetById, type OptimizerName } from '../../../src/shared/network.ts';
import { restoreFromCheckpoint, writeCheckpoint } from '../../../src/training/checkpoint.ts';
import { RunControl } from '../../../src/training/control.ts';
import { train } from '../../../src/training/trainer.ts';

let data: MnistData;
let root: string;
before(async () => {
  await selectEngine('wasm');
  data = await loadMnist();
  root = await mkdtemp(join(tmpdir(), 'cnn-ckpt-opt-'));
});
after(() => rm(root, { recursive: true, force: true }));

const settings = (optimizer: OptimizerName): TrainConfig => ({
  ...DEFAULT_CONFIG,
  network: presetById('tiny-cnn')!.network,
  optimizer,
  learningRate: optimizer === 'rmsprop' ? 1e-3 : 0.05,
  epochs: 2,
  trainLimit: 200, // 4 batches of 50 per epoch
  testLimit: 50,
  seed: 9,
});

async function epochTwo(
  model: tf.LayersModel,
  config: TrainConfig,
  fromEpoch: number,
  onEpoch = async (_e: number) => {},
) {
  const losses: number[] = [];
  const outcome = await train(
    model,
    data,
    config,
    new RunControl(),
    {
      onBatchEnd: (epoch, _b, logs) => void (epoch === 2 && losses.push(logs.loss)),
      onEpochEnd: (epoch) => onEpoch(epoch),
    },
    { fromEpoch },
  );
  assert.equal(outcome.kind, 'finished');
  return losses;
}

const close = (a: number, b: number): boolean =>
  Math.abs(a - b) <= 1e-5 * Math.max(1e-3, Math.abs(a));

for (const optimizer of ['sgd', 'momentum', 'rmsprop'] as const)
  test(`${optimizer}: the run resumed from its epoch-1 checkpoint matches the uninterrupted one`, async () => {
    const config = settings(optimizer);
    const dir = join(root, optimizer);
    const a = buildNetwork(config.network, config.seed);
    compileModel(a, config.learningRate, optimizer);
    const whole = await epochTwo(a, config, 1, async (epoch) => {
      if (epoch === 1)
        await writeCheckpoint(dir, a, {
          runId: `run-${optimizer}`,
          engine: 'wasm',
          config,
          epochsCompleted: 1,
          activeSeconds: 1,
          history: { epochs: [], batches: [] },
        });
    });
    const cp = await readCheckpoint(dir);
    assert.ok(cp);
    assert.equal(cp.meta.optimizer.iterations, 4);
    const slots = OPTIMIZER_SLOTS[cp.meta.optimizer.className].length;
    assert.equal(cp.meta.optimizer.weights.length, slots * a.trainableWeights.length);

    const b = await restoreFromCheckpoint(cp, dir);
    const resumed = await epochTwo(b, config, 2);
    assert.equal(resumed.length, 4);
    for (let i = 0; i < 4; i++)
      assert.ok(close(whole[i]!, resumed[i]!), `batch ${i + 1}: ${whole[i]} vs ${resumed[i]}`);

    if (slots > 0) {
      // The control: the same weights with a fresh optimizer (empty slots) differ by batch 2.
      const c = buildNetwork(config.network, config.seed);
      compileModel(c, config.learningRate, optimizer);
      const again = await restoreFromCheckpoint((await readCheckpoint(dir))!, dir);
      c.setWeights(again.getWeights());
      const naive = await epochTwo(c, config, 2);
      assert.ok(close(whole[0]!, naive[0]!), 'the same starting weights');
      assert.ok(
        !close(whole[1]!, naive[1]!),
        `without its slots batch 2 should differ: ${naive[1]} vs ${whole[1]}`,
      );
      for (const m of [c, again]) disposeModel(m);
    }
    for (const m of [a, b]) disposeModel(m);
  });
