// Ratios to PyTorch measured in alternating rounds. On a shared machine throughput drifts by ±25%
// from one minute to the next (BENCHMARKS.md), so a ratio of two figures taken minutes apart says
// as much about the drift as about the engines. Each round measures every engine and the reference
// back to back (order reversed every other round) and the ratio is the median of the rounds'.
import { median, valueIn } from './bench-util.ts';
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

export async function benchPaired(o: PairedBench): Promise<void> {
  const { root, rounds, quick, engines, run, emit, measure } = o;
  if (rounds === 0 || engines.length === 0) return;
  // As bench-engine.ts measures: 40 batches after 10 (the Standard NN's ~8 ms steps: 300, ≥ 2 s).
  const reference = (batches: number, net: string[] = []): string[] => [
    ...net,
    ...['--repeats', '1', '--batches', String(quick ? 2 : batches), '--warmup', quick ? '1' : '10'],
  ];
  const series = (): Series => ({ train: [], inference: [], dense: [] });
  const ours = new Map(engines.map((e) => [e, series()]));
  const ref = series();
  const unavailable = (reason: string, engine: string): false => {
    emit({ name: 'paired', available: false, reason }, engine);
    return false;
  };
  const measureReference = async (): Promise<boolean> => {
    const t = await torchThroughput(root, run, reference(40));
    if (!t.ok) return unavailable(t.reason, 'pytorch');
    const d = await torchThroughput(root, run, reference(300, ['--net', 'dense']));
    if (!d.ok) return unavailable(d.reason, 'pytorch');
    ref.train.push(t.train);
    ref.inference.push(t.inference);
    ref.dense.push(d.train);
    return true;
  };
  const measureOurs = async (engine: string): Promise<boolean> => {
    const lines = await measure(engine);
    const train = valueIn(lines, 'train');
    const inference = valueIn(lines, 'inference');
    const dense = valueIn(lines, 'train-preset', 'standard-nn');
    if (train === undefined || inference === undefined || dense === undefined)
      return unavailable(`the ${engine} round failed`, engine);
    const s = ours.get(engine)!;
    s.train.push(train);
    s.inference.push(inference);
    s.dense.push(dense);
    return true;
  };
  for (let r = 0; r < rounds; r++) {
    const even = r % 2 === 0;
    if (!even && !(await measureReference())) return;
    for (const engine of even ? engines : [...engines].reverse())
      if (!(await measureOurs(engine))) return;
    if (even && !(await measureReference())) return;
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
