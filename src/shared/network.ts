// A network as data: a list of layers a learner can edit, save and send, from which the worker
// builds the tfjs model (src/model/build.ts), the shapes are computed before anything trains
// (./network-shapes.ts) and saved models are read back. The input comes from the dataset
// (./dataset.ts); the last layer is a dense layer with one output per class whose outputs are the
// logits (softmax is part of the loss). Plain data only: this folder imports nothing.

export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'linear';
export const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid', 'linear'];
export type Padding = 'same' | 'valid';
export const PADDINGS: readonly Padding[] = ['same', 'valid'];

export type LayerSpec =
  | {
      kind: 'conv';
      filters: number;
      kernel: number;
      stride: number;
      padding: Padding;
      activation: Activation;
    }
  | { kind: 'maxpool' | 'avgpool'; size: number; stride: number; padding: Padding }
  | { kind: 'flatten' }
  | { kind: 'dense'; units: number; activation: Activation }
  | { kind: 'dropout'; rate: number };

export type LayerKind = LayerSpec['kind'];
export const LAYER_KINDS: readonly LayerKind[] = [
  'conv',
  'maxpool',
  'avgpool',
  'flatten',
  'dense',
  'dropout',
];

export interface NetworkSpec {
  layers: LayerSpec[];
}

export type OptimizerName = 'adam' | 'sgd' | 'momentum' | 'rmsprop';
export const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'sgd', 'momentum', 'rmsprop'];
export const OPTIMIZER_LABELS: Readonly<Record<OptimizerName, string>> = {
  adam: 'Adam',
  sgd: 'SGD',
  momentum: 'SGD + momentum',
  rmsprop: 'RMSprop',
};
/** SGD with momentum's momentum, the usual value (the optimizer's name stays short). */
export const MOMENTUM = 0.9;

/** What each field of a layer may be: the editor's inputs and the guards read the same ranges. */
export const LAYER_LIMITS = Object.freeze({
  filters: [1, 256],
  kernel: [1, 11],
  stride: [1, 4],
  poolSize: [1, 8],
  units: [1, 4096],
  rate: [0, 0.9],
  layers: [1, 32],
} as const);

/** Above this many weights a network is refused: it would not train in a lesson's time. */
export const MAX_PARAMS = 50_000_000;
/** Above this estimate of training memory (weights, gradients, optimizer state, activations). */
export const MAX_MEMORY_BYTES = 3 * 1024 ** 3;

const conv = (filters: number, kernel = 5): LayerSpec => ({
  kind: 'conv',
  filters,
  kernel,
  stride: 1,
  padding: 'same',
  activation: 'relu',
});
// VALID, as the app has always built it: on 28 and 14 (even sizes) SAME pads nothing and gives the
// same 14 and 7 the tutorial's SAME pooling does, so the tutorial network is unchanged.
const pool: LayerSpec = { kind: 'maxpool', size: 2, stride: 2, padding: 'valid' };
const dense = (units: number, activation: Activation = 'relu'): LayerSpec => ({
  kind: 'dense',
  units,
  activation,
});
const flatten: LayerSpec = { kind: 'flatten' };

/** The output layer for `classes` classes: its outputs are the logits. */
export const outputLayer = (classes: number): LayerSpec => dense(classes, 'linear');

/** The TensorFlow "Deep MNIST for experts" network (for a dataset of `classes` classes). */
export const tutorialNetwork = (classes = 10): NetworkSpec => ({
  layers: [conv(32), pool, conv(64), pool, flatten, dense(1000), outputLayer(classes)],
});

export interface Preset {
  id: string;
  name: string;
  /** One sentence for the picker. */
  description: string;
  network: NetworkSpec;
  /** A preset carries its own optimizer settings: the tutorial's plain network needs SGD at 0.5. */
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  epochs: number;
}

export const PRESETS: readonly Preset[] = Object.freeze([
  {
    id: 'tutorial-cnn',
    name: 'Tutorial CNN',
    description: 'The TensorFlow tutorial network: two 5×5 convolutions, two poolings, ~99%.',
    network: tutorialNetwork(),
    optimizer: 'adam',
    learningRate: 1e-4,
    batchSize: 50,
    epochs: 10,
  },
  {
    id: 'standard-nn',
    name: 'Standard NN',
    description: 'The tutorial series’ plain network: 784 → 300 ReLU → 10, plain SGD, ~98%.',
    network: { layers: [flatten, dense(300), outputLayer(10)] },
    optimizer: 'sgd',
    learningRate: 0.5,
    batchSize: 100,
    epochs: 10,
  },
  {
    id: 'tiny-cnn',
    name: 'Tiny CNN',
    description: 'Eight 3×3 filters, one pooling and a small dense layer: trains in seconds.',
    network: {
      layers: [conv(8, 3), pool, flatten, dense(32), outputLayer(10)],
    },
    optimizer: 'adam',
    learningRate: 1e-3,
    batchSize: 50,
    epochs: 2,
  },
  {
    id: 'cnn-dropout',
    name: 'CNN + dropout',
    description: 'The tutorial network with dropout (rate 0.5) before its output layer.',
    network: {
      layers: [
        conv(32),
        pool,
        conv(64),
        pool,
        flatten,
        dense(1000),
        { kind: 'dropout', rate: 0.5 },
        outputLayer(10),
      ],
    },
    optimizer: 'adam',
    learningRate: 1e-4,
    batchSize: 50,
    epochs: 10,
  },
]);

export const presetById = (id: string): Preset | undefined => PRESETS.find((p) => p.id === id);

/** The same layers with the same settings (describeLayer names every field of a layer). */
export const sameNetwork = (a: NetworkSpec, b: NetworkSpec): boolean =>
  a.layers.length === b.layers.length &&
  a.layers.every((l, i) => describeLayer(l) === describeLayer(b.layers[i]!));

/** The preset whose network this is, or null for a network the learner edited ("custom"). */
export const presetOf = (network: NetworkSpec): Preset | null =>
  PRESETS.find((p) => sameNetwork(p.network, network)) ?? null;

/** A short name for one layer, as the editor and the messages say it: "conv 5×5×32, stride 1". */
export function describeLayer(l: LayerSpec): string {
  switch (l.kind) {
    case 'conv':
      return `conv ${l.kernel}×${l.kernel}×${l.filters}, stride ${l.stride}, ${l.padding}, ${l.activation}`;
    case 'maxpool':
    case 'avgpool':
      return `${l.kind === 'maxpool' ? 'max' : 'average'} pool ${l.size}×${l.size}, stride ${l.stride}, ${l.padding}`;
    case 'flatten':
      return 'flatten';
    case 'dense':
      return `dense ${l.units}, ${l.activation}`;
    case 'dropout':
      return `dropout ${l.rate}`;
  }
}
