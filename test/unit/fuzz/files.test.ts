// Property: a corrupted file is refused with one clear error and costs nothing. Model folders
// are random mutations of a real saved model (model.json fields, weight bytes, manifest paths):
// loading either builds the model or throws a ModelFileError, and the tensor count returns to
// where it was; importing a folder that fails leaves the library as it was. IDX data files with
// random headers and lengths, raw and gzipped, load or throw a DataError.
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { cp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { readDataFile } from '../../../src/data/data-file.ts';
import { DataError, parseIdxImages, parseIdxLabels } from '../../../src/data/idx.ts';
import { ModelLibrary } from '../../../src/library/library.ts';
import { ModelFileError } from '../../../src/library/model-files.ts';
import { disposeModel, loadModelFolder } from '../../../src/model/load.ts';
import { readReal } from '../data/fixtures.ts';
import { saveRealModel, tempRoot } from '../library/model-fixture.ts';
import { nastyString, nearMiss, property } from './support.ts';

const gzipAsync = promisify(gzip);

/** One way to spoil a copy of the real model folder. */
type Mutation =
  | { kind: 'json'; json: unknown }
  | { kind: 'bytes'; at: number; value: number; length: number }
  | { kind: 'paths'; paths: unknown };

describe('model folders under fuzzing', () => {
  let root: string;
  let real: string;
  let json: unknown;
  let weightBytes: number;

  before(async () => {
    root = await tempRoot('cnn-fuzz-files-');
    real = join(root, 'real');
    await saveRealModel(real);
    json = JSON.parse(await readFile(join(real, 'model.json'), 'utf8'));
    weightBytes = (await readFile(join(real, 'weights.bin'))).length;
  });
  after(() => rm(root, { recursive: true, force: true }));

  const mutation = (): fc.Arbitrary<Mutation> =>
    fc.oneof(
      nearMiss(json).map((j): Mutation => ({ kind: 'json', json: j })),
      fc
        .record({
          at: fc.nat({ max: weightBytes - 1 }),
          value: fc.nat({ max: 255 }),
          length: fc.oneof(fc.constant(weightBytes), fc.nat({ max: weightBytes + 8 })),
        })
        .map((b): Mutation => ({ kind: 'bytes', ...b })),
      fc
        .oneof(fc.array(nastyString, { maxLength: 3 }), nastyString)
        .map((paths): Mutation => ({ kind: 'paths', paths })),
    );

  async function spoil(m: Mutation, dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
    await cp(real, dir, { recursive: true });
    if (m.kind === 'json') await writeFile(join(dir, 'model.json'), JSON.stringify(m.json) ?? '');
    if (m.kind === 'paths') {
      const j = structuredClone(json) as { weightsManifest: { paths: unknown }[] };
      j.weightsManifest[0]!.paths = m.paths;
      await writeFile(join(dir, 'model.json'), JSON.stringify(j));
    }
    if (m.kind === 'bytes') {
      const w = Buffer.alloc(m.length);
      (await readFile(join(real, 'weights.bin'))).copy(w, 0, 0, m.length);
      if (m.at < m.length) w[m.at] = m.value;
      await writeFile(join(dir, 'weights.bin'), w);
    }
  }

  test('load: the model, or a ModelFileError; no tensor left behind', async () => {
    const dir = join(root, 'spoiled');
    await property(
      'model folders (load)',
      mutation(),
      async (m) => {
        await spoil(m, dir);
        const tensors = tf.memory().numTensors;
        try {
          disposeModel((await loadModelFolder(dir)).model);
        } catch (e) {
          if (!(e instanceof ModelFileError)) return `threw ${String(e).slice(0, 300)}`;
          if (e.message.length > 4000) return `a message of ${e.message.length} characters`;
        }
        const left = tf.memory().numTensors - tensors;
        return left === 0 || `${left} tensors left behind`;
      },
      60,
    );
  });

  test('import: a folder that fails the checks leaves the library unchanged', async () => {
    const dir = join(root, 'to-import');
    const library = new ModelLibrary(join(root, 'library'));
    await property(
      'model folders (import)',
      mutation(),
      async (m) => {
        await spoil(m, dir);
        const before = (await readdir(library.root).catch(() => [])).sort().join('|');
        try {
          const info = await library.importFrom(dir);
          await library.delete(info.name); // a success: undo it for the next input
        } catch (e) {
          if (!(e instanceof ModelFileError)) return `threw ${String(e).slice(0, 300)}`;
          const after = (await readdir(library.root).catch(() => [])).sort().join('|');
          if (after !== before) return `the library changed: ${before} -> ${after}`;
        }
        return true;
      },
      60,
    );
  });
});

describe('IDX data files under fuzzing', () => {
  let images: Buffer;
  let labels: Buffer;
  let root: string;
  before(async () => {
    root = await tempRoot('cnn-fuzz-idx-');
    // 20 real images and labels, with their headers rewritten to say so.
    images = Buffer.from((await readReal('t10k-images-idx3-ubyte')).subarray(0, 16 + 20 * 784));
    images.writeUInt32BE(20, 4);
    labels = Buffer.from((await readReal('t10k-labels-idx1-ubyte')).subarray(0, 8 + 20));
    labels.writeUInt32BE(20, 4);
  });
  after(() => rm(root, { recursive: true, force: true }));

  /** The file with up to 3 of its first 16 bytes set, then cut or extended. */
  const spoiled = (base: () => Buffer) =>
    fc
      .record({
        edits: fc.array(fc.tuple(fc.nat({ max: 15 }), fc.nat({ max: 255 })), { maxLength: 3 }),
        length: fc.oneof(fc.constant(-1), fc.nat({ max: 16 + 21 * 784 })),
      })
      .map(({ edits, length }) => {
        const b = base();
        const out = Buffer.alloc(length < 0 ? b.length : length);
        b.copy(out, 0, 0, out.length);
        for (const [at, v] of edits) if (at < out.length) out[at] = v;
        return out;
      });

  const handled = (parse: () => unknown): true | string => {
    try {
      parse();
      return true;
    } catch (e) {
      return e instanceof DataError || `threw ${String(e)}`;
    }
  };

  test('parse: the data, or a DataError naming the file', async () => {
    await property(
      'IDX files',
      fc.tuple(
        spoiled(() => images),
        spoiled(() => labels),
      ),
      ([i, l]) =>
        handled(() => parseIdxImages(i, 'images')) === true
          ? handled(() => parseIdxLabels(l, 'labels'))
          : handled(() => parseIdxImages(i, 'images')),
      2000,
    );
  });

  test('gzipped: unpacked as a stream, the data or a DataError', async () => {
    await property(
      'IDX files (gzipped)',
      spoiled(() => images),
      async (b) => {
        await writeFile(join(root, 'x.gz'), await gzipAsync(b));
        try {
          await readDataFile(root, 'x', 'images');
          return true;
        } catch (e) {
          return e instanceof DataError || `threw ${String(e)}`;
        }
      },
      100,
    );
  });
});
