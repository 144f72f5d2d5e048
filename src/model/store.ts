// Saves a model as tfjs `model.json` + `weights.bin`, atomically: everything is written into a
// temporary folder beside the target and renamed into place, so a crash leaves the old model or
// the new one, never a mix (see src/library/atomic.ts for the steps and the recovery).
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../shared/config.ts';
import { writeDirAtomic, type AtomicOptions } from '../library/atomic.ts';
import { modelJsonText } from '../library/model-json.ts';
import { MODEL_JSON, WEIGHTS_BIN, type WeightSpec } from '../library/model-files.ts';

export { MODEL_JSON, WEIGHTS_BIN };

/** What we record beside the weights, in model.json's userDefinedMetadata. */
export interface ModelMeta {
  name?: string;
  createdAt: string;
  engine: string;
  /** The run's settings and network ({} for a model that was never trained here). */
  config: Partial<TrainConfig>;
  epochsTrained: number;
  testAccuracy: number | null;
  /** The data it learnt from; absent: the bundled MNIST. */
  dataset?: { name: string; classNames: string[] };
}

export interface Artifacts {
  modelTopology: Record<string, unknown>;
  weightSpecs: WeightSpec[];
  weightData: ArrayBuffer;
}

/**
 * The topology and a consistent copy of every weight. The copies are taken synchronously, so a
 * training batch cannot run between two of them even when a save is asked for mid-run.
 */
export async function modelArtifacts(model: tf.LayersModel): Promise<Artifacts> {
  const named = model.weights.map((w) => ({ name: w.originalName, tensor: w.read().clone() }));
  try {
    const { data, specs } = await tf.io.encodeWeights(named);
    return {
      modelTopology: model.toJSON(null, false) as Record<string, unknown>,
      weightSpecs: specs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: 'float32' })),
      weightData: data,
    };
  } finally {
    tf.dispose(named.map((n) => n.tensor));
  }
}

export async function saveModelAtomic(
  model: tf.LayersModel,
  target: string,
  meta: ModelMeta,
  options: AtomicOptions = {},
): Promise<{ dir: string; bytes: number }> {
  const artifacts = await modelArtifacts(model);
  const weights = new Uint8Array(artifacts.weightData);
  const { dir } = await writeDirAtomic(
    target,
    [
      { name: WEIGHTS_BIN, data: weights },
      { name: MODEL_JSON, data: modelJsonText(artifacts, { ...meta }) },
    ],
    options,
  );
  return { dir, bytes: weights.byteLength };
}
