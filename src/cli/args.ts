// Flags for `npm run train`. Every mistake becomes one clear sentence (and exit code 2 in main).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  configErrors,
  DEFAULT_CONFIG,
  ENGINE_CHOICES,
  parseEngineChoice,
  type EngineChoice,
  type TrainConfig,
} from '../shared/config.ts';
import { DATASET } from '../shared/dataset.ts';
import { errorText } from '../shared/errors.ts';
import { ValidationError } from '../shared/guard.ts';
import { modelNameError } from '../shared/models.ts';
import {
  OPTIMIZERS,
  PRESETS,
  presetById,
  type NetworkSpec,
  type OptimizerName,
} from '../shared/network.ts';
import { networkSpec } from '../shared/network-validate.ts';

export interface TrainArgs {
  config: TrainConfig;
  engine: EngineChoice;
  out: string | null;
  /** Save into the app's models folder under this name (see `models`). */
  save: string | null;
  /** The models folder for --save: --models DIR, else $CNN_STUDIO_HOME/models (~/.cnn-studio). */
  models: string | null;
  dataDir: string | null;
  /** Write a checkpoint here after every epoch (and resume from it with --resume). */
  checkpointDir: string | null;
  /** Continue the run checkpointed in checkpointDir instead of starting one. */
  resume: boolean;
  help: boolean;
}

export class UsageError extends Error {}

export const USAGE = `Usage: npm run train -- [options]

Trains a network headless (the TensorFlow tutorial's MNIST CNN unless told otherwise), in the
same worker the app uses.

  --preset ID      ${PRESETS.map((p) => p.id).join(' | ')}: its network and its own
                   optimizer, learning rate, batch size and epochs (flags below override them)
  --arch FILE      the network as JSON, {"layers": [...]} (see src/shared/network.ts)
  --optimizer O    ${OPTIMIZERS.join(' | ')}  (default: the preset's, else adam)
  --epochs N       passes over the training set          (default ${DEFAULT_CONFIG.epochs})
  --limit N        training images to use, 1..60000       (default ${DEFAULT_CONFIG.trainLimit})
  --test-limit N   test images to evaluate, 1..10000      (default ${DEFAULT_CONFIG.testLimit})
  --batch N        batch size                             (default ${DEFAULT_CONFIG.batchSize})
  --lr X           learning rate                          (default ${DEFAULT_CONFIG.learningRate})
  --seed N         seed for initialisation and shuffling  (default ${DEFAULT_CONFIG.seed})
  --engine E       ${ENGINE_CHOICES.join(' | ')}  (default: $CNN_STUDIO_ENGINE or auto)
  --out DIR        save the trained model here (model.json + weights.bin)
  --save NAME      save it in the app's models folder under NAME (never replaces one)
  --models DIR     the models folder for --save (default: $CNN_STUDIO_HOME/models, ~/.cnn-studio/models)
  --data DIR       read the four MNIST/Fashion-MNIST IDX files (raw or .gz) from DIR
  --checkpoint-dir DIR
                   write a checkpoint (weights + optimizer state) to DIR after every epoch
  --resume         continue the run checkpointed in --checkpoint-dir after its last completed
                   epoch, with its own settings, to the same number of epochs
  -h, --help       show this help`;

const NUMERIC = {
  epochs: 'epochs',
  limit: 'trainLimit',
  'test-limit': 'testLimit',
  batch: 'batchSize',
  lr: 'learningRate',
  seed: 'seed',
} as const;

function saveName(raw: unknown): string | null {
  if (raw === undefined) return null;
  const problem = modelNameError(raw);
  if (problem !== null) throw new UsageError(`--save: ${problem}`);
  return raw as string;
}

export function parseTrainArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): TrainArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.keys(NUMERIC).map((k) => [k, { type: 'string' as const }])),
        engine: { type: 'string' },
        preset: { type: 'string' },
        arch: { type: 'string' },
        optimizer: { type: 'string' },
        out: { type: 'string' },
        save: { type: 'string' },
        models: { type: 'string' },
        data: { type: 'string' },
        'checkpoint-dir': { type: 'string' },
        resume: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify.*$/s, '.'));
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const config: TrainConfig = { ...DEFAULT_CONFIG, ...networkFlags(v) };
  for (const [flag, key] of Object.entries(NUMERIC)) {
    const raw = v[flag];
    if (typeof raw !== 'string') continue;
    // Decimal only: Number() would also take "0x64" (100) and "0b1" (1), which nobody means here.
    const decimal = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(raw);
    const n = decimal ? Number(raw) : NaN;
    if (!Number.isFinite(n)) throw new UsageError(`--${flag} needs a number, got "${raw}".`);
    config[key] = n;
  }
  const errors = configErrors(config);
  const first = Object.entries(errors)[0];
  if (first) {
    const flag = Object.entries(NUMERIC).find(([, k]) => k === first[0])?.[0];
    throw new UsageError(`--${flag}: ${first[1]}.`);
  }
  if (v.arch !== undefined || v.preset !== undefined) {
    try {
      config.network = networkSpec(DATASET, config.batchSize)(config.network, 'network');
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      throw new UsageError(`${v.arch !== undefined ? '--arch' : '--preset'}: ${e.message}`);
    }
  }
  let engine: EngineChoice;
  try {
    engine =
      v.engine !== undefined
        ? parseEngineChoice(String(v.engine), '--engine')
        : parseEngineChoice(env.CNN_STUDIO_ENGINE, 'CNN_STUDIO_ENGINE');
  } catch (e) {
    throw new UsageError(`${(e as Error).message}.`);
  }
  const text = (k: string): string | null => {
    const s = v[k];
    if (s === undefined) return null;
    if (typeof s !== 'string' || s.trim() === '')
      throw new UsageError(`--${k} needs a folder path.`);
    return s;
  };
  const resume = v.resume === true;
  const checkpointDir = text('checkpoint-dir');
  if (resume && checkpointDir === null)
    throw new UsageError('--resume needs --checkpoint-dir DIR: the folder holding the checkpoint.');
  if (resume) {
    const given = [...Object.keys(NUMERIC), 'preset', 'arch', 'optimizer'].find(
      (flag) => v[flag] !== undefined,
    );
    if (given !== undefined)
      throw new UsageError(
        `--${given} cannot be combined with --resume: the checkpoint's settings are used.`,
      );
  }
  return {
    config,
    engine: engine as EngineChoice,
    out: text('out'),
    save: saveName(v.save),
    models: text('models'),
    dataDir: text('data'),
    checkpointDir,
    resume,
    help: v.help === true,
  };
}

/** --preset, then --arch (its network) and --optimizer over it. */
function networkFlags(v: Record<string, string | boolean | undefined>): Partial<TrainConfig> {
  const out: Partial<TrainConfig> = {};
  if (v.preset !== undefined) {
    const p = presetById(String(v.preset));
    if (p === undefined)
      throw new UsageError(
        `--preset: no preset "${String(v.preset)}"; use one of ${PRESETS.map((x) => x.id).join(', ')}.`,
      );
    Object.assign(out, {
      network: p.network,
      optimizer: p.optimizer,
      learningRate: p.learningRate,
      batchSize: p.batchSize,
      epochs: p.epochs,
    });
  }
  if (v.arch !== undefined) {
    try {
      // Unchecked here: parseTrainArgs checks it once, at the run's batch size.
      out.network = JSON.parse(readFileSync(String(v.arch), 'utf8')) as NetworkSpec;
    } catch (e) {
      throw new UsageError(`--arch: cannot read ${String(v.arch)}: ${errorText(e)}`);
    }
  }
  if (v.optimizer !== undefined) {
    const o = String(v.optimizer) as OptimizerName;
    if (!OPTIMIZERS.includes(o))
      throw new UsageError(`--optimizer: use one of ${OPTIMIZERS.join(', ')}, not "${o}".`);
    out.optimizer = o;
  }
  return out;
}
