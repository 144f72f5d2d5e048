// A saved model (or a kept run's weights) as a single .onnx file: the network read back from its
// topology (never its metadata), its weights by layer name, and what a user of the file needs to
// know in the model's metadata (name, data, class names, test accuracy). Written atomically and
// never over an existing file. No TensorFlow here: the host exports while the worker trains.
import { join } from 'node:path';
import { isPlainObject } from '../../shared/guard.ts';
import { MNIST, type DatasetShape } from '../../shared/dataset.ts';
import { atomicNewFile, type AtomicOptions } from '../atomic.ts';
import { libraryError } from '../errors.ts';
import { MODEL_JSON, ModelFileError, metaOf, type ModelFiles } from '../model-files.ts';
import { networkOf } from '../topology-spec.ts';
import { onnxGraph, type LayerWeights } from './onnx-graph.ts';
import { encodeModel, type OnnxModel } from './onnx-schema.ts';

/** onnx.proto's IR version 7 goes with opset 13, the oldest opset with everything used here. */
export const ONNX_IR_VERSION = 7;
export const ONNX_OPSET = 13;
export const ONNX_PRODUCER = 'CNN Studio';
/** The exporter's own version: raised when the graph it writes changes. */
export const ONNX_PRODUCER_VERSION = '1';

/** Each Conv2D and Dense layer's kernel and bias, in layer order, found by the layer's name. */
export function layerWeightsOf(files: ModelFiles, file: string): LayerWeights[] {
  const offsets = new Map<string, { shape: number[]; data: Float32Array }>();
  const all = new Float32Array(files.weightData);
  let at = 0;
  for (const s of files.weightSpecs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    offsets.set(s.name, { shape: s.shape, data: all.subarray(at, at + n) });
    at += n;
  }
  const config = files.modelTopology['config'];
  const layers = isPlainObject(config) ? config['layers'] : Array.isArray(config) ? config : [];
  const out: LayerWeights[] = [];
  for (const layer of Array.isArray(layers) ? layers : []) {
    if (!isPlainObject(layer) || !isPlainObject(layer['config'])) continue;
    if (layer['class_name'] !== 'Conv2D' && layer['class_name'] !== 'Dense') continue;
    const name = String(layer['config']['name']);
    const kernel = offsets.get(`${name}/kernel`);
    const bias = offsets.get(`${name}/bias`);
    if (kernel === undefined || bias === undefined)
      throw new ModelFileError(
        'format',
        `layer ${name} has no kernel or bias in the weights`,
        file,
      );
    out.push({ kernel: kernel.data, kernelShape: kernel.shape, bias: bias.data });
  }
  return out;
}

/** The .onnx file's bytes for checked model files. */
export function onnxBytes(files: ModelFiles, dir: string, title: string): Uint8Array {
  const file = join(dir, MODEL_JSON);
  const network = networkOf(files.modelTopology, file);
  const meta = metaOf(files.meta);
  const data: DatasetShape = {
    ...MNIST,
    name: meta.dataset?.name ?? MNIST.name,
    classNames: meta.dataset?.classNames ?? MNIST.classNames,
  };
  const graph = onnxGraph(network, layerWeightsOf(files, file), data, 'cnn_studio');
  const props: Record<string, string | null> = {
    name: title,
    dataset: data.name,
    class_names: JSON.stringify(data.classNames),
    test_accuracy: meta.testAccuracy === null ? null : String(meta.testAccuracy),
    epochs_trained: meta.epochsTrained === null ? null : String(meta.epochsTrained),
    created_at: meta.createdAt,
    network: JSON.stringify(network),
    input: 'image: float32 [N, 28, 28, 1], 0 = background, 1 = ink',
    outputs: 'logits: float32 [N, classes]; probabilities: their softmax',
  };
  const model: OnnxModel = {
    irVersion: ONNX_IR_VERSION,
    producerName: ONNX_PRODUCER,
    producerVersion: ONNX_PRODUCER_VERSION,
    docString: `${title}: a network trained in CNN Studio on ${data.name}.`,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph,
    metadataProps: Object.entries(props)
      .filter((e): e is [string, string] => e[1] !== null)
      .map(([key, value]) => ({ key, value })),
  };
  return encodeModel(model);
}

/** Writes `<folder>/<title>.onnx` atomically; refuses to replace a file that is there. */
export async function exportOnnx(
  files: ModelFiles,
  dir: string,
  title: string,
  folder: string,
  options: AtomicOptions = {},
): Promise<{ path: string }> {
  const bytes = onnxBytes(files, dir, title);
  const path = join(folder, `${title}.onnx`);
  try {
    await atomicNewFile(path, bytes, options);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    throw libraryError(
      'NAME_TAKEN',
      `The folder ${folder} already contains "${title}.onnx". Choose another folder or rename the model.`,
    );
  }
  return { path };
}
