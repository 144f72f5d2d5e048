// Networks built with the tfjs layers API from their spec (src/shared/network.ts), the
// TensorFlow tutorial's among them; the optimizers; logits and probabilities.
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SHAPE, NUM_CLASSES } from '../shared/dataset.ts';
import { assertNever } from '../shared/guard.ts';
import { FusedAdamOptimizer } from './fused-adam.ts';
import {
  tutorialNetwork,
  MOMENTUM,
  type LayerSpec,
  type NetworkSpec,
  type OptimizerName,
} from '../shared/network.ts';
import { layerNames } from '../shared/network-shapes.ts';

/**
 * Builds any valid network (src/shared/network.ts; check it with checkNetwork first) for the
 * dataset's images. Layer names come from layerNames (conv1, pool1, ..., fc1, fc2): the worker
 * reads kernels and feature maps by them. Weighted layers are initialised Glorot-uniform with
 * seed × 16 + their rank among weighted layers, so a seed repeats a run and layers differ.
 * The network outputs logits and the loss is softmax cross-entropy on logits, as in the tutorial
 * (tf.nn.softmax_cross_entropy_with_logits). Besides being exact, this keeps a diverged run
 * visible: Keras-style softmax + clipped cross-entropy turns NaN into a finite loss on wasm.
 * Use `probabilities()` for predictions.
 */
export function buildNetwork(spec: NetworkSpec, seed = 42): tf.LayersModel {
  const model = tf.sequential({ name: 'mnist_cnn' });
  const names = layerNames(spec.layers);
  let weighted = 0;
  const init = () => tf.initializers.glorotUniform({ seed: seed * 16 + ++weighted });
  spec.layers.forEach((l, i) => {
    const first = i === 0 ? { inputShape: [...IMAGE_SHAPE] } : {};
    const name = names[i]!;
    model.add(layerOf(l, name, first, init));
  });
  return model;
}

function layerOf(
  l: LayerSpec,
  name: string,
  first: { inputShape?: number[] },
  init: () => ReturnType<typeof tf.initializers.glorotUniform>,
): tf.layers.Layer {
  switch (l.kind) {
    case 'conv':
      return tf.layers.conv2d({
        name,
        ...first,
        filters: l.filters,
        kernelSize: l.kernel,
        strides: l.stride,
        padding: l.padding,
        activation: l.activation,
        kernelInitializer: init(),
      });
    case 'maxpool':
    case 'avgpool': {
      const args = { name, ...first, poolSize: l.size, strides: l.stride, padding: l.padding };
      return l.kind === 'maxpool' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args);
    }
    case 'flatten':
      return tf.layers.flatten({ name, ...first });
    case 'dense':
      return tf.layers.dense({
        name,
        ...first,
        units: l.units,
        activation: l.activation,
        kernelInitializer: init(),
      });
    case 'dropout':
      return tf.layers.dropout({ name, ...first, rate: l.rate });
    default:
      return assertNever(l, 'layer kind');
  }
}

/**
 * The TensorFlow "Deep MNIST for experts" network, exactly: conv 5x5x32 SAME ReLU -> maxpool
 * 2x2/2 -> conv 5x5x64 SAME ReLU -> maxpool 2x2/2 -> flatten (7*7*64 = 3136; the tutorial's text
 * says 3164, a typo) -> dense 1000 ReLU -> dense 10.
 */
export const buildModel = (seed = 42): tf.LayersModel =>
  buildNetwork(tutorialNetwork(NUM_CLASSES), seed);

/** Mean softmax cross-entropy of one-hot labels and logits. */
export const softmaxCrossEntropy = (labels: tf.Tensor, logits: tf.Tensor): tf.Tensor =>
  tf.losses.softmaxCrossEntropy(labels, logits);

export function optimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      return new FusedAdamOptimizer(learningRate, 0.9, 0.999);
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, MOMENTUM);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    default:
      return assertNever(name, 'optimizer');
  }
}

/** The optimizer (the tutorial: Adam, 1e-4); softmax cross-entropy; accuracy. */
export function compileModel(
  model: tf.LayersModel,
  learningRate: number,
  name: OptimizerName = 'adam',
): void {
  model.compile({
    optimizer: optimizer(name, learningRate),
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
