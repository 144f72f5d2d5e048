// What a training run reports. Worker -> host -> renderer, unchanged. Plain numbers and typed arrays.
import type { EngineChoice, EngineName, TrainConfig } from './config.ts';
import type { ErrorEnvelope } from './errors.ts';
import type { CheckpointInfo } from './models.ts';
import type { DatasetInfo } from './dataset.ts';
import type { FinetuneStart } from './finetune.ts';

export interface EngineInfo {
  name: EngineName;
  /** What the user sees, e.g. "Native TensorFlow (tfjs-node)" or "Portable (WebAssembly, SIMD)". */
  label: string;
  /** Why this engine was chosen, e.g. "tfjs-node failed to load: libtensorflow.so not found". */
  reason: string;
  threads: number;
  /** Engines that can be chosen in this process. */
  available: EngineName[];
  requested: EngineChoice;
  /** The tutorial network's speed here, measured at start-up (absent until then, or not measured). */
  speed?: EngineSpeed;
}

export interface EngineSpeed {
  /** Training at the tutorial's batch size (50). */
  trainImagesPerSec: number;
  /** Evaluating the test set. */
  testImagesPerSec: number;
}

/** Layer names are stable (see src/model/cnn.ts) so kernels and feature maps can be read by name. */
export type ConvLayerName = 'conv1' | 'conv2';
/**
 * The weights drawn as pictures: the first two convolutions' filters or, for a network without
 * one, the first dense layer's weights over the pixels (fc1), one image per unit.
 */
export type PictureLayerName = ConvLayerName | 'fc1';

export interface KernelSnapshot {
  layer: PictureLayerName;
  /** [height, width, inChannels, outChannels], tfjs order. */
  shape: [number, number, number, number];
  values: Float32Array;
}

/** One test-set image as the dataset stores it: 784 grey levels 0..255, row-major, ink is bright. */
export interface TestImage {
  /** Position in the test split. */
  index: number;
  label: number;
  pixels: Uint8Array;
}

/** A test image the network got wrong, with what it said instead. */
export interface Misclassified extends TestImage {
  predicted: number;
  /** Softmax probability of `predicted`. */
  confidence: number;
}

/** Test-set indices kept per confusion-matrix cell (the first ones met, in test-set order). */
export const CELL_SAMPLES = 24;
/** How many of the most confidently wrong test images an evaluation event carries. */
export const WORST_WRONG = 24;

/** What one epoch ended with: sent in `epoch-end`, kept by the renderer and in checkpoints. */
export interface EpochResult {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** Active (unpaused) seconds of the run so far. */
  elapsedSec: number;
}

export type StopReason = 'user' | 'shutdown';

export type TrainingEvent =
  | { type: 'engine'; engine: EngineInfo }
  | {
      type: 'run-started';
      runId: string;
      config: TrainConfig;
      engine: EngineInfo;
      trainSize: number;
      testSize: number;
      batchesPerEpoch: number;
      /** Set when the host resumed this run by itself, e.g. after replacing a stuck worker. */
      notice?: string;
      /** What it trains on (absent in runs kept before datasets could be chosen: MNIST). */
      dataset?: DatasetInfo;
      /** Set for a fine-tune on "My handwriting": what it trains on, the figures before. */
      finetune?: FinetuneStart;
    }
  /** The dataset the next run trains on: read at start-up, and again when the learner picks one. */
  | { type: 'dataset'; dataset: DatasetInfo }
  | {
      /** Throttled to ~8/s; carries every batch since the last event so charts lose no point. */
      type: 'batch';
      runId: string;
      epoch: number; // 1-based
      /** 1-based index within the epoch of the first entry in `losses`. */
      firstBatch: number;
      batchesPerEpoch: number;
      losses: number[];
      accuracies: number[];
      imagesPerSec: number;
      elapsedSec: number;
      etaSec: number;
    }
  | ({ type: 'epoch-end'; runId: string } & EpochResult)
  /** A fine-tune run, right after `epoch-end`: the model on the held-out drawings of yours. */
  | {
      type: 'handwriting-accuracy';
      runId: string;
      epoch: number;
      correct: number;
      count: number;
    }
  | { type: 'filters'; runId: string; epoch: number; batch: number; kernels: KernelSnapshot[] }
  | {
      /** Sent right after `epoch-end`: where the network goes wrong on the test images. */
      type: 'evaluation';
      runId: string;
      epoch: number;
      /** Test images evaluated: the sum of `matrix`. */
      count: number;
      /** 10×10 counts, row = true label, column = prediction: matrix[label * 10 + predicted]. */
      matrix: number[];
      /** Per cell (same layout), up to CELL_SAMPLES test-set indices; fetch pixels with data:test-images. */
      samples: number[][];
      /**
       * Every evaluated test index, grouped by cell in cell order (cell 0's, then cell 1's, …;
       * `matrix` gives each group's length), so a cell's images can be paged through. Absent in
       * runs kept before it existed.
       */
      cells?: number[];
      /** Up to WORST_WRONG wrong images, most confident first, pixels included. */
      wrong: Misclassified[];
    }
  /** The test set is being evaluated after `epoch`: `done` of `total` images so far. */
  | {
      type: 'testing';
      runId: string;
      epoch: number;
      done: number;
      total: number;
      elapsedSec: number;
    }
  | { type: 'paused'; runId: string }
  | { type: 'resumed'; runId: string }
  | {
      type: 'finished';
      runId: string;
      epochs: number;
      testAccuracy: number;
      elapsedSec: number;
    }
  | { type: 'stopped'; runId: string; reason: StopReason; epochsCompleted: number }
  /**
   * After each epoch's events: the checkpoint for `epoch` was written (error null), or could not
   * be (e.g. a full disk); the run goes on either way and the previous checkpoint stays intact.
   */
  | {
      type: 'checkpoint';
      runId: string;
      epoch: number;
      error: ErrorEnvelope | null;
      /** What the models panel shows about the checkpoint just written (null when it failed). */
      info: CheckpointInfo | null;
    }
  | { type: 'failed'; runId: string | null; error: ErrorEnvelope }
  /**
   * After a run ended: it is in the runs folder (error null) with its history and weights, or it
   * could not be written there (e.g. a full disk), said so the learner can save it as a model.
   */
  | { type: 'run-kept'; runId: string; error: ErrorEnvelope | null };
