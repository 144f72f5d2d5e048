// Predict-as-you-draw scheduling: one request in flight, newest drawing wins, predict before
// inspect at a stroke's end, blank pads ask nothing, a cleared pad ignores late answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Result } from '../../../src/shared/contract.ts';
import type { Inspection, Prediction } from '../../../src/shared/worker-protocol.ts';
import { Predictor, type Answer } from '../../../renderer/src/lib/digit/predictor.ts';

type Call = {
  kind: 'predict' | 'inspect';
  pixels: Float32Array;
  resolve: (r: Result<never>) => void;
};

function setup() {
  let drawing: Float32Array | null = null;
  const calls: Call[] = [];
  const answers: Answer[] = [];
  const errors: string[] = [];
  let blanks = 0;
  let settled = 0;
  const call =
    (kind: Call['kind']) =>
    (pixels: Float32Array): Promise<Result<never>> =>
      new Promise((resolve) => calls.push({ kind, pixels, resolve }));
  const predictor = new Predictor({
    capture: () => drawing,
    predict: call('predict') as (p: Float32Array) => Promise<Result<Prediction>>,
    inspect: call('inspect') as (p: Float32Array) => Promise<Result<Inspection>>,
    onResult: (a) => answers.push(a),
    onBlank: () => blanks++,
    onError: (e) => errors.push(e.code),
    onSettled: () => settled++,
  });
  const draw = (v: number): Float32Array => (drawing = new Float32Array(784).fill(v));
  const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
  const probs = (top: number): number[] =>
    Array.from({ length: 10 }, (_, d) => (d === top ? 1 : 0));
  const answer = async (i: number, top: number, maps = false): Promise<void> => {
    const value = maps ? { probabilities: probs(top), maps: [] } : { probabilities: probs(top) };
    calls[i]!.resolve({ ok: true, value } as never);
    await flush();
  };
  return {
    predictor,
    calls,
    answers,
    errors,
    draw,
    answer,
    flush,
    blank: () => (drawing = null),
    blanks: () => blanks,
    settled: () => settled,
  };
}

test('one request in flight; the newest drawing is captured when the next one goes', async () => {
  const t = setup();
  t.draw(0.1);
  t.predictor.request(false);
  t.draw(0.2);
  t.predictor.request(false);
  t.draw(0.3);
  t.predictor.request(false);
  assert.equal(t.calls.length, 1, 'still one in flight');
  assert.equal(t.calls[0]!.pixels[0], Math.fround(0.1));
  await t.answer(0, 1);
  assert.equal(t.calls.length, 2, 'the two later requests became one');
  assert.equal(t.calls[1]!.pixels[0], Math.fround(0.3));
  await t.answer(1, 7);
  assert.deepEqual(
    t.answers.map((a) => a.probabilities.indexOf(1)),
    [1, 7],
  );
  assert.equal(t.calls.length, 2);
  assert.equal(t.settled(), 1);
});

test('a stroke end: predict first (bars, with the timing), then inspect (maps)', async () => {
  const t = setup();
  t.draw(0.5);
  t.predictor.request(true, 123);
  assert.equal(t.calls[0]!.kind, 'predict');
  await t.answer(0, 4);
  assert.equal(t.answers[0]!.since, 123);
  assert.equal(t.answers[0]!.inspection, null);
  assert.equal(t.calls[1]!.kind, 'inspect');
  assert.equal(t.calls[1]!.pixels, t.calls[0]!.pixels, 'the same drawing');
  await t.answer(1, 4, true);
  assert.ok(t.answers[1]!.inspection !== null);
  assert.equal(t.answers[1]!.since, null);
});

test('maps are skipped for a drawing that changed meanwhile; the new stroke end gets them', async () => {
  const t = setup();
  t.draw(0.5);
  t.predictor.request(true, 1);
  t.draw(0.6);
  t.predictor.request(false); // drawing again while the first predict is out
  await t.answer(0, 2);
  assert.equal(t.calls[1]!.kind, 'predict', 'no inspect for the stale drawing');
  assert.equal(t.calls[1]!.pixels[0], Math.fround(0.6));
  t.predictor.request(true, 2); // that stroke ends
  await t.answer(1, 3);
  assert.equal(t.calls[2]!.kind, 'predict');
  await t.answer(2, 3);
  assert.equal(t.calls[3]!.kind, 'inspect');
});

test('a blank pad asks nothing', async () => {
  const t = setup();
  t.blank();
  t.predictor.request(true, 5);
  await t.flush();
  assert.equal(t.calls.length, 0);
  assert.equal(t.blanks(), 1);
  assert.equal(t.settled(), 1);
});

test('after reset, answers still on their way are ignored', async () => {
  const t = setup();
  t.draw(0.5);
  t.predictor.request(true, 9);
  t.predictor.reset();
  await t.answer(0, 8);
  assert.equal(t.answers.length, 0);
  assert.equal(t.calls.length, 1, 'and no inspect follows');
});

test('errors (no model yet) are reported, not thrown', async () => {
  const t = setup();
  t.draw(0.5);
  t.predictor.request(false);
  t.calls[0]!.resolve({ ok: false, error: { code: 'NO_MODEL', message: 'Train first' } } as never);
  await t.flush();
  assert.deepEqual(t.errors, ['NO_MODEL']);
  assert.equal(t.answers.length, 0);
});

test('while drawing, requests are spaced; a stroke end cuts the wait short', async () => {
  let clock = 0;
  const sleeps: number[] = [];
  const sent: string[] = [];
  const predictor = new Predictor({
    capture: () => new Float32Array(784),
    predict: async () => (
      sent.push(`predict@${clock}`),
      { ok: true, value: { probabilities: [] } }
    ),
    inspect: async () => (
      sent.push(`inspect@${clock}`),
      { ok: true, value: { probabilities: [], maps: [] } }
    ),
    onResult: () => {},
    onBlank: () => {},
    onError: () => {},
    minIntervalMs: 50,
    now: () => clock,
    sleep: (ms) => {
      sleeps.push(ms);
      return new Promise(() => {}); // never ends by itself: only a stroke end wakes it
    },
  });
  const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
  predictor.request(false);
  await flush();
  clock = 10;
  predictor.request(false); // 10 ms later: waits 40 ms
  await flush();
  assert.deepEqual(sleeps, [40]);
  assert.deepEqual(sent, ['predict@0']);
  clock = 20;
  predictor.request(true, 20); // the stroke ends: no more waiting
  await flush();
  assert.deepEqual(sent, ['predict@0', 'predict@20', 'inspect@20']);
});
