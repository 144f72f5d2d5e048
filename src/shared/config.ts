// Training settings shared by every layer. Plain data only: this folder imports nothing.
import { NUM_CLASSES } from './dataset.ts';
import { tutorialNetwork, type NetworkSpec, type OptimizerName } from './network.ts';

/** Which tfjs engine trains: native TensorFlow (tfjs-node), portable WebAssembly, or pure JS. */
export type EngineName = 'native' | 'wasm' | 'cpu';
export type EngineChoice = 'auto' | EngineName;
export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'native', 'wasm', 'cpu'];

/**
 * The one reading of an engine named by `--engine` or CNN_STUDIO_ENGINE (`source`): trimmed, any
 * case; unset or empty means 'auto'. Anything else throws, so a typo is never silently ignored.
 */
export function parseEngineChoice(raw: string | undefined, source: string): EngineChoice {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '') return 'auto';
  const choice = ENGINE_CHOICES.find((c) => c === value);
  if (choice === undefined)
    throw new Error(`${source}="${raw}" is not an engine; use one of ${ENGINE_CHOICES.join(', ')}`);
  return choice;
}

export interface TrainConfig {
  /** Full passes over the training subset. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** How many of the 60 000 training images to use (the first N after a seeded shuffle). */
  trainLimit: number;
  /** How many of the 10 000 held-out test images to evaluate after each epoch. */
  testLimit: number;
  /** Seeds both weight initialisation and the shuffle, so a run can be repeated. */
  seed: number;
  /** The layers (src/shared/network.ts). A request without one means the tutorial network. */
  network: NetworkSpec;
  /** A request without one means Adam, the tutorial's. */
  optimizer: OptimizerName;
}

/** The TensorFlow "Deep MNIST" tutorial, exactly. */
export const DEFAULT_CONFIG: Readonly<TrainConfig> = Object.freeze({
  epochs: 10,
  batchSize: 50,
  learningRate: 1e-4,
  trainLimit: 60_000,
  testLimit: 10_000,
  seed: 42,
  network: tutorialNetwork(NUM_CLASSES),
  optimizer: 'adam',
});

export const LIMITS = Object.freeze({
  maxEpochs: 1000,
  maxBatchSize: 4096,
  maxLearningRate: 1,
  trainImages: 60_000,
  testImages: 10_000,
  maxSeed: 2 ** 31 - 1,
});

/** The settings that are numbers (the form's fields); the network and optimizer are chosen apart. */
export type NumericSettings = Omit<TrainConfig, 'network' | 'optimizer'>;
export type NumericKey = keyof NumericSettings;

export type ConfigErrors = Partial<Record<NumericKey, string>>;

function checkInt(value: unknown, min: number, max: number, what: string): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${what} must be a number`;
  if (!Number.isInteger(value)) return `${what} must be a whole number`;
  if (value < min || value > max) return `${what} must be between ${min} and ${max}`;
  return undefined;
}

/** Every reason a config is unusable, by field, in words a user can act on. Empty when valid. */
export function configErrors(c: Partial<Record<NumericKey, unknown>>): ConfigErrors {
  const errors: ConfigErrors = {};
  const put = (k: NumericKey, e: string | undefined): void => {
    if (e !== undefined) errors[k] = e;
  };
  put('epochs', checkInt(c.epochs, 1, LIMITS.maxEpochs, 'Epochs'));
  put('trainLimit', checkInt(c.trainLimit, 1, LIMITS.trainImages, 'Training images'));
  put('testLimit', checkInt(c.testLimit, 1, LIMITS.testImages, 'Test images'));
  put('seed', checkInt(c.seed, 0, LIMITS.maxSeed, 'Seed'));
  const batch = checkInt(c.batchSize, 1, LIMITS.maxBatchSize, 'Batch size');
  put(
    'batchSize',
    batch ??
      (typeof c.trainLimit === 'number' && (c.batchSize as number) > c.trainLimit
        ? `Batch size must not exceed the ${c.trainLimit} training images`
        : undefined),
  );
  const lr = c.learningRate;
  if (typeof lr !== 'number' || !Number.isFinite(lr))
    put('learningRate', 'Learning rate must be a number');
  else if (lr <= 0 || lr > LIMITS.maxLearningRate)
    put('learningRate', `Learning rate must be above 0 and at most ${LIMITS.maxLearningRate}`);
  return errors;
}
