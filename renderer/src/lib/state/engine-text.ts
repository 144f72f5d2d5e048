// The engine box in plain words. The host's EngineInfo.reason is written for logs ("tfjs-node is
// not installed (Cannot find package … imported from /home/…/select.ts)"); a learner needs which
// engine trains and why in one short sentence, with the technical reason on demand and no machine
// paths anywhere.
import type { EngineInfo } from '$shared/events.ts';
import { plural } from './derive.ts';

export interface EngineText {
  /** "Portable engine (WebAssembly, 2 threads)". */
  title: string;
  /** Why this engine, in plain words. */
  why: string;
  /** The host's own reason, paths removed, for a details disclosure. */
  technical: string;
}

const TITLES = {
  native: 'Native TensorFlow',
  wasm: 'Portable engine',
  cpu: 'Pure JavaScript engine',
} as const;

/** Replaces file system paths and file URLs with "…", so no user name or folder is shown. */
export function withoutPaths(text: string): string {
  return text
    .replace(/file:\/\/\S+/g, '…')
    .replace(/(?:[A-Za-z]:)?(?:[\\/][\w.@+~-][^\s'"()]*){2,}/g, '…');
}

export function engineText(e: EngineInfo): EngineText {
  const title = `${TITLES[e.name]} (${e.name === 'cpu' ? 'very slow' : plural(e.threads, 'thread')})`;
  let why: string;
  if (e.requested !== 'auto')
    why = 'Chosen with --engine or CNN_STUDIO_ENGINE when the app started.';
  else if (e.name === 'native')
    why = e.label.includes('CUDA')
      ? "TensorFlow's own library with CUDA is installed: training runs on the GPU."
      : "TensorFlow's own library is installed: the fastest engine.";
  else {
    // Not installed only when no native build got as far as loading (tfjs-node-gpu, tfjs-node).
    const native = !/failed to load|loaded but/.test(e.reason)
      ? 'Native TensorFlow is not installed on this computer (it is optional)'
      : 'Native TensorFlow is installed but could not start here';
    why =
      e.name === 'wasm'
        ? `${native}; this one runs everywhere, more slowly.`
        : `${native}, and neither could the portable engine: training will be very slow.`;
  }
  return { title, why, technical: withoutPaths(e.reason) };
}
