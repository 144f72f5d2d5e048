// The training worker's wire protocol. Commands in, events and replies out; both validated on receipt.
import type { DatasetInfo } from './dataset.ts';
import type { EngineChoice, TrainConfig } from './config.ts';
import type { ErrorEnvelope } from './errors.ts';
import type { ConvLayerName, TestImage, TrainingEvent } from './events.ts';
import type { HandwritingEdit, HandwritingSet, HandwritingTest } from './handwriting.ts';

export interface Prediction {
  /** Ten softmax probabilities, digit 0..9. */
  probabilities: number[];
}

/** One conv layer's activations (after ReLU) for one image, channels last. */
export interface FeatureMaps {
  layer: ConvLayerName;
  /** [height, width, channels]: conv1 [28, 28, 32], conv2 [14, 14, 64]. */
  shape: [number, number, number];
  values: Float32Array;
}

/** A prediction plus what the convolutions saw: maps for conv1 then conv2. */
export interface Inspection extends Prediction {
  maps: FeatureMaps[];
}

/** Why one image gets its answer, for one class (see src/worker/explain.ts). */
export interface Explanation extends Prediction {
  /** The class explained: the one asked for, or the predicted one. */
  target: number;
  /** d logit[target] / d pixel, 28×28, signed: where a little more ink raises (+) or lowers (−) the score. */
  saliency: Float32Array;
  /** 28×28: the mean drop of logit[target] when a grey square covers the pixel (negative: it rises). */
  occlusion: Float32Array;
}

/** The occluding square: its side, how far it moves each step, and its grey (0 is background). */
export const OCCLUSION = Object.freeze({ patch: 6, stride: 2, grey: 0.5 });

/** model:explain's argument: an image and the class to explain (null: the predicted one). */
export interface ExplainArg {
  pixels: Float32Array;
  target: number | null;
}

/** Most test images one data:test-images request may ask for. */
export const MAX_TEST_IMAGES = 64;

/** Requests that get exactly one reply, matched by id. */
export type WorkerRequest =
  | { type: 'start'; config: TrainConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'predict'; pixels: Float32Array }
  /** predict plus the conv1 and conv2 feature maps. */
  | { type: 'inspect'; pixels: Float32Array }
  /** Saliency and occlusion maps of an image for one class. */
  | { type: 'explain'; pixels: Float32Array; target: number | null }
  /** "My handwriting": read it, change it, test the current model on it. */
  | { type: 'handwriting' }
  | { type: 'handwriting-edit'; edit: HandwritingEdit }
  | { type: 'handwriting-test' }
  | { type: 'handwriting-export'; dir: string }
  | { type: 'handwriting-import'; dir: string }
  /** Pixels and labels of test-set images by index (for a confusion-matrix cell). */
  | { type: 'test-images'; indices: number[] }
  /** Saves the current model atomically into `dir` (model.json + weights.bin). */
  | { type: 'save'; dir: string }
  /** Reads, checks and builds the model in `dir`; replaces the current one only on success. */
  | { type: 'load'; dir: string }
  /** Builds the model in `dir` as load does, then frees it: import's proof that it loads. */
  | { type: 'check-model'; dir: string }
  /** Continues the checkpointed run (in init's checkpointDir) after its last completed epoch. */
  | { type: 'resume-checkpoint' }
  /** Trains on the four IDX files in `dir` from now on (null: the bundled MNIST). */
  | { type: 'set-data'; dir: string | null }
  | { type: 'status' };

export interface WorkerStatus {
  state: 'idle' | 'running' | 'paused';
  runId: string | null;
  hasModel: boolean;
}

/** Reply payload per request type: one map read by both sides. */
export interface WorkerReplies {
  start: { runId: string };
  pause: null;
  resume: null;
  stop: null;
  predict: Prediction;
  inspect: Inspection;
  explain: Explanation;
  handwriting: HandwritingSet;
  'handwriting-edit': HandwritingSet;
  'handwriting-test': HandwritingTest;
  'handwriting-export': { path: string };
  'handwriting-import': HandwritingSet;
  'test-images': TestImage[];
  save: { dir: string; bytes: number };
  load: { dir: string };
  'check-model': null;
  'resume-checkpoint': { runId: string };
  status: WorkerStatus;
  'set-data': DatasetInfo;
}

export type WorkerCommand =
  | {
      type: 'init';
      engine: EngineChoice;
      dataDir: string | null;
      /** Where a checkpoint is written after every epoch; absent or null: none. */
      checkpointDir?: string | null;
      /** Where "My handwriting" is kept; absent or null: nowhere (it is refused). */
      handwritingDir?: string | null;
      /** Measure the engine's speed after start-up (for a window's time estimate). */
      measureSpeed?: boolean;
    }
  | { type: 'request'; id: number; request: WorkerRequest }
  | { type: 'shutdown' };

export type WorkerReply =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: ErrorEnvelope };

export type WorkerMessage = { type: 'event'; event: TrainingEvent } | WorkerReply;
