// The fit loop, tfjs-examples style, with Keras-style callbacks. Our own loop rather than model.fit
// so the shuffle is seeded (fit shuffles with Math.random) and batches are gathered into reused
// buffers instead of slicing a 188 MB tensor.
import * as tf from '@tensorflow/tfjs';
import type { MnistData } from '../data/mnist.ts';
import { fillBatch, shuffledIndices } from '../data/batch.ts';
import type { TrainConfig } from '../shared/config.ts';
import type { RunControl } from './control.ts';
import { evaluate, type Evaluation } from './evaluate.ts';
import { trainStep, type StepResult } from './step.ts';
import { batchShape, IMAGE_PIXELS, NUM_CLASSES } from '../shared/dataset.ts';

export interface TrainBegin {
  trainSize: number;
  testSize: number;
  batchesPerEpoch: number;
}

export interface BatchLogs {
  loss: number;
  accuracy: number;
  size: number;
  /** Compute time of this batch alone, so pauses never distort speed or ETA. */
  seconds: number;
}

export interface EpochLogs {
  trainLoss: number;
  trainAccuracy: number;
  test: Evaluation;
  /** Active (unpaused) training + evaluation time of the whole run so far. */
  activeSeconds: number;
}

export type TrainOutcome =
  | { kind: 'finished'; epochs: number; test: Evaluation; activeSeconds: number }
  | { kind: 'stopped'; epochsCompleted: number }
  | { kind: 'diverged'; epoch: number; batch: number; loss: number };

/** Keras-style hooks; each may be async and is awaited, so a hook can hold the loop. */
export interface TrainerCallbacks {
  onTrainBegin?(info: TrainBegin): void | Promise<void>;
  onBatchEnd?(epoch: number, batch: number, logs: BatchLogs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs): void | Promise<void>;
  /** Test-set images evaluated so far after `epoch` (0 when it starts), with the run's clock. */
  onTestProgress?(epoch: number, done: number, total: number, activeSeconds: number): void;
}

const now = (): number => performance.now() / 1000;
/** Lets queued messages (pause, stop, predict) run between batches, and mid-step. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Where a run starts: a resumed run continues after the last epoch its checkpoint completed. */
export interface TrainStart {
  /** First epoch to train (1-based). Shuffles are seeded per epoch, so this is all it takes. */
  fromEpoch?: number;
  /** Active seconds already spent, so a resumed run's clock continues. */
  activeSeconds?: number;
}

export async function train(
  model: tf.LayersModel,
  data: MnistData,
  config: TrainConfig,
  control: RunControl,
  callbacks: TrainerCallbacks = {},
  start: TrainStart = {},
): Promise<TrainOutcome> {
  const trainSize = Math.min(config.trainLimit, data.train.count);
  const testSize = Math.min(config.testLimit, data.test.count);
  const { batchSize } = config;
  const batchesPerEpoch = Math.ceil(trainSize / batchSize);
  // The subset is the first N of a seeded shuffle, so a small subset still covers every digit.
  const subset = shuffledIndices(data.train.count, config.seed).subarray(0, trainSize);
  const order = new Uint32Array(trainSize);
  const xs = new Float32Array(batchSize * IMAGE_PIXELS);
  const ys = new Float32Array(batchSize * NUM_CLASSES);
  let active = start.activeSeconds ?? 0;
  let last: Evaluation = { loss: NaN, accuracy: 0 };
  const first = start.fromEpoch ?? 1;

  await callbacks.onTrainBegin?.({ trainSize, testSize, batchesPerEpoch });
  if (first > config.epochs) last = await evaluate(model, data.test, testSize);
  for (let epoch = first; epoch <= config.epochs; epoch++) {
    const perm = shuffledIndices(trainSize, config.seed + epoch);
    for (let i = 0; i < trainSize; i++) order[i] = subset[perm[i]!]!;
    let lossSum = 0;
    let accSum = 0;
    for (let batch = 1; batch <= batchesPerEpoch; batch++) {
      await control.whilePaused();
      if (control.stopped) return { kind: 'stopped', epochsCompleted: epoch - 1 };
      const from = (batch - 1) * batchSize;
      const end = Math.min(from + batchSize, trainSize);
      const m = end - from;
      fillBatch(data.train, order, from, end, xs, ys);
      const x = tf.tensor4d(xs.subarray(0, m * IMAGE_PIXELS), batchShape(m));
      const y = tf.tensor2d(ys.subarray(0, m * NUM_CLASSES), [m, NUM_CLASSES]);
      let step: StepResult;
      try {
        step = await trainStep(model, x, y, yieldToEventLoop);
      } finally {
        tf.dispose([x, y]);
      }
      const { loss, accuracy, seconds } = step;
      active += seconds;
      if (!Number.isFinite(loss)) return { kind: 'diverged', epoch, batch, loss };
      lossSum += loss * m;
      accSum += accuracy * m;
      await callbacks.onBatchEnd?.(epoch, batch, { loss, accuracy, size: m, seconds });
      await yieldToEventLoop();
    }
    const t0 = now();
    const progress = (done: number): void =>
      callbacks.onTestProgress?.(epoch, done, testSize, active + now() - t0);
    progress(0);
    last = await evaluate(model, data.test, testSize, undefined, progress);
    active += now() - t0;
    await callbacks.onEpochEnd?.(epoch, {
      trainLoss: lossSum / trainSize,
      trainAccuracy: accSum / trainSize,
      test: last,
      activeSeconds: active,
    });
  }
  return { kind: 'finished', epochs: config.epochs, test: last, activeSeconds: active };
}
