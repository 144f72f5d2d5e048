// Drives the real training worker thread through the real host: one worker for the whole file,
// as in the app (tfjs-node does not survive a second worker in one process).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { spawnSourceWorker } from '../../../src/host/spawn-worker.ts';
import { TrainingHost } from '../../../src/host/training-host.ts';
import { DEFAULT_CONFIG, type TrainConfig } from '../../../src/shared/config.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';

const host = new TrainingHost({
  spawn: () => spawnSourceWorker(),
  engine: 'wasm',
  dataDir: null,
  log: () => {},
});
const events: TrainingEvent[] = [];
host.onEvent((e) => events.push(e));
after(() => host.close());

const config = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  ...DEFAULT_CONFIG,
  epochs: 2,
  trainLimit: 400,
  testLimit: 200,
  ...over,
});

/** Resolves with the first event (from now on) that matches. */
function next<T extends TrainingEvent['type']>(
  type: T,
  where: (e: Extract<TrainingEvent, { type: T }>) => boolean = () => true,
): Promise<Extract<TrainingEvent, { type: T }>> {
  return new Promise((resolve) => {
    const off = host.onEvent((e) => {
      if (e.type === type && where(e as Extract<TrainingEvent, { type: T }>)) {
        off();
        resolve(e as Extract<TrainingEvent, { type: T }>);
      }
    });
  });
}

const ofRun = (runId: string, type: TrainingEvent['type']): TrainingEvent[] =>
  events.filter((e) => e.type === type && 'runId' in e && e.runId === runId);
const batchCount = (runId: string): number =>
  ofRun(runId, 'batch').reduce((n, e) => n + (e.type === 'batch' ? e.losses.length : 0), 0);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('warming up reports the engine before any run', async () => {
  const engine = next('engine');
  host.warmUp();
  assert.equal((await engine).engine.name, 'wasm');
  const status = await host.status();
  assert.equal(status.engine?.name, 'wasm');
  assert.deepEqual(status.worker, { state: 'idle', runId: null, hasModel: false });
});

test('a run streams batch, epoch and filter events and finishes', async () => {
  const finished = next('finished');
  const started = await host.request({ type: 'start', config: config() });
  assert.ok(started.ok, JSON.stringify(started));
  const runId = started.value.runId;
  const done = await finished;
  assert.equal(done.runId, runId);
  assert.equal(done.epochs, 2);
  assert.ok(done.testAccuracy > 0.1, `test accuracy ${done.testAccuracy}`);
  const engine = events.find((e) => e.type === 'engine');
  assert.ok(engine?.type === 'engine' && engine.engine.name === 'wasm', 'engine reported');
  const runStarted = ofRun(runId, 'run-started')[0];
  assert.ok(runStarted?.type === 'run-started' && runStarted.batchesPerEpoch === 8);
  assert.equal(batchCount(runId), 16, 'every batch of both epochs reported');
  const epochs = ofRun(runId, 'epoch-end');
  assert.deepEqual(
    epochs.map((e) => e.type === 'epoch-end' && e.epoch),
    [1, 2],
  );
  const filters = ofRun(runId, 'filters');
  assert.ok(filters.length >= 3, 'a snapshot at start and after each epoch');
  const k = filters.at(-1);
  assert.ok(k?.type === 'filters' && k.kernels[0]!.values.length === 5 * 5 * 32);
  assert.ok(
    k.kernels[1]!.values instanceof Float32Array && k.kernels[1]!.values.length === 5 * 5 * 32 * 64,
  );
});

test('predict answers with ten probabilities from the trained weights', async () => {
  const r = await host.request({ type: 'predict', pixels: new Float32Array(784).fill(0.5) });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.value.probabilities.length, 10);
  assert.ok(Math.abs(r.value.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4);
});

test('pause holds the run, resume continues it, stop ends it; the worker then starts again', async () => {
  const started = await host.request({
    type: 'start',
    config: config({ epochs: 50, trainLimit: 2000 }),
  });
  assert.ok(started.ok);
  const runId = started.value.runId;
  await next('batch', (e) => e.runId === runId);

  assert.deepEqual(await host.request({ type: 'pause' }), { ok: true, value: null });
  await sleep(300); // let a batch in flight finish
  const status = await host.status();
  assert.equal(status.worker.state, 'paused');
  const held = batchCount(runId);
  await sleep(1000);
  assert.equal(batchCount(runId), held, 'no batch ran while paused');
  const whilePaused = await host.request({ type: 'predict', pixels: new Float32Array(784) });
  assert.ok(whilePaused.ok, 'predictions work while paused');
  const second = await host.request({ type: 'pause' });
  assert.ok(!second.ok && second.error.code === 'NOT_RUNNING');

  const moved = next('batch', (e) => e.runId === runId);
  assert.ok((await host.request({ type: 'resume' })).ok);
  await moved;
  assert.ok(batchCount(runId) > held, 'batches continue after resume');

  const busy = await host.request({ type: 'start', config: config() });
  assert.ok(!busy.ok && busy.error.code === 'BUSY');

  const stopped = next('stopped', (e) => e.runId === runId);
  assert.ok((await host.request({ type: 'stop' })).ok);
  assert.equal((await stopped).reason, 'user');
  assert.ok(ofRun(runId, 'finished').length === 0);

  const again = next('finished');
  const restart = await host.request({
    type: 'start',
    config: config({ epochs: 1, trainLimit: 100 }),
  });
  assert.ok(restart.ok && restart.value.runId !== runId, 'a new run in the same worker');
  assert.equal((await again).runId, restart.value.runId);
});

test('bad requests are refused with a reason and the worker keeps serving', async () => {
  const bad = await host.request({ type: 'start', config: config({ batchSize: 0 }) });
  assert.ok(!bad.ok && bad.error.code === 'BAD_REQUEST' && /batchSize/.test(bad.error.message));
  const noRun = await host.request({ type: 'stop' });
  assert.ok(!noRun.ok && noRun.error.code === 'NOT_RUNNING');
  const pixels = await host.request({ type: 'predict', pixels: new Float32Array(10) });
  assert.ok(!pixels.ok && pixels.error.code === 'BAD_REQUEST');
  const status = await host.status();
  assert.equal(status.worker.state, 'idle');
});

test('save writes model.json and weights.bin atomically into the target folder', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'cnn-save-'));
  const dir = join(parent, 'model');
  const r = await host.request({ type: 'save', dir });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual((await readdir(parent)).sort(), ['model'], 'no temporary folder left behind');
  assert.deepEqual((await readdir(dir)).sort(), ['model.json', 'weights.bin']);
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  assert.equal(json.format, 'layers-model');
  assert.equal(json.userDefinedMetadata.epochsTrained, 1);
  const bytes = (await readFile(join(dir, 'weights.bin'))).byteLength;
  assert.equal(bytes, 3_199_106 * 4);
  assert.equal(r.value.bytes, bytes);
  // Saving again replaces the model in place.
  assert.ok((await host.request({ type: 'save', dir })).ok);
  assert.deepEqual((await readdir(parent)).sort(), ['model']);
});
