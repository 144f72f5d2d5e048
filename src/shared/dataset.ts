// The one description of the images and classes. Every size in the app (the IDX checks, batch
// buffers, tensor shapes, the model's input and output, the guards on the wire, the drawing's
// field) is derived from here, so a dataset of another size is an edit of this file alone.

export interface DatasetShape {
  readonly name: string;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classNames: readonly string[];
}

export const MNIST: DatasetShape = Object.freeze({
  name: 'MNIST',
  height: 28,
  width: 28,
  channels: 1,
  classNames: Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']),
});

/** The dataset the app trains on. */
export const DATASET = MNIST;

export const IMAGE_HEIGHT = DATASET.height;
export const IMAGE_WIDTH = DATASET.width;
export const IMAGE_CHANNELS = DATASET.channels;
/** Values per image: height × width × channels. */
export const IMAGE_PIXELS = IMAGE_HEIGHT * IMAGE_WIDTH * IMAGE_CHANNELS;
/** One image as a tensor: [height, width, channels] (NHWC without the batch). */
export const IMAGE_SHAPE = [IMAGE_HEIGHT, IMAGE_WIDTH, IMAGE_CHANNELS] as const;
export const NUM_CLASSES = DATASET.classNames.length;

/** A batch of `n` images as a tensor shape: [n, height, width, channels]. */
export const batchShape = (n: number): [number, number, number, number] => [n, ...IMAGE_SHAPE];

/**
 * The data a run trains on: the bundled MNIST or a folder of the four IDX files (28×28 grey
 * images, labels 0–9: Fashion-MNIST, KMNIST, your own), with class names from its labels.txt.
 */
export interface DatasetInfo {
  /** "MNIST" for the bundled set; a folder's name otherwise. */
  name: string;
  /** The folder read, or null for the bundled MNIST. */
  folder: string | null;
  /** One name per label, from labels.txt (or the digits when it has none). */
  classNames: string[];
  trainCount: number;
  testCount: number;
}

/** The bundled set, as the app describes it before the worker has read it. */
export const BUNDLED: DatasetInfo = Object.freeze({
  name: DATASET.name,
  folder: null,
  classNames: [...DATASET.classNames],
  trainCount: 60_000,
  testCount: 10_000,
});

/** A class name as labels.txt may give it: short, one line, printable. */
export const CLASS_NAME_MAX = 40;

/** Two datasets are the same for a model when their names and classes agree. */
export const sameDataset = (
  a: Pick<DatasetInfo, 'name' | 'classNames'>,
  b: Pick<DatasetInfo, 'name' | 'classNames'>,
): boolean => a.name === b.name && a.classNames.join('\n') === b.classNames.join('\n');
