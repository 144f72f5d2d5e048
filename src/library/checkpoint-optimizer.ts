// The optimizer's part of a checkpoint, for every optimizer the editor offers. tfjs names each
// optimizer's per-weight slot variables `<weight>/<slot>` and lists them slot by slot:
//   Adam      m then v (plus beta1, beta2, epsilon, which fix its bias correction)
//   Momentum  momentum
//   RMSProp   rms then momentum
//   SGD       none: its whole state is the step count
import type { TrainConfig } from '../shared/config.ts';
import { isPlainObject } from '../shared/guard.ts';
import type { OptimizerName } from '../shared/network.ts';
import { ModelFileError, type WeightSpec } from './model-files.ts';

/** tfjs's class name of each optimizer (what `getClassName()` says). */
export const OPTIMIZER_CLASS = {
  adam: 'Adam',
  sgd: 'SGD',
  momentum: 'Momentum',
  rmsprop: 'RMSProp',
} as const satisfies Record<OptimizerName, string>;
export type OptimizerClass = (typeof OPTIMIZER_CLASS)[OptimizerName];

/** The slots each optimizer keeps per trainable weight, in tfjs's getWeights() order. */
export const OPTIMIZER_SLOTS: Readonly<Record<OptimizerClass, readonly string[]>> = {
  Adam: ['m', 'v'],
  SGD: [],
  Momentum: ['momentum'],
  RMSProp: ['rms', 'momentum'],
};

export interface OptimizerState {
  className: OptimizerClass;
  learningRate: number;
  /** Adam only: its hyper-parameters. */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Optimizer steps taken (batches trained); Adam's bias correction depends on it. */
  iterations: number;
  /** Every slot of every trainable weight, slot by slot (see OPTIMIZER_SLOTS). */
  weights: WeightSpec[];
}

/** `<weight>/<slot>` for every slot of `className`, in the order tfjs lists them. */
export const slotNames = (className: OptimizerClass, weights: readonly string[]): string[] =>
  OPTIMIZER_SLOTS[className].flatMap((slot) => weights.map((w) => `${w}/${slot}`));

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks checkpoint.json's optimizer entry against the run's settings. */
export function parseOptimizerState(v: unknown, config: TrainConfig, file: string): OptimizerState {
  const bad = (why: string): never => {
    throw new ModelFileError('format', `checkpoint.json ${why}`, file);
  };
  const expected = OPTIMIZER_CLASS[config.optimizer];
  if (!isPlainObject(v) || v['className'] !== expected)
    return bad(`does not hold the ${expected} optimizer state its settings call for`);
  const { learningRate, beta1, beta2, epsilon, iterations, weights } = v;
  if (!finite(learningRate)) return bad('has an invalid learning rate');
  const adam = expected === 'Adam';
  if (adam && ![beta1, beta2, epsilon].every(finite))
    return bad('has invalid Adam hyper-parameters');
  if (!Number.isSafeInteger(iterations) || (iterations as number) < 1)
    return bad('has an invalid optimizer step count');
  const slots = OPTIMIZER_SLOTS[expected].length;
  if (
    !Array.isArray(weights) ||
    weights.length > 2000 ||
    (slots === 0 ? weights.length !== 0 : weights.length === 0 || weights.length % slots !== 0)
  )
    return bad('has no optimizer manifest');
  const specs = weights.map((w, i): WeightSpec => {
    if (
      !isPlainObject(w) ||
      typeof w['name'] !== 'string' ||
      w['dtype'] !== 'float32' ||
      !Array.isArray(w['shape']) ||
      !w['shape'].every(
        (d) => Number.isSafeInteger(d) && (d as number) >= 0 && (d as number) <= 1e8,
      )
    )
      return bad(`has a malformed optimizer weight ${i + 1}`);
    return { name: w['name'], shape: w['shape'] as number[], dtype: 'float32' };
  });
  return {
    className: expected,
    learningRate,
    ...(adam && { beta1: beta1 as number, beta2: beta2 as number, epsilon: epsilon as number }),
    iterations: iterations as number,
    weights: specs,
  };
}
