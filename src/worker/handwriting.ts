// "My handwriting" on disk and under test: the learner's labelled drawings as two IDX files in
// the app's data folder (the format MNIST ships in, so any MNIST tool reads them), written
// atomically after every change, and the current model's answers on all of them. A damaged file
// is refused by name and never overwritten: the learner's drawings are not lost to a bad byte.
import * as tf from '@tensorflow/tfjs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, idxBytes, parseIdxPair } from '../data/idx.ts';
import { writeDirAtomic, writeFileAtomic } from '../library/atomic.ts';
import { logits } from '../model/cnn.ts';
import { IMAGE_PIXELS, NUM_CLASSES, batchShape } from '../shared/dataset.ts';
import { EnvelopeError, envelope } from '../shared/errors.ts';
import {
  HANDWRITING_MAX,
  MIN_INK,
  inkOf,
  type HandwritingEdit,
  type HandwritingSet,
  type HandwritingTest,
} from '../shared/handwriting.ts';

export const IMAGES_FILE = 'handwriting-images-idx3-ubyte';
export const LABELS_FILE = 'handwriting-labels-idx1-ubyte';
/** The folder an export writes (inside the folder the user picks). */
export const EXPORT_FOLDER = 'my-handwriting';

const refuse = (
  code: 'BAD_REQUEST' | 'BAD_DATA' | 'NAME_TAKEN' | 'NOT_FOUND',
  message: string,
  detail?: string,
): never => {
  throw new EnvelopeError(envelope(code, message, detail));
};

export class Handwriting {
  constructor(private readonly dir: string | null) {}

  private folder(): string {
    return this.dir ?? refuse('BAD_REQUEST', 'No folder is set up here for your handwriting.');
  }

  /** The set as it is on disk; empty when nothing was added yet. */
  async read(): Promise<HandwritingSet> {
    const folder = this.folder();
    const [images = null, labels = null] = await Promise.all(
      [IMAGES_FILE, LABELS_FILE].map((f) =>
        readFile(join(folder, f)).then(
          (b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
          (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)),
        ),
      ),
    );
    if (images === null && labels === null)
      return { folder, count: 0, images: new Uint8Array(0), labels: new Uint8Array(0) };
    try {
      if (images === null || labels === null)
        throw new DataError(
          join(folder, images === null ? IMAGES_FILE : LABELS_FILE),
          'missing',
          `is missing while ${images === null ? LABELS_FILE : IMAGES_FILE} is there`,
        );
      const pair = parseIdxPair(
        images,
        join(folder, IMAGES_FILE),
        labels,
        join(folder, LABELS_FILE),
        'drawings',
      );
      return {
        folder,
        count: pair.labels.length,
        images: pair.images.slice(),
        labels: pair.labels,
      };
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      return refuse(
        'BAD_DATA',
        `Your handwriting could not be read: ${e.message}. Nothing was changed; move the file away to start a new collection.`,
        e.file,
      );
    }
  }

  /** Adds, deletes or relabels a drawing, then writes the set; returns it. */
  async edit(edit: HandwritingEdit): Promise<HandwritingSet> {
    const set = await this.read(); // a damaged set is refused here, before anything is written
    let { images, labels } = set;
    switch (edit.type) {
      case 'add': {
        if (inkOf(edit.pixels) < MIN_INK)
          refuse('BAD_REQUEST', 'The drawing is empty, or nearly: draw a digit, then add it.');
        if (set.count >= HANDWRITING_MAX)
          refuse(
            'BAD_REQUEST',
            `Your handwriting holds ${HANDWRITING_MAX} drawings, the most it keeps: delete some first.`,
          );
        const bytes = Uint8Array.from(edit.pixels, (v) => Math.round(v * 255));
        images = concat(images, bytes);
        labels = concat(labels, Uint8Array.of(edit.label));
        break;
      }
      case 'delete':
        this.check(edit.index, set.count);
        images = concat(
          images.subarray(0, edit.index * IMAGE_PIXELS),
          images.subarray((edit.index + 1) * IMAGE_PIXELS),
        );
        labels = concat(labels.subarray(0, edit.index), labels.subarray(edit.index + 1));
        break;
      case 'relabel':
        this.check(edit.index, set.count);
        labels = labels.slice();
        labels[edit.index] = edit.label;
        break;
    }
    return this.write(labels.length, images, labels);
  }

  /** Writes the set as `<folder>/my-handwriting/` (the two IDX files); never over a folder there. */
  async exportTo(folder: string): Promise<{ path: string }> {
    const set = await this.read();
    if (set.count === 0)
      refuse('BAD_REQUEST', 'Your handwriting is empty: there is nothing to export.');
    try {
      const { dir } = await writeDirAtomic(
        join(folder, EXPORT_FOLDER),
        [
          { name: IMAGES_FILE, data: idxBytes('images', set.images, set.count) },
          { name: LABELS_FILE, data: idxBytes('labels', set.labels, set.count) },
        ],
        { exclusive: true },
      );
      return { path: dir };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      return refuse(
        'NAME_TAKEN',
        `The folder ${folder} already contains "${EXPORT_FOLDER}". Choose another folder.`,
      );
    }
  }

  /**
   * Adds the drawings of a folder holding one *images-idx3-ubyte and one *labels-idx1-ubyte file
   * (an export of this app, or any MNIST-format pair) after checking both; nothing changes if
   * either is damaged or the set would grow past HANDWRITING_MAX.
   */
  async importFrom(folder: string): Promise<HandwritingSet> {
    const set = await this.read();
    const names = await readdir(folder).catch((e: NodeJS.ErrnoException) =>
      refuse('NOT_FOUND', `The folder ${folder} cannot be read (${e.code ?? e.message}).`),
    );
    const pick = (suffix: string, what: string): string => {
      const found = names.filter((n) => n.endsWith(suffix));
      if (found.length !== 1)
        refuse(
          'BAD_DATA',
          `The folder ${folder} must hold exactly one ${what} file (…${suffix}); it holds ${found.length}.`,
        );
      return join(folder, found[0]!);
    };
    const imagesFile = pick('images-idx3-ubyte', 'images');
    const labelsFile = pick('labels-idx1-ubyte', 'labels');
    let images: Uint8Array;
    let labels: Uint8Array;
    try {
      const [imageBytes, labelBytes] = await Promise.all([
        readFile(imagesFile),
        readFile(labelsFile),
      ]);
      ({ images, labels } = parseIdxPair(
        new Uint8Array(imageBytes),
        imagesFile,
        new Uint8Array(labelBytes),
        labelsFile,
        'images',
      ));
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      return refuse(
        'BAD_DATA',
        `Those drawings could not be read: ${e.message}. Your handwriting is unchanged.`,
        e.file,
      );
    }
    if (set.count + labels.length > HANDWRITING_MAX)
      refuse(
        'BAD_REQUEST',
        `Adding ${labels.length} drawings to your ${set.count} would pass the ${HANDWRITING_MAX} kept: delete some first.`,
      );
    return this.write(
      set.count + labels.length,
      concat(set.images, images),
      concat(set.labels, labels),
    );
  }

  private check(index: number, count: number): void {
    if (index >= count)
      refuse('BAD_REQUEST', `There is no drawing ${index + 1}: your handwriting holds ${count}.`);
  }

  private async write(
    count: number,
    images: Uint8Array,
    labels: Uint8Array,
  ): Promise<HandwritingSet> {
    const folder = this.folder();
    if (count === 0) {
      // IDX has no empty file (a zero count is refused on reading): an empty set is no files.
      await rm(join(folder, LABELS_FILE), { force: true });
      await rm(join(folder, IMAGES_FILE), { force: true });
    } else {
      await mkdir(folder, { recursive: true });
      // Images first: a crash between the two leaves a count mismatch, which is refused and said.
      await writeFileAtomic(join(folder, IMAGES_FILE), idxBytes('images', images, count));
      await writeFileAtomic(join(folder, LABELS_FILE), idxBytes('labels', labels, count));
    }
    return { folder, count, images, labels };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The model's answer for every drawing, and the confusion matrix of those answers. */
export async function testHandwriting(
  model: tf.LayersModel,
  set: HandwritingSet,
): Promise<HandwritingTest> {
  if (set.count === 0) refuse('BAD_REQUEST', 'Add some drawings to your handwriting first.');
  const out = tf.tidy(() =>
    logits(
      model,
      tf.tensor4d(
        Float32Array.from(set.images, (p) => p / 255),
        batchShape(set.count),
      ),
    ).argMax(1),
  );
  const predicted = Array.from(await out.data());
  out.dispose();
  const matrix = new Array<number>(NUM_CLASSES * NUM_CLASSES).fill(0);
  let correct = 0;
  predicted.forEach((p, i) => {
    const label = set.labels[i]!;
    matrix[label * NUM_CLASSES + p]!++;
    if (p === label) correct++;
  });
  return { count: set.count, correct, matrix, predicted };
}
