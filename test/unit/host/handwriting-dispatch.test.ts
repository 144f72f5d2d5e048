// "My handwriting" through the real dispatcher, host and worker thread: the IPC guards, the
// worker's folder, and the refusals a window can meet.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createDispatcher } from '../../../src/host/dispatch.ts';
import { typedFolders } from '../../../src/host/folders.ts';
import { spawnSourceWorker } from '../../../src/host/spawn-worker.ts';
import { TrainingHost } from '../../../src/host/training-host.ts';
import type { Result } from '../../../src/shared/contract.ts';
import type { HandwritingSet } from '../../../src/shared/handwriting.ts';

let root: string;
let host: TrainingHost;
let dispatch: ReturnType<typeof createDispatcher>;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cnn-hw-dispatch-'));
  host = new TrainingHost({
    spawn: () => spawnSourceWorker(),
    engine: 'wasm',
    dataDir: null,
    handwritingDir: join(root, 'handwriting'),
    log: () => {},
  });
  dispatch = createDispatcher(host, { folders: typedFolders() });
});
after(async () => {
  await host.close();
  await rm(root, { recursive: true, force: true });
});

const seven = (): Float32Array => {
  const x = new Float32Array(784);
  for (let c = 8; c < 20; c++) x[6 * 28 + c] = 1; // the bar
  for (let r = 7; r < 22; r++) x[r * 28 + 19 - Math.floor((r - 7) / 2)] = 1; // the stem
  return x;
};

const error = (r: Result<unknown>) => {
  assert.equal(r.ok, false, JSON.stringify(r).slice(0, 200));
  return (r as { ok: false; error: { code: string; message: string } }).error;
};

test('list, add and list again: the worker keeps the set in its folder as IDX files', async () => {
  const empty = (await dispatch('handwriting:list', null)) as Result<HandwritingSet>;
  assert.ok(empty.ok && empty.value.count === 0);
  const added = (await dispatch('handwriting:edit', {
    type: 'add',
    pixels: seven(),
    label: 7,
  })) as Result<HandwritingSet>;
  assert.ok(added.ok, JSON.stringify(added).slice(0, 200));
  assert.equal(added.value.count, 1);
  assert.ok(added.value.images instanceof Uint8Array && added.value.images.length === 784);
  assert.deepEqual((await readdir(join(root, 'handwriting'))).sort(), [
    'handwriting-images-idx3-ubyte',
    'handwriting-labels-idx1-ubyte',
  ]);
  const again = (await dispatch('handwriting:list', null)) as Result<HandwritingSet>;
  assert.ok(again.ok);
  assert.deepEqual([...again.value.labels], [7]);
});

test('malformed edits never reach the worker; a test before any model says so', async () => {
  assert.equal(
    error(
      await dispatch('handwriting:edit', { type: 'add', pixels: new Float32Array(10), label: 7 }),
    ).code,
    'BAD_REQUEST',
  );
  assert.equal(
    error(await dispatch('handwriting:edit', { type: 'add', pixels: seven(), label: 12 })).code,
    'BAD_REQUEST',
  );
  assert.equal(
    error(await dispatch('handwriting:edit', { type: 'rename', index: 0 } as never)).code,
    'BAD_REQUEST',
  );
  assert.equal(error(await dispatch('handwriting:test', null)).code, 'NO_MODEL');
  const list = (await dispatch('handwriting:list', null)) as Result<HandwritingSet>;
  assert.ok(list.ok && list.value.count === 1, 'nothing was changed');
});

test('export into a typed folder, then add those drawings back; bad folders are refused', async () => {
  const out = join(root, 'out');
  await mkdir(out);
  const exported = (await dispatch('handwriting:export', { folder: out })) as Result<{
    path: string;
  }>;
  assert.ok(exported.ok, JSON.stringify(exported));
  assert.equal(exported.value.path, join(out, 'my-handwriting'));
  const added = (await dispatch('handwriting:import', {
    folder: exported.value.path,
  })) as Result<HandwritingSet>;
  assert.ok(added.ok && added.value.count === 2, JSON.stringify(added).slice(0, 200));
  assert.match(
    error(await dispatch('handwriting:import', { folder: 'relative' })).message,
    /not a full path/,
  );
  assert.equal(error(await dispatch('handwriting:export', { folder: out })).code, 'NAME_TAKEN');
  const bare = createDispatcher(host);
  assert.equal(error(await bare('handwriting:import', { folder: out })).code, 'BAD_REQUEST');
});
