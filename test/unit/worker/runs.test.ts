// Runs kept end to end: real training in the real worker, the host keeping each run in a real
// runs folder, and the run:* and model:* channels showing a run everywhere. A re-run on the same
// engine and thread count repeats the first run's numbers exactly.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { err, ok, startHost, type HostFixture } from './host-fixture.ts';
import type { TrainingHost } from '../../../src/host/training-host.ts';
import { HISTORY_FILE } from '../../../src/library/runs.ts';
import { DEFAULT_CONFIG, type TrainConfig } from '../../../src/shared/config.ts';
import type { AppStatus } from '../../../src/shared/contract.ts';
import { DATASET } from '../../../src/shared/dataset.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';
import { presetById } from '../../../src/shared/network.ts';
import { checkNetwork } from '../../../src/shared/network-shapes.ts';
import type { RunInfo, RunList } from '../../../src/shared/runs.ts';

let root: string;
let host: TrainingHost;
let dispatch: HostFixture['dispatch'];
let fixture: HostFixture;
before(async () => {
  fixture = await startHost('cnn-runs-');
  ({ root, host, dispatch } = fixture);
});
after(() => fixture.close());

const tiny = presetById('tiny-cnn')!;
const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  network: tiny.network,
  optimizer: tiny.optimizer,
  learningRate: tiny.learningRate,
  epochs: 2,
  trainLimit: 300,
  testLimit: 200,
  seed: 7,
};

/** Trains `c` and resolves with its run id once the run is kept. */
async function trainAndKeep(c: TrainConfig): Promise<string> {
  const kept = new Promise<Extract<TrainingEvent, { type: 'run-kept' }>>((resolve) => {
    const off = host.onEvent((e) => {
      if (e.type === 'run-kept') {
        off();
        resolve(e);
      }
    });
  });
  const { runId } = ok<{ runId: string }>(await dispatch('training:start', c));
  const e = await kept;
  assert.equal(e.runId, runId);
  assert.equal(e.error, null);
  return runId;
}

const losses = (events: TrainingEvent[]): number[] =>
  events.flatMap((e) => (e.type === 'batch' ? e.losses : []));
const epochResults = (events: TrainingEvent[]) =>
  events.flatMap((e) => (e.type === 'epoch-end' ? [[e.trainLoss, e.testAccuracy]] : []));
const predict = async (): Promise<number[]> =>
  ok<{ probabilities: number[] }>(await dispatch('model:predict', new Float32Array(784).fill(0.2)))
    .probabilities;

describe('every run is kept', () => {
  let first: string;
  let second: string;

  test('a finished run is in the list with its record, history and weights', async () => {
    first = await trainAndKeep(config);
    const { runs } = ok<RunList>(await dispatch('run:list', null));
    assert.equal(runs.length, 1);
    const run = runs[0]!;
    assert.equal(run.id, first);
    assert.equal(run.status, 'finished');
    assert.equal(run.hasWeights, true);
    assert.equal(run.epochsCompleted, 2);
    assert.equal(run.accuracies.length, 2);
    assert.equal(run.testAccuracy, run.accuracies[1]);
    assert.equal(run.trainSize, 300);
    assert.equal(run.engine, 'wasm');
    const check = checkNetwork(tiny.network, DATASET, config.batchSize);
    assert.ok(check.ok);
    assert.equal(run.params, check.summary.params);
    assert.ok(run.startedAt <= run.endedAt);
  });

  test('Re-run: the same spec, data and seed give the same numbers', async () => {
    const firstWeights = await predict();
    second = await trainAndKeep(config);
    assert.notEqual(second, first);
    const a = ok<TrainingEvent[]>(await dispatch('run:history', { id: first }));
    const b = ok<TrainingEvent[]>(await dispatch('run:history', { id: second }));
    assert.equal(losses(a).length, 12); // 2 epochs of 6 batches
    assert.deepEqual(losses(b), losses(a));
    assert.deepEqual(epochResults(b), epochResults(a));
    // Compare gets curves only: no filter snapshots or test-set pictures.
    assert.ok(a.every((e) => e.type !== 'filters' && e.type !== 'evaluation'));
    assert.deepEqual(await predict(), firstWeights);
    const { runs } = ok<RunList>(await dispatch('run:list', null));
    assert.deepEqual(
      runs.map((r) => r.id),
      [second, first],
    );
  });

  test('opening a run shows it everywhere and predicts with its weights', async () => {
    // A different run is current now: a third network.
    const other = await trainAndKeep({ ...config, seed: 8, epochs: 1 });
    const otherPrediction = await predict();
    ok<RunInfo>(await dispatch('run:open', { id: first }));
    const status = ok<AppStatus>(await dispatch('training:status', null));
    assert.deepEqual(status.shown, { kind: 'run', name: first });
    const started = status.history.find((e) => e.type === 'run-started');
    assert.equal(started?.type === 'run-started' && started.runId, first);
    assert.ok(status.history.some((e) => e.type === 'finished'));
    assert.ok(status.history.some((e) => e.type === 'evaluation'));
    assert.ok(status.history.every((e) => !('runId' in e) || e.runId === first));
    const opened = await predict();
    assert.notDeepEqual(opened, otherPrediction);
    ok(await dispatch('run:open', { id: other }));
    assert.deepEqual(await predict(), otherPrediction);
  });

  test('a saved model keeps its run history, and loading it shows that history', async () => {
    ok(await dispatch('run:open', { id: first }));
    ok(await dispatch('model:save', { name: 'first', overwrite: false }));
    ok(await dispatch('run:open', { id: second }));
    ok(await dispatch('model:load', { name: 'first' }));
    const status = ok<AppStatus>(await dispatch('training:status', null));
    assert.deepEqual(status.shown, { kind: 'model', name: 'first' });
    const started = status.history.find((e) => e.type === 'run-started');
    assert.equal(started?.type === 'run-started' && started.runId, first);
  });

  test('a damaged history is refused in words; the model still loads, without history', async () => {
    await writeFile(join(root, 'runs', first, HISTORY_FILE), new Uint8Array([0xc1, 1, 2]));
    const e = err(await dispatch('run:open', { id: first }));
    assert.equal(e.code, 'BAD_MODEL');
    assert.match(e.message, new RegExp(`history of run ${first} is damaged`));
    assert.equal(ok<RunList>(await dispatch('run:list', null)).runs.length, 3);

    await writeFile(join(root, 'models', 'first', HISTORY_FILE), 'not msgpack');
    ok(await dispatch('model:load', { name: 'first' }));
    const status = ok<AppStatus>(await dispatch('training:status', null));
    assert.deepEqual(status.shown, { kind: 'model', name: 'first' });
    // The engine and the data, and nothing of any run.
    assert.deepEqual(
      status.history.map((e) => e.type),
      ['engine', 'dataset'],
    );
  });

  test('star, delete, and refusals name the run', async () => {
    const starred = ok<RunInfo>(await dispatch('run:star', { id: second, starred: true }));
    assert.equal(starred.starred, true);
    const listed = ok<RunList>(await dispatch('run:list', null)).runs.find((r) => r.id === second);
    assert.equal(listed?.starred, true);
    ok(await dispatch('run:delete', { id: first })); // a damaged run can be deleted
    assert.equal(err(await dispatch('run:open', { id: first })).code, 'NOT_FOUND');
    assert.equal(err(await dispatch('run:delete', { id: first })).code, 'NOT_FOUND');
    assert.equal(err(await dispatch('run:open', { id: '../models' })).code, 'BAD_REQUEST');
  });
});
