// Real tfjs training on small MNIST subsets, on the portable engine.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { loadMnist, type MnistData } from '../../../src/data/mnist.ts';
import { selectEngine } from '../../../src/engine/select.ts';
import { buildModel, compileModel, probabilities } from '../../../src/model/cnn.ts';
import { DEFAULT_CONFIG, type TrainConfig } from '../../../src/shared/config.ts';
import { RunControl } from '../../../src/training/control.ts';
import { train } from '../../../src/training/trainer.ts';

let data: MnistData;
before(async () => {
  await selectEngine('wasm');
  data = await loadMnist();
});

const small = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  ...DEFAULT_CONFIG,
  epochs: 1,
  trainLimit: 200,
  testLimit: 200,
  ...over,
});

function fresh(config: TrainConfig): tf.LayersModel {
  const model = buildModel(config.seed);
  compileModel(model, config.learningRate);
  return model;
}

test('tensor count is the same after every epoch (no leaks)', async () => {
  const config = small({ epochs: 3 });
  const model = fresh(config);
  const counts: number[] = [];
  const outcome = await train(model, data, config, new RunControl(), {
    onEpochEnd: () => void counts.push(tf.memory().numTensors),
  });
  assert.equal(outcome.kind, 'finished');
  assert.equal(counts.length, 3);
  assert.equal(
    counts[1],
    counts[0],
    `epoch 2 has ${counts[1]! - counts[0]!} more tensors than epoch 1`,
  );
  assert.equal(counts[2], counts[1]);
  model.dispose();
});

test('learns: test accuracy well above chance after a short run', async () => {
  const config = small({ epochs: 2, trainLimit: 1000, testLimit: 500, learningRate: 1e-3 });
  const model = fresh(config);
  const epochs: number[] = [];
  const outcome = await train(model, data, config, new RunControl(), {
    onEpochEnd: (_e, logs) => void epochs.push(logs.test.accuracy),
  });
  assert.equal(outcome.kind, 'finished');
  assert.ok(
    outcome.kind === 'finished' && outcome.test.accuracy > 0.7,
    `accuracy ${epochs.join(', ')}`,
  );
  model.dispose();
});

test('the same seed gives the same losses; another seed does not', async () => {
  const losses = async (seed: number): Promise<number[]> => {
    const config = small({ trainLimit: 150, seed });
    const model = fresh(config);
    const out: number[] = [];
    await train(model, data, config, new RunControl(), {
      onBatchEnd: (_e, _b, l) => void out.push(l.loss),
    });
    model.dispose();
    return out;
  };
  const a = await losses(7);
  const b = await losses(7);
  const c = await losses(8);
  assert.equal(a.length, 3);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('stop ends the run after the current batch and reports completed epochs', async () => {
  const config = small({ epochs: 2 });
  const control = new RunControl();
  const seen: string[] = [];
  const outcome = await train(fresh(config), data, config, control, {
    onBatchEnd: (epoch, batch) => {
      seen.push(`${epoch}.${batch}`);
      if (epoch === 2 && batch === 2) control.stop();
    },
  });
  assert.deepEqual(outcome, { kind: 'stopped', epochsCompleted: 1 });
  assert.deepEqual(seen, ['1.1', '1.2', '1.3', '1.4', '2.1', '2.2']);
});

test('pause holds between batches, the weights stay usable, resume continues', async () => {
  const config = small({ trainLimit: 150 });
  const control = new RunControl();
  const model = fresh(config);
  let batches = 0;
  let checkedWhilePaused = false;
  const outcome = await train(model, data, config, control, {
    onBatchEnd: (_e, batch) => {
      batches++;
      if (batch !== 1) return;
      control.pause();
      setTimeout(() => {
        // Paused: no batch ran since, and the model still predicts.
        const p = tf.tidy(
          () =>
            probabilities(model, tf.zeros([1, 28, 28, 1]))
              .sum()
              .dataSync()[0]!,
        );
        assert.ok(Math.abs(p - 1) < 1e-4, 'softmax sums to 1');
        assert.equal(batches, 1);
        checkedWhilePaused = true;
        control.resume();
      }, 200);
    },
  });
  assert.equal(outcome.kind, 'finished');
  assert.ok(checkedWhilePaused);
  assert.equal(batches, 3);
});

test('a non-finite loss stops the run with the epoch and batch where it happened', async () => {
  const config = small();
  const model = fresh(config);
  const fc2 = model.getLayer('fc2');
  const [kernel, bias] = fc2.getWeights();
  fc2.setWeights([tf.fill(kernel!.shape, NaN), bias!]);
  const outcome = await train(model, data, config, new RunControl());
  assert.equal(outcome.kind, 'diverged');
  assert.ok(
    outcome.kind === 'diverged' &&
      outcome.epoch === 1 &&
      outcome.batch === 1 &&
      Number.isNaN(outcome.loss),
  );
});

test('the test pass reports its progress: from 0 to every image, clock running, before the epoch ends', async () => {
  const config = small({ epochs: 2, trainLimit: 100, testLimit: 2500 });
  const model = fresh(config);
  const seen: string[] = [];
  let clock = 0;
  await train(model, data, config, new RunControl(), {
    onTestProgress: (epoch, done, total, seconds) => {
      assert.ok(seconds >= clock, `the clock never goes back (${seconds} after ${clock})`);
      clock = seconds;
      seen.push(`${epoch}:${done}/${total}`);
    },
    onEpochEnd: (epoch, logs) => {
      assert.ok(logs.activeSeconds >= clock);
      seen.push(`end ${epoch}`);
    },
  });
  // Chunks of 1 000 images: the pass is visible while it runs, not only when it is done.
  const pass = (e: number): string[] => [0, 1000, 2000, 2500].map((d) => `${e}:${d}/2500`);
  assert.deepEqual(seen, [...pass(1), 'end 1', ...pass(2), 'end 2']);
  model.dispose();
});
