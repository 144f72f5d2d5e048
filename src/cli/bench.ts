// `npm run bench`: every speed figure of the project as JSON lines {name, value, unit, engine,
// machine, ...}: one child process per engine (a tfjs backend is process-wide), then the PyTorch
// reference (../shared/bench/bench_torch.py) in the same sitting and our ratios to it, then the
// renderer/IPC figures in Chromium (test/e2e/measure-frames.ts). What cannot be measured here
// prints a line saying why. Not part of `npm test`: tests never assert timing.
//   npm run bench -- --help   (the options; runs nothing)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machine, valueIn } from './bench-util.ts';
import { benchTorch } from './bench-torch.ts';
import { benchPaired } from './bench-paired.ts';
import { runtimeHasRelaxedSimd } from '../engine/relaxed-probe.ts';

const USAGE = `npm run bench -- [options]: every speed figure as JSON lines, then PyTorch's in the
same sitting and our ratios to it. Runs nothing with --help.

  --engines LIST        engines to measure, comma-separated: native, wasm, wasm-relaxed, cpu
                        (default native,wasm,wasm-relaxed; wasm-relaxed is wasm with our kernels'
                        relaxed-SIMD build, in a Node started with --experimental-wasm-relaxed-simd
                        where it needs that: Electron's Node 22 has relaxed SIMD by itself)
  --quick               fewer batches and images: a smoke run, not figures to quote
  --no-torch            skip the PyTorch reference (../shared/bench/bench_torch.py)
  --no-renderer         skip the renderer and IPC figures in Chromium
  --memory-epochs N     epochs of the memory run (0 skips it; default 10, 2 with --quick)
  --memory-images N     training images per epoch of the memory run (default 6000, 200 with --quick)
  --rounds N            paired rounds: each engine and PyTorch measured back to back, the ratio
                        being the median of the rounds' (0 skips; default 5, 1 with --quick)
  --help, -h            print this and exit`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const FLAGS = ['--quick', '--no-torch', '--no-renderer'];
const VALUED = ['--engines', '--memory-epochs', '--memory-images', '--rounds'];
for (let i = 0; i < args.length; i++) {
  if (VALUED.includes(args[i]!)) i++;
  else if (!FLAGS.includes(args[i]!)) {
    console.error(`bench: unknown option ${JSON.stringify(args[i])}\n\n${USAGE}`);
    process.exit(2);
  }
}
const flag = args.indexOf('--engines');
const ENGINES = ['native', 'wasm', 'wasm-relaxed', 'cpu'];
const engines = (flag >= 0 ? (args[flag + 1] ?? '') : 'native,wasm,wasm-relaxed')
  .split(',')
  .filter(Boolean);
const bad = engines.filter((e) => !ENGINES.includes(e));
if (bad.length > 0) {
  console.error(`bench: unknown engine ${bad.join(', ')}; choose from ${ENGINES.join(', ')}.`);
  process.exit(2);
}
const quick = args.includes('--quick');
const noTorch = args.includes('--no-torch');
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : quick ? 1 : 5;
if (!Number.isInteger(rounds) || rounds < 0 || rounds > 50) {
  console.error(`bench: --rounds takes a whole number from 0 to 50, not ${args[roundsAt + 1]}.`);
  process.exit(2);
}
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const root = here('../../');

/** An option of this command that the engine benchmark takes too, with its value. */
const passOn = (name: string): string[] => {
  const i = args.indexOf(name);
  return i >= 0 ? [name, args[i + 1] ?? ''] : [];
};

type Line = Record<string, unknown>;
const print = (o: Line): void => console.log(JSON.stringify(o));
const emit = (o: Line, engine: string | null = null): void =>
  print({ ...o, engine, machine: machine() });

/** Runs a command; returns its exit code and stdout lines (stderr passes through). */
function run(
  cmd: string,
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; lines: string[]; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], env, cwd: root });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', (e) => resolve({ code: null, lines: [], error: e.message }));
    child.on('close', (code) => resolve({ code, lines: out.split('\n').filter(Boolean) }));
  });
}

const parse = (l: string): Line | null => {
  try {
    return JSON.parse(l) as Line;
  } catch {
    return null;
  }
};

/** The flag that gives this Node relaxed SIMD, if it needs one (Node 22 has it by default). */
const relaxedFlag = (): string[] =>
  runtimeHasRelaxedSimd() ? [] : ['--experimental-wasm-relaxed-simd'];

/** Node's arguments that run bench-engine.ts on `engine`. */
const engineArgv = (engine: string, extra: string[]): string[] => [
  ...(engine === 'wasm-relaxed' ? relaxedFlag() : []),
  '--import',
  'tsx',
  here('./bench-engine.ts'),
  engine,
  ...(quick ? ['--quick'] : []),
  ...extra,
];

// 1. Our engines.
const ours = new Map<string, Line[]>();
for (const engine of engines) {
  const r = await run(
    process.execPath,
    engineArgv(engine, [...passOn('--memory-epochs'), ...passOn('--memory-images')]),
  );
  const lines = r.lines.map(parse).filter((l): l is Line => l !== null);
  lines.forEach(print);
  ours.set(engine, lines);
  if (r.code !== 0) {
    console.error(`bench: the ${engine} engine's benchmark exited with code ${r.code}`);
    process.exitCode = 1;
  }
}
const figure = (engine: string, name: string): number | undefined =>
  valueIn(ours.get(engine), name);
const presetFigure = (engine: string, preset: string): number | undefined =>
  valueIn(ours.get(engine), 'train-preset', preset);

/** One training batch's time on the engine measured above (alone, without the app around it). */
const batchMs = (label: string | null): number | undefined => {
  const name = engines.find((e) => ours.get(e)?.some((l) => l.label === label));
  const rate = name === undefined ? undefined : figure(name, 'train');
  return rate === undefined ? undefined : Math.round((50 / rate) * 1000);
};

// 2. The PyTorch reference, same machine, same sitting, and our ratios to it; then the same ratios
// from paired rounds, which a drifting machine cannot skew.
await benchTorch({
  root,
  quick,
  skip: noTorch,
  engines,
  run,
  emit,
  figure,
  presetFigure,
});
if (!noTorch)
  await benchPaired({
    root,
    rounds,
    quick,
    engines: engines.filter((e) =>
      ours.get(e)?.some((l) => l.name === 'engine' && l.available === true),
    ),
    run,
    emit,
    measure: async (engine) =>
      (await run(process.execPath, engineArgv(engine, ['--speed-only']))).lines
        .map(parse)
        .filter((l): l is Line => l !== null),
  });

// 3. Renderer and IPC, in Debian's Chromium against the real server and worker.
if (args.includes('--no-renderer')) {
  emit({ name: 'renderer', available: false, reason: 'skipped (--no-renderer)' });
} else {
  const r = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      `${root}test/e2e/measure-frames.ts`,
      '--seconds',
      quick ? '6' : '15',
      '--train',
      '60000',
    ],
    { ...process.env, CNN_STUDIO_ENGINE: process.env.CNN_STUDIO_ENGINE ?? engines.at(-1) },
  );
  const lines = r.lines.map(parse).filter((l): l is Line => l !== null);
  const engine = (lines.find((l) => l.measure === 'setup')?.engine as string | undefined) ?? null;
  if (r.code !== 0 || lines.length === 0) {
    emit(
      {
        name: 'renderer',
        available: false,
        reason: `measure-frames exited with code ${r.code}${r.error ? ` (${r.error})` : ''}; it needs a Chromium (CHROMIUM_PATH, Playwright's, or a system one; npm run test:e2e installs one where it can)`,
      },
      engine,
    );
  }
  for (const l of lines) {
    const m = l.measure;
    if (m === 'interactive') {
      emit({ name: 'interactive', value: l.ms, unit: 'ms', target: 1500, mode: 'browser' }, engine);
    } else if (m === 'frames') {
      for (const q of ['p50', 'p95'] as const) {
        emit(
          {
            name: `frame-${q}`,
            value: l[`${q}Ms`],
            unit: 'ms',
            phase: l.phase,
            ...(q === 'p95' ? { target: 20 } : {}),
            frames: l.frames,
            longTasks: l.longTasks,
          },
          engine,
        );
      }
    } else if (m === 'messages') {
      emit(
        {
          name: 'progress-messages',
          value: l.perSec,
          unit: 'messages/s',
          phase: l.phase,
          target: 10,
          byType: l.byTypePerSec,
        },
        engine,
      );
    } else if (m === 'predict') {
      const p50 = l.p50 as number;
      emit(
        {
          name: 'draw-to-prediction',
          value: p50,
          unit: 'ms',
          phase: l.phase,
          p95: l.p95,
          ...(l.phase === 'idle'
            ? { target: 50 }
            : {
                target: 'one batch time',
                // the batch time in the same window, from the run's own progress events
                batchMsInWindow: l.batchMs,
                p95InBatches:
                  typeof l.batchMs === 'number'
                    ? Math.round(((l.p95 as number) / l.batchMs) * 100) / 100
                    : undefined,
                batchMsAlone: batchMs(engine),
              }),
          note: 'model:predict round trip over the app socket (host → worker → host); excludes canvas rasterisation',
        },
        engine,
      );
    } else if (m === 'chart-update') {
      const tail = l.append1At12000Ms as { p50: number; p95: number };
      const own = l.lossChartUpdateMs as { p50: number; p95: number; n: number } | undefined;
      if (own && own.n > 0) {
        emit(
          {
            name: 'loss-chart-update-12000',
            value: own.p95,
            unit: 'ms',
            p50: own.p50,
            points: l.points,
            target: 4,
            note: "the loss chart's Chart.js update alone (User Timing 'loss-chart-update'), warm",
          },
          engine,
        );
      }
      emit(
        {
          name: 'chart-update-12000',
          value: tail.p95,
          unit: 'ms',
          p50: tail.p50,
          points: l.points,
          target: 4,
          cold: l.coldAppend1At12000Ms,
          note: "one batch event handled by the whole page (parse, state, both charts, Svelte), warm; 'cold' is the first pass",
        },
        engine,
      );
    }
  }
}
