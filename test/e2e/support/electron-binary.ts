// Finds the Electron executable without downloading it. `require('electron')` is not used on
// purpose: since Electron 45 it starts a ~100 MB download when the binary is missing, which on an
// offline machine means a stack trace and a wasted minute on every test run.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ElectronBinary = { path: string } | { path: null; reason: string };

/** The same lookup as electron/index.js and scripts/start.mjs, minus the download. */
export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): ElectronBinary {
  const override = env.ELECTRON_EXEC_PATH;
  if (override)
    return existsSync(override)
      ? { path: override }
      : { path: null, reason: `ELECTRON_EXEC_PATH=${override} does not exist` };
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { path: null, reason: 'the electron package is not installed (npm install)' };
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile))
    return {
      path: null,
      reason:
        "Electron's binary was never downloaded (node_modules/electron/path.txt is missing); " +
        'run `npx install-electron` where the internet is reachable',
    };
  const full = join(
    env.ELECTRON_OVERRIDE_DIST_PATH ?? join(dir, 'dist'),
    readFileSync(pathFile, 'utf8').trim(),
  );
  return existsSync(full)
    ? { path: full }
    : { path: null, reason: `Electron's binary is missing at ${full}` };
}

/** One line for the test list: why the Electron project's tests are skipped. */
export function electronSkipReason(binary: ElectronBinary): string {
  return binary.path === null ? `Electron app not tested: ${binary.reason}` : '';
}
