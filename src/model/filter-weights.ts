// Reads the learned filters (the conv layers' kernel weights) by their stable layer names, as
// plain Float32Arrays. Not to be confused with src/engine/kernels/, which are compute kernels.
// A network without convolutions has no filters; when its first dense layer reads the image's
// pixels directly, each unit's weights are a picture of the image's size, which is shown instead
// (a lesson in itself: a plain network learns whole-digit templates, a CNN small strokes).
import type * as tf from '@tensorflow/tfjs';
import { IMAGE_SHAPE, IMAGE_PIXELS } from '../shared/dataset.ts';
import type { ConvLayerName, KernelSnapshot, PictureLayerName } from '../shared/events.ts';

const has = (model: tf.LayersModel, name: string): boolean =>
  model.layers.some((l) => l.name === name);

/** The convolutions the views show (filters, feature maps): conv1 and conv2, those there are. */
export const shownConvLayers = (model: tf.LayersModel): ConvLayerName[] =>
  (['conv1', 'conv2'] as const).filter((n) => has(model, n));

/** Which layers' weights can be drawn: conv1 and conv2 when present, else fc1 on the pixels. */
export function pictureLayers(model: tf.LayersModel): PictureLayerName[] {
  const convs = shownConvLayers(model);
  if (convs.length > 0) return convs;
  if (!has(model, 'fc1')) return [];
  const [inputs] = model.getLayer('fc1').getWeights()[0]!.shape;
  return inputs === IMAGE_PIXELS ? ['fc1'] : [];
}

export async function readFilterWeights(
  model: tf.LayersModel,
  layers: readonly PictureLayerName[] = pictureLayers(model),
): Promise<KernelSnapshot[]> {
  return Promise.all(
    layers.map(async (layer) => {
      // getWeights() returns the layer's own variables (no copy); data() downloads a copy.
      const kernel = model.getLayer(layer).getWeights()[0]!;
      const values = (await kernel.data()) as Float32Array;
      if (layer === 'fc1') {
        // [pixels, units] row-major is [height, width, channels, units]: the same numbers.
        const [h, w, c] = IMAGE_SHAPE;
        return { layer, shape: [h, w, c, kernel.shape[1]!], values };
      }
      const [h, w, i, o] = kernel.shape as [number, number, number, number];
      return { layer, shape: [h, w, i, o], values };
    }),
  );
}
