// Loading native TensorFlow: TensorFlow's CUDA build (@tensorflow/tfjs-node-gpu, for a learner
// on a GPU server watching from a browser) before its CPU build (@tensorflow/tfjs-node). Both are
// optional and register the same tfjs backend, so the first that loads is the one; a GPU build
// that is installed but cannot load (no CUDA libraries) falls back to the CPU build, and the
// reason says so. The loader is a parameter so the order and the reasons can be tested where
// neither package can be installed.
import { briefly } from './errors.ts';

export interface NativePackage {
  /** The npm package, loaded with import(). */
  name: string;
  /** How the UI names it. */
  short: string;
  label: string;
}

export const NATIVE_PACKAGES: readonly NativePackage[] = [
  {
    name: '@tensorflow/tfjs-node-gpu',
    short: 'tfjs-node-gpu',
    label: 'Native TensorFlow with CUDA (tfjs-node-gpu)',
  },
  { name: '@tensorflow/tfjs-node', short: 'tfjs-node', label: 'Native TensorFlow (tfjs-node)' },
];

export type NativeLoad =
  { ok: true; pkg: NativePackage; skipped: string[] } | { ok: false; why: string };

function isMissingModule(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Tries each package in order with `load`; `registered` says whether the one just loaded put its
 * backend on our copy of tfjs. Returns the package that loaded, with why the ones before it did
 * not, or why none did.
 */
export async function loadNative(
  load: (pkg: string) => Promise<unknown>,
  registered: () => boolean,
  packages: readonly NativePackage[] = NATIVE_PACKAGES,
): Promise<NativeLoad> {
  const skipped: string[] = [];
  for (const pkg of packages) {
    try {
      await load(pkg.name);
    } catch (e) {
      skipped.push(
        isMissingModule(e)
          ? `${pkg.short} is not installed (${briefly(e)})`
          : `${pkg.short} failed to load: ${briefly(e)}`,
      );
      continue;
    }
    if (registered()) return { ok: true, pkg, skipped };
    // Its backend went to another copy of tfjs: loading the next build would not change that.
    skipped.push(
      `${pkg.short} loaded but registered its backend on another copy of @tensorflow/tfjs ` +
        '(versions differ; reinstall so npm dedupes them)',
    );
    break;
  }
  return { ok: false, why: skipped.join('; ') };
}
