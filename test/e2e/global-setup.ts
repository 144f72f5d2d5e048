// Runs once before the suite: makes sure the app under test is built from the current sources,
// and says up front whether the Electron project can run here.
//
// The build is skipped when out/ is newer than every source it is made from, so a test run does
// not rewrite out/ under someone else's running app for nothing. E2E_BUILD=always forces it,
// E2E_BUILD=never forbids it (testing whatever out/ holds).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBrowser } from './support/browser.ts';
import { electronSkipReason, findElectronBinary } from './support/electron-binary.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The newest file among `paths` (files, or folders searched recursively). */
function newestSource(paths: string[]): { mtime: number; file: string } {
  let newest = { mtime: 0, file: '' };
  const visit = (path: string): void => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else if (stat.mtimeMs > newest.mtime) newest = { mtime: stat.mtimeMs, file: path };
  };
  paths.forEach((p) => visit(join(ROOT, p)));
  return newest;
}

/** Why out/ must be rebuilt, or null when it is current. */
function staleReason(needMain: boolean): string | null {
  const targets = [
    // The renderer bundles renderer/ and src/shared/ only (an eslint rule keeps it that way).
    { output: 'out/renderer/index.html', sources: ['renderer', 'src/shared'] },
    ...(needMain ? [{ output: 'out/main/index.js', sources: ['electron', 'src'] }] : []),
  ];
  for (const { output, sources } of targets) {
    const file = join(ROOT, output);
    if (!existsSync(file)) return `${output} is missing`;
    const newest = newestSource([...sources, 'electron.vite.config.ts']);
    if (newest.mtime > statSync(file).mtimeMs)
      return `${newest.file.slice(ROOT.length)} is newer than ${output}`;
  }
  return null;
}

function build(): void {
  // electron-vite exports only its API; its CLI is found through package.json "bin".
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('electron-vite/package.json');
  const bin = (require(pkg) as { bin: Record<string, string> }).bin['electron-vite'];
  const cli = join(dirname(pkg), bin ?? 'bin/electron-vite.js');
  const r = spawnSync(process.execPath, [cli, 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('`electron-vite build` failed (see above).');
}

/** Finds or installs the Chromium the browser project drives; the workers inherit the choice. */
function provideBrowser(): void {
  const browser = ensureBrowser();
  process.env.CHROMIUM_PATH = browser.path;
  const version = spawnSync(browser.path, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  console.log(
    `[e2e] Browser: ${browser.path} (${browser.source}${version ? `, ${version}` : ''}).`,
  );
}

export default function globalSetup(): void {
  provideBrowser();
  const electron = findElectronBinary();
  if (electron.path === null) console.log(`[e2e] ${electronSkipReason(electron)}.`);
  else console.log(`[e2e] Electron binary: ${electron.path}`);

  const mode = process.env.E2E_BUILD ?? 'auto';
  const why = mode === 'always' ? 'E2E_BUILD=always' : staleReason(electron.path !== null);
  if (why === null) return;
  if (mode === 'never') {
    console.log(`[e2e] Not rebuilding although ${why} (E2E_BUILD=never).`);
    return;
  }
  console.log(`[e2e] Building the app: ${why}.`);
  build();
}
