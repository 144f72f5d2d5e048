// Saves a model as tfjs `model.json` + `weights.bin`, atomically: everything is written into a
// temporary folder beside the target and renamed into place, so a crash leaves the old model or
// the new one, never a mix.
import type * as tf from '@tensorflow/tfjs';
import { io } from '@tensorflow/tfjs';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** What we record beside the weights, in model.json's userDefinedMetadata. */
export interface ModelMeta {
  createdAt: string;
  engine: string;
  config: Record<string, number>;
  epochsTrained: number;
  testAccuracy: number | null;
}

export async function saveModelAtomic(
  model: tf.LayersModel,
  target: string,
  meta: ModelMeta,
): Promise<{ dir: string; bytes: number }> {
  const dir = resolve(target);
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(join(parent, `.${basename(dir)}.tmp-`));
  let bytes = 0;
  try {
    await model.save(
      io.withSaveHandler(async (artifacts) => {
        const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
        const json = {
          format: 'layers-model',
          generatedBy: 'CNN Studio',
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs }],
          userDefinedMetadata: meta,
        };
        // flush: the data is on disk before the rename makes it visible.
        await writeFile(join(tmp, WEIGHTS_BIN), weights, { flush: true });
        await writeFile(join(tmp, MODEL_JSON), JSON.stringify(json), { flush: true });
        bytes = weights.byteLength;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    await replaceDir(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { dir, bytes };
}

/** Moves `from` to `to`, replacing an existing `to` with one rename each way. */
async function replaceDir(from: string, to: string): Promise<void> {
  const exists = await stat(to).then(
    () => true,
    () => false,
  );
  if (!exists) return rename(from, to);
  const old = `${dirname(to)}/.${basename(to)}.old-${process.pid}-${Date.now()}`;
  await rename(to, old);
  await rename(from, to);
  await rm(old, { recursive: true, force: true });
}
