// Chooses the tfjs backend that trains, for this whole process/thread: native TensorFlow
// (tfjs-node-gpu, then tfjs-node, both optional: native.ts) > portable WebAssembly (with our training kernels) > pure JavaScript.
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { ENGINE_CHOICES, parseEngineChoice } from '../shared/config.ts';
import type { EngineChoice, EngineName } from '../shared/config.ts';
import type { EngineInfo } from '../shared/events.ts';
import { EngineError, briefly } from './errors.ts';
import { loadNative, type NativePackage } from './native.ts';

/** tfjs's backend name for each engine. */
const BACKEND: Record<EngineName, string> = { native: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };
const PREFERENCE: readonly EngineName[] = ['native', 'wasm', 'cpu'];
const TITLE: Record<EngineName, string> = {
  native: 'The native TensorFlow engine (tfjs-node-gpu or tfjs-node)',
  wasm: 'The portable WebAssembly engine',
  cpu: 'The pure JavaScript engine',
};
const CPU_WARNING = 'pure JavaScript trains this network at under 1 image/s';

type Probe = { ok: true } | { ok: false; why: string };

/** The native build that loaded, and why the ones before it did not (see native.ts). */
let native: { pkg: NativePackage; skipped: string[] } | null = null;

async function start(backend: string): Promise<boolean> {
  try {
    return await tf.setBackend(backend);
  } catch {
    return false;
  }
}

async function probeNative(): Promise<Probe> {
  // Imported by name at run time, so TypeScript and bundlers leave the optional packages alone;
  // each must resolve to the same @tensorflow/tfjs as ours.
  const loaded = await loadNative(
    (pkg) => import(pkg),
    () => tf.findBackendFactory(BACKEND.native) !== null,
  );
  if (!loaded.ok) return { ok: false, why: loaded.why };
  native = loaded;
  return (await start(BACKEND.native))
    ? { ok: true }
    : { ok: false, why: `${loaded.pkg.short} loaded but its TensorFlow backend failed to start` };
}

async function probeWasm(): Promise<Probe> {
  try {
    const { registerWasmTrainingKernels } = await import('./wasm-kernels.ts');
    registerWasmTrainingKernels();
  } catch (e) {
    return { ok: false, why: `the WebAssembly backend failed to load: ${briefly(e)}` };
  }
  const threads = wasmThreads();
  let started = false;
  if (threads > 1) {
    // The threaded SIMD build (tfjs leaves it off under Node), whose shared memory lets our kernels
    // run on `threads` threads; if it cannot start here, the single-threaded build (tfjs would
    // retry the backend's factory).
    const { withThreadedBuild } = await import('./wasm-threads.ts');
    started = await withoutNewProcessHandlers(() =>
      withThreadedBuild(() => start(BACKEND.wasm)),
    ).catch(() => false);
    if (!started) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  if (!started) started = await withoutNewProcessHandlers(() => start(BACKEND.wasm));
  if (started) await (await import('./wasm-kernels.ts')).startKernelThreads(threads);
  return started
    ? { ok: true }
    : { ok: false, why: 'the WebAssembly backend failed to start (see the log for why)' };
}

/**
 * Threads for the WebAssembly engine's kernels: CNN_STUDIO_WASM_THREADS (1 = single-threaded) or
 * one per core, at most 4.
 */
export function wasmThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CNN_STUDIO_WASM_THREADS?.trim() ?? '';
  const n = raw === '' ? availableParallelism() : Number(raw);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 4) : 1;
}

const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

// Emscripten's handlers: function(ex){if(!(ex instanceof ExitStatus)){throw ex}} and
// function(reason){throw reason}. Anything else added meanwhile is someone else's: kept.
const EMSCRIPTEN_HANDLER = /ExitStatus|^function\s*\(reason\)\s*\{\s*throw reason;?\s*\}$/;

/**
 * Emscripten's runtime (the wasm backend's loader) adds process handlers that rethrow every
 * uncaught error from inside its one-line minified source, so Node prints ~30 kB of code with
 * any crash. Throwing is Node's default anyway: drop those handlers once it has started.
 */
async function withoutNewProcessHandlers<T>(f: () => Promise<T>): Promise<T> {
  const emitter: NodeJS.EventEmitter = process; // the untyped view: any event name
  const before = PROCESS_EVENTS.map((e) => new Set(emitter.listeners(e)));
  try {
    return await f();
  } finally {
    PROCESS_EVENTS.forEach((event, i) => {
      for (const l of emitter.listeners(event)) {
        if (!before[i]!.has(l) && EMSCRIPTEN_HANDLER.test(String(l))) {
          emitter.removeListener(event, l as (...args: unknown[]) => void);
        }
      }
    });
  }
}

async function probeCpu(): Promise<Probe> {
  return (await start(BACKEND.cpu))
    ? { ok: true }
    : { ok: false, why: 'the pure JavaScript backend failed to start' };
}

// Each engine is tried at most once per process: loading is slow and its outcome does not change.
const PROBE: Record<EngineName, () => Promise<Probe>> = {
  native: probeNative,
  wasm: probeWasm,
  cpu: probeCpu,
};
const probes = new Map<EngineName, Promise<Probe>>();
function probe(name: EngineName): Promise<Probe> {
  let p = probes.get(name);
  if (p === undefined) probes.set(name, (p = PROBE[name]()));
  return p;
}

async function describeEngine(name: EngineName): Promise<{ label: string; threads: number }> {
  if (name === 'native') {
    // TensorFlow's intra-op pool defaults to one thread per core.
    const label = native?.pkg.label ?? 'Native TensorFlow (tfjs-node)';
    return { label, threads: availableParallelism() };
  }
  if (name === 'cpu') return { label: 'Pure JavaScript (very slow)', threads: 1 };
  const kernels = await import('./wasm-kernels.ts');
  const threads = kernels.kernelThreadCount();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  // Our kernels' build (./kernels/wasm/threads.ts): relaxed SIMD where the runtime has it.
  const relaxed = simd && kernels.relaxedSimd();
  const plural = threads === 1 ? '' : 's';
  const kind = relaxed ? 'relaxed SIMD' : simd ? 'SIMD' : 'no SIMD';
  return {
    label: `Portable WebAssembly (${kind}, ${threads} thread${plural})`,
    threads,
  };
}

async function select(choice: EngineChoice): Promise<EngineInfo> {
  if (!(ENGINE_CHOICES as readonly string[]).includes(choice)) {
    throw new EngineError(
      `Unknown engine "${String(choice)}"; use one of ${ENGINE_CHOICES.join(', ')}`,
    );
  }
  // tfjs-node is loaded only when it may be used: forcing wasm or cpu is the way round a native
  // install that crashes or misbehaves, so that must not load it. (Probes run one at a time:
  // each switches the process-wide backend.)
  const probed = new Map<EngineName, Probe>();
  for (const n of PREFERENCE) {
    if (n !== 'native' || choice === 'auto' || choice === 'native' || probes.has(n)) {
      probed.set(n, await probe(n));
    }
  }
  const failure = (n: EngineName): string => {
    const p = probed.get(n);
    return p === undefined || p.ok ? '' : p.why;
  };
  const available = PREFERENCE.filter((n) => probed.get(n)?.ok === true);
  let name: EngineName;
  let reason: string;
  if (choice === 'auto') {
    const chosen = available[0];
    if (chosen === undefined) {
      throw new EngineError(`No engine can run here: ${PREFERENCE.map(failure).join('; ')}`);
    }
    name = chosen;
    const skipped = [
      ...(chosen === 'native' ? (native?.skipped ?? []) : []),
      ...PREFERENCE.slice(0, PREFERENCE.indexOf(chosen)).map(failure),
    ];
    const using = {
      native: `using native TensorFlow${native?.pkg.short === 'tfjs-node-gpu' ? ' with CUDA' : ''}`,
      wasm: 'using the portable WebAssembly engine',
      cpu: `falling back to pure JavaScript; warning: ${CPU_WARNING}`,
    }[chosen];
    const loadedNative = chosen === 'native' ? `${native?.pkg.short ?? 'tfjs-node'} loaded; ` : '';
    reason = `${skipped.map((s) => `${s}; `).join('')}${loadedNative}${using}`;
  } else {
    if (probed.get(choice)?.ok !== true) {
      const others = available.length > 0 ? `; available here: ${available.join(', ')}` : '';
      throw new EngineError(`${TITLE[choice]} cannot load: ${failure(choice)}${others}`);
    }
    name = choice;
    reason = choice === 'cpu' ? `chosen explicitly; warning: ${CPU_WARNING}` : 'chosen explicitly';
  }
  if (!(await start(BACKEND[name]))) {
    throw new EngineError(`${TITLE[name]} loaded once but failed to start again`);
  }
  return { name, ...(await describeEngine(name)), reason, available, requested: choice };
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Makes `choice` the tfjs backend of this process/thread and says what was chosen and why.
 * 'auto' takes the first engine that loads (native, wasm, cpu) and records in `reason` why the
 * better ones were skipped; a named engine that cannot load throws EngineError (code 'ENGINE').
 * `available` lists the engines known to load here; tfjs-node is only tried for 'auto' and
 * 'native'. Call before creating tensors: existing ones stay on the old backend. Calls queue.
 */
export function selectEngine(choice: EngineChoice): Promise<EngineInfo> {
  const result = queue.then(() => select(choice));
  queue = result.catch(() => undefined);
  return result;
}

/** The engine named by CNN_STUDIO_ENGINE (parseEngineChoice), failing as an EngineError. */
export function engineFromEnv(env: NodeJS.ProcessEnv = process.env): EngineChoice {
  try {
    return parseEngineChoice(env.CNN_STUDIO_ENGINE, 'CNN_STUDIO_ENGINE');
  } catch (e) {
    throw new EngineError((e as Error).message);
  }
}
