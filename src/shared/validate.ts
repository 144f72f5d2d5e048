// Runtime checks for every message that crosses a boundary: worker commands, worker messages,
// and the training events forwarded to renderers.
import { ENGINE_CHOICES, configErrors, type TrainConfig } from './config.ts';
import { ERROR_CODES, MAX_ERROR_DETAIL, MAX_ERROR_MESSAGE, type ErrorEnvelope } from './errors.ts';
import {
  CELL_SAMPLES,
  WORST_WRONG,
  type EngineInfo,
  type KernelSnapshot,
  type Misclassified,
  type TestImage,
  type TrainingEvent,
} from './events.ts';
import {
  ValidationError,
  array,
  bool,
  float32Array,
  int,
  literal,
  nul,
  nullable,
  num,
  object,
  optional,
  str,
  tagged,
  uint8Array,
  type Guard,
} from './guard.ts';
import {
  MAX_TEST_IMAGES,
  type WorkerCommand,
  type WorkerMessage,
  type WorkerRequest,
} from './worker-protocol.ts';
import { CLASS_NAME_MAX, DATASET, IMAGE_PIXELS, NUM_CLASSES, type DatasetInfo } from './dataset.ts';
import { OPTIMIZERS, tutorialNetwork } from './network.ts';
import { networkSpec } from './network-validate.ts';
import { HANDWRITING_MAX, handwritingEdit } from './handwriting.ts';
import { finetuneArg, finetuneStart } from './finetune.ts';
import { explainArg, workedArg } from './answers-validate.ts';
import type { CheckpointInfo } from './models.ts';

const shape = <T>(g: Guard<unknown>): Guard<T> => g as Guard<T>;

/**
 * Settings, then the network (absent: the tutorial's, as in every request and checkpoint from
 * before networks could be edited) checked for the dataset at this batch size.
 */
export const trainConfig: Guard<TrainConfig> = (v, p) => {
  const c = object({
    epochs: num(),
    batchSize: num(),
    learningRate: num(),
    trainLimit: num(),
    testLimit: num(),
    seed: num(),
    network: optional((x: unknown) => x),
    optimizer: optional(literal(...OPTIMIZERS)),
  })(v, p);
  const errors = Object.entries(configErrors(c));
  if (errors.length > 0) {
    const [key, reason] = errors[0]!;
    throw new ValidationError(p ? `${p}.${key}` : key, reason);
  }
  const network =
    c.network === undefined
      ? tutorialNetwork(NUM_CLASSES)
      : networkSpec(DATASET, c.batchSize)(c.network, p ? `${p}.network` : 'network');
  return { ...c, network, optimizer: c.optimizer ?? 'adam' };
};

const engineChoice = literal(...ENGINE_CHOICES);
const engineName = literal('native', 'wasm', 'cpu');
const runId = str(100);

/** Test-set positions: 1 to MAX_TEST_IMAGES whole numbers (the worker checks the upper bound). */
export const testIndices: Guard<number[]> = (v, p) => {
  const a = array(int(0, 1_000_000), MAX_TEST_IMAGES)(v, p);
  if (a.length === 0) throw new ValidationError(p, 'ask for at least one image');
  return a;
};

const digit = int(0, 9);

export const testImage: Guard<TestImage> = object({
  index: int(0),
  label: digit,
  pixels: uint8Array(IMAGE_PIXELS),
});

const misclassified: Guard<Misclassified> = object({
  index: int(0),
  label: digit,
  pixels: uint8Array(IMAGE_PIXELS),
  predicted: digit,
  confidence: num(0, 1),
});

/** The answer to data:test-images. */
export const testImages: Guard<TestImage[]> = array(testImage, MAX_TEST_IMAGES);

/** 100 counts, row = true label, column = prediction. */
const confusion: Guard<number[]> = (v, p) => {
  const a = array(int(0), 100)(v, p);
  if (a.length !== 100) throw new ValidationError(p, 'expected 100 cells');
  return a;
};

/** Most test images one evaluation lists (far above any test set the IDX checks accept). */
const MAX_EVALUATED = 1_000_000;

const cellSamples: Guard<number[][]> = (v, p) => {
  const a = array(array(int(0), CELL_SAMPLES), 100)(v, p);
  if (a.length !== 100) throw new ValidationError(p, 'expected 100 cells');
  return a;
};

export const workerRequest: Guard<WorkerRequest> = shape(
  tagged({
    start: object({ type: literal('start'), config: trainConfig }),
    pause: object({ type: literal('pause') }),
    resume: object({ type: literal('resume') }),
    stop: object({ type: literal('stop') }),
    status: object({ type: literal('status') }),
    predict: object({ type: literal('predict'), pixels: float32Array(IMAGE_PIXELS) }),
    inspect: object({ type: literal('inspect'), pixels: float32Array(IMAGE_PIXELS) }),
    explain: object({ type: literal('explain'), ...explainArg }),
    inside: object({ type: literal('inside'), pixels: float32Array(IMAGE_PIXELS) }),
    worked: object({ type: literal('worked'), ...workedArg }),
    'test-images': object({ type: literal('test-images'), indices: testIndices }),
    handwriting: object({ type: literal('handwriting') }),
    'handwriting-edit': object({ type: literal('handwriting-edit'), edit: handwritingEdit }),
    'handwriting-test': object({ type: literal('handwriting-test') }),
    'handwriting-export': object({ type: literal('handwriting-export'), dir: str(4096) }),
    'handwriting-import': object({ type: literal('handwriting-import'), dir: str(4096) }),
    save: object({ type: literal('save'), dir: str(4096) }),
    load: object({ type: literal('load'), dir: str(4096) }),
    'check-model': object({ type: literal('check-model'), dir: str(4096) }),
    'resume-checkpoint': object({ type: literal('resume-checkpoint') }),
    'set-data': object({ type: literal('set-data'), dir: nullable(str(4096)) }),
    finetune: object({ type: literal('finetune'), arg: finetuneArg }),
  }),
);

export const workerCommand: Guard<WorkerCommand> = shape(
  tagged({
    init: object({
      type: literal('init'),
      engine: engineChoice,
      dataDir: nullable(str(4096)),
      checkpointDir: optional(nullable(str(4096))),
      handwritingDir: optional(nullable(str(4096))),
      measureSpeed: optional(bool),
    }),
    request: object({ type: literal('request'), id: int(0), request: workerRequest }),
    shutdown: object({ type: literal('shutdown') }),
  }),
);

export const errorEnvelope: Guard<ErrorEnvelope> = shape(
  object({
    code: literal(...ERROR_CODES),
    message: str(MAX_ERROR_MESSAGE),
    detail: optional(str(MAX_ERROR_DETAIL)),
  }),
);

export const checkpointInfo: Guard<CheckpointInfo> = object({
  runId: nullable(runId),
  createdAt: nullable(str(100)),
  engine: nullable(str(100)),
  config: nullable(trainConfig),
  epochsCompleted: int(0),
  testAccuracy: nullable(num(0, 1)),
  resumable: bool,
  problem: nullable(str(MAX_ERROR_MESSAGE)),
});

export const engineInfo: Guard<EngineInfo> = object({
  name: engineName,
  label: str(200),
  reason: str(2000),
  threads: int(1, 1024),
  available: array(engineName, 3),
  requested: engineChoice,
  speed: optional(object({ trainImagesPerSec: num(0, 1e9), testImagesPerSec: num(0, 1e9) })),
});

const kernel: Guard<KernelSnapshot> = (v, p) => {
  const k = object({
    layer: literal('conv1', 'conv2', 'fc1'),
    shape: array(int(1, 4096), 4),
    values: float32Array(),
  })(v, p);
  const [h, w, i, o] = k.shape;
  if (k.shape.length !== 4 || h! * w! * i! * o! !== k.values.length)
    throw new ValidationError(`${p}.shape`, 'does not match the number of values');
  return { ...k, shape: [h!, w!, i!, o!] };
};

const finiteOrNaN: Guard<number> = (v, p) => (typeof v === 'number' ? v : num()(v, p)); // losses may be NaN when a run diverges

export const datasetInfo: Guard<DatasetInfo> = (v, p) => {
  const d = object({
    name: str(200),
    folder: nullable(str(4096)),
    classNames: array(str(CLASS_NAME_MAX), NUM_CLASSES),
    trainCount: int(1),
    testCount: int(1),
  })(v, p);
  if (d.classNames.length !== NUM_CLASSES)
    throw new ValidationError(`${p}.classNames`, `expected ${NUM_CLASSES} class names`);
  return d;
};

export const trainingEvent: Guard<TrainingEvent> = shape(
  tagged({
    engine: object({ type: literal('engine'), engine: engineInfo }),
    'run-started': object({
      type: literal('run-started'),
      runId,
      config: trainConfig,
      engine: engineInfo,
      trainSize: int(1),
      testSize: int(1),
      batchesPerEpoch: int(1),
      notice: optional(str(4000)),
      dataset: optional(datasetInfo),
      finetune: optional(finetuneStart),
    }),
    dataset: object({ type: literal('dataset'), dataset: datasetInfo }),
    batch: object({
      type: literal('batch'),
      runId,
      epoch: int(1),
      firstBatch: int(1),
      batchesPerEpoch: int(1),
      losses: array(finiteOrNaN),
      accuracies: array(num(0, 1)),
      imagesPerSec: num(0),
      elapsedSec: num(0),
      etaSec: num(0),
    }),
    'epoch-end': object({
      type: literal('epoch-end'),
      runId,
      epoch: int(1),
      trainLoss: num(),
      trainAccuracy: num(0, 1),
      testLoss: num(),
      testAccuracy: num(0, 1),
      elapsedSec: num(0),
    }),
    'handwriting-accuracy': (v, p) => {
      const e = object({
        type: literal('handwriting-accuracy'),
        runId,
        epoch: int(1),
        correct: int(0, HANDWRITING_MAX),
        count: int(1, HANDWRITING_MAX),
      })(v, p);
      if (e.correct > e.count) throw new ValidationError(`${p}.correct`, 'is more than count');
      return e;
    },
    filters: object({
      type: literal('filters'),
      runId,
      epoch: int(0),
      batch: int(0),
      kernels: array(kernel, 2),
    }),
    evaluation: (v, p) => {
      const e = object({
        type: literal('evaluation'),
        runId,
        epoch: int(1),
        count: int(0),
        matrix: confusion,
        samples: cellSamples,
        cells: optional(array(int(0), MAX_EVALUATED)),
        wrong: array(misclassified, WORST_WRONG),
      })(v, p);
      if (e.matrix.reduce((s, x) => s + x, 0) !== e.count)
        throw new ValidationError(`${p}.count`, 'is not the sum of the matrix');
      if (e.cells !== undefined && e.cells.length !== e.count)
        throw new ValidationError(`${p}.cells`, 'does not hold one index per evaluated image');
      return e;
    },
    testing: (v, p) => {
      const e = object({
        type: literal('testing'),
        runId,
        epoch: int(1),
        done: int(0),
        total: int(0),
        elapsedSec: num(0),
      })(v, p);
      if (e.done > e.total) throw new ValidationError(`${p}.done`, 'is more than total');
      return e;
    },
    paused: object({ type: literal('paused'), runId }),
    resumed: object({ type: literal('resumed'), runId }),
    finished: object({
      type: literal('finished'),
      runId,
      epochs: int(0),
      testAccuracy: num(0, 1),
      elapsedSec: num(0),
    }),
    stopped: object({
      type: literal('stopped'),
      runId,
      reason: literal('user', 'shutdown'),
      epochsCompleted: int(0),
    }),
    checkpoint: object({
      type: literal('checkpoint'),
      runId,
      epoch: int(1),
      error: nullable(errorEnvelope),
      info: nullable(checkpointInfo),
    }),
    failed: object({ type: literal('failed'), runId: nullable(runId), error: errorEnvelope }),
    'run-kept': object({ type: literal('run-kept'), runId, error: nullable(errorEnvelope) }),
  }),
);

/** The host checks what its own worker says too: a bug there must not reach a renderer. */
export const workerMessage: Guard<WorkerMessage> = shape(
  tagged({
    event: object({ type: literal('event'), event: trainingEvent }),
    reply: (v, p) => {
      const ok = (v as { ok?: unknown }).ok;
      return ok === true
        ? object({ type: literal('reply'), id: int(0), ok: bool, value: (x) => x })(v, p)
        : object({ type: literal('reply'), id: int(0), ok: bool, error: errorEnvelope })(v, p);
    },
  }),
);

export { nul };
