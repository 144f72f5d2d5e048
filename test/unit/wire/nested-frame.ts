// Frames nested deeper than any encoder will write, for the tests of the depth limit.
import { encode } from '@msgpack/msgpack';

/**
 * A MessagePack map of `pairs` (keys and values alternating, the last key without its value) whose
 * last value is `depth` one-element arrays around nil. Written byte by byte: no encoder nests so
 * deep, and a built value is what is under test.
 */
export function nestedFrame(pairs: unknown[], depth: number): Uint8Array {
  const head = [0x80 | Math.ceil(pairs.length / 2), ...pairs.flatMap((p) => [...encode(p)])];
  return Uint8Array.from([...head, ...new Array<number>(depth).fill(0x91), 0xc0]);
}
