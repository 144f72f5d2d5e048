// The events of the current run, kept so a window that opens mid-run can replay them.
// Consecutive batch events are merged, so an hour-long run stays a few hundred events.
import type { TrainingEvent } from '../shared/events.ts';
import { assertNever } from '../shared/guard.ts';

type BatchEvent = Extract<TrainingEvent, { type: 'batch' }>;

export class RunHistory {
  private list: TrainingEvent[] = [];
  private engineEvent: TrainingEvent | null = null;
  private datasetEvent: TrainingEvent | null = null;

  add(event: TrainingEvent): void {
    switch (event.type) {
      case 'engine':
        this.engineEvent = event;
        return;
      case 'dataset':
        this.datasetEvent = event;
        return;
      case 'run-started':
        this.list = [event];
        return;
      case 'batch': {
        const last = this.list.at(-1);
        if (last?.type === 'batch' && follows(last, event))
          this.list[this.list.length - 1] = merge(last, event);
        else this.list.push(event);
        return;
      }
      case 'filters': {
        // Only the latest snapshot matters to a new window.
        const i = this.list.findIndex((e) => e.type === 'filters');
        if (i >= 0) this.list.splice(i, 1);
        this.list.push(event);
        return;
      }
      case 'testing':
      case 'checkpoint': {
        // Only the latest matters: how far the test pass is, whether the run can be resumed.
        const i = this.list.findIndex((e) => e.type === event.type);
        if (i >= 0) this.list.splice(i, 1);
        this.list.push(event);
        return;
      }
      case 'evaluation': {
        // Each one is a few tens of kB (pixels of the worst images): keep the latest only.
        const i = this.list.findIndex((e) => e.type === 'evaluation');
        if (i >= 0) this.list.splice(i, 1);
        this.list.push(event);
        return;
      }
      case 'epoch-end':
      case 'handwriting-accuracy':
      case 'paused':
      case 'resumed':
      case 'finished':
      case 'stopped':
      case 'failed':
      case 'run-kept':
        this.list.push(event);
        return;
      default:
        return assertNever(event);
    }
  }

  /** Shows another run (one opened from the runs folder or a saved model's), or none. */
  replace(events: readonly TrainingEvent[]): void {
    this.list = events.filter((e) => e.type !== 'engine' && e.type !== 'dataset');
  }

  events(): TrainingEvent[] {
    const setup = [this.engineEvent, this.datasetEvent].filter((e) => e !== null);
    return [...setup, ...this.list];
  }

  runId(): string | null {
    const first = this.list[0];
    return first?.type === 'run-started' ? first.runId : null;
  }
}

function follows(a: BatchEvent, b: BatchEvent): boolean {
  return (
    a.runId === b.runId && a.epoch === b.epoch && a.firstBatch + a.losses.length === b.firstBatch
  );
}

function merge(a: BatchEvent, b: BatchEvent): BatchEvent {
  return {
    ...b,
    firstBatch: a.firstBatch,
    losses: [...a.losses, ...b.losses],
    accuracies: [...a.accuracies, ...b.accuracies],
  };
}

/** One run's own events, from its start: what a saved model keeps as its history. */
export function ownEvents(events: readonly TrainingEvent[]): TrainingEvent[] {
  const start = events.findIndex((e) => e.type === 'run-started');
  if (start < 0) return [];
  const id = (events[start] as Extract<TrainingEvent, { type: 'run-started' }>).runId;
  const own = events
    .slice(start)
    .filter(
      (e) => 'runId' in e && e.runId === id && e.type !== 'checkpoint' && e.type !== 'run-kept',
    );
  // Saved mid-run: the model's history ends where it was saved, not in a run still going.
  const ended = own.some(
    (e) => e.type === 'finished' || e.type === 'stopped' || e.type === 'failed',
  );
  if (ended) return own;
  const epochsCompleted = own.filter((e) => e.type === 'epoch-end').length;
  return [...own, { type: 'stopped', runId: id, reason: 'user', epochsCompleted }];
}
