// Ratios to PyTorch measured in alternating rounds. On a shared machine throughput drifts by ±25%
// from one minute to the next (BENCHMARKS.md), so a ratio of two figures taken minutes apart says
// as much about the drift as about the engines. Each round measures every engine and the reference
// back to back (order reversed every other round) and the ratio is the median of the rounds'.
import { median } from './bench-util.ts';
import { torchThroughput, type Run } from './bench-torch.ts';

type Line = Record<string, unknown>;
/** Images/s per round: the tutorial's training and inference, the Standard NN's training. */
type Series = Record<'train' | 'inference' | 'dense', number[]>;

export interface PairedBench {
  root: string;
  rounds: number;
  quick: boolean;
  /** Engines that ran above (unavailable ones are left out). */
  engines: string[];
  run: Run;
  emit: (o: Line, engine?: string | null) => void;
  /** Measures `engine` once (bench-engine.ts --speed-only): its JSON lines. */
  measure: (engine: string) => Promise<Line[]>;
}

export interface PairedFigure {
  value: number;
  rounds: number[];
  ours: number[];
  pytorch: number[];
}

/** The median of the per-round ratios ours[i] / pytorch[i], with the rounds themselves. */
export function pairedRatio(ours: number[], pytorch: number[]): PairedFigure {
  if (ours.length !== pytorch.length)
    throw new Error(`paired rounds differ in length (${ours.length} vs ${pytorch.length})`);
  if (ours.length === 0) throw new Error('no paired rounds were measured');
  const round3 = (x: number): number => Math.round(x * 1000) / 1000;
  const rounds = ours.map((v, i) => round3(v / pytorch[i]!));
  const round1 = (x: number): number => Math.round(x * 10) / 10;
  return { value: round3(median(rounds)), rounds, ours: ours.map(round1), pytorch };
}

const rate = (lines: Line[], name: string): number | undefined => {
  const v = lines.find((l) => l.name === name)?.value;
  return typeof v === 'number' ? v : undefined;
};

export async function benchPaired(o: PairedBench): Promise<void> {
  const { root, rounds, quick, engines, run, emit, measure } = o;
  if (rounds === 0 || engines.length === 0) return;
  const torchArgs = quick
    ? ['--repeats', '1', '--batches', '2', '--warmup', '1']
    : ['--repeats', '1', '--batches', '40', '--warmup', '10']; // as bench-engine.ts measures
  // The Standard NN's steps are ~8 ms: more of them, as bench-engine.ts measures ≥ 2 s of its own.
  const denseArgs = quick
    ? ['--net', 'dense', '--repeats', '1', '--batches', '2', '--warmup', '1']
    : ['--net', 'dense', '--repeats', '1', '--batches', '300', '--warmup', '10'];
  const series = (): Series => ({ train: [], inference: [], dense: [] });
  const ours = new Map(engines.map((e) => [e, series()]));
  const ref = series();
  for (let r = 0; r < rounds; r++) {
    const reference = async (): Promise<boolean> => {
      const [t, d] = [
        await torchThroughput(root, run, torchArgs),
        await torchThroughput(root, run, denseArgs),
      ];
      if (t.ok && d.ok) {
        ref.train.push(t.train);
        ref.inference.push(t.inference);
        ref.dense.push(d.train);
      } else {
        const reason = t.ok ? (d.ok ? '' : d.reason) : t.reason;
        emit({ name: 'paired', available: false, reason }, 'pytorch');
      }
      return t.ok && d.ok;
    };
    const mine = async (engine: string): Promise<boolean> => {
      const lines = await measure(engine);
      const [train, inference] = [rate(lines, 'train'), rate(lines, 'inference')];
      const dense = lines.find((l) => l.name === 'train-preset' && l.preset === 'standard-nn');
      if (train === undefined || inference === undefined || typeof dense?.value !== 'number') {
        emit({ name: 'paired', available: false, reason: `the ${engine} round failed` }, engine);
        return false;
      }
      ours.get(engine)!.train.push(train);
      ours.get(engine)!.inference.push(inference);
      ours.get(engine)!.dense.push(dense.value);
      return true;
    };
    const order = r % 2 === 0 ? engines : [...engines].reverse();
    if (r % 2 === 1 && !(await reference())) return;
    for (const engine of order) if (!(await mine(engine))) return;
    if (r % 2 === 0 && !(await reference())) return;
    console.error(`paired round ${r + 1}/${rounds} done`);
  }
  const what = {
    train: '40 batches of 50 after 10 warm-up',
    inference: '10 000 test images at batch 1000',
    dense: 'the Standard NN preset against --net dense, ≥ 2 s of batches of 50',
  };
  for (const engine of engines) {
    for (const [key, name, target] of [
      ['train', 'train-vs-pytorch-paired', 1.5],
      ['inference', 'inference-vs-pytorch-paired', 4],
      ['dense', 'train-preset-vs-pytorch-paired', 1],
    ] as const) {
      const p = pairedRatio(ours.get(engine)![key], ref[key]);
      emit(
        {
          name,
          ...(key === 'dense' ? { preset: 'standard-nn' } : {}),
          unit: 'ratio',
          ...p,
          target,
          met: p.value >= target,
          note: `median of ${rounds} rounds, each measuring this engine and PyTorch back to back (${what[key]})`,
        },
        engine,
      );
    }
  }
}
