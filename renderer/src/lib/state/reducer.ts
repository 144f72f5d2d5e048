// What the renderer knows about the current (or last) run, and the pure reducer that builds it from
// TrainingEvents. No Svelte here: the same code folds live events and a replayed history, and is
// unit-tested under plain Node.
import type { TrainConfig } from '$shared/config.ts';
import type { AppStatus, Shown } from '$shared/contract.ts';
import type { ErrorEnvelope } from '$shared/errors.ts';
import type { DatasetInfo } from '$shared/dataset.ts';
import type {
  EngineInfo,
  KernelSnapshot,
  Misclassified,
  StopReason,
  TrainingEvent,
  EpochResult,
} from '$shared/events.ts';
import { appendBatches, emptySeries, lastIndex, type LossSeries } from './series.ts';
import { assertNever } from '$shared/guard.ts';

export type RunState = 'idle' | 'running' | 'paused' | 'finished' | 'stopped' | 'failed';

export type { EpochResult };

/** The newest batch-level numbers, from the last batch event. */
export interface LastBatch {
  epoch: number;
  /** 1-based index within the epoch of the newest batch. */
  batch: number;
  loss: number;
  accuracy: number;
  imagesPerSec: number;
  elapsedSec: number;
  etaSec: number;
}

export interface FiltersSnapshot {
  epoch: number;
  batch: number;
  kernels: readonly KernelSnapshot[];
}

/** The latest epoch's test-set breakdown, for the confusion matrix and the mistakes gallery. */
export interface EvaluationView {
  epoch: number;
  count: number;
  /** matrix[label * 10 + predicted]. */
  matrix: readonly number[];
  /** Per cell, test-set indices to show when it is clicked. */
  samples: readonly (readonly number[])[];
  /** Every evaluated index, grouped by cell (null: a run kept before evaluations listed them). */
  cells: readonly number[] | null;
  wrong: readonly Misclassified[];
}

export interface RunView {
  readonly runId: string | null;
  readonly state: RunState;
  readonly engine: EngineInfo | null;
  readonly config: TrainConfig | null;
  readonly trainSize: number;
  readonly testSize: number;
  readonly batchesPerEpoch: number;
  /** Every batch's loss and accuracy, by global batch index. */
  readonly series: LossSeries;
  /** One entry per finished epoch, in epoch order. */
  readonly epochs: readonly EpochResult[];
  readonly last: LastBatch | null;
  /** Latest kernel snapshot, for the filters panel. */
  readonly filters: FiltersSnapshot | null;
  /** Latest confusion matrix and worst mistakes (after each epoch). */
  readonly evaluation: EvaluationView | null;
  readonly elapsedSec: number;
  readonly finalTestAccuracy: number | null;
  readonly stopReason: StopReason | null;
  readonly epochsCompleted: number;
  readonly error: ErrorEnvelope | null;
  /** Said by the host when it resumed this run by itself (a stuck worker was replaced). */
  readonly notice: string | null;
  /** The test pass in progress after an epoch, until that epoch's result arrives. */
  readonly testing: {
    readonly epoch: number;
    readonly done: number;
    readonly total: number;
  } | null;
  /** The host holds a model (trained here or loaded): there is something to save or predict with. */
  readonly hasModel: boolean;
  /** The run is in the runs folder (run-kept), or why it could not be written there. */
  readonly kept: boolean;
  readonly keepError: ErrorEnvelope | null;
  /** Opened from the run list or loaded as a saved model (not trained in this session), or null. */
  readonly shown: Shown | null;
  /** What this run trained on; null: the bundled MNIST (or no run). */
  readonly runDataset: DatasetInfo | null;
}

export function initialView(engine: EngineInfo | null = null): RunView {
  return {
    runId: null,
    state: 'idle',
    engine,
    config: null,
    trainSize: 0,
    testSize: 0,
    batchesPerEpoch: 0,
    series: emptySeries(),
    epochs: [],
    last: null,
    filters: null,
    evaluation: null,
    elapsedSec: 0,
    finalTestAccuracy: null,
    stopReason: null,
    epochsCompleted: 0,
    error: null,
    notice: null,
    testing: null,
    hasModel: false,
    kept: false,
    keepError: null,
    shown: null,
    runDataset: null,
  };
}

export const isActive = (state: RunState): boolean => state === 'running' || state === 'paused';

/**
 * Applies one event. Never mutates `s` (see series.ts for how the loss buffers stay shareable).
 * Events that carry another run's id are ignored, and so are repeats (a batch already held, a
 * second run-started for the current run), so a history replay overlapping live events is safe.
 */
export function reduce(s: RunView, e: TrainingEvent): RunView {
  switch (e.type) {
    case 'engine':
      return { ...s, engine: e.engine };

    case 'dataset':
      return s; // the next run's data: Studio.dataset; this run's is runDataset

    case 'run-started': {
      if (e.runId === s.runId) return s;
      const total = e.config.epochs * e.batchesPerEpoch;
      return {
        ...initialView(e.engine),
        runId: e.runId,
        state: 'running',
        config: e.config,
        trainSize: e.trainSize,
        testSize: e.testSize,
        batchesPerEpoch: e.batchesPerEpoch,
        series: emptySeries(total),
        hasModel: true,
        notice: e.notice ?? null,
        runDataset: e.dataset ?? null,
      };
    }

    case 'failed': {
      if (e.runId !== null && e.runId !== s.runId) return s;
      // A failure without a run id (a crashed worker, an engine that would not load) ends whatever
      // is active; it does not rewrite how an already finished or stopped run ended.
      const ends = e.runId !== null || s.state === 'idle' || isActive(s.state);
      return { ...s, error: e.error, state: ends ? 'failed' : s.state };
    }

    default:
      break;
  }

  if (e.runId !== s.runId) return s;

  switch (e.type) {
    case 'batch': {
      if (!isActive(s.state) || e.losses.length === 0) return s;
      const first = (e.epoch - 1) * e.batchesPerEpoch + e.firstBatch;
      const newest = first + e.losses.length - 1;
      if (newest <= lastIndex(s.series)) return s; // an event we already applied
      const n = e.losses.length;
      return {
        ...s,
        batchesPerEpoch: e.batchesPerEpoch,
        series: appendBatches(s.series, first, e.losses, e.accuracies),
        last: {
          epoch: e.epoch,
          batch: e.firstBatch + n - 1,
          loss: e.losses[n - 1]!,
          accuracy: e.accuracies[n - 1] ?? NaN,
          imagesPerSec: e.imagesPerSec,
          elapsedSec: e.elapsedSec,
          etaSec: e.etaSec,
        },
        elapsedSec: e.elapsedSec,
        testing: null,
      };
    }

    case 'testing': {
      // Late or repeated progress for an epoch whose result is already here changes nothing.
      if (!isActive(s.state) || s.epochs.some((r) => r.epoch === e.epoch)) return s;
      const testing = { epoch: e.epoch, done: e.done, total: e.total };
      return { ...s, testing, elapsedSec: Math.max(s.elapsedSec, e.elapsedSec) };
    }

    case 'epoch-end': {
      const result: EpochResult = {
        epoch: e.epoch,
        trainLoss: e.trainLoss,
        trainAccuracy: e.trainAccuracy,
        testLoss: e.testLoss,
        testAccuracy: e.testAccuracy,
        elapsedSec: e.elapsedSec,
      };
      const epochs = [...s.epochs.filter((r) => r.epoch !== e.epoch), result].sort(
        (a, b) => a.epoch - b.epoch,
      );
      return {
        ...s,
        epochs,
        epochsCompleted: epochs.length,
        elapsedSec: e.elapsedSec,
        testing: null,
      };
    }

    case 'filters':
      return { ...s, filters: { epoch: e.epoch, batch: e.batch, kernels: e.kernels } };

    case 'evaluation':
      if (s.evaluation !== null && s.evaluation.epoch > e.epoch) return s;
      return {
        ...s,
        evaluation: {
          epoch: e.epoch,
          count: e.count,
          matrix: e.matrix,
          samples: e.samples,
          cells: e.cells ?? null,
          wrong: e.wrong,
        },
      };

    case 'paused':
      return s.state === 'running' ? { ...s, state: 'paused' } : s;

    case 'resumed':
      return s.state === 'paused' ? { ...s, state: 'running' } : s;

    case 'stopped':
      if (!isActive(s.state)) return s;
      return {
        ...s,
        state: 'stopped',
        testing: null,
        stopReason: e.reason,
        epochsCompleted: Math.max(s.epochsCompleted, e.epochsCompleted),
      };

    case 'finished':
      if (!isActive(s.state)) return s;
      return {
        ...s,
        state: 'finished',
        testing: null,
        finalTestAccuracy: e.testAccuracy,
        elapsedSec: e.elapsedSec,
        epochsCompleted: Math.max(s.epochsCompleted, e.epochs),
      };

    case 'checkpoint':
      return s; // shown by the models panel (ModelsPanel.svelte), not part of the run view

    case 'run-kept':
      return { ...s, kept: e.error === null, keepError: e.error };

    default:
      return assertNever(e);
  }
}

/** Folds events into a view, starting from `from` (a fresh view by default). */
export function reduceAll(
  events: readonly TrainingEvent[],
  from: RunView = initialView(),
): RunView {
  let view = from;
  for (const e of events) view = reduce(view, e);
  return view;
}

/**
 * The view a (re)connecting window draws: the host's history folded from scratch, then reconciled
 * with what the worker says right now (its pause state and the current engine win).
 */
export function replay(status: AppStatus): RunView {
  let view = reduceAll(status.history, initialView(status.engine));
  if (status.engine !== null) view = { ...view, engine: status.engine };
  if (status.shown !== null) view = { ...view, shown: status.shown };
  const { worker } = status;
  if (worker.hasModel && !view.hasModel) view = { ...view, hasModel: true };
  if (worker.runId !== null && worker.runId === view.runId && isActive(view.state)) {
    if (worker.state === 'paused' && view.state === 'running') view = { ...view, state: 'paused' };
    if (worker.state === 'running' && view.state === 'paused') view = { ...view, state: 'running' };
  }
  return view;
}
