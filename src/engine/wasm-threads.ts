// Lets tfjs's WebAssembly backend use its threaded SIMD build (a pthread pool) under Node.
//
// tfjs 4.22 disables threads under Node (WASM_HAS_MULTITHREAD_SUPPORT is false there) because its
// loader starts each pthread from a `blob:` URL, and hands the pthread the main script as a Blob:
// Node's Worker takes only file paths. Emscripten's runtime itself supports Node. So while the
// backend starts we answer URL.createObjectURL for the pthread script with a real file holding
// the same script (shipped as a string in the package), prefixed so that inside each pthread the
// main script is read from a second file, a copy of the package's threaded factory.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import workerThreads from 'node:worker_threads';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

const requireHere = createRequire(import.meta.url);
const PACKAGE = '@tensorflow/tfjs-backend-wasm';

function packageFile(relative: string): string {
  return join(dirname(requireHere.resolve(`${PACKAGE}/package.json`)), relative);
}

/**
 * Writes the two scripts the pthreads need, in a fresh folder of this process's own (mode 0700:
 * code that we run must not sit where another user could swap it); returns the folder and the
 * pthread script's path.
 */
function writeThreadScripts(): { dir: string; workerPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cnn-studio-wasm-threads-'));
  const main = join(dir, 'tfjs-backend-wasm-threaded-simd.js');
  writeFileSync(main, readFileSync(packageFile('wasm-out/tfjs-backend-wasm-threaded-simd.js')));
  const { wasmWorkerContents } = requireHere(
    packageFile('wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as { wasmWorkerContents: string };
  const worker = join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  // Inside a pthread the main script arrives as a Blob and goes through URL.createObjectURL to
  // importScripts (which reads a file under Node): point it at the copy instead.
  const prefix =
    `URL.createObjectURL = () => ${JSON.stringify(main)};\n` + `URL.revokeObjectURL = () => {};\n`;
  // As tfjs does before making its Blob: the string holds raw newlines inside string literals.
  writeFileSync(worker, prefix + wasmWorkerContents.replace(/\n/g, '\\n'));
  return { dir, workerPath: worker };
}

/**
 * The backend's own thread pool gets one thread, the caller's: our kernels do the heavy work on
 * threads of their own (./kernels/wasm/threads.ts), and a pool of two cost more than it gave. Every
 * small tfjs op it ran in parallel (a [50, 10] Multiply in the loss) woke a sleeping pthread,
 * 0.2-0.6 ms on a virtual machine, once per step; and its pthreads, spinning after each op,
 * competed with our helper thread for the second core. With one, the Standard NN
 * trains ~17% faster (BENCHMARKS.md, the Xeon section). The 4.22 binary sizes
 * its pool from emscripten_num_logical_cores() / 2 when it starts, ignoring setThreadsCount, and
 * under Node that count is os.cpus().length: so while it starts, os.cpus() reports two entries.
 */
function onePoolThread(): () => void {
  const real = os.cpus;
  os.cpus = () => {
    const [first] = real();
    return [first!, first!];
  };
  return () => {
    os.cpus = real;
  };
}

/**
 * Emscripten makes its pthreads with `new (require('worker_threads').Worker)(path)` while the
 * backend starts: they would inherit this process's execArgv (e.g. tsx's loader, which then
 * loads into each of its 8 pooled workers, for a plain CommonJS script). Start them bare.
 */
function bareWorkers(workerPath: string): () => void {
  const Real = workerThreads.Worker;
  class PthreadWorker extends Real {
    constructor(file: string | URL, options?: workerThreads.WorkerOptions) {
      super(file, file === workerPath ? { ...options, execArgv: [] } : options);
    }
  }
  const mutable = workerThreads as { Worker: typeof Real };
  mutable.Worker = PthreadWorker;
  return () => {
    mutable.Worker = Real;
  };
}

interface ThreadedModule {
  PThread?: { runningWorkers?: { unref?: () => void }[] };
}

/**
 * The pool's pthreads are Node workers that Emscripten keeps referenced, so a process that is
 * done would never exit; they only ever work while the thread that uses the backend waits for
 * them, so they need not keep it alive.
 */
function unrefPool(): void {
  const backend = tf.findBackend('wasm') as unknown as { wasm?: ThreadedModule } | null;
  for (const worker of backend?.wasm?.PThread?.runningWorkers ?? []) worker.unref?.();
}

/**
 * Runs `start` (which must call tf.setBackend('wasm') for the first time) with the threaded build
 * enabled: its memory is shared, which our kernel threads need, and its own pool has one thread
 * (onePoolThread). Restores URL.createObjectURL afterwards. If the scripts cannot be written,
 * throws before changing anything.
 */
export async function withThreadedBuild<T>(start: () => Promise<T>): Promise<T> {
  const { dir, workerPath } = writeThreadScripts();
  const { setThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  setThreadsCount(1);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  const original = URL.createObjectURL;
  URL.createObjectURL = (obj: Blob): string =>
    obj instanceof Blob && obj.type === 'application/javascript' ? workerPath : original(obj);
  const restoreCores = onePoolThread();
  const restoreWorker = bareWorkers(workerPath);
  try {
    const result = await start();
    unrefPool();
    return result;
  } finally {
    URL.createObjectURL = original;
    restoreCores();
    restoreWorker();
    // Emscripten's pool of 8 pthreads has loaded both scripts by the time the backend is up, and a
    // pool of one thread never needs a 9th: the files are done with (a process ended by a
    // signal or worker.terminate() would never reach an exit handler to remove them).
    rmSync(dir, { recursive: true, force: true });
  }
}
