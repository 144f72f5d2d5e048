// The one codec of browser mode's WebSocket, used by both ends (src/host/ws-transport.ts and
// renderer/src/lib/ws-client.ts): MessagePack in binary frames. MessagePack keeps NaN, integers
// and Uint8Arrays (its `bin` type) as they are; Float32Arrays travel as extension type 1, their
// little-endian bytes (the layout RFC 8746 gives them in CBOR). Nothing else needs converting, so
// no channel has to be listed here: a new channel carrying typed arrays works unchanged, and one
// carrying any other typed array fails loudly at the sender.
//
// Why @msgpack/msgpack: its decoder is iterative (a 100 000-deep frame cannot overflow the stack)
// and refuses a `__proto__` key; what it decodes is then walked once, without recursion, so only
// plain objects, arrays, the two typed arrays and primitives up to MAX_WIRE_DEPTH deep get
// through to the guards in src/shared (the same ones that check IPC).
import { DecodeError, Decoder, Encoder, ExtensionCodec } from '@msgpack/msgpack';

/** Deeper than any message of ours (a status answer's history nests about 7 levels). */
export const MAX_WIRE_DEPTH = 100;
export const FLOAT32_EXT = 1;

/** A frame that cannot be encoded or decoded, said in words. */
export class WireError extends Error {
  override readonly name = 'WireError';
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Copies 4-byte groups in reverse order: only used on a big-endian machine. */
function swap32(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4)
    for (let j = 0; j < 4; j++) out[i + j] = bytes[i + 3 - j]!;
  return out;
}

const extensions = new ExtensionCodec();
extensions.register({
  type: FLOAT32_EXT,
  encode(v: unknown): Uint8Array | null {
    if (v instanceof Float32Array) {
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      return littleEndian ? bytes : swap32(bytes);
    }
    // MessagePack would send any other view as raw bytes, and the far end would get a Uint8Array.
    if (ArrayBuffer.isView(v) && !(v instanceof Uint8Array))
      throw new WireError(`A ${v.constructor.name} cannot be sent; use a Float32Array.`);
    return null;
  },
  decode(data: Uint8Array): Float32Array {
    if (data.byteLength % 4 !== 0)
      throw new WireError(`A Float32Array of ${data.byteLength} bytes (not a multiple of 4).`);
    // A copy: the bytes sit at any offset of the frame, and Float32Array needs 4-byte alignment.
    // new Uint8Array(data), not data.slice(): a Node Buffer's slice is a view of its whole pool.
    return new Float32Array((littleEndian ? new Uint8Array(data) : swap32(data)).buffer);
  },
});

// ignoreUndefined: an absent optional field stays absent (as with IPC), never becomes null.
const encoder = new Encoder({
  extensionCodec: extensions,
  maxDepth: MAX_WIRE_DEPTH,
  ignoreUndefined: true,
});
const decoder = new Decoder({ extensionCodec: extensions });

export function encode(value: unknown): Uint8Array {
  try {
    return encoder.encode(value);
  } catch (e) {
    throw e instanceof WireError ? e : new WireError(`Cannot encode: ${(e as Error).message}`);
  }
}

/** What came off the socket, as one byte array (ws hands over Buffers, fragments or ArrayBuffers). */
export function frameBytes(
  data: ArrayBuffer | ArrayBufferView | readonly Uint8Array[],
): Uint8Array {
  if (Array.isArray(data)) {
    const parts = data as readonly Uint8Array[];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data as ArrayBuffer);
}

/** One frame's value; a WireError says in words why it is not one. */
export function decode(bytes: Uint8Array): unknown {
  let value: unknown;
  try {
    value = decoder.decode(bytes);
  } catch (e) {
    if (e instanceof WireError) throw e;
    const why = e instanceof DecodeError || e instanceof RangeError ? e.message : String(e);
    throw new WireError(`The frame is not valid MessagePack (${why}).`);
  }
  checkValues(value);
  return value;
}

/** Only what our messages are made of, nested at most MAX_WIRE_DEPTH deep; no recursion. */
function checkValues(root: unknown): void {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      continue;
    if (v instanceof Float32Array || v instanceof Uint8Array) continue;
    if (!Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype)
      throw new WireError(`The frame holds a value messages never carry (${kindOf(v)}).`);
    if (depth >= MAX_WIRE_DEPTH)
      throw new WireError(`The frame nests deeper than ${MAX_WIRE_DEPTH} levels.`);
    for (const child of Object.values(v as object)) stack.push([child, depth + 1]);
  }
}

function kindOf(v: unknown): string {
  if (typeof v !== 'object' || v === null) return typeof v;
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' ? `of type ${name}` : 'an object without a prototype';
}
