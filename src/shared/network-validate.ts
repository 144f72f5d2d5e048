// The runtime check of a network spec that crosses a boundary (a training request, a saved run,
// `--arch net.json`): every field in its range, then the shapes (./network-shapes.ts), so an
// impossible network is refused at the door with the layer and the numbers.
import { DATASET, type DatasetShape } from './dataset.ts';
import {
  ValidationError,
  array,
  int,
  isPlainObject,
  literal,
  num,
  object,
  type Guard,
} from './guard.ts';
import { describeValue } from './json-depth.ts';
import {
  ACTIVATIONS,
  LAYER_KINDS,
  LAYER_LIMITS,
  PADDINGS,
  type LayerKind,
  type LayerSpec,
  type NetworkSpec,
} from './network.ts';
import { checkNetwork } from './network-shapes.ts';

const L = LAYER_LIMITS;
const kind = <K extends LayerKind>(k: K) => literal(k);
const activation = literal(...ACTIVATIONS);
const padding = literal(...PADDINGS);
const pooling = (k: 'maxpool' | 'avgpool') =>
  object({
    kind: kind(k),
    size: int(...L.poolSize),
    stride: int(...L.stride),
    padding,
  });

const byKind: Record<LayerKind, Guard<unknown>> = {
  conv: object({
    kind: kind('conv'),
    filters: int(...L.filters),
    kernel: int(...L.kernel),
    stride: int(...L.stride),
    padding,
    activation,
  }),
  maxpool: pooling('maxpool'),
  avgpool: pooling('avgpool'),
  flatten: object({ kind: kind('flatten') }),
  dense: object({ kind: kind('dense'), units: int(...L.units), activation }),
  dropout: object({ kind: kind('dropout'), rate: num(...L.rate) }),
};

export const layerSpec: Guard<LayerSpec> = (v, p) => {
  const k = isPlainObject(v) ? v['kind'] : undefined;
  if (typeof k !== 'string' || !(LAYER_KINDS as readonly string[]).includes(k))
    throw new ValidationError(
      p ? `${p}.kind` : 'kind',
      `unknown layer kind ${describeValue(k)}; use one of ${LAYER_KINDS.join(', ')}`,
    );
  return byKind[k as LayerKind](v, p) as LayerSpec;
};

/** A network: each layer's fields, then whether it can be built for `data` at `batchSize`. */
export function networkSpec(data: DatasetShape = DATASET, batchSize?: number): Guard<NetworkSpec> {
  return (v, p) => {
    const spec = object({ layers: array(layerSpec, 64) })(v, p);
    const check = checkNetwork(spec, data, batchSize);
    if (!check.ok) {
      const at = p ? `${p}.layers` : 'layers';
      throw new ValidationError(check.index < 0 ? at : `${at}[${check.index}]`, check.reason);
    }
    return spec;
  };
}
