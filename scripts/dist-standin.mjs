// The packaging test's first half (`npm run test:package` runs this, then test/package/*.test.ts):
// `npm run dist -- --dir` for Linux x64 against a STAND-IN Electron distribution, where Electron's
// real runtime cannot be downloaded. The stand-in is the only fake: a folder shaped like an
// unpacked Electron release whose `electron` is a shell script that refuses to run. Everything
// else (the build, the file selection, asar packing and unpacking, the afterPack fuse hook) is
// electron-builder's real work on the real app. Output: .tmp/package/linux-unpacked/, and
// .tmp/package/report.json with the sizes.
//
// Where Electron can be downloaded, set CNN_STUDIO_REAL_ELECTRON=1 to package the real runtime
// instead (then the fuses are really flipped and the layout test checks them).
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, '.tmp', 'package');
// Must match scripts/fuses.ts (STAND_IN_MARKER): the fuse hook recognises the stand-in by it.
const MARKER = 'CNN-STUDIO-STAND-IN-ELECTRON.txt';
const require = createRequire(import.meta.url);
const electronVersion = require('electron/package.json').version;

function standInElectron() {
  const dir = mkdtempSync(join(tmpdir(), 'cnn-studio-standin-electron-'));
  const note =
    `Stand-in for an unpacked Electron ${electronVersion} linux-x64 release, made by ` +
    'scripts/dist-standin.mjs because the real one cannot be downloaded here. Not Electron.\n';
  // What electron-builder takes from an unpacked distribution: the executable (renamed to the
  // app's), resources/ (app.asar goes there), and whatever lies beside it (copied as is).
  writeFileSync(join(dir, 'electron'), `#!/bin/sh\necho "${note.trim()}" >&2\nexit 1\n`);
  chmodSync(join(dir, 'electron'), 0o755);
  mkdirSync(join(dir, 'resources'));
  mkdirSync(join(dir, 'locales'));
  writeFileSync(join(dir, 'locales', 'en-US.pak'), '');
  writeFileSync(join(dir, 'LICENSE'), note);
  writeFileSync(join(dir, 'version'), `${electronVersion}\n`);
  writeFileSync(join(dir, MARKER), note);
  return dir;
}

function duBytes(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((n, name) => n + duBytes(join(path, name)), 0);
}

const real = process.env.CNN_STUDIO_REAL_ELECTRON === '1';
const standIn = real ? null : standInElectron();
rmSync(OUT, { recursive: true, force: true });
try {
  const env = { ...process.env };
  delete env.CNN_STUDIO_TEST_BUILD;
  if (standIn) env.CNN_STUDIO_ELECTRON_DIST = standIn;
  const args = ['--dir', '--linux', '--x64', `-c.directories.output=${OUT}`];
  console.log(
    standIn
      ? `Packaging with a stand-in Electron distribution (${standIn}).`
      : 'Packaging with the real Electron runtime.',
  );
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'dist.mjs'), ...args], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
} finally {
  if (standIn) rmSync(standIn, { recursive: true, force: true });
}

const app = join(OUT, 'linux-unpacked');
const resources = join(app, 'resources');
const report = {
  electron: standIn ? `stand-in for ${electronVersion}` : electronVersion,
  appDir: app,
  bytes: {
    asar: duBytes(join(resources, 'app.asar')),
    unpacked: (() => {
      try {
        return duBytes(join(resources, 'app.asar.unpacked'));
      } catch {
        return 0;
      }
    })(),
    total: duBytes(app),
  },
};
writeFileSync(join(OUT, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
console.log(
  `\nPackaged ${app}\n  app.asar           ${mb(report.bytes.asar)}\n` +
    `  app.asar.unpacked  ${mb(report.bytes.unpacked)}\n  whole folder       ${mb(report.bytes.total)}` +
    (standIn ? " (with a stand-in runtime of a few bytes: add Electron's own size)" : ''),
);
