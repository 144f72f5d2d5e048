// The model:* channels end to end: dispatcher -> host -> real worker and the models folder.
// Loading a tampered copy fails with its own message and leaves the current model untouched.
import assert from 'node:assert/strict';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDispatcher } from '../../../src/host/dispatch.ts';
import { typedFolders } from '../../../src/host/folders.ts';
import { spawnSourceWorker } from '../../../src/host/spawn-worker.ts';
import { TrainingHost } from '../../../src/host/training-host.ts';
import type { Result } from '../../../src/shared/contract.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';
import type { ModelInfo, ModelList } from '../../../src/shared/models.ts';
import {
  BUILD_FAILS,
  TAMPERS,
  UNBUILDABLE,
  saveRealModel,
  tamperedCopy,
  tempRoot,
} from '../library/model-fixture.ts';

let root: string;
let modelsDir: string;
let host: TrainingHost;
let dispatch: ReturnType<typeof createDispatcher>;
before(async () => {
  root = await tempRoot('cnn-models-worker-');
  modelsDir = join(root, 'models');
  await saveRealModel(join(modelsDir, 'real'), 3, 'real');
  host = new TrainingHost({
    spawn: () => spawnSourceWorker(),
    engine: 'wasm',
    dataDir: null,
    modelsDir,
    checkpointDir: join(root, 'checkpoint'),
    log: () => {},
  });
  dispatch = createDispatcher(host, { folders: typedFolders() });
});
after(async () => {
  await host.close();
  await rm(root, { recursive: true, force: true });
});

const ok = <T>(r: Result<unknown>): T => {
  assert.ok(r.ok, JSON.stringify(r));
  return r.value as T;
};
const err = (r: Result<unknown>) => {
  assert.ok(!r.ok, `expected an error, got ${JSON.stringify(r).slice(0, 200)}`);
  return r.error;
};
const predict = async (): Promise<number[]> =>
  ok<{ probabilities: number[] }>(await dispatch('model:predict', new Float32Array(784).fill(0.3)))
    .probabilities;

describe('saved models through the worker', () => {
  let loaded: number[];

  test('lists the folder, then loads a model and predicts with it', async () => {
    const list = ok<ModelList>(await dispatch('model:list', null));
    assert.equal(list.folder, modelsDir);
    assert.deepEqual(
      list.models.map((m) => m.name),
      ['real'],
    );
    assert.equal(err(await dispatch('model:predict', new Float32Array(784))).code, 'NO_MODEL');
    assert.equal(
      err(await dispatch('model:save', { name: 'x', overwrite: false })).code,
      'NO_MODEL',
    );
    const info = ok<ModelInfo>(await dispatch('model:load', { name: 'real' }));
    assert.equal(info.name, 'real');
    loaded = await predict();
    assert.equal(loaded.length, 10);
    assert.equal(
      ok<{ worker: { hasModel: boolean } }>(await dispatch('training:status', null)).worker
        .hasModel,
      true,
    );
  });

  for (const t of TAMPERS)
    test(`loading a copy with ${t.what}: BAD_MODEL, and the loaded model stays`, async () => {
      const name = `bad ${TAMPERS.indexOf(t)}`;
      await tamperedCopy(join(modelsDir, 'real'), join(modelsDir, name), t.tamper);
      const e = err(await dispatch('model:load', { name }));
      assert.equal(e.code, 'BAD_MODEL');
      assert.ok(e.message.startsWith(`Cannot load "${name}": `), e.message);
      assert.match(e.message.replace(`Cannot load "${name}": `, '').replace(/\.$/, ''), t.message);
      await rm(join(modelsDir, name), { recursive: true });
    });

  test('a network the editor cannot express is named: listed with its problem, not loaded', async () => {
    const name = 'with activation layer';
    // A valid tfjs model (it builds) whose extra Activation layer the layer strip has no block for.
    await tamperedCopy(join(modelsDir, 'real'), join(modelsDir, name), {
      json: (j) =>
        void j.modelTopology.config.layers.splice(6, 0, {
          class_name: 'Activation',
          config: { name: 'act', activation: 'relu' },
        }),
    });
    const listed = ok<ModelList>(await dispatch('model:list', null)).models.find(
      (m) => m.name === name,
    );
    assert.match(listed?.problem ?? '', /^layer "act" \("Activation"\) is a kind of layer/);
    const e = err(await dispatch('model:load', { name }));
    assert.equal(e.code, 'BAD_MODEL');
    assert.match(e.message, /Cannot load "with activation layer": layer "act" \("Activation"\)/);
    assert.deepEqual(await predict(), loaded, 'the loaded model stays');
    await rm(join(modelsDir, name), { recursive: true });
  });

  test('a 5 000-character layer name gets an answer (once: no answer ever, and a hung load)', async () => {
    const name = 'long class name';
    await tamperedCopy(join(modelsDir, 'real'), join(modelsDir, name), {
      json: (j) => void (j.modelTopology.config.layers[1].class_name = 'X'.repeat(5000)),
    });
    const e = err(await dispatch('model:load', { name }));
    assert.equal(e.code, 'BAD_MODEL');
    assert.ok(e.message.length <= 1200, `a message of ${e.message.length} characters`);
    // Cut where it was made (tfjs's text, inside the sentence), and says so.
    assert.match(e.message, /cannot be built \(Unknown layer: X+…\)\.$/);
    await rm(join(modelsDir, name), { recursive: true });
  });

  test('a model that passes the file checks but cannot be built: BAD_MODEL, the model stays', async () => {
    const name = 'no bias';
    await tamperedCopy(join(modelsDir, 'real'), join(modelsDir, name), BUILD_FAILS.tamper);
    const e = err(await dispatch('model:load', { name }));
    assert.equal(e.code, 'BAD_MODEL');
    assert.match(e.message.replace(`Cannot load "${name}": `, ''), BUILD_FAILS.message);
    await rm(join(modelsDir, name), { recursive: true });
  });

  for (const t of UNBUILDABLE)
    test(`importing a folder with ${t.what}: BAD_MODEL, and nothing is added`, async () => {
      const source = await tamperedCopy(
        join(modelsDir, 'real'),
        join(root, 'unbuildable'),
        t.tamper,
      );
      const e = err(await dispatch('model:import', { folder: source }));
      assert.equal(e.code, 'BAD_MODEL', e.message);
      assert.ok(e.message.startsWith('Cannot import the model: '), e.message);
      assert.match(e.message.replace('Cannot import the model: ', ''), t.message);
      assert.deepEqual(await readdir(modelsDir), ['real']);
      await rm(source, { recursive: true });
    });

  test('after all those failures the first model still answers, unchanged', async () => {
    assert.deepEqual(await predict(), loaded);
  });

  test('names that could leave the folder never reach the disk', async () => {
    for (const name of ['../escape', '..', 'a/b', 'C:\\x', '/abs', '.hidden', 'x'.repeat(65)]) {
      for (const [channel, arg] of [
        ['model:save', { name, overwrite: true }],
        ['model:load', { name }],
        ['model:delete', { name }],
        ['model:rename', { from: 'real', to: name }],
        ['model:export', { name, folder: root, format: 'tfjs' }],
      ] as const)
        assert.equal(err(await dispatch(channel, arg)).code, 'BAD_REQUEST', `${channel} ${name}`);
    }
    assert.deepEqual((await readdir(modelsDir)).sort(), ['real']);
    assert.deepEqual((await readdir(root)).sort(), ['models']);
  });

  test('save, refuse a taken name, replace on request, rename, export, import, delete', async () => {
    const saved = ok<ModelInfo>(await dispatch('model:save', { name: 'copy', overwrite: false }));
    assert.equal(saved.bytes, 12_796_424);
    assert.equal(saved.epochsTrained, 1, 'the metadata of the loaded model is kept');
    const taken = err(await dispatch('model:save', { name: 'copy', overwrite: false }));
    assert.equal(taken.code, 'NAME_TAKEN');
    assert.equal(taken.message, 'A model named "copy" already exists. Replace it?');
    ok(await dispatch('model:save', { name: 'copy', overwrite: true }));
    assert.equal(
      err(await dispatch('model:rename', { from: 'copy', to: 'REAL' })).code,
      'NAME_TAKEN',
    );
    ok(await dispatch('model:rename', { from: 'copy', to: 'renamed' }));

    const out = join(root, 'exported');
    await mkdir(out);
    assert.deepEqual(
      ok(await dispatch('model:export', { name: 'renamed', folder: out, format: 'tfjs' })),
      { path: join(out, 'renamed'), format: 'tfjs' },
    );
    assert.deepEqual(
      ok(await dispatch('model:export', { name: 'renamed', folder: out, format: 'onnx' })),
      { path: join(out, 'renamed.onnx'), format: 'onnx' },
    );
    const relative = err(
      await dispatch('model:export', { name: 'renamed', folder: 'exported', format: 'onnx' }),
    );
    assert.equal(relative.code, 'BAD_REQUEST');
    assert.match(relative.message, /not a full path/);
    const missing = err(
      await dispatch('model:export', {
        name: 'renamed',
        folder: join(root, 'nope'),
        format: 'tfjs',
      }),
    );
    assert.equal(missing.code, 'NOT_FOUND');
    const imported = ok<ModelInfo>(
      await dispatch('model:import', { folder: join(out, 'renamed') }),
    );
    assert.equal(imported.name, 'renamed (2)');
    ok(await dispatch('model:delete', { name: 'renamed (2)' }));
    assert.equal(err(await dispatch('model:delete', { name: 'renamed (2)' })).code, 'NOT_FOUND');
    assert.deepEqual(
      ok<ModelList>(await dispatch('model:list', null))
        .models.map((m) => m.name)
        .sort(),
      ['real', 'renamed'],
    );
  });

  test('loading during a run is refused (BUSY); the run is not disturbed', async () => {
    const events: TrainingEvent[] = [];
    const off = host.onEvent((e) => events.push(e));
    const finished = new Promise<void>((resolve) =>
      host.onEvent((e) => (e.type === 'finished' || e.type === 'failed') && resolve()),
    );
    ok(
      await dispatch('training:start', {
        epochs: 1,
        batchSize: 50,
        learningRate: 1e-3,
        trainLimit: 100,
        testLimit: 50,
        seed: 1,
      }),
    );
    const busy = err(await dispatch('model:load', { name: 'real' }));
    assert.equal(busy.code, 'BUSY');
    await finished;
    off();
    assert.ok(events.some((e) => e.type === 'finished'));
  });

  test('export and import are refused by a dispatcher without a folder picker', async () => {
    const bare = createDispatcher(host);
    assert.equal(
      err(await bare('model:export', { name: 'real', folder: root, format: 'tfjs' })).code,
      'BAD_REQUEST',
    );
    assert.equal(err(await bare('model:import', { folder: null })).code, 'BAD_REQUEST');
    assert.equal(err(await bare('model:choose-folder', { folder: root })).code, 'BAD_REQUEST');
  });
});
