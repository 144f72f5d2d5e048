// The settings form as text the user types, parsed and checked with the shared configErrors so the
// renderer and the host agree on every rule and every message.
import {
  DEFAULT_CONFIG,
  LIMITS,
  configErrors,
  type ConfigErrors,
  type NumericKey,
  type NumericSettings,
  type TrainConfig,
} from '$shared/config.ts';

export type ConfigKey = NumericKey;
export type ConfigDraft = Record<ConfigKey, string>;

export interface FieldSpec {
  key: ConfigKey;
  label: string;
  /** Short text under the field when it is valid. */
  hint: string;
  /** Longer explanation for the tooltip. */
  help: string;
  inputMode: 'numeric' | 'decimal';
}

const thin = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');

export const CONFIG_FIELDS: readonly FieldSpec[] = [
  {
    key: 'epochs',
    label: 'Epochs',
    hint: `tutorial ${DEFAULT_CONFIG.epochs}`,
    help: 'Full passes over the training images.',
    inputMode: 'numeric',
  },
  {
    key: 'batchSize',
    label: 'Batch size',
    hint: `tutorial ${DEFAULT_CONFIG.batchSize}`,
    help: 'Images per gradient step.',
    inputMode: 'numeric',
  },
  {
    key: 'learningRate',
    label: 'Learning rate',
    hint: 'tutorial 1e-4',
    help: 'Step size of the optimiser; scientific notation such as 1e-4 is fine.',
    inputMode: 'decimal',
  },
  {
    key: 'trainLimit',
    label: 'Training images',
    hint: `of ${thin(LIMITS.trainImages)}`,
    help: 'How many of the 60 000 training images to use (a seeded shuffle, then the first N).',
    inputMode: 'numeric',
  },
  {
    key: 'testLimit',
    label: 'Test images',
    hint: `of ${thin(LIMITS.testImages)}`,
    help: 'How many of the 10 000 held-out test images to evaluate after each epoch.',
    inputMode: 'numeric',
  },
  {
    key: 'seed',
    label: 'Seed',
    hint: 'repeatable',
    help: 'Seeds weight initialisation and the shuffle, so a run can be repeated exactly.',
    inputMode: 'numeric',
  },
];

export function draftFrom(c: Readonly<TrainConfig>): ConfigDraft {
  return {
    epochs: String(c.epochs),
    batchSize: String(c.batchSize),
    learningRate: String(c.learningRate),
    trainLimit: String(c.trainLimit),
    testLimit: String(c.testLimit),
    seed: String(c.seed),
  };
}

/** Text to number. Spaces and underscores group digits ("60 000", "60_000"); empty is NaN. */
export function parseNumber(text: string): number {
  const cleaned = text.replace(/[\s_\u202f]/g, '');
  return cleaned === '' ? NaN : Number(cleaned);
}

export interface ParsedDraft {
  values: Record<ConfigKey, number>;
  errors: ConfigErrors;
  /** The numeric settings to send, or null while any field is invalid. */
  config: NumericSettings | null;
}

export function parseDraft(d: ConfigDraft): ParsedDraft {
  const values: Record<ConfigKey, number> = {
    epochs: parseNumber(d.epochs),
    batchSize: parseNumber(d.batchSize),
    learningRate: parseNumber(d.learningRate),
    trainLimit: parseNumber(d.trainLimit),
    testLimit: parseNumber(d.testLimit),
    seed: parseNumber(d.seed),
  };
  const errors = configErrors(values);
  return { values, errors, config: Object.keys(errors).length === 0 ? { ...values } : null };
}

export function isDefaultDraft(d: ConfigDraft): boolean {
  const { values } = parseDraft(d);
  return (Object.keys(values) as ConfigKey[]).every((k) => values[k] === DEFAULT_CONFIG[k]);
}
