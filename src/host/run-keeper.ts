// Keeps every run: when one ends, its final weights (asked of the worker), its record and its whole
// history go into the runs folder, and a run-kept event says so (or says why not). Train never
// silently throws a result away.
import type { Result } from '../shared/contract.ts';
import { BUNDLED, DATASET } from '../shared/dataset.ts';
import { EnvelopeError, type ErrorEnvelope } from '../shared/errors.ts';
import type { TrainingEvent } from '../shared/events.ts';
import { checkNetwork } from '../shared/network-shapes.ts';
import type { RunInfo, RunStatus } from '../shared/runs.ts';
import { storageError } from '../library/errors.ts';
import type { RunStore } from '../library/runs.ts';
import { ownEvents } from './run-history.ts';

export interface KeeperDeps {
  store: RunStore;
  /** Asks the worker to save its current model (the run's final weights) into `dir`. */
  saveWeights: (dir: string) => Promise<Result<unknown>>;
  emit: (event: TrainingEvent) => void;
  now?: () => Date;
}

export class RunKeeper {
  private readonly started = new Map<string, string>();

  constructor(private readonly deps: KeeperDeps) {}

  /** Called with every event after the host's history took it; `history` is that history. */
  observe(event: TrainingEvent, history: () => TrainingEvent[]): void {
    switch (event.type) {
      case 'run-started':
        if (!this.started.has(event.runId)) this.started.set(event.runId, this.now());
        return;
      case 'finished':
      case 'stopped':
      case 'failed': {
        if (event.runId === null || !this.started.has(event.runId)) return;
        const startedAt = this.started.get(event.runId)!;
        this.started.delete(event.runId);
        const status: RunStatus = event.type;
        void this.keep(event.runId, status, startedAt, history());
        return;
      }
      default:
        return;
    }
  }

  private async keep(
    id: string,
    status: RunStatus,
    startedAt: string,
    events: TrainingEvent[],
  ): Promise<void> {
    const { store, saveWeights, emit } = this.deps;
    const own = ownEvents(events);
    let error: ErrorEnvelope | null = null;
    try {
      let hasWeights = false;
      if (status !== 'failed') {
        const saved = await saveWeights(store.dirOf(id));
        if (!saved.ok) throw new EnvelopeError(saved.error);
        hasWeights = true;
      }
      const info = runInfoOf(own, { startedAt, endedAt: this.now(), status, hasWeights });
      if (info !== null) await store.keep(info, own);
    } catch (e) {
      error = storageError(e, 'keep this run in the runs folder', 'Save it as a model instead.');
    }
    emit({ type: 'run-kept', runId: id, error });
  }

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }
}

type Ev<T extends TrainingEvent['type']> = Extract<TrainingEvent, { type: T }>;

/** The run list's record of a run, from its events; null if it never started. */
export function runInfoOf(
  events: readonly TrainingEvent[],
  how: { startedAt: string; endedAt: string; status: RunStatus; hasWeights: boolean },
): RunInfo | null {
  const start = events.find((e): e is Ev<'run-started'> => e.type === 'run-started');
  if (start === undefined) return null;
  const byEpoch = new Map<number, Ev<'epoch-end'>>();
  for (const e of events) if (e.type === 'epoch-end') byEpoch.set(e.epoch, e);
  const epochs = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  const lastEpoch = epochs.at(-1);
  const lastBatch = events.findLast((e): e is Ev<'batch'> => e.type === 'batch');
  const finished = events.find((e): e is Ev<'finished'> => e.type === 'finished');
  const check = checkNetwork(start.config.network, DATASET, start.config.batchSize);
  return {
    id: start.runId,
    ...how,
    engine: start.engine.name,
    threads: start.engine.threads,
    config: start.config,
    dataset: start.dataset?.name ?? BUNDLED.name,
    trainSize: start.trainSize,
    testSize: start.testSize,
    epochsCompleted: epochs.length,
    testAccuracy: finished?.testAccuracy ?? lastEpoch?.testAccuracy ?? null,
    trainAccuracy: lastEpoch?.trainAccuracy ?? null,
    durationSec:
      finished?.elapsedSec ?? Math.max(lastBatch?.elapsedSec ?? 0, lastEpoch?.elapsedSec ?? 0),
    imagesPerSec: lastBatch?.imagesPerSec ?? null,
    params: check.ok ? check.summary.params : 0,
    accuracies: epochs.map((e) => e.testAccuracy),
    starred: false,
    ...(start.finetune && {
      finetune: {
        ...start.finetune,
        handwriting: events.flatMap((e) =>
          e.type === 'handwriting-accuracy' ? [e.correct / e.count] : [],
        ),
      },
    }),
  };
}
