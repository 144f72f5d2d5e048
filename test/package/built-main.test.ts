// The main-process code as electron-vite builds it for the app (nothing here can run Electron
// itself): every chunk parses as the ES module Electron loads. A bundler shim once collided with a
// `require` of ours in the threads chunk, a SyntaxError that only a built app would have met.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..');
// Inside the repository, so the chunks resolve @tensorflow/* from its node_modules.
const OUT = join(ROOT, '.tmp', 'built-main-test');

before(() => {
  rmSync(OUT, { recursive: true, force: true });
  const cli = join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  execFileSync(process.execPath, [cli, 'build', '--outDir', OUT], { cwd: ROOT, stdio: 'pipe' });
});
after(() => rmSync(OUT, { recursive: true, force: true }));

const chunks = (): string[] => readdirSync(join(OUT, 'main', 'chunks'));

test('every main-process file parses as an ES module', () => {
  const files = [
    join(OUT, 'main', 'index.js'),
    ...chunks().map((f) => join(OUT, 'main', 'chunks', f)),
  ];
  assert.ok(files.length >= 3, `only ${files.length} files built`);
  for (const file of files.filter((f) => f.endsWith('.js'))) {
    const { status, stderr } = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    assert.equal(status, 0, `${file} does not parse:\n${stderr}`);
  }
});
