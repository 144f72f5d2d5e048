// `npm start`: build the app, then open it in Electron. Electron's runtime (~100 MB) is fetched
// by its package on install or, since Electron 45, lazily on first use; where neither worked
// (offline, blocked proxy) this says so in plain words and points at browser mode and the CLI.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

const FALLBACK = `You can still use CNN Studio without the desktop window:
  npm run serve   opens the same app in your browser
  npm run train   trains the network from the command line`;

/** Prints a plain explanation (no stack trace) and exits with 1. */
function giveUp(reason, detail) {
  console.error(`\nCNN Studio could not open its desktop window: ${reason}`);
  if (detail) console.error(`(${detail})`);
  console.error(`\n${FALLBACK}\n`);
  process.exit(1);
}

/** The first "SomethingError: message" line of a failed download, for the user to search. */
function errorLine(output) {
  const line = output.split('\n').find((l) => /^\s*[A-Za-z]*Error\b.*:/.test(l));
  return line?.trim() ?? null;
}

/** The Electron executable, downloading it once if needed; null when that is impossible. */
function electronBinary() {
  const override = process.env.ELECTRON_EXEC_PATH;
  if (override)
    return existsSync(override)
      ? { path: override }
      : { reason: 'ELECTRON_EXEC_PATH names a file that does not exist.', error: override };
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed.', error: 'run npm install' };
  }
  const installed = () => {
    try {
      const rel = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
      const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(dir, 'dist');
      const full = join(distDir, rel);
      return rel && existsSync(full) ? full : null;
    } catch {
      return null;
    }
  };
  const found = installed();
  if (found) return { path: found };
  // What `require('electron')` would do, but with its output captured: its failure is a stack
  // trace, and this script owes the user one clear sentence instead.
  console.log('Downloading the Electron runtime (first run only; about 100 MB)...');
  const r = spawnSync(process.execPath, [join(dir, 'install.js')], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15 * 60_000,
  });
  const after = installed();
  if (after) return { path: after };
  const why = r.error?.message ?? errorLine(`${r.stderr ?? ''}\n${r.stdout ?? ''}`);
  return { error: why ? `download failed: ${why}` : 'download failed' };
}

const electron = electronBinary();
if (!electron.path)
  giveUp(
    electron.reason ?? "Electron's runtime could not be downloaded on this machine.",
    electron.error,
  );

console.log('Building CNN Studio...');
// The package exports only its API and package.json, so find the CLI through its "bin".
const evPackage = require.resolve('electron-vite/package.json');
const cli = join(dirname(evPackage), require(evPackage).bin['electron-vite']);
const build = spawnSync(process.execPath, [cli, 'build'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('\nThe build failed (see the messages above).');
  process.exit(1);
}

// Same as `electron-vite preview`, minus a second build: run Electron on package.json's main.
const args = ['.', ...process.argv.slice(2)];
if (process.env.NO_SANDBOX === '1') args.push('--no-sandbox'); // electron-vite's convention
const child = spawn(electron.path, args, { cwd: ROOT, stdio: 'inherit' });
child.on('error', (e) => giveUp('Electron could not be started.', e.message));
for (const signal of ['SIGINT', 'SIGTERM']) {
  // Electron's main process quits cleanly on these (stopping a run first); just pass them on.
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
