// The body of a kernel helper thread (threads.ts). It runs from its source text (Worker eval), so it must
// be self-contained: no imports, no closures over this module.
import type * as WorkerThreads from 'node:worker_threads';

/** Slots of the Int32Array a helper and its owner share. */
export const LAYOUT = { request: 0, done: 1, status: 2, op: 3, args: 4, length: 17 } as const;

interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: SharedArrayBuffer;
  stackTop: number;
  layout: typeof LAYOUT;
  /** Checks of `request` before sleeping on it. */
  spins: number;
  ops: readonly string[];
}

type Run = (...args: number[]) => void;

/** Instantiates the module over the shared memory, says so, then runs each requested share. */
export function helperMain(): void {
  // Not require or import: a bundler rewrites those into helpers that the worker would lack.
  const threads = process.getBuiltinModule('node:worker_threads') as typeof WorkerThreads;
  const { parentPort, workerData } = threads;
  const {
    module,
    memory,
    ctrl: buffer,
    stackTop,
    layout,
    spins,
    ops: names,
  } = workerData as HelperData;
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as Record<string, unknown>;
  // Indexed as OPS in threads.ts, which sends the names.
  const ops = names.map((name) => exports[name] as Run);
  (exports.__stack_pointer as WebAssembly.Global).value = stackTop;
  const ctrl = new Int32Array(buffer);
  parentPort!.postMessage('ready');
  let seen = 0;
  for (;;) {
    // Watch for the next request before sleeping (HELPER_SPINS in threads.ts says why).
    for (let i = 0; i < spins && Atomics.load(ctrl, layout.request) === seen; i++);
    Atomics.wait(ctrl, layout.request, seen);
    const request = Atomics.load(ctrl, layout.request);
    if (request === seen) continue;
    seen = request;
    let status = 0;
    try {
      ops[ctrl[layout.op]!]!(...ctrl.subarray(layout.args, layout.length));
    } catch {
      status = 1;
    }
    Atomics.store(ctrl, layout.status, status);
    Atomics.store(ctrl, layout.done, seen);
    Atomics.notify(ctrl, layout.done);
  }
}
