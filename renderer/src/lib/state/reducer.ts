// What the renderer knows about the current (or last) run, and the pure reducer that builds it from
// TrainingEvents. No Svelte here: the same code folds live events and a replayed history, and is
// unit-tested under plain Node.
import type { AppStatus } from '$shared/contract.ts';
import type { TrainingEvent, EpochResult } from '$shared/events.ts';
import { appendBatches, emptySeries, lastIndex } from './series.ts';
import { assertNever } from '$shared/guard.ts';
import { initialView, type RunState, type RunView } from './run-view.ts';

export * from './run-view.ts';

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
        finetune: e.finetune ? { ...e.finetune, handwriting: [] } : null,
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

    case 'handwriting-accuracy': {
      if (s.finetune === null) return s;
      const entry = { epoch: e.epoch, correct: e.correct, count: e.count };
      const handwriting = [
        ...s.finetune.handwriting.filter((h) => h.epoch !== e.epoch),
        entry,
      ].sort((a, b) => a.epoch - b.epoch);
      return { ...s, finetune: { ...s.finetune, handwriting } };
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
