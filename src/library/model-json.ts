// The model.json (and weights.bin) the app writes for a model, a checkpoint or a kept run's
// weights: tfjs's layers-model format, one weights file, our metadata.
import type { DirFile } from './atomic.ts';
import { MODEL_JSON, WEIGHTS_BIN, type ModelFiles } from './model-files.ts';

/** The model.json we write for a model: tfjs's layers-model format plus our metadata. */
export function modelJsonText(
  files: Pick<ModelFiles, 'modelTopology' | 'weightSpecs'>,
  meta: Record<string, unknown>,
): string {
  return JSON.stringify({
    format: 'layers-model',
    generatedBy: 'CNN Studio',
    convertedBy: null,
    modelTopology: files.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: files.weightSpecs }],
    userDefinedMetadata: meta,
  });
}

/** A model folder's two files: one weights.bin, and model.json with `meta`. */
export const modelFolderFiles = (files: ModelFiles, meta: Record<string, unknown>): DirFile[] => [
  { name: WEIGHTS_BIN, data: new Uint8Array(files.weightData) },
  { name: MODEL_JSON, data: modelJsonText(files, meta) },
];
