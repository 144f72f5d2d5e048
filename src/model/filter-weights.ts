// Reads the learned filters (the conv layers' kernel weights) by their stable layer names, as
// plain Float32Arrays. Not to be confused with src/engine/kernels/, which are compute kernels.
import type * as tf from '@tensorflow/tfjs';
import type { ConvLayerName, KernelSnapshot } from '../shared/events.ts';

export async function readFilterWeights(
  model: tf.LayersModel,
  layers: readonly ConvLayerName[] = ['conv1', 'conv2'],
): Promise<KernelSnapshot[]> {
  return Promise.all(
    layers.map(async (layer) => {
      // getWeights() returns the layer's own variables (no copy); data() downloads a copy.
      const kernel = model.getLayer(layer).getWeights()[0]!;
      const [h, w, i, o] = kernel.shape as [number, number, number, number];
      return { layer, shape: [h, w, i, o], values: (await kernel.data()) as Float32Array };
    }),
  );
}
