// Loading a saved model: the folder is read and checked without TensorFlow first (model.json,
// manifest paths, byte lengths, finite weights; src/library/model-files.ts), then built into a
// brand-new model whose input and output shapes are checked again on the real graph. The caller
// swaps it in only when all of this succeeded, so a bad file never leaves a half-loaded model.
import * as tf from '@tensorflow/tfjs';
import { clip } from '../shared/errors.ts';
import {
  ModelFileError,
  checkInputShape,
  checkOutputShape,
  type ModelFiles,
} from '../library/model-files.ts';
import { readModelFolder } from '../library/model-folder.ts';

/** Frees a model and its optimizer (compile() with an optimizer object does not hand it over). */
export function disposeModel(model: tf.LayersModel | null): void {
  if (!model) return;
  const optimizer = model.optimizer as tf.Optimizer | undefined;
  model.dispose();
  optimizer?.dispose();
}

/** Builds a fresh model from checked files; throws a ModelFileError if tfjs cannot or the shapes are wrong. */
export async function buildFromFiles(files: ModelFiles, file: string): Promise<tf.LayersModel> {
  // A build that fails half way leaves what it made behind: the layers' variables and the weights
  // it decoded (25 MB per attempt for the tutorial network, until wasm ran out of memory). Tensors
  // made meanwhile are tracked in a scope of their own, and new variables found by name.
  const engine = tf.engine();
  const variablesBefore = new Set(Object.keys(engine.state.registeredVariables));
  engine.startScope('buildFromFiles');
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: files.modelTopology,
        weightSpecs: files.weightSpecs,
        weightData: files.weightData,
      }),
      { strict: true },
    );
  } catch (e) {
    engine.endScope();
    for (const [name, v] of Object.entries(engine.state.registeredVariables))
      if (!variablesBefore.has(name)) v.dispose();
    throw new ModelFileError(
      'format',
      // tfjs quotes the file's own text back, which may be any length.
      `the network in model.json cannot be built (${clip((e as Error).message, 1000)})`,
      file,
    );
  }
  engine.endScope(); // the model holds only variables, which a scope never frees
  try {
    if (model.inputs.length !== 1)
      throw new ModelFileError(
        'input-shape',
        `the model has ${model.inputs.length} inputs; CNN Studio needs one`,
        file,
      );
    checkInputShape(model.inputs[0]!.shape, file);
    if (model.outputs.length !== 1)
      throw new ModelFileError(
        'output-shape',
        `the model has ${model.outputs.length} outputs; CNN Studio needs one`,
        file,
      );
    checkOutputShape(model.outputs[0]!.shape, file);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** Reads, checks and builds the model in `dir`. */
export async function loadModelFolder(
  dir: string,
): Promise<{ model: tf.LayersModel; files: ModelFiles }> {
  const files = await readModelFolder(dir);
  const model = await buildFromFiles(files, dir);
  return { model, files };
}
