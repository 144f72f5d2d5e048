// The fine-tune form and figures: fields parsed with a reason each (numbers or text, as inputs
// hold them), why Fine-tune cannot start, the split the panel announces (the worker's split), the
// reducer keeping a fine-tune run's held-out figures per epoch, and the kept run's record of them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInfoOf } from '../../../src/host/run-keeper.ts';
import type { FinetuneStart } from '../../../src/shared/finetune.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';
import { runInfo } from '../../../src/shared/runs.ts';
import { trainingEvent } from '../../../src/shared/validate.ts';
import { splitHandwriting } from '../../../src/worker/finetune.ts';
import {
  finetuneBlocked,
  finetuneFigures,
  parseFinetune,
  splitCounts,
} from '../../../renderer/src/lib/state/finetune-form.ts';
import { reduceAll } from '../../../renderer/src/lib/state/reducer.ts';
import { epochEnd, started } from './fixtures.ts';

const fields = { epochs: 10, learningRate: '0.001', freezeConv: true, mnistPerDrawing: 4 };

test('fields parse to the argument, or to a reason per field', () => {
  assert.deepEqual(parseFinetune(fields), {
    ok: true,
    arg: { epochs: 10, learningRate: 0.001, freezeConv: true, mnistPerDrawing: 4 },
  });
  assert.deepEqual(parseFinetune({ ...fields, epochs: '3', mnistPerDrawing: '0' }), {
    ok: true,
    arg: { epochs: 3, learningRate: 0.001, freezeConv: true, mnistPerDrawing: 0 },
  });
  const bad = parseFinetune({
    epochs: null,
    learningRate: 'fast',
    freezeConv: false,
    mnistPerDrawing: 2.5,
  });
  assert.ok(!bad.ok);
  assert.deepEqual(Object.keys(bad.errors).sort(), ['epochs', 'learningRate', 'mnistPerDrawing']);
  assert.match(bad.errors.epochs!, /from 1 to 50/);
  assert.ok(!parseFinetune({ ...fields, learningRate: '2' }).ok);
  assert.ok(!parseFinetune({ ...fields, epochs: 51 }).ok);
});

test("why it cannot start, and the split it announces is the worker's", () => {
  assert.match(finetuneBlocked(20, false, false)!, /Train or load a model first/);
  assert.match(finetuneBlocked(20, true, true)!, /A run is going/);
  assert.match(finetuneBlocked(9, true, false)!, /at least 10 drawings \(you have 9\)/);
  assert.equal(finetuneBlocked(10, true, false), null);
  for (const n of [10, 11, 14, 15, 23, 100]) {
    const set = {
      folder: '',
      count: n,
      images: new Uint8Array(n * 784),
      labels: new Uint8Array(n),
    };
    const { train, heldOut } = splitHandwriting(set);
    assert.deepEqual(splitCounts(n), { train: train.count, heldOut: heldOut.count });
  }
});

const start: FinetuneStart = {
  freezeConv: true,
  mnistPerDrawing: 4,
  drawings: 8,
  heldOut: 2,
  mnistImages: 32,
  before: { handwriting: 0.5, test: 0.97 },
};

function finetuneRun(): TrainingEvent[] {
  const accuracy = (epoch: number, correct: number): TrainingEvent => ({
    type: 'handwriting-accuracy',
    runId: 'run-ft1-1',
    epoch,
    correct,
    count: 2,
  });
  return [
    { ...started('run-ft1-1'), finetune: start },
    epochEnd('run-ft1-1', 1, 0.96),
    accuracy(1, 1),
    epochEnd('run-ft1-1', 2, 0.95),
    accuracy(2, 2),
  ];
}

test('the view keeps the held-out figures per epoch; the panel shows before and after', () => {
  const events = finetuneRun();
  for (const e of events) assert.deepEqual(trainingEvent(e, 'e'), e);
  assert.throws(() => trainingEvent({ ...events[2]!, correct: 3 }, 'e'), /more than count/);
  const view = reduceAll(events);
  assert.deepEqual(
    view.finetune?.handwriting.map((h) => [h.epoch, h.correct]),
    [
      [1, 1],
      [2, 2],
    ],
  );
  assert.deepEqual(finetuneFigures(view, 'MNIST'), [
    { what: 'Your 2 held-out drawings', before: 0.5, after: 1 },
    { what: 'The MNIST test set (1,000)', before: 0.97, after: 0.95 },
  ]);
  assert.equal(finetuneFigures(reduceAll([started('run-x')]), 'MNIST'), null);
  // Another run's figures never land in this one.
  const other = reduceAll([
    ...events,
    { ...(events[2] as object), runId: 'run-zz1-2', correct: 0 } as TrainingEvent,
  ]);
  assert.equal(other.finetune?.handwriting.at(-1)?.correct, 2);
});

test('the kept run records where it started and the held-out accuracy per epoch', () => {
  const how = {
    startedAt: '2026-12-01T05:00:00.000Z',
    endedAt: '2026-12-01T05:01:00.000Z',
    status: 'finished' as const,
    hasWeights: true,
  };
  const info = runInfoOf(finetuneRun(), how)!;
  assert.deepEqual(info.finetune, { ...start, handwriting: [0.5, 1] });
  assert.deepEqual(runInfo(info, 'run'), info);
  assert.equal(runInfoOf([started('run-y')], how)!.finetune, undefined);
});
