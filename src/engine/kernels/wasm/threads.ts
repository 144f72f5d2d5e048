// Runs the C kernels here (kernels-wasm.ts, built from *.c) on tensors in the tfjs wasm backend's
// own memory, on as many threads as the backend's pool: this thread plus helper threads, each with
// its own instance of the module over the same shared memory, woken through Atomics. The
// backend's pthreads are idle meanwhile (they only work inside the backend's own kernels), so the
// cores are free.
import { Worker } from 'node:worker_threads';
import {
  OWN_MEMORY_RELAXED_WASM,
  OWN_MEMORY_WASM,
  SHARED_MEMORY_RELAXED_WASM,
  SHARED_MEMORY_WASM,
} from './kernels-wasm.ts';
import { claimRange } from './claims.ts';
import { helperMain, LAYOUT } from './helper.ts';
import { OPS, type KernelExports, type Op } from './kernel-exports.ts';

export type { Op } from './kernel-exports.ts';

/** The parts of tfjs's Emscripten module this uses. */
export interface WasmHeapModule {
  wasmMemory?: WebAssembly.Memory; // threaded build
  asm?: { memory?: WebAssembly.Memory }; // single-threaded builds
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

let relaxed: boolean | undefined;

/**
 * Whether this runtime has WebAssembly relaxed SIMD (Electron's Node 22 has; Node 20 only with
 * --experimental-wasm-relaxed-simd): then the kernels run their relaxed build, whose multiply-adds
 * are fused where the machine has FMA; else the plain SIMD128 build.
 */
export function relaxedSimd(): boolean {
  if (relaxed === undefined) {
    try {
      new WebAssembly.Module(Buffer.from(OWN_MEMORY_RELAXED_WASM, 'base64'));
      relaxed = true;
    } catch {
      relaxed = false; // "simd opcode not available"
    }
  }
  return relaxed;
}

function moduleBytes(shared: boolean): Buffer {
  const build = relaxedSimd()
    ? shared
      ? SHARED_MEMORY_RELAXED_WASM
      : OWN_MEMORY_RELAXED_WASM
    : shared
      ? SHARED_MEMORY_WASM
      : OWN_MEMORY_WASM;
  return Buffer.from(build, 'base64');
}

const STACK_BYTES = 64 * 1024;
// A helper answers within its share of one operation; a minute means it is gone.
const HELPER_TIMEOUT_MS = 60_000;
// Waking from Atomics.wait takes tens of microseconds, as long as the gaps between a step's
// kernels, so both sides watch the slot (~6 ns a check) before they sleep on it: this thread
// its helpers' `done` (up to ~1 ms: they are rarely later), a helper its `request` (~0.1 ms, so
// an idle helper soon gives its core back). Tutorial steps +4%, the Tiny CNN's +27%.
const AWAIT_SPINS = 200_000;
const HELPER_SPINS = 20_000;

function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory, stackTop: number) {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as KernelExports;
  exports.__stack_pointer.value = stackTop;
  return exports;
}

interface Helper {
  ctrl: Int32Array;
  worker: Worker;
  sequence: number;
}

export class KernelThreads {
  readonly exports: KernelExports;
  private readonly helpers: Helper[] = [];
  private readonly ready: Promise<void>;
  readonly memory: WebAssembly.Memory;
  /** The first unclaimed block of the running job (claimRange), shared with the helpers. */
  private readonly next = new Int32Array(new SharedArrayBuffer(4));
  private readonly range = new Int32Array(2);

  constructor(
    private readonly heap: WasmHeapModule,
    threads: number,
  ) {
    const memory = heap.wasmMemory ?? heap.asm?.memory;
    if (memory === undefined) throw new Error('the wasm backend does not expose its memory');
    this.memory = memory;
    const shared = memory.buffer instanceof SharedArrayBuffer;
    const module = new WebAssembly.Module(moduleBytes(shared));
    this.exports = instantiate(module, memory, this.stack());
    const started: Promise<void>[] = [];
    for (let i = 1; i < (shared ? threads : 1); i++) started.push(this.startHelper(module, memory));
    this.ready = Promise.all(started).then(() => undefined);
  }

  /** Resolves once every helper thread has started (until then this thread does all the work). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Allocates a stack in the backend's heap (never freed: one per instance, for its lifetime). */
  private stack(): number {
    return (this.heap._malloc(STACK_BYTES) + STACK_BYTES) & ~15;
  }

  private startHelper(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<void> {
    const ctrl = new Int32Array(new SharedArrayBuffer(LAYOUT.length * 4));
    // The claim function goes in as an argument, so the helper's source needs no other name.
    const worker = new Worker(`(${helperMain.toString()})(${claimRange.toString()})`, {
      eval: true,
      execArgv: [], // not this process's loaders (e.g. tsx): the helper is plain JavaScript
      workerData: {
        module,
        memory,
        ctrl: ctrl.buffer,
        next: this.next.buffer,
        stackTop: this.stack(),
        layout: LAYOUT,
        spins: HELPER_SPINS,
        ops: OPS,
      },
    });
    worker.unref(); // it only works while this thread waits for it
    const helper: Helper = { ctrl, worker, sequence: 0 };
    return new Promise((resolve) => {
      worker.once('message', () => {
        this.helpers.push(helper);
        resolve();
      });
      // A helper that cannot start leaves its share to this thread.
      worker.once('error', (error) => {
        console.warn(
          `A kernel helper thread failed to start (${String(error)}); using fewer threads`,
        );
        resolve();
      });
    });
  }

  /** Runs so far and the threads the last run used, by op (for tests and profiles). */
  readonly runs = Object.fromEntries(OPS.map((op) => [op, 0])) as Record<Op, number>;
  readonly lastThreads = Object.fromEntries(OPS.map((op) => [op, 0])) as Record<Op, number>;
  /** The threads the last run of any op used. */
  lastThreadsAny = 0;

  // One block of the backend's heap holds every operation's temporary buffers (transformed
  // filters, partial sums, scratch, job descriptions), grown when an operation needs more and
  // kept: allocating megabytes per training step and freeing them again fragments the heap, which
  // then only grows (RSS +95 MB over 10 short epochs).
  private workspace = { at: 0, bytes: 0 };

  /**
   * Offsets of buffers of the given byte sizes (16-byte aligned) inside the workspace, valid
   * until the next call.
   */
  buffers(sizes: number[]): number[] {
    const aligned = sizes.map((b) => Math.ceil(b / 16) * 16);
    const total = aligned.reduce((a, b) => a + b, 0);
    if (total > this.workspace.bytes) {
      if (this.workspace.bytes > 0) this.heap._free(this.workspace.at);
      const bytes = Math.max(total, Math.ceil(this.workspace.bytes * 1.5));
      const at = this.heap._malloc(bytes + 16);
      if (at === 0) throw new Error(`cannot allocate ${bytes} bytes for a wasm kernel's buffers`);
      this.workspace = { at, bytes };
    }
    let next = Math.ceil(this.workspace.at / 16) * 16;
    return aligned.map((b) => ((next += b), next - b));
  }

  /** The threads that run each operation: this one and the helpers that started. */
  get count(): number {
    return 1 + this.helpers.length;
  }

  /** How many threads to use for `most` shares of work (1 if there is only one). */
  threadsFor(most: number): number {
    return Math.min(1 + this.helpers.length, Math.max(1, most));
  }

  /**
   * Runs `op` over `units` on `threads` threads, each calling op(...before, first, end, ...after)
   * with [before, after] = argsFor(thread) for every range [first, end) it claims (claimRange;
   * ranges start at multiples of `step`): this thread and the helpers claim as they go, so a
   * helper that wakes late, or a core that runs slower, takes less. Returns when all are done.
   */
  ranges(
    op: Op,
    threads: number,
    { units, step = 1 }: { units: number; step?: number },
    argsFor: (thread: number) => [number[], number[]],
  ): void {
    const woken = this.helpers.slice(0, threads - 1);
    const sharing = 1 + woken.length;
    // Buffers sized by longestRange(…, threads) would overflow with fewer threads claiming.
    if (sharing !== threads) throw new Error(`${op}: ${threads} threads asked, ${sharing} here`);
    const [before, after] = argsFor(0);
    // Helpers must be done with the workspace before anything else uses it, whatever happens here.
    let failure: unknown = null;
    try {
      if (sharing === 1) this.exports[op](...before, 0, units, ...after);
      else {
        Atomics.store(this.next, 0, 0);
        woken.forEach((h, i) => {
          const [b, a] = argsFor(i + 1);
          wake(h, OPS.indexOf(op), [b.length, units, step, sharing], [...b, 0, 0, ...a]);
        });
        while (claimRange(this.next, units, step, sharing, this.range)) {
          this.exports[op](...before, this.range[0]!, this.range[1]!, ...after);
        }
      }
    } catch (error) {
      failure = error;
    }
    for (const h of woken) {
      try {
        awaitHelper(h);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== null) throw new Error(`the wasm kernel ${op} failed: ${String(failure)}`);
    this.runs[op]++;
    this.lastThreads[op] = this.lastThreadsAny = sharing;
  }

  /** Stops the helper threads (for tests; the app keeps them for the process's life). */
  async dispose(): Promise<void> {
    await Promise.all(this.helpers.map((h) => h.worker.terminate()));
    this.helpers.length = 0;
  }
}

/** Hands `h` a job: its op, [rangeAt, units, step, threads] and its args. */
function wake(h: Helper, op: number, job: number[], args: number[]): void {
  if (args.length > LAYOUT.length - LAYOUT.args) throw new Error('too many kernel arguments');
  h.ctrl[LAYOUT.op] = op;
  h.ctrl.set(job, LAYOUT.rangeAt);
  h.ctrl.set(args, LAYOUT.args);
  Atomics.store(h.ctrl, LAYOUT.request, ++h.sequence);
  Atomics.notify(h.ctrl, LAYOUT.request);
}

function awaitHelper(h: Helper): void {
  const done = LAYOUT.done;
  for (let i = 0; i < AWAIT_SPINS && Atomics.load(h.ctrl, done) !== h.sequence; i++);
  const deadline = Date.now() + HELPER_TIMEOUT_MS;
  for (
    let seen = Atomics.load(h.ctrl, done);
    seen !== h.sequence;
    seen = Atomics.load(h.ctrl, done)
  ) {
    if (Date.now() > deadline) throw new Error('a kernel helper thread stopped answering');
    Atomics.wait(h.ctrl, done, seen, 1000);
  }
  if (Atomics.load(h.ctrl, LAYOUT.status) !== 0) {
    throw new Error('a helper thread trapped (memory access out of bounds?)');
  }
}
