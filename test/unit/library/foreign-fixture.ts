// Model folders written with plain tfjs, not by our code: the network of tfjs-examples'
// mnist-node, saved as tfjs's file:// handler saves (model.json + group1-shard1of1.bin), for the
// import tests (unit and end to end).
import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** tfjs-examples' mnist-node network, built and saved with plain tfjs as that script does. */
export function mnistNode(): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
  );
  model.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: [2, 2] }));
  model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: [2, 2] }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dropout({ rate: 0.25 }));
  model.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

/** Writes `model` as tfjs's file:// handler does (model.json + one shard), then edits the JSON. */
export async function saveForeign(
  model: tf.LayersModel,
  dir: string,
  edit?: (j: Json) => void,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const json: Json = {
        format: 'layers-model',
        generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
        convertedBy: null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
      };
      edit?.(json);
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      await writeFile(
        join(dir, 'group1-shard1of1.bin'),
        new Uint8Array(a.weightData as ArrayBuffer),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return dir;
}
