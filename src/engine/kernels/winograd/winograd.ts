// Runs conv5x5.c (Winograd F(2×2, 5×5) and, for the filter gradient, F(5×5, 2×2)) on tensors in the tfjs wasm backend's own memory, on as
// many threads as the backend's pool: this thread plus helper threads, each with its own instance
// of the module over the same shared memory, woken through Atomics. The backend's pthreads are idle
// meanwhile (they only work inside the backend's own kernels), so the cores are free.
import { Worker } from 'node:worker_threads';
import { OWN_MEMORY_WASM, SHARED_MEMORY_WASM } from './conv5x5-wasm.ts';
import { helperMain, LAYOUT } from './helper.ts';

/** The parts of tfjs's Emscripten module this uses. */
export interface WasmHeapModule {
  wasmMemory?: WebAssembly.Memory; // threaded build
  asm?: { memory?: WebAssembly.Memory }; // single-threaded builds
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

interface ConvExports {
  __stack_pointer: WebAssembly.Global;
  filter(w: number, u: number, c: number, k: number): void;
  scratchFloats(c: number, k: number): number;
  /** x, u, bias (0 = none), y, N, H, W, C, K, relu (0/1), first tile, end tile, scratch. */
  conv(...args: number[]): void;
  /** x, dy, m, N, H, W, C, K, parts, first part, end part, scratch. */
  filterGradParts(...args: number[]): void;
  filterGradFinish(m: number, parts: number, dw: number, c: number, k: number): void;
}

/** What the threads run, by its index in OPS (the helper's `op` slot). */
const OPS = ['conv', 'filterGradParts'] as const;
type Op = (typeof OPS)[number];

/** The sizes every operation here shares: x is [n, height, width, inChannels]. */
export interface ConvShape {
  n: number;
  height: number;
  width: number;
  inChannels: number; // multiple of 4
  outChannels: number; // multiple of 8
}

/** Addresses (byte offsets into the backend's memory) of one convolution. */
export interface ConvJob extends ConvShape {
  x: number; // [N, H, W, C] float32
  filter: number; // [5, 5, C, K] float32
  bias: number | null; // [K] float32
  y: number; // [N, H, W, K] float32, written
  relu: boolean;
}

/** Addresses of one filter gradient: dw = Σ xpad ⋆ dy, as Conv2DBackpropFilter. */
export interface FilterGradientJob extends ConvShape {
  x: number; // [N, H, W, C] float32
  dy: number; // [N, H, W, K] float32
  dw: number; // [5, 5, C, K] float32, written
}

const STACK_BYTES = 64 * 1024;
// Below this many 2×2 tiles per thread, waking a helper costs more than it saves.
const MIN_TILES_PER_THREAD = 32;
// Sums of tiles in a filter gradient: divisible by 1..4 threads, and few enough to add cheaply.
const GRADIENT_PARTS = 12;
// A helper answers within its share of one convolution; a minute means it is gone.
const HELPER_TIMEOUT_MS = 60_000;

function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory, stackTop: number) {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as ConvExports;
  exports.__stack_pointer.value = stackTop;
  return exports;
}

interface Helper {
  ctrl: Int32Array;
  worker: Worker;
  sequence: number;
}

export class WinogradConv {
  private readonly exports: ConvExports;
  private readonly helpers: Helper[] = [];
  private readonly ready: Promise<void>;
  private readonly memory: WebAssembly.Memory;

  constructor(
    private readonly heap: WasmHeapModule,
    threads: number,
  ) {
    const memory = heap.wasmMemory ?? heap.asm?.memory;
    if (memory === undefined) throw new Error('the wasm backend does not expose its memory');
    this.memory = memory;
    const shared = memory.buffer instanceof SharedArrayBuffer;
    const bytes = Buffer.from(shared ? SHARED_MEMORY_WASM : OWN_MEMORY_WASM, 'base64');
    const module = new WebAssembly.Module(bytes);
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
    const worker = new Worker(`(${helperMain.toString()})()`, {
      eval: true,
      execArgv: [], // not this process's loaders (e.g. tsx): the helper is plain JavaScript
      workerData: { module, memory, ctrl: ctrl.buffer, stackTop: this.stack(), layout: LAYOUT },
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
          `A convolution helper thread failed to start (${String(error)}); using fewer threads`,
        );
        resolve();
      });
    });
  }

  /** Operations run so far, and the threads the last one used (for tests and profiles). */
  runs = 0;
  lastThreads = 0;

  // One block of the backend's heap holds every operation's transformed filter, sums and scratch,
  // grown when an operation needs more and kept: allocating megabytes per training step and
  // freeing them again fragments the heap, which then only grows (RSS +95 MB over 10 short epochs).
  private workspace = { at: 0, bytes: 0 };

  /** Offsets of buffers of the given byte sizes (16-byte aligned) inside the workspace. */
  private buffers(sizes: number[]): number[] {
    const aligned = sizes.map((b) => Math.ceil(b / 16) * 16);
    const total = aligned.reduce((a, b) => a + b, 0);
    if (total > this.workspace.bytes) {
      if (this.workspace.bytes > 0) this.heap._free(this.workspace.at);
      const bytes = Math.max(total, Math.ceil(this.workspace.bytes * 1.5));
      const at = this.heap._malloc(bytes + 16);
      if (at === 0) throw new Error(`cannot allocate ${bytes} bytes for the Winograd convolution`);
      this.workspace = { at, bytes };
    }
    let next = Math.ceil(this.workspace.at / 16) * 16;
    return aligned.map((b) => ((next += b), next - b));
  }

  private threadsFor(most: number): number {
    return Math.min(1 + this.helpers.length, Math.max(1, most));
  }

  /** y = conv(x, filter) + bias, then ReLU if asked. */
  convolve(job: ConvJob): void {
    const { inChannels: c, outChannels: k } = job;
    const tiles = tilesOf(job);
    // Each tile is computed on its own, so any split gives the same bits.
    const threads = this.threadsFor(Math.floor(tiles / MIN_TILES_PER_THREAD));
    const [u, ...scratch] = this.buffers([36 * c * k * 4, ...this.scratchBytes(job, threads)]);
    this.exports.filter(job.filter, u!, c, k);
    const head = [job.x, u!, job.bias ?? 0, job.y, job.n, job.height, job.width, c, k];
    this.parallel('conv', tiles, scratch, (range, s) => [...head, job.relu ? 1 : 0, ...range, s]);
  }

  /** dw for a 5×5 SAME convolution of x that gave the output gradient dy. */
  filterGradient(job: FilterGradientJob): void {
    const { inChannels: c, outChannels: k } = job;
    // The tiles' products are summed in GRADIENT_PARTS sums (fewer for small jobs), added in
    // order at the end: a number fixed by the job alone, so 1 to 4 threads give the same bits.
    const parts = Math.max(
      1,
      Math.min(GRADIENT_PARTS, Math.floor(tilesOf(job) / MIN_TILES_PER_THREAD)),
    );
    const threads = this.threadsFor(parts);
    const floats = parts * 36 * c * k;
    const [m, ...scratch] = this.buffers([floats * 4, ...this.scratchBytes(job, threads)]);
    new Float32Array(this.memory.buffer, m, floats).fill(0);
    const head = [job.x, job.dy, m!, job.n, job.height, job.width, c, k, parts];
    this.parallel('filterGradParts', parts, scratch, (range, s) => [...head, ...range, s]);
    this.exports.filterGradFinish(m!, parts, job.dw, c, k);
  }

  private scratchBytes(job: ConvShape, threads: number): number[] {
    const bytes = this.exports.scratchFloats(job.inChannels, job.outChannels) * 4;
    return Array.from({ length: threads }, () => bytes);
  }

  /**
   * Runs `op` over `units` (tiles, or sums of tiles) split into one contiguous range per scratch
   * buffer, i.e. per thread: the helpers take theirs, this thread the first.
   */
  private parallel(
    op: Op,
    units: number,
    scratch: number[],
    argsFor: (range: [number, number], scratch: number) => number[],
  ): void {
    const threads = scratch.length;
    const args = (i: number): number[] =>
      argsFor(
        [Math.floor((units * i) / threads), Math.floor((units * (i + 1)) / threads)],
        scratch[i]!,
      );
    const woken = this.helpers.slice(0, threads - 1);
    woken.forEach((h, i) => wake(h, OPS.indexOf(op), args(i + 1)));
    // Helpers must be done with the workspace before anything else uses it, whatever happens here.
    let failure: unknown = null;
    try {
      this.exports[op](...args(0));
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
    if (failure !== null) throw new Error(`Winograd ${op} failed: ${String(failure)}`);
    this.runs++;
    this.lastThreads = threads;
  }

  /** Stops the helper threads (for tests; the app keeps them for the process's life). */
  async dispose(): Promise<void> {
    await Promise.all(this.helpers.map((h) => h.worker.terminate()));
    this.helpers.length = 0;
  }
}

const tilesOf = (job: ConvShape): number =>
  job.n * Math.ceil(job.height / 2) * Math.ceil(job.width / 2);

function wake(h: Helper, op: number, args: number[]): void {
  h.ctrl[LAYOUT.op] = op;
  h.ctrl.set(args, LAYOUT.args);
  Atomics.store(h.ctrl, LAYOUT.request, ++h.sequence);
  Atomics.notify(h.ctrl, LAYOUT.request);
}

function awaitHelper(h: Helper): void {
  const done = LAYOUT.done;
  const deadline = Date.now() + HELPER_TIMEOUT_MS;
  for (
    let seen = Atomics.load(h.ctrl, done);
    seen !== h.sequence;
    seen = Atomics.load(h.ctrl, done)
  ) {
    if (Date.now() > deadline) throw new Error('a convolution helper thread stopped answering');
    Atomics.wait(h.ctrl, done, seen, 1000);
  }
  if (Atomics.load(h.ctrl, LAYOUT.status) !== 0) {
    throw new Error('a helper thread trapped (memory access out of bounds?)');
  }
}
