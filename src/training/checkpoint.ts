// Checkpoints with the optimizer's state, so a stopped, crashed or killed run resumes exactly,
// whichever optimizer it trains with (Adam, SGD, SGD with momentum, RMSprop).
// The folder format is in src/library/checkpoint-files.ts; this is the TensorFlow half.
//
// Adam in tfjs keeps, per trainable weight, a first moment m and a second moment v, plus an
// iteration count that fixes the bias correction (accBeta1 = beta1^(t+1), accBeta2 likewise).
// The m/v variables are created lazily by the first applyGradients, indexed by the position of
// each weight in the gradient list (the model's trainable weights, in order). getWeights()
// returns [iter, m_0..m_n, v_0..v_n]; setWeights() takes the same list, sets the iteration
// count, recomputes accBeta1/accBeta2 from it, and installs the moments as the slot variables,
// so a fresh optimizer restored before its first step continues exactly where the old one was
// (applyGradients only creates slots that are missing). Momentum and RMSprop work the same way
// with their own slots; SGD's only state is the step count.
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
import { modelJsonText } from '../library/model-json.ts';
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
import type { OptimizerName } from '../shared/network.ts';
import {
  OPTIMIZER_CLASS,
  OPTIMIZER_SLOTS,
  slotNames,
  type OptimizerState,
} from '../library/checkpoint-optimizer.ts';

export interface CheckpointState {
  runId: string;
  engine: string;
  config: TrainConfig;
  epochsCompleted: number;
  activeSeconds: number;
  history: { epochs: EpochRecord[]; batches: BatchRecord[] };
}

interface ConfiguredOptimizer extends tf.Optimizer {
  getConfig(): { learningRate: number; beta1?: number; beta2?: number; epsilon?: number };
  iterations: number;
}

const weightNames = (model: tf.LayersModel): string[] =>
  model.trainableWeights.map((w) => w.originalName);

/** The optimizer's slot variables as float32 bytes and their manifest, plus its scalars. */
async function optimizerState(model: tf.LayersModel, name: OptimizerName) {
  const optimizer = model.optimizer as ConfiguredOptimizer | undefined;
  const className = OPTIMIZER_CLASS[name];
  if (!optimizer || optimizer.getClassName() !== className)
    throw new Error(`the model's optimizer is not the ${className} its settings call for`);
  const weights = await optimizer.getWeights(); // [iter, slots...]
  const names = slotNames(className, weightNames(model));
  if (weights.length !== names.length + 1)
    throw new Error(
      `${className} holds ${weights.length - 1} slot variables; expected ${names.length} (has it taken a step?)`,
    );
  const slots = weights.slice(1).map((w, i) => ({ name: names[i]!, tensor: w.tensor }));
  const { data, specs } = await tf.io.encodeWeights(slots);
  tf.dispose(weights[0]!.tensor); // the iteration scalar is a fresh tensor; the slots are live variables
  const { learningRate, beta1, beta2, epsilon } = optimizer.getConfig();
  const meta: OptimizerState = {
    className,
    learningRate,
    ...(className === 'Adam' && { beta1, beta2, epsilon }),
    iterations: optimizer.iterations,
    weights: specs.map((s): WeightSpec => ({
      name: s.name,
      shape: [...s.shape],
      dtype: 'float32',
    })),
  };
  return { data, meta };
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
  const optimizer = await optimizerState(model, state.config.optimizer);
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
 * its seed, its weights set by name, and the optimizer's slots and step count restored.
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

    const slots = slotNames(optimizer.className, weightNames(model));
    const perSlot = OPTIMIZER_SLOTS[optimizer.className];
    const shapes = perSlot.flatMap(() => model.trainableWeights.map((w) => w.shape));
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
        `the checkpoint's ${optimizer.className} learning rate ${optimizer.learningRate} differs from its settings' ${config.learningRate}`,
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
