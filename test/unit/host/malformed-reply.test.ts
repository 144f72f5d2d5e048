// Every request gets exactly one answer, even when the worker's reply cannot be read. The worker
// here is a real thread that answers wrongly on purpose (a stand-in for a bug in the real one).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { TrainingHost } from '../../../src/host/training-host.ts';
import { clip, envelope } from '../../../src/shared/errors.ts';

const BROKEN_WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.type !== 'request') return;
  // An error text far over the guards' limit, then a reply with no 'ok' at all.
  if (m.request.type === 'status')
    parentPort.postMessage({ type: 'reply', id: m.id, ok: false,
      error: { code: 'BAD_MODEL', message: 'x'.repeat(5000) } });
  else parentPort.postMessage({ type: 'reply', id: m.id, value: 1 });
});`;

test('a reply the host cannot read fails its request with an error instead of never answering', async () => {
  const logs: string[] = [];
  const host = new TrainingHost({
    spawn: () => new Worker(BROKEN_WORKER, { eval: true }),
    engine: 'wasm',
    dataDir: null,
    log: (m) => logs.push(m),
  });
  try {
    for (const type of ['status', 'pause'] as const) {
      const r = await host.request({ type });
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'INTERNAL');
      assert.match(r.error.message, /answer that could not be read/);
    }
    assert.equal(logs.filter((l) => l.startsWith('Ignored a malformed message')).length, 2);
  } finally {
    await host.close(500);
  }
});

test('envelopes cut long texts where they are made, never inside a character', () => {
  const e = envelope('BAD_MODEL', 'm'.repeat(10_000), 'd'.repeat(50_000));
  assert.equal(e.message.length, 4000);
  assert.ok(e.message.endsWith('…'));
  assert.equal(e.detail?.length, 20_000);
  assert.equal(envelope('BAD_MODEL', 'short').message, 'short');
  assert.equal(clip(`${'a'.repeat(8)}\u{1f600}b`, 10), `${'a'.repeat(8)}…`);
});

test('a worker that stops answering is replaced, and its requests fail with a clear error', async () => {
  // The first worker hangs, as wasm once did after "memory access out of bounds"; later ones answer.
  let spawns = 0;
  const events: string[] = [];
  const host = new TrainingHost({
    spawn: () => new Worker(spawns++ === 0 ? HANGING_WORKER : ANSWERING_WORKER, { eval: true }),
    engine: 'wasm',
    dataDir: null,
    requestBoundMs: 300,
    log: () => {},
  });
  host.onEvent((e) => events.push(e.type === 'failed' ? e.error.message : e.type));
  try {
    const [a, b] = await Promise.all([
      host.request({ type: 'status' }),
      host.request({ type: 'pause' }),
    ]);
    for (const r of [a, b]) {
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'WORKER_CRASHED');
      assert.match(r.error.message, /stopped answering and was replaced/);
    }
    assert.equal(
      events.filter((m) => /stopped answering/.test(m)).length,
      1,
      'the windows are told once',
    );
    const after = await host.request({ type: 'status' });
    assert.ok(after.ok, JSON.stringify(after));
    assert.equal(spawns, 2, 'a new worker answered');
  } finally {
    await host.close(500);
  }
});

const HANGING_WORKER = `require('node:worker_threads').parentPort.on('message', () => {});`;
const ANSWERING_WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.type === 'request')
    parentPort.postMessage({ type: 'reply', id: m.id, ok: true,
      value: { state: 'idle', runId: null, hasModel: false } });
  if (m.type === 'shutdown') process.exit(0);
});`;
