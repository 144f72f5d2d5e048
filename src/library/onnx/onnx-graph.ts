// A network spec and its weights as an ONNX graph. tfjs is channels-last (NHWC images, HWIO conv
// kernels); ONNX's Conv and pooling are channels-first (NCHW, OIHW). The graph keeps the tfjs
// input, [N, 28, 28, 1], and transposes at the two boundaries: to NCHW before the first
// convolution or pooling, and back to NHWC before Flatten, so the flattened order, and with it the
// dense weights, are exactly tfjs's. Kernels are transposed here, once. SAME padding is written as
// explicit pads computed by TensorFlow's rule (the odd pixel after, not before).
import type { DatasetShape } from '../../shared/dataset.ts';
import { outSize, padsOf } from '../../shared/network-shapes.ts';
import type { Activation, LayerSpec, NetworkSpec } from '../../shared/network.ts';
import {
  ATTR_INT,
  ATTR_INTS,
  ELEM_FLOAT,
  type OnnxAttribute,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-schema.ts';

export const INPUT_NAME = 'image';
export const LOGITS_NAME = 'logits';
export const PROBABILITIES_NAME = 'probabilities';

/** A conv or dense layer's weights as tfjs holds them: kernel HWIO or [in, out], then bias. */
export interface LayerWeights {
  kernel: Float32Array;
  kernelShape: readonly number[];
  bias: Float32Array;
}

const ints = (name: string, values: readonly number[]): OnnxAttribute => ({
  name,
  type: ATTR_INTS,
  ints: [...values],
});
const int = (name: string, i: number): OnnxAttribute => ({ name, type: ATTR_INT, i });

const ACTIVATION_OP: Readonly<Record<Activation, string | null>> = {
  relu: 'Relu',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
  linear: null,
};

/** HWIO -> OIHW. */
function toOihw(kernel: Float32Array, [h, w, i, o]: readonly number[]): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < h!; y++)
    for (let x = 0; x < w!; x++)
      for (let c = 0; c < i!; c++)
        for (let f = 0; f < o!; f++)
          out[((f * i! + c) * h! + y) * w! + x] = kernel[((y * w! + x) * i! + c) * o! + f]!;
  return out;
}

function tensor(name: string, dims: readonly number[], data: Float32Array): OnnxTensor {
  // Little-endian float32, as onnx.proto's raw_data requires (every platform Node runs on is).
  const rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return { name, dims: [...dims], dataType: ELEM_FLOAT, rawData };
}

function valueInfo(name: string, dims: (number | string)[], docString: string): OnnxValueInfo {
  return {
    name,
    docString,
    type: {
      tensorType: {
        elemType: ELEM_FLOAT,
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

/**
 * The graph: input `image` [N, h, w, c] float32 in [0, 1]; outputs `logits` [N, classes] and
 * `probabilities` (their softmax). `weights` holds one entry per conv and dense layer, in order.
 */
export function onnxGraph(
  spec: NetworkSpec,
  weights: readonly LayerWeights[],
  data: DatasetShape,
  name: string,
): OnnxGraph {
  const node: OnnxNode[] = [];
  const initializer: OnnxTensor[] = [];
  let current = INPUT_NAME;
  let layout: 'nhwc' | 'nchw' | 'flat' = 'nhwc';
  let [h, w, c] = [data.height, data.width, data.channels];
  let width = h * w * c;
  let weighted = 0;
  const add = (opType: string, inputs: string[], attribute: OnnxAttribute[], out?: string) => {
    const output = out ?? `${opType.toLowerCase()}_${node.length}`;
    node.push({
      name: `${opType}_${node.length}`,
      opType,
      input: inputs,
      output: [output],
      attribute,
    });
    current = output;
  };
  const activate = (a: Activation, out?: string) => {
    const op = ACTIVATION_OP[a];
    if (op !== null) add(op, [current], [], out);
  };
  const toNchw = () => {
    if (layout === 'nhwc') add('Transpose', [current], [ints('perm', [0, 3, 1, 2])]);
    layout = 'nchw';
  };
  const nextWeights = (): LayerWeights => {
    const lw = weights[weighted++];
    if (lw === undefined) throw new Error('the model has fewer weighted layers than its network');
    return lw;
  };
  const last = spec.layers.length - 1;

  spec.layers.forEach((l: LayerSpec, index) => {
    switch (l.kind) {
      case 'conv': {
        toNchw();
        const lw = nextWeights();
        const [k, , inC, filters] = lw.kernelShape as [number, number, number, number];
        const id = `conv${weighted}`;
        initializer.push(
          tensor(`${id}.weight`, [filters, inC, k, k], toOihw(lw.kernel, lw.kernelShape)),
        );
        initializer.push(tensor(`${id}.bias`, [filters], lw.bias));
        const [pt, pb] = padsOf(h, k, l.stride, l.padding);
        const [pl, pr] = padsOf(w, k, l.stride, l.padding);
        add(
          'Conv',
          [current, `${id}.weight`, `${id}.bias`],
          [
            ints('kernel_shape', [k, k]),
            ints('strides', [l.stride, l.stride]),
            ints('pads', [pt, pl, pb, pr]),
          ],
        );
        activate(l.activation);
        [h, w, c] = [
          outSize(h, k, l.stride, l.padding),
          outSize(w, k, l.stride, l.padding),
          filters,
        ];
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        toNchw();
        const [pt, pb] = padsOf(h, l.size, l.stride, l.padding);
        const [pl, pr] = padsOf(w, l.size, l.stride, l.padding);
        const attributes = [
          ints('kernel_shape', [l.size, l.size]),
          ints('strides', [l.stride, l.stride]),
          ints('pads', [pt, pl, pb, pr]),
        ];
        // TensorFlow's SAME average leaves the padding out of the count, as count_include_pad=0.
        if (l.kind === 'avgpool') attributes.push(int('count_include_pad', 0));
        add(l.kind === 'maxpool' ? 'MaxPool' : 'AveragePool', [current], attributes);
        [h, w] = [outSize(h, l.size, l.stride, l.padding), outSize(w, l.size, l.stride, l.padding)];
        break;
      }
      case 'flatten':
        // Back to channels-last first: tfjs flattens [h, w, c] in that order.
        if (layout === 'nchw') add('Transpose', [current], [ints('perm', [0, 2, 3, 1])]);
        add('Flatten', [current], [int('axis', 1)]);
        layout = 'flat';
        width = h * w * c;
        break;
      case 'dense': {
        const lw = nextWeights();
        const [inputs, units] = lw.kernelShape as [number, number];
        if (layout !== 'flat' || inputs !== width)
          throw new Error(`dense layer ${weighted} takes ${inputs} inputs but gets ${width}`);
        const id = `fc${weighted}`;
        initializer.push(tensor(`${id}.weight`, [inputs, units], lw.kernel));
        initializer.push(tensor(`${id}.bias`, [units], lw.bias));
        const out = index === last ? LOGITS_NAME : undefined;
        add(
          'Gemm',
          [current, `${id}.weight`, `${id}.bias`],
          [],
          l.activation === 'linear' ? out : undefined,
        );
        activate(l.activation, out);
        width = units;
        break;
      }
      case 'dropout':
        break; // the identity when predicting
    }
  });
  if (current !== LOGITS_NAME) throw new Error('the network does not end in a dense layer');
  if (weighted !== weights.length)
    throw new Error(`the model has ${weights.length} weighted layers, its network ${weighted}`);
  add('Softmax', [LOGITS_NAME], [int('axis', 1)], PROBABILITIES_NAME);
  return {
    name,
    docString: 'CNN Studio network: logits and their softmax for each image.',
    node,
    initializer,
    input: [
      valueInfo(
        INPUT_NAME,
        ['N', data.height, data.width, data.channels],
        `Grey images, ${data.height}×${data.width}×${data.channels} channels-last (NHWC), float32 from 0 (background) to 1 (ink), as MNIST's.`,
      ),
    ],
    output: [
      valueInfo(LOGITS_NAME, ['N', width], 'One score per class (before softmax).'),
      valueInfo(
        PROBABILITIES_NAME,
        ['N', width],
        'The softmax of the logits: one probability per class.',
      ),
    ],
  };
}
