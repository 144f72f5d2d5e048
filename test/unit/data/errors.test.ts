// Every way a data folder can be broken, each built from a real file copy in a temp folder:
// the DataError must name the file and the specific problem.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { DataError, parseIdxImages, parseIdxLabels } from '../../../src/data/idx.ts';
import { MAX_DATA_BYTES } from '../../../src/data/data-file.ts';
import { cleanup, dataFolder, expectDataError, readReal, tempDir, withUint32 } from './fixtures.ts';

const gzipAsync = promisify(gzip);
const TRAIN_LABELS = 'train-labels-idx1-ubyte';
const TEST_IMAGES = 't10k-images-idx3-ubyte';
const TEST_LABELS = 't10k-labels-idx1-ubyte';

describe('loadMnist rejects broken data with a DataError naming the file', () => {
  let trainLabels: Buffer;
  let testImages: Buffer;
  let testLabels: Buffer;

  before(async () => {
    [trainLabels, testImages, testLabels] = await Promise.all([
      readReal(TRAIN_LABELS),
      readReal(TEST_IMAGES),
      readReal(TEST_LABELS),
    ]);
  });
  after(cleanup);

  test('wrong magic: an images header in a labels file', async () => {
    const dir = await dataFolder({ [TRAIN_LABELS]: withUint32(trainLabels, 0, 2051) });
    const e = await expectDataError(
      dir,
      'magic',
      join(dir, TRAIN_LABELS),
      'train-labels-idx1-ubyte: expected magic number 2049, found 2051 (is this an images file?)',
    );
    assert.equal(e.problem, 'expected magic number 2049, found 2051 (is this an images file?)');
  });

  test('wrong magic: a labels file saved under the images name', async () => {
    const dir = await dataFolder({ [TEST_IMAGES]: testLabels });
    await expectDataError(
      dir,
      'magic',
      join(dir, TEST_IMAGES),
      /expected magic number 2051, found 2049 \(is this a labels file\?\)/,
    );
  });

  test('wrong magic: a gzipped file without the .gz name gets a hint', async () => {
    const dir = await dataFolder({ [TEST_LABELS]: await gzipAsync(testLabels) });
    await expectDataError(dir, 'magic', join(dir, TEST_LABELS), /add \.gz to its name/);
  });

  test('wrong dimensions: 32 rows instead of 28', async () => {
    const dir = await dataFolder({ [TEST_IMAGES]: withUint32(testImages, 8, 32) });
    await expectDataError(
      dir,
      'dimensions',
      join(dir, TEST_IMAGES),
      /expected 28×28 pixel images, found 32×28/,
    );
  });

  test('truncated images file: the last 100 bytes missing', async () => {
    const dir = await dataFolder({
      [TEST_IMAGES]: testImages.subarray(0, testImages.length - 100),
    });
    await expectDataError(
      dir,
      'length',
      join(dir, TEST_IMAGES),
      /file is 7839916 bytes but its header promises 10000 images \(7840016 bytes\): 100 bytes are missing, so the file is truncated/,
    );
  });

  test('truncated inside the header', async () => {
    const dir = await dataFolder({ [TEST_IMAGES]: testImages.subarray(0, 10) });
    await expectDataError(
      dir,
      'length',
      join(dir, TEST_IMAGES),
      /file is only 10 bytes, too short for the 16-byte header/,
    );
  });

  test('extra bytes after the labels', async () => {
    const padded = Buffer.concat([testLabels, Buffer.from([1, 2, 3])]);
    const dir = await dataFolder({ [TEST_LABELS]: padded });
    await expectDataError(
      dir,
      'length',
      join(dir, TEST_LABELS),
      /file is 10011 bytes but its header promises 10000 labels \(10008 bytes\): 3 unexpected extra bytes/,
    );
  });

  test('a header announcing zero images', async () => {
    const dir = await dataFolder({ [TEST_IMAGES]: withUint32(testImages.subarray(0, 16), 4, 0) });
    await expectDataError(dir, 'empty', join(dir, TEST_IMAGES), /holds no images/);
  });

  test('count mismatch: 9 999 well-formed labels for 10 000 images', async () => {
    const short = withUint32(testLabels.subarray(0, testLabels.length - 1), 4, 9999);
    const dir = await dataFolder({ [TEST_LABELS]: short });
    await expectDataError(
      dir,
      'count-mismatch',
      join(dir, TEST_LABELS),
      new RegExp(`holds 9999 labels but 10000 images are in .*${TEST_IMAGES}`),
    );
  });

  test('a label of 10', async () => {
    const bad = new Uint8Array(testLabels);
    bad[8 + 123] = 10;
    const dir = await dataFolder({ [TEST_LABELS]: bad });
    await expectDataError(
      dir,
      'label-range',
      join(dir, TEST_LABELS),
      't10k-labels-idx1-ubyte: label 10 at position 123 is outside 0–9 (is the file corrupted?)',
    );
  });

  test('a problem inside a .gz file names the .gz file', async () => {
    const bad = new Uint8Array(testLabels);
    bad[8 + 5] = 200;
    const dir = await dataFolder({ [`${TEST_LABELS}.gz`]: await gzipAsync(bad) });
    await expectDataError(dir, 'label-range', join(dir, `${TEST_LABELS}.gz`), /label 200/);
  });

  test('a missing file (neither raw nor .gz)', async () => {
    const dir = await dataFolder({ [TEST_LABELS]: null });
    await expectDataError(
      dir,
      'missing',
      join(dir, TEST_LABELS),
      `t10k-labels-idx1-ubyte: file not found in ${dir} (looked for t10k-labels-idx1-ubyte and t10k-labels-idx1-ubyte.gz)`,
    );
  });

  test('a missing folder', async () => {
    const dir = join(await tempDir(), 'no-such-folder');
    await expectDataError(dir, 'missing', dir, /the data folder .*no-such-folder does not exist/);
  });

  test('a file where a folder should be', async () => {
    const dir = await dataFolder();
    const file = join(dir, TRAIN_LABELS);
    await expectDataError(file, 'unreadable', file, /is a file, not a data folder/);
  });

  test('a truncated gzip file', async () => {
    const gz = await gzipAsync(testImages);
    const dir = await dataFolder({ [`${TEST_IMAGES}.gz`]: gz.subarray(0, gz.length >> 1) });
    await expectDataError(
      dir,
      'gzip',
      join(dir, `${TEST_IMAGES}.gz`),
      /t10k-images-idx3-ubyte\.gz: is not a valid gzip file \(unexpected end of file\)/,
    );
  });

  test('a .gz file that is not gzip at all', async () => {
    const dir = await dataFolder({ [`${TEST_LABELS}.gz`]: testLabels });
    await expectDataError(
      dir,
      'gzip',
      join(dir, `${TEST_LABELS}.gz`),
      /is not a valid gzip file .*fetch it again/,
    );
  });

  // A 1 MB gzip bomb once reached 2.35 GB of memory before its header was looked at.
  test('a gzip bomb with no IDX header is refused after its first bytes', async () => {
    const bomb = await gzipAsync(Buffer.alloc(MAX_DATA_BYTES + 1)); // ~130 kB packed
    const dir = await dataFolder({ [`${TEST_IMAGES}.gz`]: bomb });
    await rm(join(dir, TEST_IMAGES), { force: true });
    await expectDataError(dir, 'magic', join(dir, `${TEST_IMAGES}.gz`), /found 0/);
  });

  test('a gzip bomb behind a valid header stops at the size the header promises', async () => {
    const header = withUint32(testImages.subarray(0, 16), 4, 10);
    const bomb = await gzipAsync(Buffer.concat([header, Buffer.alloc(MAX_DATA_BYTES)]));
    const dir = await dataFolder({ [`${TEST_IMAGES}.gz`]: bomb });
    await rm(join(dir, TEST_IMAGES), { force: true });
    await expectDataError(
      dir,
      'length',
      join(dir, `${TEST_IMAGES}.gz`),
      /unpacks to more than the 7856 bytes its header promises \(10 items\)/,
    );
  });

  test('a header promising more than 128 MB is refused before unpacking', async () => {
    const header = withUint32(testImages.subarray(0, 16), 4, 200_000);
    const dir = await dataFolder({ [`${TEST_IMAGES}.gz`]: await gzipAsync(header) });
    await rm(join(dir, TEST_IMAGES), { force: true });
    await expectDataError(
      dir,
      'length',
      join(dir, `${TEST_IMAGES}.gz`),
      /header promises 200000 images, which is more than 128 MB/,
    );
  });

  test('a raw file over 128 MB is refused before it is read', async () => {
    const dir = await dataFolder();
    const file = join(dir, TEST_LABELS);
    await rm(file);
    await writeFile(file, '');
    await truncate(file, MAX_DATA_BYTES + 1); // sparse: no 128 MB is written
    await expectDataError(dir, 'length', file, /the file holds more than 128 MB/);
  });

  test('a pipe given as a data file is refused at once instead of blocking forever', async (t) => {
    if (process.platform === 'win32') return t.skip('no mkfifo on Windows');
    const dir = await dataFolder();
    const fifo = join(dir, TEST_LABELS);
    await rm(fifo);
    execFileSync('mkfifo', [fifo]);
    await expectDataError(
      dir,
      'unreadable',
      fifo,
      /is not a regular file \(a folder, pipe or device\)/,
    );
  });

  test('with several broken files the first in a fixed order is reported', async () => {
    const dir = await dataFolder({
      [TEST_LABELS]: null,
      [TRAIN_LABELS]: withUint32(trainLabels, 0, 2051),
    });
    await expectDataError(dir, 'magic', join(dir, TRAIN_LABELS), /magic/);
  });
});

describe('the parsers on their own', () => {
  test('parseIdxLabels copies the labels, so they do not alias the file buffer', async () => {
    const file = await readReal(TEST_LABELS);
    const labels = parseIdxLabels(file, TEST_LABELS);
    assert.equal(labels.length, 10_000);
    assert.equal(labels.byteOffset, 0);
    assert.equal(labels.buffer.byteLength, 10_000);
    file[8] = 9;
    assert.equal(labels[0], 7, 'changing the file bytes does not change the labels');
  });

  test('parseIdxImages returns a view that skips the 16-byte header', async () => {
    const file = await readReal(TEST_IMAGES);
    const { images, count } = parseIdxImages(file, TEST_IMAGES);
    assert.equal(count, 10_000);
    assert.equal(images.length, 10_000 * 784);
    assert.equal(images[0], file[16]);
    assert.equal(images[images.length - 1], file[file.length - 1]);
  });

  test('an empty buffer is a DataError, not a RangeError from DataView', () => {
    assert.throws(
      () => parseIdxLabels(new Uint8Array(0), 'x-labels'),
      (e) => e instanceof DataError && e.kind === 'length' && e.file === 'x-labels',
    );
  });
});
