// The runs folder on a real disk: what is listed, what retention removes (never a starred run,
// never the run just kept), and damaged records skipped without being deleted.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { metaOf } from '../../../src/library/model-files.ts';
import { readModelFolder } from '../../../src/library/model-folder.ts';
import { RUN_JSON, RunStore } from '../../../src/library/runs.ts';
import { DEFAULT_CONFIG } from '../../../src/shared/config.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';
import { RUNS_KEPT, type RunInfo } from '../../../src/shared/runs.ts';
import { saveRealModel } from './model-fixture.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cnn-run-store-'));
});
after(() => rm(root, { recursive: true, force: true }));

const info = (n: number, over: Partial<RunInfo> = {}): RunInfo => ({
  id: `run-a${n.toString(36)}-${n}`,
  startedAt: new Date(Date.UTC(2026, 10, 30, 0, n)).toISOString(),
  endedAt: new Date(Date.UTC(2026, 10, 30, 0, n, 30)).toISOString(),
  status: 'finished',
  engine: 'wasm',
  threads: 2,
  config: { ...DEFAULT_CONFIG },
  dataset: 'MNIST',
  trainSize: 100,
  testSize: 50,
  epochsCompleted: 1,
  testAccuracy: 0.9,
  trainAccuracy: 0.8,
  durationSec: 3,
  imagesPerSec: 400,
  params: 3_199_106,
  accuracies: [0.9],
  starred: false,
  hasWeights: false,
  ...over,
});

const events = (id: string): TrainingEvent[] => [
  {
    type: 'epoch-end',
    runId: id,
    epoch: 1,
    trainLoss: 1,
    trainAccuracy: 0.8,
    testLoss: 1,
    testAccuracy: 0.9,
    elapsedSec: 3,
  },
];

test(`keeps the newest ${RUNS_KEPT} unstarred runs and every starred one`, async () => {
  const store = new RunStore(join(root, 'a'));
  await store.keep(info(0), events(info(0).id));
  await store.star(info(0).id, true);
  for (let n = 1; n <= RUNS_KEPT + 3; n++) await store.keep(info(n), events(info(n).id));
  const ids = (await store.list()).map((r) => r.id);
  assert.equal(ids.length, RUNS_KEPT + 1);
  assert.equal(ids[0], info(RUNS_KEPT + 3).id, 'newest first');
  assert.ok(ids.includes(info(0).id), 'the starred, oldest run stays');
  for (const n of [1, 2, 3]) assert.ok(!ids.includes(info(n).id), `run ${n} was removed`);
  const left = await readdir(join(root, 'a'));
  assert.equal(left.length, RUNS_KEPT + 1, `their folders are gone: ${left.join(' ')}`);
});

test('a damaged record is skipped by the list, and kept on disk', async () => {
  const store = new RunStore(join(root, 'b'));
  await store.keep(info(1), events(info(1).id));
  await store.keep(info(2), events(info(2).id));
  await writeFile(join(store.dirOf(info(1).id), RUN_JSON), '{"id": 1');
  assert.deepEqual(
    (await store.list()).map((r) => r.id),
    [info(2).id],
  );
  await assert.rejects(store.info(info(1).id), /record of run .* is damaged/);
  assert.ok((await readdir(join(root, 'b'))).includes(info(1).id));
});

test('a record moved into another run folder is refused', async () => {
  const store = new RunStore(join(root, 'c'));
  await store.keep(info(1), events(info(1).id));
  await store.keep(info(2), events(info(2).id));
  const other = JSON.stringify(info(2));
  await writeFile(join(store.dirOf(info(1).id), RUN_JSON), other);
  await assert.rejects(store.info(info(1).id), /is of run/);
});

test('no runs folder yet lists nothing; a bad id is refused before touching the disk', async () => {
  const store = new RunStore(join(root, 'none'));
  assert.deepEqual(await store.list(), []);
  assert.throws(() => store.dirOf('../x'), /not a run id/);
});

test("a run's weights export under the run's name, as a folder or an ONNX file; a failed run's do not", async () => {
  const store = new RunStore(join(root, 'export'));
  const run = info(7, { hasWeights: true });
  await saveRealModel(store.dirOf(run.id), 5, 'kept'); // the worker writes these when a run ends
  await store.keep(run, events(run.id));
  const out = await mkdtemp(join(tmpdir(), 'cnn-run-export-'));
  const folder = await store.exportTo(run.id, out, 'tfjs');
  assert.deepEqual(folder, { path: join(out, 'Tutorial CNN 2026-11-30 00-07'), format: 'tfjs' });
  const onnx = await store.exportTo(run.id, out, 'onnx');
  assert.equal(onnx.path, join(out, 'Tutorial CNN 2026-11-30 00-07.onnx'));
  const copy = await readModelFolder(folder.path);
  const original = await readModelFolder(store.dirOf(run.id));
  assert.deepEqual(new Uint8Array(copy.weightData), new Uint8Array(original.weightData));
  assert.equal(metaOf(copy.meta).name, 'Tutorial CNN 2026-11-30 00-07');

  const failed = info(8, { status: 'failed' });
  await store.keep(failed, events(failed.id));
  await assert.rejects(store.exportTo(failed.id, out, 'onnx'), /failed, so it has no weights/);
  assert.equal((await readdir(out)).length, 2);
  await rm(out, { recursive: true, force: true });
});
