// The models folder as file operations (src/library/library.ts): listing with metadata, rename,
// delete, export and import with checks, unique names, and names that cannot escape the folder.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EnvelopeError } from '../../../src/shared/errors.ts';
import { ModelLibrary, nameFrom } from '../../../src/library/library.ts';
import { ModelFileError } from '../../../src/library/model-files.ts';
import { readModelFolder } from '../../../src/library/model-folder.ts';
import {
  MODEL_NAME_MAX,
  modelNameArg,
  modelNameError,
  renameModelArg,
  saveModelArg,
} from '../../../src/shared/models.ts';
import { tutorialNetwork } from '../../../src/shared/network.ts';
import { META, saveRealModel, tamperedCopy, tempRoot } from './model-fixture.ts';

let root: string;
let real: string;
before(async () => {
  root = await tempRoot();
  real = join(root, 'source', 'real');
  await saveRealModel(real);
});
after(() => rm(root, { recursive: true, force: true }));

let n = 0;
async function library(): Promise<ModelLibrary> {
  const lib = new ModelLibrary(join(root, `lib-${++n}`));
  await mkdir(lib.root, { recursive: true });
  return lib;
}

const codeOf = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => assert.fail('expected a EnvelopeError'),
    (e: unknown) => {
      assert.ok(e instanceof EnvelopeError, String(e));
      return e.envelope.code;
    },
  );

describe('model names', () => {
  test('accepts ordinary names, up to the length limit', () => {
    for (const ok of [
      'digits',
      'My model (v2)',
      'été 2026',
      'a.b',
      'x'.repeat(MODEL_NAME_MAX),
      'emoji \u{1f600}', // a whole surrogate pair is fine
      'ｍｎｉｓｔ', // fullwidth: visible, distinct on disk (see models.ts)
    ])
      assert.equal(modelNameError(ok), null, ok);
  });
  test('refuses anything that is not one plain folder name, with a reason', () => {
    const cases: [unknown, RegExp][] = [
      ['', /Give the model a name/],
      ['   ', /Give the model a name/],
      ['x'.repeat(MODEL_NAME_MAX + 1), /at most 64/],
      [' lead', /start or end with a space/],
      ['a/b', /must not contain \/ or \\/],
      ['a\\b', /must not contain \/ or \\/],
      ['..', /must not contain "\.\."/],
      ['a..b', /must not contain "\.\."/],
      ['.hidden', /must not start with a dot/],
      ['trail.', /must not end with a dot/],
      ['a:b', /control characters or any of/],
      ['tab\there', /control characters/],
      ['nul\0', /control characters/],
      ['CON', /reserved name on Windows/],
      ['lpt1.txt', /reserved name on Windows/],
      ['CONIN$', /reserved name on Windows/],
      [42, /must be text/],
      // A lone surrogate is stored as U+FFFD: two saves of "a\ud800b" once overwrote each other.
      ['a\ud800b', /broken character/],
      ['a\udc00', /broken character/],
      ['next\u0085line', /control characters/],
      ['gpt\u202egnp.exe', /invisible or text-direction/],
      ['zero\u200bwidth', /invisible or text-direction/],
      ['bo\ufeffm', /invisible or text-direction/],
    ];
    for (const [name, reason] of cases)
      assert.match(modelNameError(name) ?? '', reason, String(name));
  });
  test('every request that names a model refuses a lone surrogate before it reaches the disk', () => {
    // The disk stores U+FFFD for it, so "a\ud800b" saved twice replaced the first model's files.
    assert.throws(
      () => saveModelArg({ name: 'a\ud800b', overwrite: false }, 'arg'),
      /broken character/,
    );
    assert.throws(() => modelNameArg({ name: 'a\udfffb' }, 'arg'), /broken character/);
    assert.throws(() => renameModelArg({ from: 'ok', to: '\ud83d' }, 'arg'), /broken character/);
  });

  test('nameFrom makes a usable name out of any folder name', () => {
    assert.equal(nameFrom('my:model?'), 'my-model-');
    assert.equal(nameFrom('..'), 'Imported model');
    assert.equal(nameFrom('  .x.  '), 'x');
    assert.equal(nameFrom('CON'), 'Imported model');
    assert.equal(nameFrom('y'.repeat(100)).length, MODEL_NAME_MAX);
    // Cut at the limit, an emoji would leave half of itself: the half goes, the rest stays.
    assert.equal(nameFrom(`${'y'.repeat(63)}\u{1f600}`), 'y'.repeat(63));
    assert.equal(nameFrom('next\u0085line'), 'next-line');
  });
});

describe('ModelLibrary', () => {
  test('lists models newest first with their metadata; a damaged one shows its problem', async () => {
    const lib = await library();
    await saveRealModel(lib.dirOf('alpha'), 1, 'alpha');
    await tamperedCopy(real, lib.dirOf('broken'), { weights: (w) => w.subarray(0, 100) });
    await mkdir(join(lib.root, '.alpha.tmp-99999999-abcdef')); // a dead process's (no such pid)
    await writeFile(join(lib.root, 'stray.txt'), 'not a model');
    const list = await lib.list();
    assert.deepEqual(
      list.map((m) => m.name),
      ['alpha', 'broken'],
    );
    const alpha = list[0]!;
    assert.equal(alpha.createdAt, META.createdAt);
    assert.equal(alpha.engine, 'wasm');
    // Saved before networks were data: read as the tutorial network with Adam, which it is.
    assert.deepEqual(alpha.config, {
      ...META.config,
      network: tutorialNetwork(),
      optimizer: 'adam',
    });
    assert.equal(alpha.epochsTrained, 1);
    assert.equal(alpha.testAccuracy, 0.5);
    assert.equal(alpha.bytes, 12_796_424);
    assert.equal(alpha.problem, null);
    assert.match(
      list[1]!.problem ?? '',
      /100 bytes on disk, but the manifest needs exactly 12796424/,
    );
    assert.ok(
      !(await readdir(lib.root)).includes('.alpha.tmp-99999999-abcdef'),
      'leftover cleaned',
    );
  });

  test('a model.json nested 10 000 deep is one damaged model in the list, not a failed list', async () => {
    const lib = await library();
    await saveRealModel(lib.dirOf('alpha'), 1, 'alpha');
    await tamperedCopy(real, lib.dirOf('deep'), {
      folder: async (dir) => {
        const file = join(dir, 'model.json');
        const text = await readFile(file, 'utf8');
        const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
        await writeFile(file, text.replace('"format":"layers-model"', `"format":${deep}`));
      },
    });
    const list = await lib.list();
    assert.deepEqual(list.map((m) => m.name).sort(), ['alpha', 'deep']);
    const deep = list.find((m) => m.name === 'deep')!;
    assert.match(deep.problem ?? '', /model\.json nests deeper than 100 levels/);
    assert.equal(list.find((m) => m.name === 'alpha')!.problem, null);
  });

  test('rename moves the folder and its metadata name; refuses taken and missing names', async () => {
    const lib = await library();
    await saveRealModel(lib.dirOf('one'), 1, 'one');
    await saveRealModel(lib.dirOf('two'), 2, 'two');
    assert.equal(await codeOf(lib.rename('one', 'two')), 'NAME_TAKEN');
    assert.equal(await codeOf(lib.rename('one', 'TWO')), 'NAME_TAKEN', 'case-insensitively');
    assert.equal(await codeOf(lib.rename('nope', 'three')), 'NOT_FOUND');
    const info = await lib.rename('one', 'three');
    assert.equal(info.name, 'three');
    assert.deepEqual((await readdir(lib.root)).sort(), ['three', 'two']);
    const json = JSON.parse(await readFile(join(lib.dirOf('three'), 'model.json'), 'utf8'));
    assert.equal(json.userDefinedMetadata.name, 'three');
    assert.equal((await lib.rename('three', 'Three')).name, 'Three', 'a change of case is allowed');
  });

  test('delete removes the folder; a missing model is NOT_FOUND', async () => {
    const lib = await library();
    await saveRealModel(lib.dirOf('gone'), 1, 'gone');
    await lib.delete('gone');
    assert.deepEqual(await readdir(lib.root), []);
    assert.equal(await codeOf(lib.delete('gone')), 'NOT_FOUND');
  });

  test('export copies a checked model into <folder>/<name> and never replaces a folder', async () => {
    const lib = await library();
    await saveRealModel(lib.dirOf('mine'), 4, 'mine');
    const out = join(root, `out-${n}`);
    await mkdir(out);
    const { path: dir, format } = await lib.exportTo('mine', out, 'tfjs');
    assert.equal(dir, join(out, 'mine'));
    assert.equal(format, 'tfjs');
    const copy = await readModelFolder(dir);
    const original = await readModelFolder(lib.dirOf('mine'));
    assert.deepEqual(new Uint8Array(copy.weightData), new Uint8Array(original.weightData));
    assert.equal(await codeOf(lib.exportTo('mine', out, 'tfjs')), 'NAME_TAKEN');
    assert.deepEqual(await readdir(out), ['mine']);
    // The same model as one ONNX file beside it, which is not replaced either.
    const onnx = await lib.exportTo('mine', out, 'onnx');
    assert.deepEqual(onnx, { path: join(out, 'mine.onnx'), format: 'onnx' });
    assert.equal(await codeOf(lib.exportTo('mine', out, 'onnx')), 'NAME_TAKEN');
    assert.deepEqual((await readdir(out)).sort(), ['mine', 'mine.onnx']);
  });

  test('import checks everything first, normalises to one weights.bin, and picks a free name', async () => {
    const lib = await library();
    // Two shards, as tfjs converters write them: the import joins them into weights.bin.
    const sharded = await tamperedCopy(real, join(root, 'sharded', 'real'), {
      json: (j) => void (j.weightsManifest[0].paths = ['part1.bin', 'part2.bin']),
      folder: async (d) => {
        const w = await readFile(join(d, 'weights.bin'));
        await writeFile(join(d, 'part1.bin'), w.subarray(0, 1000));
        await writeFile(join(d, 'part2.bin'), w.subarray(1000));
        await rm(join(d, 'weights.bin'));
      },
    });
    const first = await lib.importFrom(sharded);
    assert.equal(first.name, 'real', 'named from its metadata');
    assert.deepEqual((await readdir(lib.dirOf('real'))).sort(), ['model.json', 'weights.bin']);
    const second = await lib.importFrom(real);
    assert.equal(second.name, 'real (2)');
    assert.equal((await lib.importFrom(real)).name, 'real (3)');
    const a = await readModelFolder(lib.dirOf('real'));
    const b = await readModelFolder(lib.dirOf('real (2)'));
    assert.deepEqual(new Uint8Array(a.weightData), new Uint8Array(b.weightData));
  });

  test('import refuses a tampered folder and writes nothing', async () => {
    const lib = await library();
    const bad = await tamperedCopy(real, join(root, 'evil', 'real'), {
      json: (j) => void (j.weightsManifest[0].paths = ['../../../../etc/passwd']),
    });
    await assert.rejects(lib.importFrom(bad), (e: unknown) => {
      assert.ok(e instanceof ModelFileError);
      assert.equal(e.kind, 'path');
      return true;
    });
    assert.deepEqual(await readdir(lib.root), []);
  });

  test('mutations run one at a time', async () => {
    const lib = await library();
    const order: string[] = [];
    const slow = lib.exclusive(async () => {
      order.push('a start');
      await new Promise((r) => setTimeout(r, 50));
      order.push('a end');
    });
    const fast = lib.exclusive(async () => void order.push('b'));
    const failing = lib.exclusive(async () => {
      throw new Error('boom');
    });
    const after = lib.exclusive(async () => void order.push('c'));
    await Promise.all([slow, fast, failing.catch(() => {}), after]);
    assert.deepEqual(order, ['a start', 'a end', 'b', 'c']);
  });
});
