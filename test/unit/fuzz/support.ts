// Shared by the property-based tests (fast-check): seeded, bounded runs, adversarial values,
// and a tally of inputs tried, handled and lost, printed at the end of each file.
//
// `npm test` runs each property briefly; `npm run fuzz` sets FUZZ_SCALE for a long run and
// FUZZ_SEED for another seed (every failure prints the seed and path that reproduce it).
import fc from 'fast-check';
import { after } from 'node:test';

const SCALE = Number(process.env['FUZZ_SCALE'] ?? 1);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261130);

interface Tally {
  tried: number;
  handled: number;
  lost: number;
}

const tallies = new Map<string, Tally>();

after(() => {
  for (const [name, t] of tallies)
    console.log(`[fuzz] ${name}: ${t.tried} tried, ${t.handled} handled, ${t.lost} lost`);
});

const clip = (text: string, n = 400): string =>
  text.length > n ? `${text.slice(0, n)}… (${text.length} characters)` : text;

/**
 * Checks `handled` on `runs` inputs (× FUZZ_SCALE), seeded. `handled` returns true, or a
 * sentence saying what went wrong. A failure names the seed and path that reproduce it, the
 * problem and the (shrunk, clipped) input; the tally is printed when the file ends.
 */
export async function property<T>(
  name: string,
  arbitrary: fc.Arbitrary<T>,
  handled: (input: T) => true | string | Promise<true | string>,
  runs: number,
): Promise<void> {
  const tally: Tally = { tried: 0, handled: 0, lost: 0 };
  tallies.set(name, tally);
  let problem = '';
  const result = await fc.check(
    fc.asyncProperty(arbitrary, async (input) => {
      tally.tried++;
      let outcome: true | string;
      try {
        outcome = await handled(input);
      } catch (e) {
        outcome = `threw ${String(e).slice(0, 500)}`;
      }
      if (outcome === true) {
        tally.handled++;
        return true;
      }
      tally.lost++;
      problem = outcome;
      return false;
    }),
    {
      numRuns: Math.max(1, Math.round(runs * SCALE)),
      seed: SEED,
    },
  );
  if (result.failed)
    throw new Error(
      `${name}: ${clip(problem)}\n  seed ${result.seed}, path "${result.counterexamplePath}"\n` +
        `  input: ${clip(fc.stringify(result.counterexample?.[0]))}`,
    );
}

/** Numbers at the edges of what JSON, floats and our ranges allow. */
const edgeNumber = fc.constantFrom(
  0,
  -0,
  -1,
  0.5,
  1,
  255,
  256,
  784,
  2 ** 31,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  NaN,
  Infinity,
  -Infinity,
);

/** Strings that have broken software before: surrogates, controls, paths, names, sizes. */
export const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    '\ud800',
    'a\udfffb',
    '\u0000',
    '\u0085',
    '\u202e',
    '\u200b',
    '__proto__',
    'constructor',
    '../..',
    '..\\..\\x',
    '/etc/passwd',
    'CON',
    'CONIN$',
    'NaN',
    '1e999',
    'training:start',
    'model:load',
  ),
  fc.integer({ min: 1000, max: 300_000 }).map((n) => 'x'.repeat(n)),
);

const key = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'type', 'kind', 'id', 'name', 'dir'),
);

const leaf = fc.oneof(fc.constant(null), fc.boolean(), edgeNumber, fc.double(), nastyString);

/** Any value JSON can hold, and some it cannot (NaN, Infinity), with hostile keys and leaves. */
export const nastyValue: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('node'), { maxLength: 6 }),
    fc.dictionary(key, tie('node'), { maxKeys: 6 }),
  ),
})).node;

/** Every path to a value inside `v` (objects and arrays, not typed arrays), the root included. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v))
    for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

/**
 * A valid message with one thing changed: a value replaced by a hostile one, a field removed,
 * or a field added. Near-misses reach deeper into a validator than random values do.
 */
export function nearMiss(valid: unknown): fc.Arbitrary<unknown> {
  const all = paths(valid);
  return fc
    .tuple(fc.nat({ max: all.length - 1 }), nastyValue, fc.constantFrom('set', 'drop', 'add'))
    .map(([i, value, op]) => {
      const copy = structuredClone(valid);
      const path = all[i]!;
      if (path.length === 0) return op === 'set' ? value : copy;
      let parent = copy as Record<string | number, unknown>;
      for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
      const last = path.at(-1)!;
      if (op === 'set') parent[last] = value;
      else if (op === 'drop') delete parent[last];
      else (parent as Record<string, unknown>)['__proto__ extra'] = value;
      return copy;
    });
}
