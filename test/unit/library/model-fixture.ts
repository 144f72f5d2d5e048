// A real saved model (the tutorial network, untrained, seeded) and tampered copies of it, each
// written by the test: for the loading checks in model-files.test.ts and the worker tests.
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '../../../src/model/cnn.ts';
import { disposeModel } from '../../../src/model/load.ts';
import { saveModelAtomic } from '../../../src/model/store.ts';

export const META = {
  createdAt: '2026-01-02T03:04:05.000Z',
  engine: 'wasm',
  config: {
    epochs: 1,
    batchSize: 50,
    learningRate: 0.001,
    trainLimit: 100,
    testLimit: 50,
    seed: 3,
  },
  epochsTrained: 1,
  testAccuracy: 0.5,
};

/** Saves the network built from `seed` into `dir` (the tfjs CPU backend is enough to save). */
export async function saveRealModel(dir: string, seed = 3, name = 'real'): Promise<void> {
  const model = buildModel(seed);
  await saveModelAtomic(model, dir, { ...META, name });
  disposeModel(model);
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** How to spoil a copy: change its model.json, its weights.bin, or the folder itself. */
export interface Tamper {
  json?: (j: Json) => void;
  weights?: (w: Buffer) => Buffer;
  folder?: (dir: string) => Promise<void>;
}

/** A copy of `source` at `target` with `t` applied. */
export async function tamperedCopy(source: string, target: string, t: Tamper): Promise<string> {
  await rm(target, { recursive: true, force: true });
  await cp(source, target, { recursive: true });
  if (t.json) {
    const j = JSON.parse(await readFile(join(target, 'model.json'), 'utf8')) as Json;
    t.json(j);
    await writeFile(join(target, 'model.json'), JSON.stringify(j));
  }
  if (t.weights)
    await writeFile(
      join(target, 'weights.bin'),
      t.weights(await readFile(join(target, 'weights.bin'))),
    );
  await t.folder?.(target);
  return target;
}

const float = (w: Buffer, index: number, value: number): Buffer => {
  const copy = Buffer.from(w);
  copy.writeFloatLE(value, index * 4);
  return copy;
};

/** Every way a model folder can be wrong, with the ModelFileError kind and message it must give. */
export const TAMPERS: { what: string; kind: string; message: RegExp; tamper: Tamper }[] = [
  {
    what: 'model.json cut short',
    kind: 'json',
    message: /^model\.json is not valid JSON/,
    tamper: { folder: (d) => writeFile(join(d, 'model.json'), '{"format": "layers-model", "mo') },
  },
  {
    what: 'model.json not an object',
    kind: 'json',
    message: /^model\.json is not a JSON object$/,
    tamper: { folder: (d) => writeFile(join(d, 'model.json'), '[1, 2, 3]') },
  },
  {
    what: 'a graph model',
    kind: 'format',
    message: /"graph-model" model; CNN Studio loads tfjs layers models/,
    tamper: { json: (j) => void (j.format = 'graph-model') },
  },
  {
    what: 'no weights manifest',
    kind: 'format',
    message: /no weightsManifest/,
    tamper: { json: (j) => void delete j.weightsManifest },
  },
  {
    what: 'a manifest path with ..',
    kind: 'path',
    message: /the weight file "\.\.\/weights\.bin" points outside the folder/,
    tamper: { json: (j) => void (j.weightsManifest[0].paths = ['../weights.bin']) },
  },
  {
    what: 'a Windows-style .. path',
    kind: 'path',
    message: /points outside the folder/,
    tamper: { json: (j) => void (j.weightsManifest[0].paths = ['..\\weights.bin']) },
  },
  {
    what: 'an absolute manifest path',
    kind: 'path',
    message: /the weight file "\/etc\/passwd" is an absolute path/,
    tamper: { json: (j) => void (j.weightsManifest[0].paths = ['/etc/passwd']) },
  },
  {
    what: 'a URL in the manifest',
    kind: 'path',
    message: /"https:\/\/example\.com\/w\.bin" is a URL or a drive path/,
    tamper: { json: (j) => void (j.weightsManifest[0].paths = ['https://example.com/w.bin']) },
  },
  {
    what: 'a subfolder in the manifest',
    kind: 'path',
    message: /"sub\/weights\.bin" is in a subfolder/,
    tamper: { json: (j) => void (j.weightsManifest[0].paths = ['sub/weights.bin']) },
  },
  {
    what: 'weights.bin a symlink',
    kind: 'path',
    message: /weights\.bin is a symbolic link/,
    tamper: {
      folder: async (d) => {
        await rm(join(d, 'weights.bin'));
        await symlink('/etc/hostname', join(d, 'weights.bin'));
      },
    },
  },
  {
    what: 'weights.bin missing',
    kind: 'missing',
    message: /^weights\.bin is missing$/,
    tamper: { folder: (d) => rm(join(d, 'weights.bin')) },
  },
  {
    what: 'weights.bin 4 bytes short',
    kind: 'byte-length',
    message: /^weights\.bin is 12796420 bytes, but the manifest's weights need exactly 12796424$/,
    tamper: { weights: (w) => w.subarray(0, w.length - 4) },
  },
  {
    what: 'weights.bin 1 byte long',
    kind: 'byte-length',
    message: /is 12796425 bytes, but the manifest's weights need exactly 12796424/,
    tamper: { weights: (w) => Buffer.concat([w, Buffer.from([0])]) },
  },
  {
    what: 'int32 weights',
    kind: 'format',
    message: /weight 1 in the manifest \(conv1\/kernel\) has dtype "int32", not float32/,
    tamper: { json: (j) => void (j.weightsManifest[0].weights[0].dtype = 'int32') },
  },
  {
    what: 'quantised weights',
    kind: 'format',
    message: /is quantised/,
    tamper: {
      json: (j) => void (j.weightsManifest[0].weights[0].quantization = { dtype: 'uint8' }),
    },
  },
  {
    what: 'a 32×32×3 input',
    kind: 'input-shape',
    message:
      /^the model's input is \[null, 32, 32, 3\]; CNN Studio needs \[null, 28, 28, 1\] \(one 28×28 grey image\)$/,
    tamper: {
      json: (j) =>
        void (j.modelTopology.config.layers[0].config.batch_input_shape = [null, 32, 32, 3]),
    },
  },
  {
    what: 'a 5-unit output',
    kind: 'output-shape',
    message: /^the model's output is \[null, 5\]; CNN Studio needs 10 units, one per digit$/,
    tamper: { json: (j) => void (j.modelTopology.config.layers.at(-1).config.units = 5) },
  },
  {
    what: 'a hidden layer edited to 50 000 units',
    kind: 'format',
    message: /^layer fc1 declares \[50000\] but its weights are \[3136, 1000\]$/,
    tamper: { json: (j) => void (layerNamed(j, 'fc1').config.units = 50_000) },
  },
  {
    what: 'a NaN weight',
    kind: 'non-finite',
    message: /^weight conv1\/kernel holds NaN at index 7; every weight must be a finite number$/,
    tamper: { weights: (w) => float(w, 7, NaN) },
  },
  {
    what: 'an infinite weight in the last layer',
    kind: 'non-finite',
    message: /^weight fc2\/bias holds Infinity at index 9/,
    tamper: { weights: (w) => float(w, w.length / 4 - 1, Infinity) },
  },
];

/**
 * Passes every file check but cannot be built: conv1 says it has no bias while the weights have
 * one, which tfjs finds only after it has made the layers' variables.
 */
export const BUILD_FAILS = {
  message: /^the network in model\.json cannot be built/,
  tamper: { json: (j) => void (layerNamed(j, 'conv1').config.use_bias = false) } as Tamper,
};

/**
 * Folders that the file checks alone once let through into the library by import. Import now
 * reads the network first, so the first two are refused by the layer they name.
 */
export const UNBUILDABLE: { what: string; message: RegExp; tamper: Tamper }[] = [
  {
    what: 'a layer without the bias its weights have',
    message: /^layer "conv1" \("Conv2D"\) has no bias, which the editor cannot express\.$/,
    tamper: BUILD_FAILS.tamper,
  },
  {
    what: 'a layer class tfjs does not know',
    message: /^layer "fc1" \("NoSuchLayer"\) is a kind of layer CNN Studio cannot build/,
    tamper: { json: (j) => void (layerNamed(j, 'fc1').class_name = 'NoSuchLayer') },
  },
  {
    what: "conv2's kernel shape swapped to 5×5×64×32",
    message: /^layer conv2 declares .* but its weights are \[5, 5, 64, 32\]/,
    tamper: { json: (j) => void (weightNamed(j, 'conv2/kernel').shape = [5, 5, 64, 32]) },
  },
  {
    what: 'an empty weight list',
    message: /^layer conv1 has no kernel in the weights manifest/,
    tamper: {
      json: (j) => void (j.weightsManifest[0].weights = []),
      weights: () => Buffer.alloc(0),
    },
  },
];

function weightNamed(j: Json, name: string): Json {
  return (j.weightsManifest[0].weights as Json[]).find((w) => w.name === name)!;
}

/** A layer of the saved topology, by name. */
function layerNamed(j: Json, name: string): Json {
  return (j.modelTopology.config.layers as Json[]).find((l) => l.config.name === name)!;
}

export async function tempRoot(prefix = 'cnn-models-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
