// Runs as every layer sees them: a run is kept automatically when it ends (its settings, its
// whole history and, unless it failed, its final weights), listed newest first, opened to show it
// everywhere, compared. Plain data and guards only: imports nothing outside src/shared.
import type { TrainConfig } from './config.ts';
import type { TrainingEvent } from './events.ts';
import {
  ValidationError,
  array,
  bool,
  int,
  literal,
  nullable,
  num,
  object,
  optional,
  str,
} from './guard.ts';
import { finetuneStartFields, type FinetuneStart } from './finetune.ts';
import type { Guard } from './guard.ts';
import { exportFormat, folderPath, type ExportFormat } from './models.ts';
import { presetOf } from './network.ts';
import { trainConfig } from './validate.ts';

/** Unstarred runs beyond the newest this many are removed when a run is kept. */
export const RUNS_KEPT = 20;
/** How many runs Compare overlays at once. */
export const MAX_COMPARE = 6;

export type RunStatus = 'finished' | 'stopped' | 'failed';

/** What the run list shows of a kept run, and what run.json on disk holds. */
export interface RunInfo {
  /** The worker's run id, also the run's folder name. */
  id: string;
  /** ISO 8601. */
  startedAt: string;
  endedAt: string;
  status: RunStatus;
  /** The engine that trained it ("native", "wasm", "cpu") and its thread count. */
  engine: string;
  threads: number;
  config: TrainConfig;
  /** The data's name ("MNIST", a folder's name). */
  dataset: string;
  trainSize: number;
  testSize: number;
  epochsCompleted: number;
  /** The last test accuracy measured (after the last completed epoch), or null. */
  testAccuracy: number | null;
  trainAccuracy: number | null;
  /** Active (unpaused) training seconds. */
  durationSec: number;
  /** Training speed at the end of the run, or null if no batch ran. */
  imagesPerSec: number | null;
  params: number;
  /** Test accuracy after each completed epoch, for the sparkline. */
  accuracies: number[];
  starred: boolean;
  /** False for a failed run: its weights were useless (NaN) or lost with the worker. */
  hasWeights: boolean;
  /** A fine-tune on "My handwriting": its start, and the held-out accuracy after each epoch. */
  finetune?: FinetuneStart & { handwriting: number[] };
}

export interface RunList {
  /** Where the runs are kept, shown to the user. */
  folder: string;
  runs: RunInfo[];
}

export interface RunIdArg {
  id: string;
}
export interface StarRunArg {
  id: string;
  starred: boolean;
}
/** A kept run's final weights, exported as a model is (see ExportModelArg). */
export interface ExportRunArg {
  id: string;
  folder: string | null;
  format: ExportFormat;
}

/** The worker's ids: "run-" + a base-36 time + "-" + a counter. Safe as a folder name. */
export const RUN_ID = /^run-[0-9a-z]{1,16}-[0-9]{1,9}$/;

export const runId: Guard<string> = (v, p) => {
  const s = str(40)(v, p);
  if (!RUN_ID.test(s)) throw new ValidationError(p, 'not a run id');
  return s;
};

const isoTime = str(40);

export const runInfo: Guard<RunInfo> = object({
  id: runId,
  startedAt: isoTime,
  endedAt: isoTime,
  status: literal('finished', 'stopped', 'failed'),
  engine: str(40),
  threads: int(0, 1024),
  config: trainConfig,
  dataset: str(200),
  trainSize: int(0),
  testSize: int(0),
  epochsCompleted: int(0),
  testAccuracy: nullable(num(0, 1)),
  trainAccuracy: nullable(num(0, 1)),
  durationSec: num(0),
  imagesPerSec: nullable(num(0)),
  params: int(0),
  accuracies: array(num(0, 1), 10_000),
  starred: bool,
  hasWeights: bool,
  finetune: optional(object({ ...finetuneStartFields, handwriting: array(num(0, 1), 10_000) })),
});

export const runList: Guard<RunList> = object({ folder: str(4096), runs: array(runInfo, 10_000) });
export const runIdArg: Guard<RunIdArg> = object({ id: runId });
export const starRunArg: Guard<StarRunArg> = object({ id: runId, starred: bool });
export const exportRunArg: Guard<ExportRunArg> = object({
  id: runId,
  folder: nullable(folderPath),
  format: exportFormat,
});

/** "Tutorial CNN", "Standard NN", … or "Custom network". */
export const runName = (config: TrainConfig): string =>
  presetOf(config.network)?.name ?? 'Custom network';

/** A run as a file or folder name: "Tutorial CNN 2026-12-01 09-30" (its start, UTC). */
export const runTitle = (r: Pick<RunInfo, 'config' | 'startedAt'>): string =>
  `${runName(r.config)} ${r.startedAt.slice(0, 16).replace('T', ' ').replace(':', '-')}`;

/**
 * The events Compare needs of a run: its start, every batch and epoch, and how it ended — not
 * the filter snapshots or test-set pictures, which only the run's own panels show.
 */
export const CURVE_EVENTS = new Set<TrainingEvent['type']>([
  'run-started',
  'batch',
  'epoch-end',
  'finished',
  'stopped',
  'failed',
]);
