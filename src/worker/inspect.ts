// Looking inside the model for one drawing: the probabilities plus the conv1 and conv2
// activations (those the network has), in one forward pass; and test-set images by index for the
// confusion matrix.
//
// The probe is a second tf.LayersModel over the same layers (outputs at the shown convolutions and
// the logits), built once per model and kept in a WeakMap so it goes when the model goes. It owns no
// weights, and must never be disposed itself: LayersModel.dispose() would dispose the shared
// layers' weights, i.e. the real model's.
import * as tf from '@tensorflow/tfjs';
import type { MnistSplit } from '../data/mnist.ts';
import { probabilities } from '../model/cnn.ts';
import { shownConvLayers } from '../model/filter-weights.ts';
import type { ConvLayerName, TestImage } from '../shared/events.ts';
import type { FeatureMaps, Inspection } from '../shared/worker-protocol.ts';
import { IMAGE_PIXELS, batchShape } from '../shared/dataset.ts';

interface Probe {
  model: tf.LayersModel;
  /** The layers whose outputs come first, before the logits. */
  maps: ConvLayerName[];
}

const probes = new WeakMap<tf.LayersModel, Probe>();

function probeOf(model: tf.LayersModel): Probe {
  let probe = probes.get(model);
  if (!probe) {
    const maps = shownConvLayers(model);
    const outputs = [...maps.map((name) => model.getLayer(name).output), model.outputs[0]!];
    probe = {
      model: tf.model({
        inputs: model.inputs,
        outputs: outputs as tf.SymbolicTensor[],
        name: `${model.name}_probe`,
      }),
      maps,
    };
    probes.set(model, probe);
  }
  return probe;
}

/** Probabilities and feature maps for one 28×28 image (784 values in [0, 1]). */
export async function inspect(model: tf.LayersModel, pixels: Float32Array): Promise<Inspection> {
  const probe = probeOf(model);
  const outputs = tf.tidy(() => {
    const x = tf.tensor4d(pixels, batchShape(1));
    // A probe with one output (a network without convolutions) predicts a tensor, not a list.
    const out = [probe.model.predict(x)].flat();
    const logits = out.pop()!;
    return [...out, tf.softmax(logits)];
  });
  try {
    const values = await Promise.all(outputs.map((t) => t.data<'float32'>()));
    const maps: FeatureMaps[] = probe.maps.map((layer, i) => {
      const [, h, w, c] = outputs[i]!.shape as [number, number, number, number];
      return { layer, shape: [h, w, c], values: values[i]! };
    });
    return { probabilities: Array.from(values.at(-1)!), maps };
  } finally {
    tf.dispose(outputs);
  }
}

/** Test images by position, pixels copied out of the split. Throws RangeError past its end. */
export function testImages(split: MnistSplit, indices: readonly number[]): TestImage[] {
  return indices.map((index) => {
    if (!Number.isInteger(index) || index < 0 || index >= split.count)
      throw new RangeError(
        `Test image ${index} does not exist; the test set has ${split.count} images (0 to ${split.count - 1}).`,
      );
    return {
      index,
      label: split.labels[index]!,
      pixels: split.images.slice(index * IMAGE_PIXELS, (index + 1) * IMAGE_PIXELS),
    };
  });
}

/** The softmax probabilities of one 28×28 drawing. */
export async function predict(
  model: tf.LayersModel,
  pixels: Float32Array,
): Promise<{ probabilities: number[] }> {
  const out = tf.tidy(() => probabilities(model, tf.tensor4d(pixels, batchShape(1))));
  const values = Array.from(await out.data());
  out.dispose();
  return { probabilities: values };
}
