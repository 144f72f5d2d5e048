// A worker that stops answering mid-run is replaced, and the run continues from its last
// checkpoint by itself, with a notice for the window. Real worker, real training, real
// checkpoint: the worker "stops answering" by being given a request bound of 1 ms while it is
// busy in a batch, which the host's watchdog cannot tell from a hang.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AutoResume } from '../../../src/host/auto-resume.ts';
import { readCheckpointInfo } from '../../../src/library/checkpoint-files.ts';
import { spawnSourceWorker } from '../../../src/host/spawn-worker.ts';
import { TrainingHost } from '../../../src/host/training-host.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';
import { started } from '../renderer/fixtures.ts';
import { DEFAULT_CONFIG, type TrainConfig } from '../../../src/shared/config.ts';

const CONFIG: TrainConfig = {
  ...DEFAULT_CONFIG,
  epochs: 3,
  batchSize: 50,
  learningRate: 1e-3,
  trainLimit: 200,
  testLimit: 50,
  seed: 1,
};

test('a stuck worker mid-run is replaced and the run continues from its checkpoint', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cnn-auto-resume-'));
  let spawns = 0;
  const host = new TrainingHost({
    spawn: () => (spawns++, spawnSourceWorker()),
    engine: 'wasm',
    dataDir: null,
    checkpointDir: join(dir, 'checkpoint'),
    log: () => {},
  });
  const events: TrainingEvent[] = [];
  const seen = (pred: (e: TrainingEvent) => boolean): Promise<TrainingEvent> =>
    new Promise((resolve) => {
      const found = events.find(pred);
      if (found) return resolve(found);
      const off = host.onEvent((e) => pred(e) && (off(), resolve(e)));
    });
  host.onEvent((e) => events.push(e));
  try {
    const start = await host.request({ type: 'start', config: CONFIG });
    assert.ok(start.ok, JSON.stringify(start));
    const saved = await seen((e) => e.type === 'checkpoint' && e.epoch === 1 && e.error === null);
    // The event carries what the models panel shows, as reading the folder would give it.
    assert.ok(saved.type === 'checkpoint' && saved.info !== null);
    assert.deepEqual(saved.info, await readCheckpointInfo(join(dir, 'checkpoint')));
    assert.equal(saved.info.epochsCompleted, 1);
    assert.equal(saved.info.resumable, true);
    // Asked while it is busy in a batch, the worker cannot answer within 1 ms: it counts as stuck.
    let r = await host.request({ type: 'status' }, 1);
    while (r.ok) r = await host.request({ type: 'status' }, 1);
    assert.equal(r.error.code, 'WORKER_CRASHED');

    const resumed = await seen((e) => e.type === 'run-started' && e.runId !== start.value.runId);
    assert.equal(resumed.type, 'run-started');
    assert.match(
      resumed.notice ?? '',
      /stopped answering and was replaced.*continues from its last checkpoint/,
    );
    assert.deepEqual(resumed.config, CONFIG);
    const end = await seen(
      (e) => (e.type === 'finished' || e.type === 'failed') && e.runId === resumed.runId,
    );
    assert.equal(end.type, 'finished', JSON.stringify(end));
    assert.equal(spawns, 2);
    assert.ok(!events.some((e) => e.type === 'failed'), 'the run did not fail');
    // The resumed run trained epochs 2 and 3 itself; epoch 1 came back from the checkpoint.
    const epochs = events.filter((e) => e.type === 'epoch-end' && e.runId === resumed.runId);
    assert.deepEqual(
      epochs.map((e) => (e.type === 'epoch-end' ? e.epoch : 0)),
      [1, 2, 3],
    );
  } finally {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('stuck before its first checkpoint, the run fails and says why it could not resume', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cnn-auto-resume-'));
  const host = new TrainingHost({
    spawn: () => spawnSourceWorker(),
    engine: 'wasm',
    dataDir: null,
    checkpointDir: join(dir, 'checkpoint'),
    log: () => {},
  });
  const failed = new Promise<TrainingEvent>((resolve) =>
    host.onEvent((e) => e.type === 'failed' && resolve(e)),
  );
  try {
    const start = await host.request({ type: 'start', config: { ...CONFIG, trainLimit: 2000 } });
    assert.ok(start.ok, JSON.stringify(start));
    let r = await host.request({ type: 'status' }, 1);
    while (r.ok) r = await host.request({ type: 'status' }, 1);
    const e = await failed;
    assert.ok(e.type === 'failed');
    assert.match(
      e.error.message,
      /^The training thread stopped answering and was replaced\. Its run could not be resumed: /,
    );
  } finally {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  }
});

describe('AutoResume', () => {
  test('resumes only a running run, at most twice before one finishes', () => {
    const a = new AutoResume();
    assert.equal(a.begin('n'), false, 'nothing running');
    a.observe(started('r1'));
    assert.equal(a.begin('first'), true);
    const next = a.annotate(started('r2'));
    assert.equal(next.type === 'run-started' && next.notice, 'first');
    a.observe(next);
    assert.equal(a.begin('second'), true);
    a.observe(a.annotate(started('r3')));
    assert.equal(a.begin('third'), false, 'the cause keeps coming back: left to the user');
    a.observe({ type: 'finished', runId: 'r3', epochs: 3, testAccuracy: 0.9, elapsedSec: 1 });
    a.observe(started('r4'));
    assert.equal(a.begin('again'), true, 'a finished run resets the count');
    a.abandon();
    const plain = a.annotate(started('r5'));
    assert.equal(plain.type === 'run-started' && plain.notice, undefined);
  });
});
