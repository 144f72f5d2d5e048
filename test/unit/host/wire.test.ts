// The WebSocket wire format: frames in, typed arrays out.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromWireArg, parseFrame, toWire } from '../../../src/host/ws-transport.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';

const frame = (v: unknown) =>
  parseFrame(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), false);

describe('toWire', () => {
  test('turns kernels[].values into plain arrays and leaves the rest alone', () => {
    const values = new Float32Array([0.5, -1, 2]);
    const event: TrainingEvent = {
      type: 'filters',
      runId: 'r1',
      epoch: 1,
      batch: 2,
      kernels: [{ layer: 'conv1', shape: [1, 1, 1, 3], values }],
    };
    const wire = toWire(event);
    assert.deepEqual(wire, {
      ...event,
      kernels: [{ layer: 'conv1', shape: [1, 1, 1, 3], values: [0.5, -1, 2] }],
    });
    assert.ok(Array.isArray(wire.kernels[0]!.values));
    assert.equal(event.kernels[0]!.values, values, 'the original is not modified');
    assert.equal(JSON.stringify(wire), JSON.stringify(JSON.parse(JSON.stringify(wire))));
  });

  test('reaches typed arrays nested in results (status history)', () => {
    const wire = toWire({
      ok: true,
      value: { history: [{ values: new Float32Array([1]) }], n: null },
    });
    assert.deepEqual(wire, { ok: true, value: { history: [{ values: [1] }], n: null } });
  });
});

describe('fromWireArg', () => {
  test('model:predict number arrays become Float32Arrays', () => {
    const out = fromWireArg('model:predict', [0, 0.5, 1]);
    assert.ok(out instanceof Float32Array);
    assert.deepEqual(Array.from(out), [0, 0.5, 1]);
  });

  test('nothing else is converted: strings and booleans must not be coerced to numbers', () => {
    const strings = ['0.5', '1'];
    assert.equal(fromWireArg('model:predict', strings), strings);
    const mixed = [0.5, true];
    assert.equal(fromWireArg('model:predict', mixed), mixed);
    const arr = [1, 2];
    assert.equal(fromWireArg('training:start', arr), arr);
    assert.equal(fromWireArg('model:predict', null), null);
  });
});

describe('parseFrame', () => {
  test('accepts an invoke with exactly kind, id, channel and arg', () => {
    assert.deepEqual(frame({ kind: 'invoke', id: 3, channel: 'training:status', arg: null }), {
      ok: true,
      id: 3,
      channel: 'training:status',
      arg: null,
    });
  });

  test('accepts fragmented (array) and ArrayBuffer payloads', () => {
    const text = JSON.stringify({ kind: 'invoke', id: 1, channel: 'c', arg: 1 });
    const parts = [Buffer.from(text.slice(0, 5)), Buffer.from(text.slice(5))];
    assert.equal(parseFrame(parts, false).ok, true);
    const ab = new TextEncoder().encode(text).buffer as ArrayBuffer;
    assert.equal(parseFrame(ab, false).ok, true);
  });

  test('a frame nested 5 000 deep is refused before anything recurses into it', () => {
    // `{"kind": [[[…]]]}` once threw a RangeError from JSON.stringify that took the server down.
    const deep = `{"kind":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    assert.deepEqual(parseFrame(Buffer.from(deep), false), {
      ok: false,
      id: null,
      message: 'The frame nests deeper than 100 levels.',
    });
    // Brackets inside strings are text, not nesting.
    const text = JSON.stringify({ kind: 'invoke', id: 1, channel: 'c', arg: '['.repeat(500) });
    assert.equal(parseFrame(Buffer.from(text), false).ok, true);
    // An odd kind is described, never stringified whole.
    const odd = parseFrame(Buffer.from(`{"kind":${'[1,'.repeat(50)}1${']'.repeat(50)}}`), false);
    assert.deepEqual(odd.ok ? null : odd.message, 'Unknown kind an array; expected "invoke".');
  });

  test('without a usable id the error has no id; with one, it carries it', () => {
    assert.deepEqual(frame('nope'), {
      ok: false,
      id: null,
      message: 'The frame is not valid JSON.',
    });
    assert.equal(frame({ kind: 'invoke', channel: 'x', arg: null }).ok, false);
    assert.equal(
      (frame({ kind: 'invoke', id: '1', channel: 'x', arg: null }) as { id: unknown }).id,
      null,
    );
    assert.equal(
      (frame({ kind: 'invoke', id: 2 ** 60, channel: 'x', arg: null }) as { id: unknown }).id,
      null,
    );
    assert.deepEqual(frame({ kind: 'invoke', id: 4, channel: 'x' }), {
      ok: false,
      id: 4,
      message: 'arg: missing (send null when there is none)',
    });
    assert.deepEqual(frame({ kind: 'invoke', id: 4, channel: 'x', arg: 1, __proto__x: 1 }), {
      ok: false,
      id: 4,
      message: '__proto__x: unknown field',
    });
  });

  test('binary frames are refused', () => {
    assert.match((parseFrame(Buffer.from('{}'), true) as { message: string }).message, /Binary/);
  });
});
