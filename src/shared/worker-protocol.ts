// The training worker's wire protocol. Commands in, events and replies out; both validated on receipt.
import type { DatasetInfo } from './dataset.ts';
import type { EngineChoice, TrainConfig } from './config.ts';
import type { ErrorEnvelope } from './errors.ts';
import type { ConvLayerName, TestImage, TrainingEvent } from './events.ts';
import type { HandwritingEdit, HandwritingSet, HandwritingTest } from './handwriting.ts';
import type { Activation, NetworkSpec } from './network.ts';
import type { FinetuneArg } from './finetune.ts';

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

/** The Inside view shows at most this many channels of a layer (the rest are counted, not sent). */
export const INSIDE_CHANNELS = 64;
/** How many of the last layer's terms the Inside view lists for the predicted class. */
export const INSIDE_TERMS = 8;

/** One layer's output for one image, as the Inside view draws it. */
export interface Stage {
  /** The layer's output shape without the batch: [height, width, channels] or [length]. */
  shape: number[];
  /** Channels last; of an image-shaped output, the first min(channels, INSIDE_CHANNELS) only. */
  values: Float32Array;
}

/** One term of a logit: input × weight (the last layer's input `index`). */
export interface LogitTerm {
  index: number;
  input: number;
  weight: number;
}

/** model:inside's answer: every layer's output for one image, of the network that made them. */
export interface InsideView extends Prediction {
  /** The current model's own network (read from its layers, not from the form). */
  network: NetworkSpec;
  /** One per layer of `network`, in order. */
  stages: Stage[];
  logits: number[];
  /** The predicted class's logit = Σ input × weight + bias: its largest terms by size. */
  terms: { target: number; bias: number; top: LogitTerm[] };
}

/** model:worked's argument: an image and one output pixel of one convolution layer. */
export interface WorkedArg {
  pixels: Float32Array;
  /** Index into the network's layers. */
  layer: number;
  y: number;
  x: number;
  filter: number;
}

/** out = Σ w·in + b at one output pixel of one filter, with the real numbers (src/worker/worked.ts). */
export interface WorkedConvolution {
  /** The patch, weights and products, each k × k × C (row, column, input channel). */
  kernel: number;
  channels: number;
  patch: Float32Array;
  weights: Float32Array;
  products: Float32Array;
  /** Σ products. */
  sum: number;
  bias: number;
  /** sum + bias, and the activation of it (the layer's output at that pixel). */
  preActivation: number;
  output: number;
  activation: Activation;
  /** The patch's top-left in the layer's input; negative where SAME padding starts outside. */
  top: number;
  left: number;
  /** The part of the input image this output pixel sees: [top, left, bottom, right], inclusive. */
  field: [number, number, number, number];
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
  /** Every layer's output for an image (the Inside view), and one convolution worked through. */
  | { type: 'inside'; pixels: Float32Array }
  | ({ type: 'worked' } & WorkedArg)
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
  /** Trains a copy of the current model further on "My handwriting", as a new run. */
  | { type: 'finetune'; arg: FinetuneArg }
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
  inside: InsideView;
  worked: WorkedConvolution;
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
  finetune: { runId: string };
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
