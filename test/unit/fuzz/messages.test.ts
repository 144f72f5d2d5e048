// Property: every validator at a process boundary answers any value, however hostile, with the
// value it checked or a ValidationError of reasonable length; never another exception, never a
// hang. Covers renderer -> main requests (parseInvoke), worker commands, replies and events,
// error envelopes, and what the browser client reads from the wire.
import fc from 'fast-check';
import { test } from 'node:test';
import { DEFAULT_CONFIG } from '../../../src/shared/config.ts';
import { INVOKE_CHANNELS } from '../../../src/shared/contract.ts';
import { ValidationError } from '../../../src/shared/guard.ts';
import { parseInvoke } from '../../../src/shared/ipc-validate.ts';
import {
  errorEnvelope,
  trainingEvent,
  workerCommand,
  workerMessage,
} from '../../../src/shared/validate.ts';
import { encode } from '../../../src/wire/codec.ts';
import { readServerMessage } from '../../../src/wire/frames.ts';
import { ENGINE, batch, started } from '../renderer/fixtures.ts';
import { nastyString, nastyValue, nearMiss, property } from './support.ts';

/** Handled: every guard returned, or threw a ValidationError that a person can read. */
function handled(...checks: (() => unknown)[]): true | string {
  for (const check of checks)
    try {
      check();
    } catch (e) {
      if (!(e instanceof ValidationError)) return `threw ${String(e)}`;
      if (e.message.length > 2000) return `a message of ${e.message.length} characters`;
    }
  return true;
}

const VALID_ARGS: Record<string, unknown> = {
  'training:start': DEFAULT_CONFIG,
  'model:predict': Array.from({ length: 784 }, () => 0.5),
  'model:inspect': new Float32Array(784),
  'model:explain': { pixels: new Float32Array(784), target: 7 },
  'data:test-images': { indices: [0, 1, 9999] },
  'model:save': { name: 'digits', overwrite: false },
  'model:load': { name: 'digits' },
  'model:rename': { from: 'a', to: 'b' },
  'model:export': { name: 'digits', folder: '/tmp/x', format: 'onnx' },
  'run:export': { id: 'run-abc-1', folder: null, format: 'tfjs' },
  'model:import': { folder: null },
  'model:choose-folder': { folder: '/tmp' },
};

test('parseInvoke: any channel and argument', () => {
  const channel = fc.oneof(fc.constantFrom(...INVOKE_CHANNELS), nastyString);
  const arg = fc.oneof(
    nastyValue,
    fc.constantFrom(...Object.values(VALID_ARGS)).chain((v) => nearMiss(v)),
  );
  return property(
    'renderer requests',
    fc.tuple(channel, arg),
    ([c, a]) => handled(() => parseInvoke(c, a)),
    3000,
  );
});

test('worker messages, commands and error envelopes', () => {
  const event = batch('r1', 1, 0, [2.3, 2.2]);
  const valid = [
    { type: 'event', event },
    { type: 'reply', id: 3, ok: true, value: null },
    { type: 'reply', id: 3, ok: false, error: { code: 'BUSY', message: 'x' } },
    { type: 'request', id: 1, request: { type: 'start', config: DEFAULT_CONFIG } },
    { type: 'init', engine: 'auto', dataDir: null },
  ];
  const value = fc.oneof(
    nastyValue,
    fc.constantFrom(...valid).chain((v) => nearMiss(v)),
  );
  return property(
    'worker messages',
    value,
    (v) =>
      handled(
        () => workerMessage(v, 'm'),
        () => workerCommand(v, 'c'),
        () => errorEnvelope(v, 'e'),
      ),
    3000,
  );
});

/** The browser's reading of an event the server encoded: it agrees with the guard IPC uses. */
function overTheWire(v: unknown): void {
  let valid = true;
  try {
    trainingEvent(v, 'event');
  } catch {
    valid = false;
  }
  const read = readServerMessage(encode({ kind: 'event', channel: 'training:event', payload: v }));
  if (read.kind !== (valid ? 'event' : 'unreadable'))
    throw new Error(`the wire read ${read.kind}, the guard said ${valid ? 'valid' : 'invalid'}`);
}

test('events, as the worker sends them and as the browser reads them', () => {
  const valid = [
    started('r1'),
    batch('r1', 1, 0, [2.3, NaN]),
    { type: 'engine', engine: ENGINE },
    {
      type: 'filters',
      runId: 'r1',
      epoch: 1,
      batch: 0,
      kernels: [{ layer: 'conv1', shape: [1, 1, 1, 2], values: new Float32Array([0.5, -1]) }],
    },
  ];
  const value = fc.oneof(
    nastyValue,
    fc.constantFrom(...valid).chain((v) => nearMiss(v)),
  );
  return property(
    'training events',
    value,
    (v) =>
      handled(
        () => trainingEvent(v, 'event'),
        () => overTheWire(v),
      ),
    3000,
  );
});
