import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envelope } from '../../../src/shared/errors.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';
import {
  initialView,
  reduce,
  reduceAll,
  replay,
  type RunView,
} from '../../../renderer/src/lib/state/reducer.ts';
import { seriesToArrays } from '../../../renderer/src/lib/state/series.ts';
import { ENGINE, batch, epochEnd, fullRun, started, status } from './fixtures.ts';

/** Everything observable about a view, with the series as plain arrays. */
function snapshot(v: RunView): unknown {
  const { series, ...rest } = v;
  return { ...rest, series: seriesToArrays(series), smoothing: series.smoothing };
}

const running = (runId = 'run-1'): RunView => reduce(initialView(), started(runId));

describe('reduce: run-started', () => {
  it('starts a fresh running view with the run settings', () => {
    const v = running('run-1');
    assert.equal(v.state, 'running');
    assert.equal(v.runId, 'run-1');
    assert.equal(v.batchesPerEpoch, 4);
    assert.equal(v.config?.epochs, 2);
    assert.deepEqual(v.engine, ENGINE);
    assert.equal(v.series.length, 0);
  });

  it('resets everything the previous run left behind', () => {
    let v = reduceAll(fullRun('old'));
    v = reduce(v, { type: 'failed', runId: 'old', error: envelope('INTERNAL', 'boom') });
    assert.ok(v.series.length > 0 && v.epochs.length > 0 && v.error !== null);

    const next = reduce(v, started('new', { epochs: 3, batchesPerEpoch: 10 }));
    assert.equal(next.runId, 'new');
    assert.equal(next.state, 'running');
    assert.equal(next.series.length, 0);
    assert.deepEqual(next.epochs, []);
    assert.equal(next.last, null);
    assert.equal(next.filters, null);
    assert.equal(next.error, null);
    assert.equal(next.finalTestAccuracy, null);
    assert.equal(next.batchesPerEpoch, 10);
    assert.equal(next.config?.epochs, 3);
  });

  it('keeps the notice of a run the host resumed by itself, and drops it with the next run', () => {
    const notice = 'The training thread stopped answering and was replaced; …';
    const v = reduce(initialView(), { ...started('resumed'), notice });
    assert.equal(v.notice, notice);
    assert.equal(reduce(v, batch('resumed', 1, 1, [2.3])).notice, notice);
    assert.equal(reduce(v, started('next')).notice, null);
  });

  it('ignores a repeated run-started for the current run', () => {
    const v = reduce(running(), batch('run-1', 1, 1, [2.3]));
    assert.equal(reduce(v, started('run-1')), v);
  });
});

describe('reduce: batch', () => {
  it('appends every loss with its global batch index', () => {
    let v = running();
    v = reduce(v, batch('run-1', 1, 1, [2.3, 2.2, 2.1]));
    v = reduce(v, batch('run-1', 1, 4, [2.0]));
    v = reduce(v, batch('run-1', 2, 1, [1.5, 1.4], { accuracies: [0.5, 0.625] }));
    const s = seriesToArrays(v.series);
    assert.deepEqual(s.index, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(s.loss, [2.3, 2.2, 2.1, 2.0, 1.5, 1.4]);
    assert.deepEqual(s.accuracy.slice(4), [0.5, 0.625]);
    assert.deepEqual(v.last, {
      epoch: 2,
      batch: 2,
      loss: 1.4,
      accuracy: 0.625,
      imagesPerSec: 500,
      elapsedSec: 21,
      etaSec: 60,
    });
  });

  it('keeps a NaN loss as NaN (a diverging run stays visible)', () => {
    const v = reduce(running(), batch('run-1', 1, 1, [2.3, NaN], { accuracies: [0.1, 0.1] }));
    const s = seriesToArrays(v.series);
    assert.equal(s.loss.length, 2);
    assert.ok(Number.isNaN(s.loss[1]));
    assert.ok(Number.isNaN(v.last?.loss));
  });

  it('skips batches it already holds, so overlapping events add only what is new', () => {
    let v = reduce(running(), batch('run-1', 1, 1, [2.3, 2.2]));
    const same = reduce(v, batch('run-1', 1, 1, [2.3, 2.2]));
    assert.equal(same, v);
    v = reduce(v, batch('run-1', 1, 2, [9.9, 2.1, 2.0])); // batch 2 again, then 3 and 4
    const s = seriesToArrays(v.series);
    assert.deepEqual(s.index, [1, 2, 3, 4]);
    assert.deepEqual(s.loss, [2.3, 2.2, 2.1, 2.0]);
  });

  it('holds 12 000 points from 1 500 events', () => {
    const bpe = 1200;
    let v = reduce(initialView(), started('big', { epochs: 10, batchesPerEpoch: bpe }));
    for (let epoch = 1; epoch <= 10; epoch++)
      for (let first = 1; first <= bpe; first += 8) {
        const losses = Array.from({ length: 8 }, (_, k) => 1 / (first + k));
        v = reduce(v, batch('big', epoch, first, losses, { batchesPerEpoch: bpe }));
      }
    assert.equal(v.series.length, 12_000);
    const s = seriesToArrays(v.series);
    assert.equal(s.index[11_999], 12_000);
    assert.equal(s.loss[1200], 1); // first batch of epoch 2
  });

  it('never changes the view it was given', () => {
    const v = reduce(running(), batch('run-1', 1, 1, [2.3, 2.2]));
    const before = snapshot(v);
    const a = reduce(v, batch('run-1', 1, 3, [2.1]));
    const b = reduce(v, batch('run-1', 1, 3, [7.7, 7.6])); // a branch from the same view
    assert.deepEqual(snapshot(v), before);
    assert.deepEqual(seriesToArrays(a.series).loss, [2.3, 2.2, 2.1]);
    assert.deepEqual(seriesToArrays(b.series).loss, [2.3, 2.2, 7.7, 7.6]);
  });
});

describe('reduce: epoch-end', () => {
  it('records train and test accuracy per epoch, in epoch order', () => {
    let v = running();
    v = reduce(v, epochEnd('run-1', 1, 0.9));
    v = reduce(v, epochEnd('run-1', 2, 0.95));
    assert.deepEqual(
      v.epochs.map((r) => [r.epoch, r.trainAccuracy, r.testAccuracy]),
      [
        [1, 0.89, 0.9],
        [2, 0.94, 0.95],
      ],
    );
    assert.equal(v.epochsCompleted, 2);
    assert.equal(v.elapsedSec, 40);
  });

  it('replaces a repeated epoch instead of adding it twice', () => {
    let v = reduce(running(), epochEnd('run-1', 1, 0.9));
    v = reduce(v, epochEnd('run-1', 1, 0.91));
    assert.equal(v.epochs.length, 1);
    assert.equal(v.epochs[0]?.testAccuracy, 0.91);
  });
});

describe('reduce: state transitions', () => {
  it('pauses and resumes', () => {
    const paused = reduce(running(), { type: 'paused', runId: 'run-1' });
    assert.equal(paused.state, 'paused');
    assert.equal(reduce(paused, { type: 'resumed', runId: 'run-1' }).state, 'running');
  });

  it('ignores resume while running and pause while paused', () => {
    const v = running();
    assert.equal(reduce(v, { type: 'resumed', runId: 'run-1' }), v);
    const paused = reduce(v, { type: 'paused', runId: 'run-1' });
    assert.equal(reduce(paused, { type: 'paused', runId: 'run-1' }), paused);
  });

  it('stops from running or paused and keeps the data', () => {
    let v = reduce(running(), batch('run-1', 1, 1, [2.3]));
    v = reduce(v, { type: 'paused', runId: 'run-1' });
    v = reduce(v, { type: 'stopped', runId: 'run-1', reason: 'user', epochsCompleted: 0 });
    assert.equal(v.state, 'stopped');
    assert.equal(v.stopReason, 'user');
    assert.equal(v.series.length, 1);
  });

  it('finishes with the final test accuracy, and a late stop does not undo it', () => {
    const done = reduceAll(fullRun());
    assert.equal(done.state, 'finished');
    assert.equal(done.finalTestAccuracy, 0.95);
    assert.equal(done.epochsCompleted, 2);
    const late = { type: 'stopped', runId: 'run-1', reason: 'user', epochsCompleted: 2 } as const;
    assert.equal(reduce(done, late), done);
    assert.equal(reduce(done, batch('run-1', 2, 4, [0.1])), done);
  });

  it('fails the current run with its error', () => {
    const error = envelope('NON_FINITE_LOSS', 'The loss became NaN', 'epoch 1 batch 7');
    const v = reduce(running(), { type: 'failed', runId: 'run-1', error });
    assert.equal(v.state, 'failed');
    assert.deepEqual(v.error, error);
  });

  it('treats a failure without a run id as ending an active or not-yet-started run', () => {
    const error = envelope('WORKER_CRASHED', 'The training thread died');
    assert.equal(reduce(running(), { type: 'failed', runId: null, error }).state, 'failed');
    assert.equal(reduce(initialView(), { type: 'failed', runId: null, error }).state, 'failed');
    const finished = reduceAll(fullRun());
    const after = reduce(finished, { type: 'failed', runId: null, error });
    assert.equal(after.state, 'finished');
    assert.deepEqual(after.error, error);
  });
});

describe('reduce: other runs', () => {
  it('ignores every event that carries an old run id', () => {
    let v = reduce(reduceAll(fullRun('A').slice(0, 4)), started('B'));
    v = reduce(v, batch('B', 1, 1, [2.0]));
    const old: TrainingEvent[] = [
      batch('A', 1, 3, [1.0, 0.5]),
      epochEnd('A', 1, 0.99),
      { type: 'filters', runId: 'A', epoch: 1, batch: 1, kernels: [] },
      { type: 'paused', runId: 'A' },
      { type: 'stopped', runId: 'A', reason: 'user', epochsCompleted: 1 },
      { type: 'finished', runId: 'A', epochs: 1, testAccuracy: 0.99, elapsedSec: 1 },
      { type: 'failed', runId: 'A', error: envelope('INTERNAL', 'old') },
    ];
    for (const e of old) assert.equal(reduce(v, e), v, `${e.type} of run A changed run B`);
    assert.equal(v.state, 'running');
  });

  it('ignores run events before any run-started', () => {
    const v = initialView();
    assert.equal(reduce(v, batch('X', 1, 1, [1])), v);
    assert.equal(reduce(v, { type: 'paused', runId: 'X' }), v);
  });

  it('takes engine events at any time', () => {
    const other = { ...ENGINE, name: 'cpu' as const, label: 'Pure JS' };
    assert.deepEqual(reduce(running(), { type: 'engine', engine: other }).engine, other);
  });
});

describe('replay', () => {
  it('builds the same view from a history as live application did', () => {
    const events = fullRun();
    const live = events.reduce(reduce, initialView());
    const replayed = replay(status(events));
    assert.deepEqual(snapshot(replayed), snapshot(live));
  });

  it('also equals live application mid-run, with overlapping live events applied after', () => {
    const events = fullRun().slice(0, 9); // through the first batch event of epoch 2
    const live = reduceAll(events);
    // The host's history merges consecutive batch events; a live event may repeat its tail.
    const merged = [
      ...events.slice(0, 3),
      batch('run-1', 1, 1, [2.3, 2.1, 1.9, 1.7]),
      ...events.slice(5),
    ];
    let view = replay(status(merged, { state: 'running', runId: 'run-1' }));
    for (const e of events.slice(7)) view = reduce(view, e);
    assert.deepEqual(snapshot(view), snapshot(live));
    assert.equal(view.series.length, 7);
  });

  it('trusts the worker about pause when the history missed it', () => {
    const events = fullRun().slice(0, 5);
    assert.equal(replay(status(events, { state: 'paused', runId: 'run-1' })).state, 'paused');
    assert.equal(replay(status(events, { state: 'running', runId: 'run-1' })).state, 'running');
  });

  it('knows whether there is a model to save: after a run starts, or when the worker holds one', () => {
    assert.equal(replay(status([])).hasModel, false);
    assert.equal(replay(status([], { hasModel: true })).hasModel, true); // loaded, no run
    assert.equal(reduce(initialView(), started('r')).hasModel, true);
  });

  it('starts idle with the current engine when there is no history', () => {
    const v = replay(status([]));
    assert.equal(v.state, 'idle');
    assert.deepEqual(v.engine, ENGINE);
  });
});

describe('the test pass', () => {
  const testing = (done: number, elapsedSec = 5) =>
    ({ type: 'testing', runId: 'run-1', epoch: 1, done, total: 1000, elapsedSec }) as const;

  it('is its own phase with progress and a running clock, until the epoch result arrives', () => {
    const events = fullRun();
    const atEnd = events.findIndex((e) => e.type === 'epoch-end');
    let v = reduceAll(events.slice(0, atEnd));
    v = reduce(v, testing(0, 20));
    v = reduce(v, testing(500, 22));
    assert.deepEqual(v.testing, { epoch: 1, done: 500, total: 1000 });
    assert.equal(v.elapsedSec, 22); // Elapsed keeps going while the test set runs
    v = reduce(v, events[atEnd]!);
    assert.equal(v.testing, null);
    // A late progress event for an epoch already reported does not bring the phase back.
    assert.equal(reduce(v, testing(1000)).testing, null);
  });
});
