// Checkpoints with the optimizer's state, so a stopped, crashed or killed run resumes exactly.
// The folder format is in src/library/checkpoint-files.ts; this is the TensorFlow half.
//
// Adam in tfjs keeps, per trainable weight, a first moment m and a second moment v, plus an
// iteration count that fixes the bias correction (accBeta1 = beta1^(t+1), accBeta2 likewise).
// The m/v variables are created lazily by the first applyGradients, indexed by the position of
// each weight in the gradient list (the model's trainable weights, in order). getWeights()
// returns [iter, m_0..m_n, v_0..v_n]; setWeights() takes the same list, sets the iteration
// count, recomputes accBeta1/accBeta2 from it, and installs the moments as the slot variables,
// so a fresh optimizer restored before its first step continues exactly where the old one was
// (applyGradients only creates slots that are missing).
import * as tf from '@tensorflow/tfjs';
import { writeDirAtomic, type AtomicOptions } from '../library/atomic.ts';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_JSON,
  CHECKPOINT_VERSION,
  OPTIMIZER_BIN,
  type BatchRecord,
  type Checkpoint,
  type CheckpointMeta,
  type EpochRecord,
} from '../library/checkpoint-files.ts';
import { modelJsonText } from '../library/library.ts';
import {
  MODEL_JSON,
  ModelFileError,
  WEIGHTS_BIN,
  type WeightSpec,
} from '../library/model-files.ts';
import { buildNetwork, compileModel } from '../model/cnn.ts';
import { disposeModel } from '../model/load.ts';
import { modelArtifacts } from '../model/store.ts';
import type { TrainConfig } from '../shared/config.ts';

export interface CheckpointState {
  runId: string;
  engine: string;
  config: TrainConfig;
  epochsCompleted: number;
  activeSeconds: number;
  history: { epochs: EpochRecord[]; batches: BatchRecord[] };
}

interface AdamLike extends tf.Optimizer {
  getConfig(): { learningRate: number; beta1: number; beta2: number; epsilon: number };
  iterations: number;
}

const slotNames = (model: tf.LayersModel): string[] => {
  const names = model.trainableWeights.map((w) => w.originalName);
  return [...names.map((n) => `${n}/m`), ...names.map((n) => `${n}/v`)];
};

/** The optimizer's moments as float32 bytes and their manifest, plus Adam's scalars. */
async function optimizerState(model: tf.LayersModel) {
  const optimizer = model.optimizer as AdamLike | undefined;
  if (!optimizer || optimizer.getClassName() !== 'Adam')
    throw new Error('only Adam optimizer state can be checkpointed');
  const weights = await optimizer.getWeights(); // [iter, m..., v...]
  const names = slotNames(model);
  if (weights.length !== names.length + 1)
    throw new Error(
      `Adam holds ${weights.length - 1} slot variables; expected ${names.length} (has it taken a step?)`,
    );
  const moments = weights.slice(1).map((w, i) => ({ name: names[i]!, tensor: w.tensor }));
  const { data, specs } = await tf.io.encodeWeights(moments);
  tf.dispose(weights[0]!.tensor); // the iteration scalar is a fresh tensor; the moments are the live variables
  const { learningRate, beta1, beta2, epsilon } = optimizer.getConfig();
  return {
    data,
    meta: {
      className: 'Adam' as const,
      learningRate,
      beta1,
      beta2,
      epsilon,
      iterations: optimizer.iterations,
      weights: specs.map((s): WeightSpec => ({
        name: s.name,
        shape: [...s.shape],
        dtype: 'float32',
      })),
    },
  };
}

/**
 * Writes the checkpoint folder `dir` atomically: model, Adam state and run state. Call it between
 * batches (the trainer awaits onEpochEnd, so nothing trains meanwhile).
 */
export async function writeCheckpoint(
  dir: string,
  model: tf.LayersModel,
  state: CheckpointState,
  options: AtomicOptions = {},
): Promise<{ dir: string; bytes: number; meta: CheckpointMeta }> {
  const artifacts = await modelArtifacts(model);
  const optimizer = await optimizerState(model);
  const createdAt = new Date().toISOString();
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    runId: state.runId,
    createdAt,
    engine: state.engine,
    config: { ...state.config },
    epochsCompleted: state.epochsCompleted,
    activeSeconds: state.activeSeconds,
    optimizer: optimizer.meta,
    history: state.history,
  };
  const modelMeta = {
    name: 'checkpoint',
    createdAt,
    engine: state.engine,
    config: { ...state.config },
    epochsTrained: state.epochsCompleted,
    testAccuracy: state.history.epochs.at(-1)?.testAccuracy ?? null,
  };
  const written = await writeDirAtomic(
    dir,
    [
      { name: WEIGHTS_BIN, data: new Uint8Array(artifacts.weightData) },
      { name: OPTIMIZER_BIN, data: new Uint8Array(optimizer.data) },
      { name: MODEL_JSON, data: modelJsonText(artifacts, modelMeta) },
      // Last, though the folder appears all at once anyway: its presence marks a checkpoint.
      { name: CHECKPOINT_JSON, data: JSON.stringify(meta) },
    ],
    options,
  );
  return { ...written, meta };
}

/**
 * A compiled model in exactly the state the checkpoint recorded: the run's network built from
 * its seed, its weights set by name, and Adam's moments and step count restored.
 * The checkpoint must come from readCheckpoint() (already checked for sizes and finite values);
 * shape mismatches with this network are reported as ModelFileErrors.
 */
export async function restoreFromCheckpoint(cp: Checkpoint, file: string): Promise<tf.LayersModel> {
  const { config, optimizer } = cp.meta;
  const model = buildNetwork(config.network, config.seed);
  try {
    compileModel(model, config.learningRate, config.optimizer);
    const expected = model.weights.map((w) => `${w.originalName} ${JSON.stringify(w.shape)}`);
    const found = cp.model.weightSpecs.map((s) => `${s.name} ${JSON.stringify(s.shape)}`);
    if (expected.join() !== found.join())
      throw new ModelFileError(
        'format',
        `the checkpoint's weights (${found.join(', ')}) do not match the network (${expected.join(', ')})`,
        file,
      );
    const weights = tf.io.decodeWeights(cp.model.weightData, cp.model.weightSpecs);
    model.loadWeights(weights, true);
    tf.dispose(Object.values(weights));

    const slots = slotNames(model);
    const shapes = [...model.trainableWeights, ...model.trainableWeights].map((w) => w.shape);
    const mismatch = optimizer.weights.findIndex(
      (s, i) => s.name !== slots[i] || JSON.stringify(s.shape) !== JSON.stringify(shapes[i]),
    );
    if (optimizer.weights.length !== slots.length || mismatch >= 0)
      throw new ModelFileError(
        'format',
        `the checkpoint's optimizer state does not match the network (at ${optimizer.weights[mismatch]?.name ?? 'the count'})`,
        file,
      );
    if (optimizer.learningRate !== config.learningRate)
      throw new ModelFileError(
        'format',
        `the checkpoint's Adam learning rate ${optimizer.learningRate} differs from its settings' ${config.learningRate}`,
        file,
      );
    const moments = tf.io.decodeWeights(cp.optimizer, optimizer.weights);
    const named = [
      { name: 'iter', tensor: tf.scalar(optimizer.iterations, 'int32') },
      ...optimizer.weights.map((s) => ({ name: s.name, tensor: moments[s.name]! })),
    ];
    // setWeights turns each tensor into a variable sharing its data, so ours can go afterwards.
    await model.optimizer.setWeights(named);
    tf.dispose(named.map((n) => n.tensor));
    return model;
  } catch (e) {
    disposeModel(model);
    throw e;
  }
}
