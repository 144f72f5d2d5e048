// Browser mode's one codec (src/wire): what goes in comes out, typed arrays included, and a frame
// that is not one of our messages is refused in words, never by a crash.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encode as rawEncode, ExtensionCodec } from '@msgpack/msgpack';
import { parseFrame } from '../../../src/host/ws-transport.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';
import { decode, encode, frameBytes, MAX_WIRE_DEPTH } from '../../../src/wire/codec.ts';
import { readInvoke, readServerMessage } from '../../../src/wire/frames.ts';
import { nestedFrame } from './nested-frame.ts';

const message = (bytes: Uint8Array): string => {
  const r = readInvoke(bytes);
  assert.equal(r.ok, false, 'expected a refusal');
  return (r as { message: string }).message;
};

describe('the codec', () => {
  test('typed arrays, NaN and absent fields come back as they left', () => {
    const values = new Float32Array([0.5, -1, 2, NaN, Infinity]);
    const event: TrainingEvent = {
      type: 'filters',
      runId: 'r1',
      epoch: 1,
      batch: 2,
      kernels: [{ layer: 'conv1', shape: [1, 1, 1, 5], values }],
    };
    const back = decode(encode(event)) as typeof event;
    assert.ok(back.kernels[0]!.values instanceof Float32Array);
    assert.deepEqual(back, event);
    const pixels = Uint8Array.from([0, 7, 255]);
    const more = decode(encode({ losses: [NaN, 0.25], pixels, detail: undefined })) as Record<
      string,
      unknown
    >;
    assert.ok(Number.isNaN((more['losses'] as number[])[0]));
    assert.ok(more['pixels'] instanceof Uint8Array);
    assert.deepEqual([...(more['pixels'] as Uint8Array)], [0, 7, 255]);
    assert.equal('detail' in more, false, 'undefined stays absent, as over IPC');
  });

  test('a Float32Array is read wherever it sits in the frame (no alignment assumed)', () => {
    for (let pad = 0; pad < 4; pad++) {
      const f = decode(encode({ p: 'x'.repeat(pad), v: new Float32Array([1.5, -2.25]) }));
      assert.deepEqual([...(f as { v: Float32Array }).v], [1.5, -2.25], `padding ${pad}`);
    }
  });

  test('a frame held in a Node Buffer from a shared pool decodes (a file read, a socket)', () => {
    const bytes = encode({ v: new Float32Array([0.5, 3, -1]) });
    // Buffer.from(string) allocates from the pool: the frame sits inside a larger ArrayBuffer.
    const pooled = Buffer.concat([Buffer.from('xyz'), Buffer.from(bytes)]).subarray(3);
    assert.ok(pooled.buffer.byteLength > pooled.byteLength);
    assert.deepEqual([...(decode(pooled) as { v: Float32Array }).v], [0.5, 3, -1]);
  });

  test('any other typed array is refused by the sender, not turned into bytes', () => {
    assert.throws(() => encode({ v: new Int32Array([1]) }), /Int32Array cannot be sent/);
    assert.throws(() => encode({ v: new Float64Array([1]) }), /Float64Array cannot be sent/);
  });

  test('extensions and values our messages never carry are refused in words', () => {
    assert.throws(() => decode(rawEncode(new Date(0))), /never carry \(of type Date\)/);
    const other = new ExtensionCodec();
    other.register({
      type: 9,
      encode: (v) => (v instanceof Set ? new Uint8Array(1) : null),
      decode: () => 0,
    });
    assert.throws(() => decode(rawEncode(new Set([1]), { extensionCodec: other })), /ExtData/);
    const badFloats = new ExtensionCodec();
    badFloats.register({
      type: 1,
      encode: (v) => (v instanceof Set ? new Uint8Array(3) : null),
      decode: () => 0,
    });
    assert.throws(
      () => decode(rawEncode(new Set(), { extensionCodec: badFloats })),
      /3 bytes \(not a multiple of 4\)/,
    );
  });

  test('frames 5 000 and 100 000 deep are refused without overflowing the stack', () => {
    for (const depth of [MAX_WIRE_DEPTH + 1, 5000, 100_000])
      assert.equal(
        message(nestedFrame(['kind'], depth)),
        `The frame nests deeper than ${MAX_WIRE_DEPTH} levels.`,
      );
    assert.equal(
      message(nestedFrame(['kind'], MAX_WIRE_DEPTH - 2)),
      'Unknown kind an array; expected "invoke".',
    );
  });

  test('broken, truncated and over-long frames are not valid MessagePack', () => {
    const good = encode({ kind: 'invoke', id: 1, channel: 'c', arg: [1, 2, 3] });
    for (const bytes of [
      Uint8Array.from([0xc1]),
      good.subarray(0, good.length - 2),
      Uint8Array.from([...good, 0]),
    ])
      assert.match(message(bytes), /^The frame is not valid MessagePack \(.+\)\.$/);
    assert.match(message(new Uint8Array(0)), /not valid MessagePack/);
  });

  test('a __proto__ key is refused, not assigned to the prototype', () => {
    const bytes = Uint8Array.from([0x81, 0xa9, ...Buffer.from('__proto__'), 0x80]);
    assert.match(message(bytes), /__proto__/);
  });
});

describe('readInvoke', () => {
  const invoke = (v: unknown) => readInvoke(rawEncode(v));

  test('accepts an invoke with exactly kind, id, channel and arg; keeps a Float32Array arg', () => {
    assert.deepEqual(invoke({ kind: 'invoke', id: 3, channel: 'training:status', arg: null }), {
      ok: true,
      id: 3,
      channel: 'training:status',
      arg: null,
    });
    const pixels = new Float32Array(784).fill(0.25);
    const r = readInvoke(encode({ kind: 'invoke', id: 4, channel: 'model:predict', arg: pixels }));
    assert.ok(r.ok && r.arg instanceof Float32Array && r.arg.length === 784);
  });

  test('accepts fragmented (array), Buffer and ArrayBuffer payloads', () => {
    const bytes = encode({ kind: 'invoke', id: 1, channel: 'c', arg: 1 });
    const parts = [Buffer.from(bytes.subarray(0, 5)), Buffer.from(bytes.subarray(5))];
    assert.equal(readInvoke(frameBytes(parts)).ok, true);
    assert.equal(readInvoke(frameBytes(bytes.slice().buffer)).ok, true);
    assert.equal(parseFrame(Buffer.from(bytes), true).ok, true);
  });

  test('without a usable id the error has no id; with one, it carries it', () => {
    assert.equal(invoke({ kind: 'invoke', channel: 'x', arg: null }).ok, false);
    assert.equal(
      (invoke({ kind: 'invoke', id: '1', channel: 'x', arg: null }) as { id: unknown }).id,
      null,
    );
    assert.equal(
      (invoke({ kind: 'invoke', id: 2 ** 60, channel: 'x', arg: null }) as { id: unknown }).id,
      null,
    );
    assert.deepEqual(invoke({ kind: 'invoke', id: 4, channel: 'x' }), {
      ok: false,
      id: 4,
      message: 'arg: missing (send null when there is none)',
    });
    assert.deepEqual(invoke({ kind: 'invoke', id: 4, channel: 'x', arg: 1, __proto__x: 1 }), {
      ok: false,
      id: 4,
      message: '__proto__x: unknown field',
    });
    assert.match(message(rawEncode([1])), /Expected an object/);
  });

  test('text frames are refused', () => {
    const r = parseFrame(Buffer.from('{"kind":"invoke"}'), false);
    assert.match((r as { message: string }).message, /Text frames are not supported/);
  });
});

describe('readServerMessage', () => {
  test('an event is checked by the guard IPC uses; a bad one is unreadable, in words', () => {
    const event: TrainingEvent = {
      type: 'batch',
      runId: 'r',
      epoch: 1,
      firstBatch: 1,
      batchesPerEpoch: 10,
      losses: [NaN, 0.5],
      accuracies: [0.25, 0.5],
      imagesPerSec: 100,
      elapsedSec: 1,
      etaSec: 9,
    };
    const ok = readServerMessage(
      encode({ kind: 'event', channel: 'training:event', payload: event }),
    );
    assert.equal(ok.kind, 'event');
    assert.ok(ok.kind === 'event' && ok.event.type === 'batch' && Number.isNaN(ok.event.losses[0]));
    const bad = readServerMessage(
      encode({ kind: 'event', channel: 'training:event', payload: { ...event, firstBatch: -1 } }),
    );
    assert.equal(bad.kind, 'unreadable');
    assert.match(JSON.stringify(bad), /cannot read.*firstBatch/);
    const elsewhere = readServerMessage(encode({ kind: 'event', channel: 'x', payload: event }));
    assert.match(JSON.stringify(elsewhere), /unknown channel \\"x\\"/);
  });

  test('results keep their error envelopes; a malformed one becomes an error', () => {
    const error = { code: 'BUSY', message: 'A run is in progress.' };
    assert.deepEqual(
      readServerMessage(encode({ kind: 'result', id: 2, result: { ok: false, error } })),
      {
        kind: 'result',
        id: 2,
        result: { ok: false, error },
      },
    );
    const odd = readServerMessage(encode({ kind: 'result', id: 2, result: 'yes' }));
    assert.match(JSON.stringify(odd), /malformed answer/);
    assert.match(JSON.stringify(readServerMessage(Uint8Array.from([0xc1]))), /cannot decode/);
    assert.match(
      JSON.stringify(readServerMessage(encode({ kind: 'hello' }))),
      /unknown message kind \\"hello\\"/,
    );
  });
});
