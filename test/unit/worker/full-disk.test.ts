// A full disk while saving: a real, small tmpfs holds the models folder (mounting needs root; the
// test is skipped with the reason otherwise, and test/unit/library/atomic.test.ts covers ENOSPC
// with an injected error). Saving over a model on a full disk answers STORAGE with a clear
// sentence and leaves the old copy byte for byte, with no temporary folder behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createDispatcher } from '../../../src/host/dispatch.ts';
import { spawnSourceWorker } from '../../../src/host/spawn-worker.ts';
import { TrainingHost } from '../../../src/host/training-host.ts';
import type { ModelList } from '../../../src/shared/models.ts';
import { saveRealModel } from '../library/model-fixture.ts';

let mountpoint: string;
let mounted = false;
let why = '';
before(async () => {
  mountpoint = await mkdtemp(join(tmpdir(), 'cnn-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', mountpoint], {
      stdio: 'pipe',
    });
    mounted = true;
  } catch (e) {
    why = `cannot mount a tmpfs here (${String((e as { stderr?: Buffer }).stderr ?? e).trim()})`;
  }
});
after(async () => {
  if (mounted) execFileSync('umount', [mountpoint]);
  await rm(mountpoint, { recursive: true, force: true });
});

test('saving over a model on a full disk: STORAGE, old copy intact, nothing left behind', async (t) => {
  if (!mounted) return t.skip(why);
  const models = join(mountpoint, 'models');
  await mkdir(models);
  await saveRealModel(join(models, 'base'), 3, 'base');
  const host = new TrainingHost({
    spawn: () => spawnSourceWorker(),
    engine: 'wasm',
    dataDir: null,
    modelsDir: models,
    log: () => {},
  });
  try {
    const dispatch = createDispatcher(host);
    assert.ok((await dispatch('model:load', { name: 'base' })).ok);
    const saved = await dispatch('model:save', { name: 'keep', overwrite: false });
    assert.ok(saved.ok, JSON.stringify(saved));
    const before = await readFile(join(models, 'keep', 'weights.bin'));
    const beforeJson = await readFile(join(models, 'keep', 'model.json'), 'utf8');

    // Leave 2 MB: far less than the 12.8 MB a model needs.
    const { bavail, bsize } = await statfs(mountpoint);
    await writeFile(
      join(mountpoint, 'filler'),
      Buffer.alloc(Math.max(0, bavail * bsize - 2 * 1024 * 1024)),
    );

    const full = await dispatch('model:save', { name: 'keep', overwrite: true });
    assert.ok(!full.ok, 'the save must fail');
    assert.equal(full.error.code, 'STORAGE');
    assert.equal(
      full.error.message,
      'Could not save the model "keep": the disk is full. Free some space and try again. Any earlier copy is unchanged.',
    );
    assert.deepEqual(await readFile(join(models, 'keep', 'weights.bin')), before);
    assert.equal(await readFile(join(models, 'keep', 'model.json'), 'utf8'), beforeJson);
    assert.deepEqual((await readdir(models)).sort(), ['base', 'keep'], 'no temporary folder left');

    // Space again: the same save now succeeds, and the listing is sound.
    await rm(join(mountpoint, 'filler'));
    assert.ok((await dispatch('model:save', { name: 'keep', overwrite: true })).ok);
    const list = await dispatch('model:list', null);
    assert.ok(list.ok && (list.value as ModelList).models.every((m) => m.problem === null));
  } finally {
    await host.close();
  }
});
