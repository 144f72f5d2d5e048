// How the Inside view writes numbers: short, signed where sign matters, a real minus sign.

/** 0.1234 -> "0.12", -0.5 -> "−0.50"; `digits` decimals. */
export function num(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return '—';
  const s = Math.abs(x).toFixed(digits);
  return x < 0 && Number(s) !== 0 ? `−${s}` : s;
}

/** A term of a sum: "+ 0.12" or "− 0.50". */
export const term = (x: number, digits = 2): string =>
  `${x < 0 ? '−' : '+'} ${num(Math.abs(x), digits)}`;

/** Σ over channel `c` of a k×k×C block (row, column, channel order): one partial sum per channel. */
export function channelSums(values: Float32Array, channels: number): Float32Array {
  const sums = new Float32Array(channels);
  for (let i = 0; i < values.length; i++) sums[i % channels]! += values[i]!;
  return sums;
}

/** Channel `c`'s k×k slice of a k×k×C block. */
export function channelSlice(values: Float32Array, channels: number, c: number): Float32Array {
  const out = new Float32Array(values.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = values[i * channels + c]!;
  return out;
}

/** The index of the largest value by size. */
export function largestBySize(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++)
    if (Math.abs(values[i]!) > Math.abs(values[best]!)) best = i;
  return best;
}
