// "My handwriting" on disk and under test: IDX files any MNIST reader takes (read back here with
// the app's own MNIST parser), every edit, the refusals (a nearly empty drawing, a damaged file,
// which is never overwritten), and the current model's answers on the set.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { idxBytes, parseIdxImages, parseIdxLabels } from '../../../src/data/idx.ts';
import { loadMnist, type MnistData } from '../../../src/data/mnist.ts';
import { buildNetwork, logits } from '../../../src/model/cnn.ts';
import { EnvelopeError } from '../../../src/shared/errors.ts';
import { PRESETS } from '../../../src/shared/network.ts';
import {
  EXPORT_FOLDER,
  Handwriting,
  IMAGES_FILE,
  LABELS_FILE,
  testHandwriting,
} from '../../../src/worker/handwriting.ts';

let root: string;
let data: MnistData;
before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'cnn-handwriting-'));
  data = await loadMnist();
});
after(() => rm(root, { recursive: true, force: true }));

/** MNIST test image `i` as a drawing would arrive: 784 values in [0, 1]. */
const drawing = (i: number): Float32Array =>
  Float32Array.from(data.test.images.subarray(i * 784, (i + 1) * 784), (p) => p / 255);

const code = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: unknown) =>
      e instanceof EnvelopeError ? `${e.envelope.code}: ${e.envelope.message}` : String(e),
  );

test('drawings round-trip through IDX files that the MNIST parser reads', async () => {
  const store = new Handwriting(join(root, 'a'));
  assert.equal((await store.read()).count, 0, 'nothing yet: an empty set, no files');
  for (const i of [0, 1, 2])
    await store.edit({ type: 'add', pixels: drawing(i), label: data.test.labels[i]! });
  const set = await store.read();
  assert.equal(set.count, 3);
  assert.deepEqual([...set.labels], [7, 2, 1]); // the first three MNIST test digits
  const images = parseIdxImages(
    new Uint8Array(await readFile(join(root, 'a', IMAGES_FILE))),
    IMAGES_FILE,
  );
  const labels = parseIdxLabels(
    new Uint8Array(await readFile(join(root, 'a', LABELS_FILE))),
    LABELS_FILE,
  );
  assert.equal(images.count, 3);
  assert.deepEqual([...labels], [7, 2, 1]);
  assert.deepEqual(
    images.images,
    data.test.images.subarray(0, 3 * 784),
    'the pixels, byte for byte',
  );

  const relabelled = await store.edit({ type: 'relabel', index: 1, label: 3 });
  assert.deepEqual([...relabelled.labels], [7, 3, 1]);
  const deleted = await store.edit({ type: 'delete', index: 0 });
  assert.deepEqual([...deleted.labels], [3, 1]);
  assert.deepEqual(deleted.images, data.test.images.subarray(784, 3 * 784));
  assert.deepEqual(await store.read(), deleted);
  await store.edit({ type: 'delete', index: 1 });
  await store.edit({ type: 'delete', index: 0 });
  assert.equal((await store.read()).count, 0, 'the last one deleted: an empty set again');
});

test('a nearly empty drawing and a drawing that does not exist are refused in words', async () => {
  const store = new Handwriting(join(root, 'b'));
  const dot = new Float32Array(784);
  dot[400] = 1;
  assert.match(
    await code(store.edit({ type: 'add', pixels: dot, label: 4 })),
    /^BAD_REQUEST: The drawing is empty, or nearly/,
  );
  await store.edit({ type: 'add', pixels: drawing(3), label: 0 });
  assert.match(
    await code(store.edit({ type: 'delete', index: 1 })),
    /There is no drawing 2: your handwriting holds 1/,
  );
  assert.match(
    await code(store.edit({ type: 'relabel', index: 5, label: 1 })),
    /There is no drawing 6/,
  );
  assert.equal((await store.read()).count, 1);
});

test('a damaged file is refused by name, and an edit never overwrites it', async () => {
  const dir = join(root, 'c');
  const store = new Handwriting(dir);
  for (const i of [0, 1])
    await store.edit({ type: 'add', pixels: drawing(i), label: data.test.labels[i]! });
  const file = join(dir, IMAGES_FILE);
  const bytes = await readFile(file);
  const cut = bytes.subarray(0, bytes.length - 100);
  await writeFile(file, cut);
  const problem = await code(store.read());
  assert.match(
    problem,
    /^BAD_DATA: Your handwriting could not be read: handwriting-images-idx3-ubyte: .*truncated/,
  );
  assert.match(problem, /Nothing was changed/);
  assert.match(await code(store.edit({ type: 'add', pixels: drawing(2), label: 1 })), /^BAD_DATA/);
  assert.deepEqual(await readFile(file), cut, 'the damaged file is left as it was');
  // Labels that disagree with the images in number are refused too.
  await writeFile(file, bytes);
  await writeFile(join(dir, LABELS_FILE), Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 1, 7));
  assert.match(await code(store.read()), /holds 1 labels for 2 drawings/);
});

test("the test gives the model's own answers and their confusion matrix", async () => {
  const store = new Handwriting(join(root, 'd'));
  for (let i = 0; i < 12; i++)
    await store.edit({ type: 'add', pixels: drawing(i), label: data.test.labels[i]! });
  const model = buildNetwork(PRESETS[2]!.network, 4);
  const set = await store.read();
  const result = await testHandwriting(model, set);
  const expected = tf.tidy(() =>
    Array.from(
      logits(
        model,
        tf.tensor4d(
          Float32Array.from(set.images, (p) => p / 255),
          [12, 28, 28, 1],
        ),
      )
        .argMax(1)
        .dataSync(),
    ),
  );
  assert.deepEqual(result.predicted, expected);
  assert.equal(result.count, 12);
  assert.equal(result.correct, expected.filter((p, i) => p === set.labels[i]).length);
  assert.equal(
    result.matrix.reduce((a, b) => a + b, 0),
    12,
  );
  for (let i = 0; i < 12; i++) assert.ok(result.matrix[set.labels[i]! * 10 + expected[i]!]! > 0);
  assert.match(
    await code(testHandwriting(model, await new Handwriting(join(root, 'empty')).read())),
    /Add some drawings/,
  );
  model.dispose();
});

test('export writes the two IDX files; import adds any MNIST-format pair, or refuses it by name', async () => {
  const store = new Handwriting(join(root, 'e'));
  for (const i of [0, 1, 2])
    await store.edit({ type: 'add', pixels: drawing(i), label: data.test.labels[i]! });
  const out = await mkdtemp(join(tmpdir(), 'cnn-hw-out-'));
  const { path } = await store.exportTo(out);
  assert.equal(path, join(out, EXPORT_FOLDER));
  assert.match(
    await code(store.exportTo(out)),
    /^NAME_TAKEN: The folder .* already contains "my-handwriting"/,
  );

  // Into another collection: the same drawings, appended.
  const other = new Handwriting(join(root, 'f'));
  await other.edit({ type: 'add', pixels: drawing(5), label: data.test.labels[5]! });
  const merged = await other.importFrom(path);
  assert.equal(merged.count, 4);
  assert.deepEqual([...merged.labels], [data.test.labels[5], 7, 2, 1]);
  assert.deepEqual(merged.images.subarray(784), data.test.images.subarray(0, 3 * 784));

  // MNIST's own file names work too (a slice of its test set, written as MNIST writes it).
  const mnist = join(out, 'mnist-slice');
  await mkdir(mnist);
  await writeFile(
    join(mnist, 't10k-images-idx3-ubyte'),
    idxBytes('images', data.test.images.subarray(784 * 10, 784 * 12), 2),
  );
  await writeFile(
    join(mnist, 't10k-labels-idx1-ubyte'),
    idxBytes('labels', data.test.labels.subarray(10, 12), 2),
  );
  assert.equal((await other.importFrom(mnist)).count, 6);

  // A damaged pair is refused by file name, and the collection stays as it was.
  await writeFile(
    join(mnist, 't10k-labels-idx1-ubyte'),
    Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 2, 3, 12),
  );
  const refused = await code(other.importFrom(mnist));
  assert.match(
    refused,
    /^BAD_DATA: Those drawings could not be read: t10k-labels-idx1-ubyte: label 12/,
  );
  assert.match(refused, /Your handwriting is unchanged/);
  assert.equal((await other.read()).count, 6);
  assert.match(
    await code(other.importFrom(join(out, 'nope'))),
    /^NOT_FOUND: The folder .* cannot be read/,
  );
  await rm(out, { recursive: true, force: true });
});
