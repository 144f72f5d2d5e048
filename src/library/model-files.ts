// What a saved model folder (model.json + weights.bin) must be, checked before anything uses it,
// without TensorFlow, so the host can list and import models and the worker can load them (the
// reading itself is ./model-folder.ts). Every check has its own ModelFileError kind and a message
// that says what is wrong:
//
//   json          model.json does not parse
//   format        it is not a tfjs layers model (no topology, no weights manifest, quantised...)
//   path          a manifest path that could leave the model's folder (absolute, "..", a URL...)
//   byte-length   the weight files are not exactly as long as the manifest's specs add up to
//   input-shape   the input is not [null, 28, 28, 1]
//   output-shape  the output is not 10 units
//   non-finite    a weight is NaN or infinite
//   missing / unreadable / too-large   the files themselves
import { MAX_JSON_DEPTH, describeValue, nestsDeeperThan } from '../shared/json-depth.ts';
import { isPlainObject } from '../shared/guard.ts';
import { IMAGE_HEIGHT, IMAGE_SHAPE, IMAGE_WIDTH, NUM_CLASSES } from '../shared/dataset.ts';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
/** Far above ours (about 6 kB); a bigger model.json is not one of ours and is not parsed. */
export const MAX_MODEL_JSON_BYTES = 4 * 1024 * 1024;
/** Ours is 12.8 MB; this bounds what a tampered manifest can make us allocate. */
export const MAX_WEIGHT_BYTES = 256 * 1024 * 1024;
/** The saved model's input: any batch of images. */
export const MODEL_INPUT_SHAPE = [null, ...IMAGE_SHAPE] as const;
export const OUTPUT_UNITS = NUM_CLASSES;

export type ModelProblemKind =
  | 'missing'
  | 'unreadable'
  | 'too-large'
  | 'json'
  | 'format'
  | 'path'
  | 'byte-length'
  | 'input-shape'
  | 'output-shape'
  | 'non-finite'
  | 'unsupported';

export class ModelFileError extends Error {
  constructor(
    readonly kind: ModelProblemKind,
    /** What is wrong, as a sentence. */
    readonly problem: string,
    /** The file (or folder) it is about. */
    readonly file: string,
  ) {
    super(problem);
    this.name = 'ModelFileError';
  }
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** model.json, checked: what tfjs needs to build the model, plus our metadata. */
export interface ModelJson {
  modelTopology: Record<string, unknown>;
  /** Weight files in manifest order, each a plain file name inside the folder. */
  paths: string[];
  weightSpecs: WeightSpec[];
  /** userDefinedMetadata, unchecked (see metaOf for the fields we read). */
  meta: Record<string, unknown> | null;
  /** Sum of the specs' sizes: what the weight files must add up to exactly. */
  expectedBytes: number;
}

export interface ModelFiles extends ModelJson {
  /** The weight files concatenated, exactly expectedBytes long, 4-byte aligned. */
  weightData: ArrayBuffer;
}

/**
 * Why a manifest path is unsafe, or null. Only plain file names are accepted: whatever the
 * platform, such a name resolves inside the model's folder.
 */
export function manifestPathProblem(p: unknown): string | null {
  if (typeof p !== 'string' || p === '') return 'a weight file path is empty or not text';
  const shown = JSON.stringify(p.slice(0, 200));
  if (/^[a-z][a-z0-9+.-]*:/i.test(p)) return `the weight file ${shown} is a URL or a drive path`;
  if (p.startsWith('/') || p.startsWith('\\'))
    return `the weight file ${shown} is an absolute path`;
  if (p.split(/[/\\]/).includes('..')) return `the weight file ${shown} points outside the folder`;
  if (/[/\\]/.test(p)) return `the weight file ${shown} is in a subfolder`;
  if (p === '.' || p.includes('\0') || p.length > 255)
    return `the weight file ${shown} is not a valid file name`;
  return null;
}

const DTYPE_BYTES = { float32: 4 } as const;

function checkSpec(v: unknown, i: number, file: string): WeightSpec {
  const bad = (why: string): never => {
    throw new ModelFileError('format', `weight ${i + 1} in the manifest ${why}`, file);
  };
  if (!isPlainObject(v)) return bad('is not an object');
  const { name, shape, dtype } = v;
  if (typeof name !== 'string' || name === '' || name.length > 500) return bad('has no name');
  if ('quantization' in v && v['quantization'] != null)
    return bad(`(${name}) is quantised; CNN Studio reads float32 weights only`);
  if (dtype !== 'float32') return bad(`(${name}) has dtype ${JSON.stringify(dtype)}, not float32`);
  if (
    !Array.isArray(shape) ||
    shape.length > 8 ||
    !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0 && (d as number) <= 1e8)
  )
    return bad(`(${name}) has an invalid shape ${JSON.stringify(shape)?.slice(0, 100)}`);
  return { name, shape: shape as number[], dtype };
}

/** JSON.parse, failing as a ModelFileError that names the file (`name` in the message). */
export function parseJsonFile(text: string, name: string, file: string): unknown {
  // Measured first: walking a 10 000-deep value overflowed the stack and hid the whole library.
  if (nestsDeeperThan(text))
    throw new ModelFileError('json', `${name} nests deeper than ${MAX_JSON_DEPTH} levels`, file);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelFileError('json', `${name} is not valid JSON (${(e as Error).message})`, file);
  }
}

/** Parses and checks model.json's text. `file` is its path, for messages. */
export function parseModelJson(text: string, file: string): ModelJson {
  const json = parseJsonFile(text, 'model.json', file);
  if (!isPlainObject(json))
    throw new ModelFileError('json', 'model.json is not a JSON object', file);
  if (json['format'] !== undefined && json['format'] !== 'layers-model')
    throw new ModelFileError(
      'format',
      `model.json is a ${describeValue(json['format'])} model; CNN Studio loads tfjs layers models`,
      file,
    );
  const topology = json['modelTopology'];
  if (!isPlainObject(topology))
    throw new ModelFileError('format', 'model.json has no modelTopology (the network)', file);
  const manifest = json['weightsManifest'];
  if (!Array.isArray(manifest) || manifest.length === 0 || manifest.length > 1000)
    throw new ModelFileError('format', 'model.json has no weightsManifest', file);
  const paths: string[] = [];
  const weightSpecs: WeightSpec[] = [];
  for (const group of manifest) {
    if (!isPlainObject(group) || !Array.isArray(group['paths']) || !Array.isArray(group['weights']))
      throw new ModelFileError('format', 'a weightsManifest entry lacks paths or weights', file);
    for (const p of group['paths']) {
      const problem = manifestPathProblem(p);
      if (problem !== null) throw new ModelFileError('path', problem, file);
      paths.push(p as string);
    }
    for (const w of group['weights']) weightSpecs.push(checkSpec(w, weightSpecs.length, file));
  }
  if (paths.length === 0)
    throw new ModelFileError('format', 'the manifest names no weight file', file);
  let expectedBytes = 0;
  for (const s of weightSpecs)
    expectedBytes += s.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[s.dtype];
  if (expectedBytes > MAX_WEIGHT_BYTES)
    throw new ModelFileError(
      'too-large',
      `the manifest describes ${expectedBytes} bytes of weights, more than the ${MAX_WEIGHT_BYTES} allowed`,
      file,
    );
  checkTopology(topology, file);
  checkDeclaredSizes(topology, weightSpecs, file);
  const meta = json['userDefinedMetadata'];
  return {
    modelTopology: topology,
    paths,
    weightSpecs,
    meta: isPlainObject(meta) ? meta : null,
    expectedBytes,
  };
}

const shapeText = (s: unknown): string =>
  Array.isArray(s) ? `[${s.map((d) => (d === null ? 'null' : String(d))).join(', ')}]` : String(s);

/**
 * The input and output checks that can be read off a Keras-style topology: the declared batch
 * input shape and, when the last layer is Dense, its units. The worker repeats both on the built
 * model, which also covers topologies this cannot read.
 */
export function checkTopology(topology: Record<string, unknown>, file: string): void {
  const config = topology['config'];
  const layers = isPlainObject(config)
    ? config['layers']
    : Array.isArray(config)
      ? config
      : undefined;
  if (!Array.isArray(layers) || layers.length === 0)
    throw new ModelFileError('format', 'the model topology lists no layers', file);
  const cfg = (l: unknown): Record<string, unknown> =>
    isPlainObject(l) && isPlainObject(l['config']) ? l['config'] : {};
  const declared = layers
    // Keras 2 and tfjs say batch_input_shape; Keras 3's InputLayer says batch_shape.
    .map((l) => cfg(l)['batch_input_shape'] ?? cfg(l)['batchInputShape'] ?? cfg(l)['batch_shape'])
    .find((s) => s !== undefined);
  if (declared !== undefined) checkInputShape(declared, file);
  const last = layers.at(-1);
  if (isPlainObject(last) && last['class_name'] === 'Dense') {
    const units = cfg(last)['units'];
    if (units !== OUTPUT_UNITS) checkOutputShape([null, units], file);
  }
}

/**
 * The sizes a layer declares (a Dense layer's units, a convolution's filters and kernel size) must
 * be those of its weights in the manifest, which is budgeted and checked to the byte. Building
 * allocates what the topology declares: model.json edited to 50 000 hidden units allocated 610 MB
 * before the mismatch showed, every attempt. Checked here, nothing is allocated.
 */
export function checkDeclaredSizes(
  topology: Record<string, unknown>,
  specs: readonly WeightSpec[],
  file: string,
): void {
  const config = topology['config'];
  const layers = isPlainObject(config) ? config['layers'] : Array.isArray(config) ? config : [];
  const shapes = new Map(specs.map((s) => [s.name, s.shape]));
  for (const layer of Array.isArray(layers) ? layers : []) {
    if (!isPlainObject(layer) || !isPlainObject(layer['config'])) continue;
    const c = layer['config'];
    const kind = layer['class_name'];
    if (kind !== 'Dense' && kind !== 'Conv2D') continue;
    const name = String(c['name']);
    const kernel = shapes.get(`${name}/kernel`);
    if (kernel === undefined)
      throw new ModelFileError(
        'format',
        `layer ${name} has no kernel in the weights manifest`,
        file,
      );
    const declared =
      kind === 'Dense'
        ? [c['units']]
        : [
            ...(Array.isArray(c['kernel_size']) ? c['kernel_size'] : [c['kernel_size']]),
            c['filters'],
          ];
    const actual =
      kind === 'Dense' ? kernel.slice(-1) : [...kernel.slice(0, 2), ...kernel.slice(-1)];
    if (declared.length !== actual.length || declared.some((d, i) => d !== actual[i]))
      throw new ModelFileError(
        'format',
        `layer ${name} declares ${shapeText(declared)} but its weights are ${shapeText(kernel)}`,
        file,
      );
  }
}

export function checkInputShape(shape: unknown, file: string): void {
  const ok =
    Array.isArray(shape) &&
    shape.length === MODEL_INPUT_SHAPE.length &&
    shape.every((d, i) => d === MODEL_INPUT_SHAPE[i]);
  if (!ok)
    throw new ModelFileError(
      'input-shape',
      `the model's input is ${shapeText(shape)}; CNN Studio needs ${shapeText(MODEL_INPUT_SHAPE)} (one ${IMAGE_HEIGHT}×${IMAGE_WIDTH} grey image)`,
      file,
    );
}

export function checkOutputShape(shape: unknown, file: string): void {
  const ok = Array.isArray(shape) && shape.length === 2 && shape[1] === OUTPUT_UNITS;
  if (!ok)
    throw new ModelFileError(
      'output-shape',
      `the model's output is ${shapeText(shape)}; CNN Studio needs ${OUTPUT_UNITS} units, one per digit`,
      file,
    );
}

/** Throws unless every float32 weight is finite; names the first bad weight and index. */
export function checkFinite(specs: readonly WeightSpec[], data: ArrayBuffer, file: string): void {
  const all = new Float32Array(data);
  let offset = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < n; i++) {
      const x = all[offset + i]!;
      if (x - x !== 0)
        throw new ModelFileError(
          'non-finite',
          `weight ${s.name} holds ${x} at index ${i}; every weight must be a finite number`,
          file,
        );
    }
    offset += n;
  }
}

/** The metadata fields we write (see src/model/store.ts), each checked, unknown ones dropped. */
export function metaOf(meta: Record<string, unknown> | null): {
  name: string | null;
  createdAt: string | null;
  engine: string | null;
  config: Record<string, unknown> | null;
  epochsTrained: number | null;
  testAccuracy: number | null;
  /** The data it was trained on: its name and class names (null: the bundled MNIST). */
  dataset: { name: string; classNames: string[] } | null;
  /** What importing changed to make it usable here (see foreign-model.ts). */
  importChanges: string[];
} {
  const m = meta ?? {};
  const text = (v: unknown, max = 200): string | null =>
    typeof v === 'string' && v.length <= max ? v : null;
  const num = (v: unknown): number | null =>
    typeof v === 'number' && Number.isFinite(v) ? v : null;
  const createdAt = text(m['createdAt'], 40);
  return {
    name: text(m['name']),
    createdAt: createdAt !== null && !Number.isNaN(Date.parse(createdAt)) ? createdAt : null,
    engine: text(m['engine'], 40),
    config: isPlainObject(m['config']) ? m['config'] : null,
    epochsTrained: num(m['epochsTrained']),
    testAccuracy: num(m['testAccuracy']),
    dataset: datasetOf(m['dataset']),
    importChanges: importChangesOf(m['imported']),
  };
}

function datasetOf(v: unknown): { name: string; classNames: string[] } | null {
  if (!isPlainObject(v)) return null;
  const { name, classNames } = v;
  if (typeof name !== 'string' || name.length > 200 || !Array.isArray(classNames)) return null;
  if (!classNames.every((c): c is string => typeof c === 'string' && c.length <= 40)) return null;
  return { name, classNames };
}

function importChangesOf(v: unknown): string[] {
  const changes = isPlainObject(v) ? v['changes'] : null;
  return Array.isArray(changes)
    ? changes.filter((c): c is string => typeof c === 'string' && c.length <= 500).slice(0, 20)
    : [];
}
