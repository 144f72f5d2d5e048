// Fine-tuning on "My handwriting", prepared for the trainer: the drawings split into those trained
// on and those held out (every fifth), the training set mixed with MNIST training images to limit
// forgetting, a copy of the current model (same network, same weights) with its convolutions
// frozen if asked, and the figures before: accuracy on the held-out drawings and on the test set.
// The run itself is an ordinary run (session.ts launches it); the current model is not touched
// until the run starts.
import type * as tf from '@tensorflow/tfjs';
import type { MnistData, MnistSplit } from '../data/mnist.ts';
import { shuffledIndices } from '../data/batch.ts';
import { buildNetwork, compileModel } from '../model/cnn.ts';
import { evaluate } from '../training/evaluate.ts';
import type { TrainConfig } from '../shared/config.ts';
import { BUNDLED, IMAGE_PIXELS, type DatasetInfo } from '../shared/dataset.ts';
import { EnvelopeError, envelope } from '../shared/errors.ts';
import {
  FINETUNE_MIN_DRAWINGS,
  isHeldOut,
  type FinetuneArg,
  type FinetuneStart,
} from '../shared/finetune.ts';
import type { HandwritingSet } from '../shared/handwriting.ts';
import type { NetworkSpec, OptimizerName } from '../shared/network.ts';

export interface PreparedFinetune {
  model: tf.LayersModel;
  config: TrainConfig;
  data: MnistData;
  start: FinetuneStart;
  heldOut: MnistSplit;
}

/** Picks images by index out of splits into one new split. */
function gather(parts: readonly { split: MnistSplit; indices: ArrayLike<number> }[]): MnistSplit {
  const count = parts.reduce((n, p) => n + p.indices.length, 0);
  const images = new Uint8Array(count * IMAGE_PIXELS);
  const labels = new Uint8Array(count);
  let k = 0;
  for (const { split, indices } of parts)
    for (let j = 0; j < indices.length; j++, k++) {
      const i = indices[j]!;
      images.set(split.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS), k * IMAGE_PIXELS);
      labels[k] = split.labels[i]!;
    }
  return { images, labels, count };
}

/** The drawings trained on and those held out (every fifth). */
export function splitHandwriting(set: HandwritingSet): { train: MnistSplit; heldOut: MnistSplit } {
  const all: MnistSplit = { images: set.images, labels: set.labels, count: set.count };
  const index = Array.from({ length: set.count }, (_, i) => i);
  return {
    train: gather([{ split: all, indices: index.filter((i) => !isHeldOut(i)) }]),
    heldOut: gather([{ split: all, indices: index.filter(isHeldOut) }]),
  };
}

/** `drawings` plus `perDrawing` MNIST training images for each (a seeded choice). */
export function mixWithMnist(
  drawings: MnistSplit,
  mnist: MnistSplit,
  perDrawing: number,
  seed: number,
): MnistSplit {
  const n = Math.min(mnist.count, drawings.count * perDrawing);
  const picked = shuffledIndices(mnist.count, seed).subarray(0, n);
  return gather([
    { split: drawings, indices: Array.from({ length: drawings.count }, (_, i) => i) },
    { split: mnist, indices: picked },
  ]);
}

/** A new model with `base`'s network and weights, convolutions frozen if asked, compiled. */
export function copyForFinetune(
  base: tf.LayersModel,
  network: NetworkSpec,
  freezeConv: boolean,
  learningRate: number,
  optimizer: OptimizerName,
): tf.LayersModel {
  const model = buildNetwork(network);
  // Layer by layer: a model's own getWeights() lists trainable weights first, so a base whose
  // convolutions were frozen by an earlier fine-tune would hand them over in another order.
  model.layers.forEach((layer, i) => layer.setWeights(base.layers[i]!.getWeights()));
  if (freezeConv)
    network.layers.forEach((l, i) => {
      if (l.kind === 'conv') model.layers[i]!.trainable = false;
    });
  compileModel(model, learningRate, optimizer);
  return model;
}

/**
 * Everything a fine-tune run needs, with the figures before it. `base` is the current model,
 * `trained` the settings it was last trained with (null for a loaded model with no history).
 */
export async function prepareFinetune(
  base: tf.LayersModel,
  network: NetworkSpec,
  trained: TrainConfig | null,
  set: HandwritingSet,
  /** The data now, with its name and classes. */
  mnist: MnistData & { info: DatasetInfo },
  arg: FinetuneArg,
  seed: number,
): Promise<PreparedFinetune> {
  // Your handwriting is digits: mixed with another dataset's images it would teach nonsense.
  if (mnist.info.classNames.join() !== BUNDLED.classNames.join())
    throw new EnvelopeError(
      envelope(
        'BAD_REQUEST',
        `Your handwriting is digits, but the data now is ${mnist.info.name}: choose MNIST as the data to fine-tune on it.`,
      ),
    );
  if (set.count < FINETUNE_MIN_DRAWINGS)
    throw new EnvelopeError(
      envelope(
        'BAD_REQUEST',
        `Fine-tuning needs at least ${FINETUNE_MIN_DRAWINGS} drawings of yours (you have ${set.count}): every fifth is kept aside to test on.`,
      ),
    );
  const { train, heldOut } = splitHandwriting(set);
  const mixed = mixWithMnist(train, mnist.train, arg.mnistPerDrawing, seed);
  const testLimit = trained?.testLimit ?? mnist.test.count;
  const before = {
    handwriting: (await evaluate(base, heldOut)).accuracy,
    test: (await evaluate(base, mnist.test, testLimit)).accuracy,
  };
  const optimizer = trained?.optimizer ?? 'adam';
  const model = copyForFinetune(base, network, arg.freezeConv, arg.learningRate, optimizer);
  const config: TrainConfig = {
    epochs: arg.epochs,
    // About ten steps an epoch, whatever the number of drawings.
    batchSize: Math.max(1, Math.min(50, Math.ceil(mixed.count / 10))),
    learningRate: arg.learningRate,
    trainLimit: mixed.count,
    testLimit,
    seed,
    network,
    optimizer,
  };
  const start: FinetuneStart = {
    freezeConv: arg.freezeConv,
    mnistPerDrawing: arg.mnistPerDrawing,
    drawings: train.count,
    heldOut: heldOut.count,
    mnistImages: mixed.count - train.count,
    before,
  };
  const data = { train: mixed, test: mnist.test, source: mnist.source };
  return { model, config, data, start, heldOut };
}
