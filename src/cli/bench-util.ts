import { cpus, totalmem } from 'node:os';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Where a figure was measured; figures compare only within one machine and sitting. */
export const machine = (): string =>
  `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;

/** The value of the line `name` (and `preset`, for train-preset lines) among an engine's lines. */
export function valueIn(
  lines: Record<string, unknown>[] | undefined,
  name: string,
  preset?: string,
): number | undefined {
  const v = lines?.find(
    (l) => l.name === name && (preset === undefined || l.preset === preset),
  )?.value;
  return typeof v === 'number' ? v : undefined;
}
