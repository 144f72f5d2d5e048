// Hostile or broken requests at the boundary (parseInvoke, used by Electron IPC and the WebSocket):
// drawings of the wrong size, NaN, out of range or enormous; model names that could leave the
// models folder; folder paths that are not text. Each is refused with a sentence naming the field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from '../../../src/shared/guard.ts';
import { parseInvoke } from '../../../src/shared/ipc-validate.ts';
import { encode } from '../../../src/wire/codec.ts';
import { readInvoke } from '../../../src/wire/frames.ts';

const refused = (channel: unknown, arg: unknown, message: RegExp): void => {
  assert.throws(
    () => parseInvoke(channel, arg),
    (e: unknown) => e instanceof ValidationError && message.test(e.message),
    `${String(channel)} ${String(JSON.stringify(arg))?.slice(0, 60)}`,
  );
};

describe('drawings (model:predict and model:inspect)', () => {
  for (const channel of ['model:predict', 'model:inspect']) {
    test(`${channel}: a blank canvas and a full one are valid drawings`, () => {
      assert.equal(parseInvoke(channel, new Float32Array(784)).channel, channel);
      assert.equal(parseInvoke(channel, new Float32Array(784).fill(1)).channel, channel);
    });
    test(`${channel}: wrong size, enormous, NaN, infinite, out of range, not a Float32Array`, () => {
      refused(channel, new Float32Array(783), /expected 784 values, got 783/);
      refused(channel, new Float32Array(28 * 28 * 4), /expected 784 values, got 3136/);
      refused(channel, new Float32Array(10_000_000), /expected 784 values, got 10000000/);
      const nan = new Float32Array(784);
      nan[500] = NaN;
      refused(channel, nan, /\[500\]: must be between 0 and 1/);
      const inf = new Float32Array(784);
      inf[0] = Infinity;
      refused(channel, inf, /\[0\]: must be between 0 and 1/);
      const negative = new Float32Array(784);
      negative[783] = -0.001;
      refused(channel, negative, /\[783\]: must be between 0 and 1/);
      refused(channel, new Float64Array(784), /expected a Float32Array/);
      refused(channel, new Uint8Array(784), /expected a Float32Array/);
      refused(channel, null, /expected a Float32Array, got null/);
    });
  }

  test('over the WebSocket: NaN arrives as NaN, and is refused, not coerced', () => {
    const nan = new Float32Array(784);
    nan[783] = NaN;
    const frame = readInvoke(encode({ kind: 'invoke', id: 1, channel: 'model:predict', arg: nan }));
    assert.ok(frame.ok && frame.arg instanceof Float32Array && Number.isNaN(frame.arg[783]));
    refused('model:predict', frame.arg, /\[783\]: must be between 0 and 1/);
  });
});

describe('model channels', () => {
  test('valid requests', () => {
    assert.deepEqual(parseInvoke('model:save', { name: 'digits v2', overwrite: false }).arg, {
      name: 'digits v2',
      overwrite: false,
    });
    assert.deepEqual(parseInvoke('model:export', { name: 'a', folder: null, format: 'onnx' }).arg, {
      name: 'a',
      folder: null,
      format: 'onnx',
    });
    assert.equal(parseInvoke('model:list', null).channel, 'model:list');
    assert.equal(
      parseInvoke('training:resume-checkpoint', null).channel,
      'training:resume-checkpoint',
    );
  });

  test('names that are paths, too long, empty or not text', () => {
    refused(
      'model:load',
      { name: '../../etc' },
      /^model:load: name: The name must not contain \/ or \\\.$/,
    );
    refused('model:load', { name: '..' }, /must not contain "\.\."/);
    refused('model:delete', { name: 'a\\b' }, /must not contain \/ or \\/);
    refused('model:delete', { name: '' }, /Give the model a name/);
    refused('model:save', { name: 'x'.repeat(65), overwrite: false }, /at most 64 characters/);
    refused(
      'model:save',
      { name: 'x'.repeat(100_000), overwrite: false },
      /longer than 256 characters/,
    );
    refused('model:rename', { from: 'a', to: '.hidden' }, /^model:rename: to: .*start with a dot/);
    refused('model:rename', { from: 'a' }, /^model:rename: to: missing$/);
    refused('model:load', { name: 7 }, /name: expected a string, got number/);
  });

  test('malformed arguments: extra fields, wrong types, folder paths that are not text', () => {
    refused('model:save', { name: 'a' }, /overwrite: missing/);
    refused('model:save', { name: 'a', overwrite: 'yes' }, /overwrite: expected true or false/);
    refused('model:load', { name: 'a', dir: '/etc' }, /^model:load: dir: unknown field$/);
    refused(
      'model:export',
      { name: 'a', folder: 42, format: 'tfjs' },
      /folder: expected a string, got number/,
    );
    refused('model:export', { name: 'a', folder: null, format: 'pb' }, /format/);
    refused('model:explain', { pixels: new Float32Array(784), target: 10 }, /target/);
    refused(
      'model:explain',
      { pixels: new Float32Array(10), target: null },
      /pixels: expected 784 values/,
    );
    refused('run:export', { id: '../x', folder: null, format: 'onnx' }, /id: not a run id/);
    refused(
      'model:export',
      { name: 'a', folder: '', format: 'tfjs' },
      /folder: the folder path is empty/,
    );
    refused('model:import', { folder: '/tmp/\0x' }, /folder: the folder path contains a NUL/);
    refused('model:import', { folder: 'x'.repeat(5000) }, /longer than 4096 characters/);
    refused('model:list', {}, /^model:list: expected null$/);
    refused('training:checkpoint', 1, /expected null/);
    refused('model:import', [], /expected an object, got an array/);
  });

  test('unknown channels are refused by name, including look-alikes', () => {
    for (const c of [
      'model:lists',
      'model:save ',
      'MODEL:SAVE',
      'fs:read',
      '__proto__',
      'constructor',
    ])
      refused(c, null, /unknown channel/);
  });
});
