// The body of a kernel helper thread (threads.ts). It runs from its source text (Worker eval), so it must
// be self-contained: no imports, no closures over this module.
import type * as WorkerThreads from 'node:worker_threads';
import type { claimRange } from './claims.ts';

/**
 * Slots of the Int32Array a helper and its owner share: the op, its job (`rangeAt`: where a
 * claimed range's first and end go among the args), then the args.
 */
export const LAYOUT = {
  request: 0,
  done: 1,
  status: 2,
  op: 3,
  rangeAt: 4,
  units: 5,
  step: 6,
  threads: 7,
  args: 8,
  length: 21,
} as const;

interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: SharedArrayBuffer;
  /** The claim counter all threads share (claimRange). */
  next: SharedArrayBuffer;
  stackTop: number;
  layout: typeof LAYOUT;
  /** Checks of `request` before sleeping on it. */
  spins: number;
  ops: readonly string[];
}

type Run = (...args: number[]) => void;

/** Instantiates the module over the shared memory, says so, then runs the ranges it claims. */
export function helperMain(claim: typeof claimRange): void {
  // Not require or import: a bundler rewrites those into helpers that the worker would lack.
  const threads = process.getBuiltinModule('node:worker_threads') as typeof WorkerThreads;
  const { parentPort, workerData } = threads;
  const {
    module,
    memory,
    ctrl: buffer,
    next: nextBuffer,
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
  const next = new Int32Array(nextBuffer);
  const range = new Int32Array(2);
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
      const run = ops[ctrl[layout.op]!]!;
      const args = Array.from(ctrl.subarray(layout.args, layout.length));
      const at = ctrl[layout.rangeAt]!;
      const [units, step, sharing] = [
        ctrl[layout.units]!,
        ctrl[layout.step]!,
        ctrl[layout.threads]!,
      ];
      while (claim(next, units, step, sharing, range)) {
        args[at] = range[0]!;
        args[at + 1] = range[1]!;
        run(...args);
      }
    } catch {
      status = 1;
    }
    Atomics.store(ctrl, layout.status, status);
    Atomics.store(ctrl, layout.done, seen);
    Atomics.notify(ctrl, layout.done);
  }
}
