// Crash safety of folder saves (src/library/atomic.ts). A "crash" is simulated by a file system
// that dies at a chosen step: that operation (and everything after it, cleanup included) fails,
// as if the process were gone. Recovery then runs as a new process would. A real process is also
// killed with SIGKILL in the middle of saving, repeatedly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  recoverAll,
  recoverDir,
  removeDirAtomic,
  writeDirAtomic,
  writeFileAtomic,
  type FsOps,
} from '../../../src/library/atomic.ts';
import { storageError } from '../../../src/library/errors.ts';

const roots: string[] = [];
after(() => Promise.all(roots.map((r) => rm(r, { recursive: true, force: true }))));
async function root(): Promise<string> {
  const r = await mkdtemp(join(tmpdir(), 'cnn-atomic-'));
  roots.push(r);
  return r;
}

const version = (v: string) => [
  { name: 'weights.bin', data: new Uint8Array(1000).fill(v.charCodeAt(0)) },
  { name: 'model.json', data: JSON.stringify({ version: v }) },
];

/** The version in `dir`, after checking both files belong to it. */
async function versionIn(dir: string): Promise<string> {
  const { version: v } = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const weights = await readFile(join(dir, 'weights.bin'));
  assert.equal(weights.length, 1000);
  assert.ok(
    weights.every((b) => b === v.charCodeAt(0)),
    `weights.bin is not all version ${v}`,
  );
  return v;
}

class Crash extends Error {}
type Op = keyof FsOps;

/**
 * Real file operations until the `n`th call of `op`: with `when: 'before'` that call never happens,
 * with 'after' it happens; either way the process is then "dead" and every later call fails.
 */
function dyingFs(op: Op, n: number, when: 'before' | 'after'): FsOps {
  let dead = false;
  const counts = new Map<Op, number>();
  const wrap =
    (name: Op) =>
    async (...args: unknown[]) => {
      if (dead) throw new Crash(`dead (${name})`);
      const k = (counts.get(name) ?? 0) + 1;
      counts.set(name, k);
      const fn = fsp[name] as (...a: unknown[]) => Promise<unknown>;
      if (name === op && k === n) {
        dead = true;
        if (when === 'after') await fn(...args);
        throw new Crash(`crashed ${when} ${name} #${n}`);
      }
      return fn(...args);
    };
  const ops = ['mkdir', 'mkdtemp', 'writeFile', 'rename', 'rm', 'stat', 'readdir', 'open'] as const;
  return Object.fromEntries(ops.map((o) => [o, wrap(o)])) as unknown as FsOps;
}

const dead = { isAlive: () => false }; // the crashed "process" is gone

describe('writeDirAtomic', () => {
  test('writes a new folder, then replaces it whole; nothing else is left beside it', async () => {
    const parent = await root();
    const target = join(parent, 'm');
    assert.deepEqual(await writeDirAtomic(target, version('a')), { dir: target, bytes: 1015 });
    assert.equal(await versionIn(target), 'a');
    await writeDirAtomic(target, version('b'));
    assert.equal(await versionIn(target), 'b');
    assert.deepEqual(await readdir(parent), ['m']);
  });

  test('exclusive refuses to replace an existing folder', async () => {
    const parent = await root();
    const target = join(parent, 'm');
    await writeDirAtomic(target, version('a'));
    await assert.rejects(writeDirAtomic(target, version('b'), { exclusive: true }), {
      code: 'EEXIST',
    });
    assert.equal(await versionIn(target), 'a');
    assert.deepEqual(await readdir(parent), ['m']);
  });

  test('a failing swap puts the old folder back before reporting', async () => {
    const parent = await root();
    const target = join(parent, 'm');
    await writeDirAtomic(target, version('a'));
    let renames = 0;
    const fs: FsOps = {
      ...fsp,
      rename: async (from, to) => {
        if (++renames === 2) throw Object.assign(new Error('EXDEV'), { code: 'EXDEV' });
        return fsp.rename(from, to);
      },
    };
    await assert.rejects(writeDirAtomic(target, version('b'), { fs }), /EXDEV/);
    assert.equal(await versionIn(target), 'a');
    assert.deepEqual(await readdir(parent), ['m'], 'temporary and old folders cleaned up');
  });

  test('a full disk: a clear STORAGE error, the old folder intact, no temporary left', async () => {
    const parent = await root();
    const target = join(parent, 'm');
    await writeDirAtomic(target, version('a'));
    const fs: FsOps = {
      ...fsp,
      writeFile: async (path, data, options) => {
        if (String(path).endsWith('weights.bin'))
          throw Object.assign(new Error('ENOSPC: no space left on device'), {
            code: 'ENOSPC',
            path: String(path),
          });
        return fsp.writeFile(path, data, options);
      },
    };
    const error = await writeDirAtomic(target, version('b'), { fs }).then(
      () => assert.fail('expected ENOSPC'),
      (e: unknown) => e,
    );
    const env = storageError(error, 'save the model "m"', 'Any earlier copy is unchanged.');
    assert.equal(env.code, 'STORAGE');
    assert.equal(
      env.message,
      'Could not save the model "m": the disk is full. Free some space and try again. Any earlier copy is unchanged.',
    );
    assert.equal(await versionIn(target), 'a');
    assert.deepEqual(await readdir(parent), ['m']);
  });
});

describe('a crash at every step leaves the old or the new folder', () => {
  const steps: [Op, number, 'before' | 'after', 'a' | 'b'][] = [
    ['writeFile', 1, 'after', 'a'], // the new copy is half written
    ['writeFile', 2, 'after', 'a'], // written, not yet swapped
    ['rename', 1, 'before', 'a'], // about to move the old one aside
    ['rename', 1, 'after', 'a'], // old moved aside, target missing: recovery restores it
    ['rename', 2, 'before', 'a'], // the same moment, seen from the other side
    ['rename', 2, 'after', 'b'], // new in place, old not yet removed
    ['rm', 1, 'before', 'b'], // the same
  ];
  for (const [op, n, when, expected] of steps)
    test(`crash ${when} ${op} #${n}: recovery gives version ${expected}`, async () => {
      const parent = await root();
      const target = join(parent, 'm');
      await writeDirAtomic(target, version('a'));
      // Removing the old copy is best effort, so a crash there is not even reported.
      await writeDirAtomic(target, version('b'), { fs: dyingFs(op, n, when) }).then(
        () => assert.equal(op, 'rm', 'only a crash in the final clean-up goes unreported'),
        (e: unknown) => assert.ok(e instanceof Crash, String(e)),
      );
      assert.ok((await readdir(parent)).length >= 2, 'something is left to recover from');
      await recoverDir(target, dead);
      assert.equal(await versionIn(target), expected);
      assert.deepEqual(await readdir(parent), ['m'], 'no leftovers after recovery');
    });

  test('a first save that crashes leaves no model and no leftovers after recovery', async () => {
    const parent = await root();
    const target = join(parent, 'm');
    await assert.rejects(
      writeDirAtomic(target, version('a'), { fs: dyingFs('writeFile', 2, 'before') }),
      Crash,
    );
    await recoverAll(parent, dead);
    assert.deepEqual(await readdir(parent), []);
  });

  test('leftovers of a live process are not touched (it may be saving right now)', async () => {
    const parent = await root();
    const target = join(parent, 'm');
    await writeDirAtomic(target, version('a'));
    const inFlight = join(parent, `.m.tmp-${process.pid}-abcdef`);
    await mkdir(inFlight);
    await recoverDir(target); // the default liveness check: our own pid is alive
    assert.deepEqual((await readdir(parent)).sort(), ['.m.tmp-' + process.pid + '-abcdef', 'm']);
    await recoverDir(target, dead);
    assert.deepEqual(await readdir(parent), ['m']);
  });

  test('a delete that crashes midway stays deleted', async () => {
    const parent = await root();
    const target = join(parent, 'm');
    await writeDirAtomic(target, version('a'));
    await assert.rejects(removeDirAtomic(target, { fs: dyingFs('rm', 1, 'before') }), Crash);
    await recoverAll(parent, dead);
    assert.deepEqual(await readdir(parent), []);
  });

  test('writeFileAtomic replaces a file whole', async () => {
    const parent = await root();
    const file = join(parent, 'settings.json');
    await writeFile(file, 'old');
    await assert.rejects(
      writeFileAtomic(file, 'new', { fs: dyingFs('rename', 1, 'before') }),
      Crash,
    );
    assert.equal(await readFile(file, 'utf8'), 'old');
    await writeFileAtomic(file, 'new');
    assert.equal(await readFile(file, 'utf8'), 'new');
  });
});

describe('a saving process killed with SIGKILL', () => {
  const LOOP = fileURLToPath(new URL('./fixtures/save-loop.ts', import.meta.url));

  /** Starts the loop, lets it save `saves` times, then kills it mid-way through the next one. */
  async function killMidSave(target: string, from: number, saves: number): Promise<number> {
    const child = spawn(process.execPath, ['--import', 'tsx', LOOP, target, String(from)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    let last = from - 1;
    await new Promise<void>((resolve) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          last = Number(line.replace('saved ', ''));
          if (last >= from + saves - 1) {
            // Land somewhere inside the following save: it takes a few ms of 4 MiB writes.
            setTimeout(() => child.kill('SIGKILL'), Math.random() * 20);
            resolve();
          }
        }
      });
    });
    assert.equal(await exited, 'SIGKILL');
    return last;
  }

  test('every kill leaves the last complete version or the one after it, never a mix', async () => {
    const parent = await root();
    const target = join(parent, 'model');
    let next = 1;
    for (let round = 0; round < 4; round++) {
      const saved = await killMidSave(target, next, 2);
      await recoverDir(target); // the child is dead, so its leftovers are settled
      const { version: v } = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'));
      const weights = await readFile(join(target, 'weights.bin'));
      assert.equal(weights.length, 4 << 20, `round ${round}: weights.bin complete`);
      assert.ok(
        weights.every((b) => b === v % 256),
        `round ${round}: weights.bin belongs to version ${v}`,
      );
      assert.ok(v === saved || v === saved + 1, `round ${round}: version ${v} after ${saved}`);
      assert.deepEqual(await readdir(parent), ['model'], `round ${round}: no leftovers`);
      next = v + 1;
    }
  });
});
