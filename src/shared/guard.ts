// A tiny runtime-validation kit: every message that crosses a boundary is checked with these.
// Hand-written because src/shared imports nothing. Unknown keys are rejected, not ignored.
import { describeValue } from './json-depth.ts';

export class ValidationError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path || 'message'}: ${problem}`);
    this.name = 'ValidationError';
  }
}

export type Guard<T> = (value: unknown, path: string) => T;

const fail = (path: string, problem: string): never => {
  throw new ValidationError(path, problem);
};

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;

export const str =
  (maxLength = 1000): Guard<string> =>
  (v, p) =>
    typeof v !== 'string'
      ? fail(p, `expected a string, got ${describe(v)}`)
      : v.length > maxLength
        ? fail(p, `longer than ${maxLength} characters`)
        : v;

export const num =
  (min = -Infinity, max = Infinity): Guard<number> =>
  (v, p) =>
    typeof v !== 'number'
      ? fail(p, `expected a finite number, got ${describe(v)}`)
      : !Number.isFinite(v)
        ? fail(
            p,
            `expected a finite number, got ${Number.isNaN(v) ? 'NaN' : 'a number too large to use'}`,
          )
        : v < min || v > max
          ? fail(p, `must be between ${min} and ${max}`)
          : v;

export const int =
  (min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Guard<number> =>
  (v, p) => {
    const n = num(min, max)(v, p);
    return Number.isInteger(n) ? n : fail(p, 'must be a whole number');
  };

export const bool: Guard<boolean> = (v, p) =>
  typeof v === 'boolean' ? v : fail(p, `expected true or false, got ${describe(v)}`);

export const nul: Guard<null> = (v, p) => (v === null ? null : fail(p, 'expected null'));

export const literal =
  <const L extends readonly (string | number)[]>(...allowed: L): Guard<L[number]> =>
  (v, p) =>
    (allowed as readonly unknown[]).includes(v)
      ? (v as L[number])
      : fail(p, `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);

export const nullable =
  <T>(g: Guard<T>): Guard<T | null> =>
  (v, p) =>
    v === null ? null : g(v, p);

export const array =
  <T>(item: Guard<T>, maxLength = 100_000): Guard<T[]> =>
  (v, p) => {
    if (!Array.isArray(v)) return fail(p, `expected an array, got ${describe(v)}`);
    if (v.length > maxLength) return fail(p, `more than ${maxLength} items`);
    // Array.from, not map: map skips the holes of a sparse array ([, 'cpu']), which would pass.
    return Array.from(v, (x, i) => item(x, `${p}[${i}]`));
  };

export const float32Array =
  (length?: number, maxLength = 10_000_000): Guard<Float32Array> =>
  (v, p) => {
    if (!(v instanceof Float32Array)) return fail(p, `expected a Float32Array, got ${describe(v)}`);
    if (length !== undefined && v.length !== length)
      return fail(p, `expected ${length} values, got ${v.length}`);
    if (v.length > maxLength) return fail(p, `more than ${maxLength} values`);
    return v;
  };

export const uint8Array =
  (length?: number, maxLength = 10_000_000): Guard<Uint8Array> =>
  (v, p) => {
    if (!(v instanceof Uint8Array)) return fail(p, `expected a Uint8Array, got ${describe(v)}`);
    if (length !== undefined && v.length !== length)
      return fail(p, `expected ${length} values, got ${v.length}`);
    if (v.length > maxLength) return fail(p, `more than ${maxLength} values`);
    return v;
  };

/** For the `default:` of an exhaustive switch: a new case the switch forgot fails to compile. */
export function assertNever(x: never, what = 'case'): never {
  throw new Error(`Unhandled ${what}: ${describeValue(x)}`);
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

type Shape = Record<string, Guard<unknown>>;
type FromShape<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };

const OPTIONAL = Symbol('optional');
type Optional<T> = Guard<T | undefined> & { [OPTIONAL]: true };

/** Marks a field that may be absent. */
export const optional = <T>(g: Guard<T>): Optional<T> =>
  Object.assign((v: unknown, p: string) => (v === undefined ? undefined : g(v, p)), {
    [OPTIONAL]: true as const,
  });

/** An object with exactly these keys: unknown keys fail, missing ones fail unless `optional`. */
export const object =
  <S extends Shape>(shape: S): Guard<FromShape<S>> =>
  (v, p) => {
    if (!isPlainObject(v)) return fail(p, `expected an object, got ${describe(v)}`);
    for (const key of Object.keys(v))
      if (!Object.hasOwn(shape, key)) {
        // A key is the sender's text: clipped, so a 300 kB key makes no 300 kB message.
        const name = key.length > 40 ? `${key.slice(0, 40)}…` : key;
        fail(p ? `${p}.${name}` : name, 'unknown field');
      }
    const out: Record<string, unknown> = {};
    for (const [key, guard] of Object.entries(shape)) {
      const at = p ? `${p}.${key}` : key;
      if (v[key] === undefined && !(OPTIONAL in guard)) fail(at, 'missing');
      const value = guard(v[key], at);
      if (value !== undefined) out[key] = value;
    }
    return out as FromShape<S>;
  };

/** A discriminated union on `type`: one guard per tag, so unknown tags fail with a clear message. */
export const tagged =
  <M extends Record<string, Guard<unknown>>>(byType: M): Guard<ReturnType<M[keyof M]>> =>
  (v, p) => {
    if (!isPlainObject(v)) return fail(p, `expected an object, got ${describe(v)}`);
    const t = v['type'];
    if (typeof t !== 'string' || !Object.hasOwn(byType, t))
      return fail(p ? `${p}.type` : 'type', `unknown message type ${describeValue(t)}`);
    return byType[t]!(v, p) as ReturnType<M[keyof M]>;
  };
