// The checkpoint folder, without TensorFlow: what the worker writes after every epoch and reads
// to resume, and what the host reads to offer "Resume". One folder, replaced atomically:
//
//   checkpoint/
//     model.json       the network and its weights manifest, exactly like a saved model
//     weights.bin      the weights after the last completed epoch
//     optimizer.bin    the optimizer's slot variables (Adam: first moments m then second moments
//                      v; see checkpoint-optimizer.ts for the others), float32, in the order of
//                      the model's trainable weights, each with that weight's shape
//     checkpoint.json  run id, settings, epochs completed, the optimizer's step count and
//                      hyper-parameters, its manifest, and the epochs' results and batch losses
//                      (so a resumed run shows its whole history)
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TrainConfig } from '../shared/config.ts';
import type { EpochResult } from '../shared/events.ts';
import type { ValidationError } from '../shared/guard.ts';
import { trainConfig } from '../shared/validate.ts';
import type { CheckpointInfo } from '../shared/models.ts';
import { recoverDir, type AtomicOptions } from './atomic.ts';
import {
  ModelFileError,
  MAX_WEIGHT_BYTES,
  checkFinite,
  parseJsonFile,
  type ModelFiles,
} from './model-files.ts';
import { readModelFolder, readModelJson } from './model-folder.ts';
import { isPlainObject } from '../shared/guard.ts';
import {
  OPTIMIZER_SLOTS,
  parseOptimizerState,
  type OptimizerState,
} from './checkpoint-optimizer.ts';

export const CHECKPOINT_JSON = 'checkpoint.json';
export const OPTIMIZER_BIN = 'optimizer.bin';
export const CHECKPOINT_FORMAT = 'cnn-studio-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** One completed epoch as the checkpoint remembers it (the `epoch-end` event's figures). */
export type EpochRecord = EpochResult;

export interface BatchRecord {
  epoch: number;
  losses: number[];
  accuracies: number[];
}

export interface CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  runId: string;
  createdAt: string;
  engine: string;
  config: TrainConfig;
  epochsCompleted: number;
  /** Active training time so far, so a resumed run's clock continues. */
  activeSeconds: number;
  optimizer: OptimizerState;
  history: { epochs: EpochRecord[]; batches: BatchRecord[] };
}

export interface Checkpoint {
  meta: CheckpointMeta;
  model: ModelFiles;
  /** optimizer.bin, exactly as long as meta.optimizer.weights need, all finite. */
  optimizer: ArrayBuffer;
}

const bad = (problem: string, file: string): never => {
  throw new ModelFileError('format', problem, file);
};

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks checkpoint.json's parsed content; throws a ModelFileError naming the first problem. */
export function checkCheckpointMeta(json: unknown, file: string): CheckpointMeta {
  if (!isPlainObject(json)) return bad('checkpoint.json is not a JSON object', file);
  if (json['format'] !== CHECKPOINT_FORMAT || json['version'] !== CHECKPOINT_VERSION)
    return bad(
      `checkpoint.json is not a version ${CHECKPOINT_VERSION} CNN Studio checkpoint`,
      file,
    );
  let config: TrainConfig;
  try {
    config = trainConfig(json['config'], 'config');
  } catch (e) {
    return bad(`checkpoint.json has unusable settings (${(e as ValidationError).message})`, file);
  }
  const { runId, createdAt, engine, epochsCompleted, activeSeconds, optimizer, history } = json;
  if (typeof runId !== 'string' || runId.length === 0 || runId.length > 100)
    return bad('checkpoint.json has no run id', file);
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)))
    return bad('checkpoint.json has no valid date', file);
  if (typeof engine !== 'string' || engine.length > 40)
    return bad('checkpoint.json has no engine', file);
  if (
    !Number.isInteger(epochsCompleted) ||
    (epochsCompleted as number) < 1 ||
    (epochsCompleted as number) > config.epochs
  )
    return bad(
      `checkpoint.json says ${String(epochsCompleted)} epochs completed, of ${config.epochs}`,
      file,
    );
  if (!finite(activeSeconds) || activeSeconds < 0)
    return bad('checkpoint.json has no training time', file);
  const optimizerState = parseOptimizerState(optimizer, config, file);
  if (
    !isPlainObject(history) ||
    !Array.isArray(history['epochs']) ||
    !Array.isArray(history['batches'])
  )
    return bad('checkpoint.json has no run history', file);
  const epochs = history['epochs'].map((e): EpochRecord => {
    if (
      !isPlainObject(e) ||
      !Number.isInteger(e['epoch']) ||
      !['trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'elapsedSec'].every((k) =>
        finite(e[k]),
      )
    )
      return bad('checkpoint.json has a malformed epoch record', file);
    return {
      epoch: e['epoch'] as number,
      trainLoss: e['trainLoss'] as number,
      trainAccuracy: e['trainAccuracy'] as number,
      testLoss: e['testLoss'] as number,
      testAccuracy: e['testAccuracy'] as number,
      elapsedSec: e['elapsedSec'] as number,
    };
  });
  const batches = history['batches'].map((b): BatchRecord => {
    if (
      !isPlainObject(b) ||
      !Number.isInteger(b['epoch']) ||
      !Array.isArray(b['losses']) ||
      !Array.isArray(b['accuracies']) ||
      !b['losses'].every(finite) ||
      !b['accuracies'].every((a) => finite(a) && a >= 0 && a <= 1)
    )
      return bad('checkpoint.json has a malformed batch record', file);
    return {
      epoch: b['epoch'] as number,
      losses: b['losses'] as number[],
      accuracies: b['accuracies'] as number[],
    };
  });
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    runId,
    createdAt,
    engine,
    config,
    epochsCompleted: epochsCompleted as number,
    activeSeconds,
    optimizer: optimizerState,
    history: { epochs, batches },
  };
}

async function readMeta(dir: string): Promise<CheckpointMeta | null> {
  const file = join(dir, CHECKPOINT_JSON);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ModelFileError(
      'unreadable',
      `checkpoint.json cannot be read (${(e as Error).message})`,
      file,
    );
  }
  if (text.length > 64 * 1024 * 1024) return bad('checkpoint.json is too large', file);
  return checkCheckpointMeta(parseJsonFile(text, 'checkpoint.json', file), file);
}

/**
 * What the UI shows about the checkpoint in `dir`: null when there is none. Damaged files give
 * an info with `problem` set (and not resumable) rather than an error, so the user learns why.
 * Settles a crashed checkpoint write first.
 */
export async function readCheckpointInfo(
  dir: string,
  options: AtomicOptions = {},
): Promise<CheckpointInfo | null> {
  const folder = resolve(dir);
  await recoverDir(folder, options);
  let meta: CheckpointMeta | null;
  try {
    meta = await readMeta(folder);
    if (meta) await readModelJson(folder);
  } catch (e) {
    if (!(e instanceof ModelFileError)) throw e;
    return {
      runId: null,
      createdAt: null,
      engine: null,
      config: null,
      epochsCompleted: 0,
      testAccuracy: null,
      resumable: false,
      problem: e.problem,
    };
  }
  return meta === null ? null : checkpointInfoOf(meta);
}

/** What the models panel shows about a sound checkpoint. */
export function checkpointInfoOf(meta: CheckpointMeta): CheckpointInfo {
  return {
    runId: meta.runId,
    createdAt: meta.createdAt,
    engine: meta.engine,
    config: meta.config,
    epochsCompleted: meta.epochsCompleted,
    testAccuracy: meta.history.epochs.at(-1)?.testAccuracy ?? null,
    resumable: meta.epochsCompleted < meta.config.epochs,
    problem: null,
  };
}

/** Reads and checks the whole checkpoint; null when there is none. */
export async function readCheckpoint(
  dir: string,
  options: AtomicOptions = {},
): Promise<Checkpoint | null> {
  const folder = resolve(dir);
  await recoverDir(folder, options);
  const meta = await readMeta(folder);
  if (meta === null) return null;
  const model = await readModelFolder(folder);
  const file = join(folder, OPTIMIZER_BIN);
  const expected = meta.optimizer.weights.reduce(
    (n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4,
    0,
  );
  if (expected > 2 * MAX_WEIGHT_BYTES) return bad('the optimizer manifest is too large', file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new ModelFileError('missing', 'optimizer.bin is missing', file);
  }
  if (bytes.byteLength !== expected)
    throw new ModelFileError(
      'byte-length',
      `optimizer.bin is ${bytes.byteLength} bytes, but the optimizer manifest needs exactly ${expected}`,
      file,
    );
  const optimizer = new ArrayBuffer(expected);
  new Uint8Array(optimizer).set(bytes);
  checkFinite(meta.optimizer.weights, optimizer, file);
  const slots = OPTIMIZER_SLOTS[meta.optimizer.className].length;
  const covered = slots === 0 ? model.weightSpecs.length : meta.optimizer.weights.length / slots;
  if (covered !== model.weightSpecs.length)
    return bad(
      `the checkpoint has optimizer state for ${covered} weights but the model has ${model.weightSpecs.length}`,
      file,
    );
  return { meta, model, optimizer };
}
