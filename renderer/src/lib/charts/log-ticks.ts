// Ticks for the loss chart's log axis. Chart.js puts a tick at every 1-9 × 10^k, so on a narrow
// range (early training: 1.9 to 2.3) its labels, rounded, repeat ("2 2 2 1.9 1.9"). Here: 1, 2, 5
// × 10^k when at least two fall in the range, else a few evenly spaced values; labelled with just
// enough digits that no two labels are the same.

const NICE = [1, 2, 5];

/** A "nice" step (1, 2 or 5 × 10^k) near `rough`. */
function niceStep(rough: number): number {
  const k = Math.floor(Math.log10(rough));
  const base = 10 ** k;
  const m = rough / base;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * base;
}

export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > min) || !Number.isFinite(max)) return [];
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++)
    for (const m of NICE) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (v >= min && v <= max) out.push(v);
    }
  if (out.length >= 2) return out.length > 9 ? out.filter((v) => isPowerOf10(v)) : out;
  // A narrow range: evenly spaced ticks (about four) are more useful than one or none.
  const step = niceStep((max - min) / 4);
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const isPowerOf10 = (v: number): boolean =>
  Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;

/** Labels with the fewest significant digits (at least 1) that keep every label distinct. */
export function tickLabels(values: readonly number[]): string[] {
  for (let digits = 1; digits <= 6; digits++) {
    const labels = values.map((v) => String(Number(v.toPrecision(digits))));
    if (new Set(labels).size === labels.length) return labels;
  }
  return values.map((v) => String(v));
}
