// Parsing and validation of MNIST-style IDX files (http://yann.lecun.com/exdb/mnist/).
// Everything is checked here so that training never starts on a bad file, and every failure
// is a DataError whose message names the file and says what is wrong in words a user can act on.
//
//   class DataError extends Error { file; kind; problem }
//   parseIdxImages(buf, file): { images: Uint8Array; count: number }   // idx3, 28x28 ubyte
//   parseIdxLabels(buf, file): Uint8Array                              // idx1, values 0..9
//   parseIdxPair(images, …, labels, …): both, and the same count
//   idxBytes(kind, data, count): the IDX file of images or labels (writing "My handwriting")
import { basename } from 'node:path';
import { IMAGE_HEIGHT, IMAGE_PIXELS, IMAGE_WIDTH, NUM_CLASSES } from '../shared/dataset.ts';

export const IMAGE_MAGIC = 2051; // 0x00000803: unsigned bytes, 3 dimensions
export const LABEL_MAGIC = 2049; // 0x00000801: unsigned bytes, 1 dimension
const ROWS = IMAGE_HEIGHT;
const COLS = IMAGE_WIDTH;
/** Bytes per image in an IDX file: one grey level per pixel. */
export const PIXELS = IMAGE_PIXELS;
export const IMAGE_HEADER_BYTES = 16;
export const LABEL_HEADER_BYTES = 8;
/** The first four bytes of a gzip stream read as a big-endian magic number (1f 8b 08 ..). */
const GZIP_PREFIX = 0x1f8b08;

/** What went wrong, for code that wants to react (or tests that want to be precise). */
export type DataProblemKind =
  | 'missing' // neither the raw nor the .gz file exists (or the folder does not)
  | 'unreadable' // it exists but could not be read (permissions, a directory, ...)
  | 'gzip' // a .gz file that does not decompress
  | 'magic' // not an IDX file of the expected type
  | 'dimensions' // images that are not 28x28
  | 'length' // shorter or longer than its header says
  | 'empty' // a valid header announcing zero items
  | 'count-mismatch' // images and labels files disagree on the count
  | 'label-range'; // a label outside 0..9

export class DataError extends Error {
  constructor(
    /** The path of the offending file (or folder, when the folder itself is missing). */
    readonly file: string,
    readonly kind: DataProblemKind,
    /** What is wrong, without the file name, e.g. "expected magic number 2049, found 2051 (...)". */
    readonly problem: string,
  ) {
    super(`${basename(file)}: ${problem}`);
    this.name = 'DataError';
  }
}

function magicHint(found: number, expected: number): string {
  if (expected === LABEL_MAGIC && found === IMAGE_MAGIC) return 'is this an images file?';
  if (expected === IMAGE_MAGIC && found === LABEL_MAGIC) return 'is this a labels file?';
  if (found >>> 8 === GZIP_PREFIX) return 'it looks gzip-compressed: add .gz to its name';
  return 'this is not an MNIST IDX file';
}

function readHeader(
  buf: Uint8Array,
  file: string,
  headerBytes: number,
  magic: number,
  what: string,
): DataView {
  if (buf.length < headerBytes)
    throw new DataError(
      file,
      'length',
      `file is only ${buf.length} bytes, too short for the ${headerBytes}-byte header of an ` +
        `IDX ${what} file (is the download incomplete?)`,
    );
  const view = new DataView(buf.buffer, buf.byteOffset, headerBytes);
  const found = view.getUint32(0); // IDX is big-endian
  if (found !== magic)
    throw new DataError(
      file,
      'magic',
      `expected magic number ${magic}, found ${found} (${magicHint(found, magic)})`,
    );
  return view;
}

export type IdxKind = 'images' | 'labels';

/** How an IDX file is laid out, read from its header alone (a gzipped file is checked early). */
export interface IdxLayout {
  headerBytes: number;
  count: number;
  itemBytes: number;
  /** The exact size the whole file must have. */
  totalBytes: number;
}

/**
 * Checks the header (magic, 28×28, a non-zero count) and says how big the file must be.
 * `buf` may be just the header: gzipped files are checked before they are unpacked.
 */
export function idxLayout(buf: Uint8Array, file: string, kind: IdxKind): IdxLayout {
  const images = kind === 'images';
  const headerBytes = images ? IMAGE_HEADER_BYTES : LABEL_HEADER_BYTES;
  const view = readHeader(buf, file, headerBytes, images ? IMAGE_MAGIC : LABEL_MAGIC, kind);
  const count = view.getUint32(4);
  if (images) {
    const rows = view.getUint32(8);
    const cols = view.getUint32(12);
    if (rows !== ROWS || cols !== COLS)
      throw new DataError(
        file,
        'dimensions',
        `expected ${ROWS}×${COLS} pixel images, found ${rows}×${cols} (only MNIST-sized images ` +
          `are supported)`,
      );
  }
  const what = images ? 'image' : 'label';
  if (count === 0) throw new DataError(file, 'empty', `header says the file holds no ${what}s`);
  const itemBytes = images ? PIXELS : 1;
  return { headerBytes, count, itemBytes, totalBytes: headerBytes + count * itemBytes };
}

function checkLength(buf: Uint8Array, file: string, layout: IdxLayout, what: string): void {
  const { count, totalBytes: expected } = layout;
  if (buf.length === expected) return;
  const promise = `its header promises ${count} ${what}s (${expected} bytes)`;
  const problem =
    buf.length < expected
      ? `file is ${buf.length} bytes but ${promise}: ${expected - buf.length} bytes are ` +
        `missing, so the file is truncated (download it again)`
      : `file is ${buf.length} bytes but ${promise}: ${buf.length - expected} unexpected extra ` +
        `bytes at the end (is it corrupted or from another data set?)`;
  throw new DataError(file, 'length', problem);
}

/**
 * Validates an idx3-ubyte images file and returns its pixels, one byte per pixel, row-major,
 * PIXELS bytes per image. `images` is a view into `buf` (no copy), so its byteOffset is 16.
 */
export function parseIdxImages(
  buf: Uint8Array,
  file: string,
): { images: Uint8Array; count: number } {
  const layout = idxLayout(buf, file, 'images');
  checkLength(buf, file, layout, 'image');
  const { count } = layout;
  // A plain Uint8Array view, not a Buffer, so callers never meet Buffer's differing semantics.
  const images = new Uint8Array(buf.buffer, buf.byteOffset + IMAGE_HEADER_BYTES, count * PIXELS);
  return { images, count };
}

/** Validates an idx1-ubyte labels file and returns a copy of its labels, each 0..9. */
export function parseIdxLabels(buf: Uint8Array, file: string): Uint8Array {
  const layout = idxLayout(buf, file, 'labels');
  checkLength(buf, file, layout, 'label');
  const { count } = layout;
  // Copied: the file is small and a copy owns its whole ArrayBuffer. Not buf.slice(): on a
  // Node Buffer that returns a view, not a copy.
  const labels = new Uint8Array(count);
  labels.set(buf.subarray(LABEL_HEADER_BYTES));
  for (let i = 0; i < count; i++) {
    const label = labels[i]!;
    if (label >= NUM_CLASSES)
      throw new DataError(
        file,
        'label-range',
        `label ${label} at position ${i} is outside 0–${NUM_CLASSES - 1} (is the file corrupted?)`,
      );
  }
  return labels;
}

/** An images file and its labels file, checked alone and against each other (the same count). */
export function parseIdxPair(
  imageBytes: Uint8Array,
  imagesFile: string,
  labelBytes: Uint8Array,
  labelsFile: string,
  /** What the images are called in the message: "drawings" (yours) or "images" (a folder's). */
  what: string,
): { images: Uint8Array; labels: Uint8Array } {
  const parsed = parseIdxImages(imageBytes, imagesFile);
  const labels = parseIdxLabels(labelBytes, labelsFile);
  if (labels.length !== parsed.count)
    throw new DataError(
      labelsFile,
      'count-mismatch',
      `holds ${labels.length} labels for ${parsed.count} ${what}`,
    );
  return { images: parsed.images, labels };
}

/** The IDX bytes of `count` images or labels (big-endian header, as MNIST's): the parsers' inverse. */
export function idxBytes(kind: IdxKind, data: Uint8Array, count: number): Uint8Array {
  const header = kind === 'images' ? IMAGE_HEADER_BYTES : LABEL_HEADER_BYTES;
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, kind === 'images' ? IMAGE_MAGIC : LABEL_MAGIC);
  view.setUint32(4, count);
  if (kind === 'images') {
    view.setUint32(8, IMAGE_HEIGHT);
    view.setUint32(12, IMAGE_WIDTH);
  }
  out.set(data, header);
  return out;
}
