// The messages issue 4 added: model:inspect, data:test-images and the `evaluation` event. Good and
// bad payloads through the shared guards, the WebSocket round trip (the browser-mode codec keeps
// typed arrays), the host's history and the renderer's reducer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RunHistory } from '../../../src/host/run-history.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';
import { ValidationError } from '../../../src/shared/guard.ts';
import { parseInvoke } from '../../../src/shared/ipc-validate.ts';
import { inspection } from '../../../src/shared/answers-validate.ts';
import { testImages, trainingEvent, workerRequest } from '../../../src/shared/validate.ts';
import type { Inspection } from '../../../src/shared/worker-protocol.ts';
import { initialView, reduce } from '../../../renderer/src/lib/state/reducer.ts';
import { decode, encode } from '../../../src/wire/codec.ts';
import { readInvoke, readServerMessage } from '../../../src/wire/frames.ts';
import { createWsClient, type SocketLike } from '../../../renderer/src/lib/ws-client.ts';
import { started } from '../renderer/fixtures.ts';

type Evaluation = Extract<TrainingEvent, { type: 'evaluation' }>;

/** An event as the browser gets it: encoded by the server, decoded and checked by the client. */
function viaWire(payload: unknown): TrainingEvent {
  const r = readServerMessage(encode({ kind: 'event', channel: 'training:event', payload }));
  if (r.kind !== 'event') throw new Error(JSON.stringify(r));
  return r.event;
}

const refusal = (channel: unknown, arg: unknown): string | null => {
  try {
    parseInvoke(channel, arg);
    return null;
  } catch (e) {
    assert.ok(e instanceof ValidationError, String(e));
    return e.message;
  }
};

const rejects = (guard: (v: unknown, p: string) => unknown, v: unknown, pattern: RegExp): void => {
  assert.throws(
    () => guard(v, 'x'),
    (e: unknown) => e instanceof ValidationError && pattern.test(e.message),
  );
};

function evaluation(runId = 'r1', epoch = 1): Evaluation {
  const matrix = new Array<number>(100).fill(0);
  matrix[0] = 3; // three 0s right
  matrix[1 * 10 + 7] = 1; // a 1 read as 7
  const samples: number[][] = Array.from({ length: 100 }, () => []);
  samples[0] = [0, 4, 5];
  samples[17] = [2];
  const pixels = new Uint8Array(784);
  pixels[100] = 255;
  pixels[101] = 17;
  return {
    type: 'evaluation',
    runId,
    epoch,
    count: 4,
    matrix,
    samples,
    wrong: [{ index: 2, label: 1, predicted: 7, confidence: 0.75, pixels }],
  };
}

function inspected(): Inspection {
  const conv1 = new Float32Array(28 * 28 * 32);
  conv1[5] = 0.25;
  const conv2 = new Float32Array(14 * 14 * 64);
  conv2[9] = 1.5;
  return {
    probabilities: [0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0],
    maps: [
      { layer: 'conv1', shape: [28, 28, 32], values: conv1 },
      { layer: 'conv2', shape: [14, 14, 64], values: conv2 },
    ],
  };
}

describe('model:inspect requests', () => {
  test('accepts a 28×28 drawing in [0, 1], like model:predict', () => {
    const pixels = new Float32Array(784).fill(0.5);
    assert.equal(refusal('model:inspect', pixels), null);
    assert.deepEqual(workerRequest({ type: 'inspect', pixels }, 'r'), { type: 'inspect', pixels });
  });

  test('refuses the wrong size, values outside [0, 1], NaN and plain arrays', () => {
    assert.match(refusal('model:inspect', new Float32Array(783))!, /expected 784 values, got 783/);
    const nan = new Float32Array(784);
    nan[9] = NaN;
    assert.match(refusal('model:inspect', nan)!, /^model:inspect: \[9\]: must be between 0 and 1/);
    const big = new Float32Array(784);
    big[0] = 1.01;
    assert.match(refusal('model:inspect', big)!, /\[0\]: must be between 0 and 1/);
    assert.match(refusal('model:inspect', new Array(784).fill(0))!, /expected a Float32Array/);
    assert.match(refusal('model:inspect', null)!, /expected a Float32Array/);
  });

  test('over the WebSocket the pixels arrive as a Float32Array; a plain array is refused', () => {
    const sent = (arg: unknown) => {
      const r = readInvoke(encode({ kind: 'invoke', id: 1, channel: 'model:inspect', arg }));
      assert.ok(r.ok);
      return r.arg;
    };
    const back = sent(new Float32Array(784).fill(0.25));
    assert.ok(back instanceof Float32Array && back.length === 784 && back[783] === 0.25);
    assert.equal(refusal('model:inspect', back), null);
    assert.match(refusal('model:inspect', sent(new Array(784).fill(0.25)))!, /Float32Array/);
  });
});

describe('data:test-images requests', () => {
  test('accepts 1 to 64 whole-number indices', () => {
    assert.equal(refusal('data:test-images', { indices: [0, 9999] }), null);
    assert.equal(
      refusal('data:test-images', { indices: Array.from({ length: 64 }, (_, i) => i) }),
      null,
    );
  });

  test('refuses empty, too many, negative, fractional and malformed requests', () => {
    const cases: [unknown, RegExp][] = [
      [{ indices: [] }, /indices: ask for at least one image/],
      [{ indices: Array.from({ length: 65 }, (_, i) => i) }, /indices: more than 64 items/],
      [{ indices: [-1] }, /indices\[0\]: must be between 0 and 1000000/],
      [{ indices: [1.5] }, /indices\[0\]: must be a whole number/],
      [{ indices: ['1'] }, /indices\[0\]: expected a finite number/],
      [{ indices: [1], extra: true }, /extra: unknown field/],
      [[1, 2], /expected an object, got an array/],
      [null, /expected an object, got null/],
    ];
    for (const [arg, pattern] of cases) {
      const why = refusal('data:test-images', arg);
      assert.ok(why !== null && pattern.test(why), `${JSON.stringify(arg)} -> ${why}`);
      assert.ok(why.startsWith('data:test-images: '));
    }
  });

  test('answers are checked: labels 0..9, exactly 784 bytes', () => {
    const ok = { index: 3, label: 9, pixels: new Uint8Array(784) };
    assert.deepEqual(testImages([ok], 'v'), [ok]);
    rejects(testImages, [{ ...ok, label: 10 }], /label: must be between 0 and 9/);
    rejects(testImages, [{ ...ok, pixels: new Uint8Array(700) }], /expected 784 values/);
    rejects(testImages, [{ ...ok, pixels: new Float32Array(784) }], /expected a Uint8Array/);
  });
});

describe('inspection answers', () => {
  test('accepts ten probabilities and maps whose shape matches their values', () => {
    const r = inspected();
    assert.deepEqual(inspection(r, 'v'), r);
  });

  test('refuses a wrong shape, a wrong count of probabilities, an unknown layer', () => {
    const r = inspected();
    rejects(
      inspection,
      { ...r, probabilities: r.probabilities.slice(1) },
      /expected 10 probabilities/,
    );
    rejects(
      inspection,
      { ...r, maps: [{ ...r.maps[0]!, shape: [28, 28, 31] }] },
      /shape: does not match the number of values/,
    );
    rejects(
      inspection,
      { ...r, maps: [{ ...r.maps[0]!, layer: 'fc1' }] },
      /layer: expected one of/,
    );
    rejects(
      inspection,
      { ...r, probabilities: [2, ...r.probabilities.slice(1)] },
      /between 0 and 1/,
    );
  });
});

describe('test-pass progress events', () => {
  const e = {
    type: 'testing',
    runId: 'run-1',
    epoch: 2,
    done: 1000,
    total: 10000,
    elapsedSec: 61.5,
  };
  test('a good one passes, and survives the WebSocket', () => {
    assert.deepEqual(trainingEvent(e, 'e'), e);
    assert.deepEqual(viaWire(e), e);
  });
  test('bad ones fail with a path', () => {
    rejects(trainingEvent, { ...e, done: 10001 }, /done: is more than total/);
    rejects(trainingEvent, { ...e, epoch: 0 }, /epoch/);
    rejects(trainingEvent, { ...e, elapsedSec: -1 }, /elapsedSec/);
  });
});

describe('evaluation events', () => {
  test('a good one passes', () => {
    const e = evaluation();
    assert.deepEqual(trainingEvent(e, 'e'), e);
  });

  test('bad ones fail with a path', () => {
    const e = evaluation();
    rejects(trainingEvent, { ...e, matrix: e.matrix.slice(1) }, /matrix: expected 100 cells/);
    rejects(trainingEvent, { ...e, count: 5 }, /count: is not the sum of the matrix/);
    rejects(trainingEvent, { ...e, samples: e.samples.slice(1) }, /samples: expected 100 cells/);
    rejects(
      trainingEvent,
      { ...e, wrong: [{ ...e.wrong[0]!, pixels: new Uint8Array(10) }] },
      /wrong\[0\]\.pixels: expected 784 values/,
    );
    rejects(trainingEvent, { ...e, wrong: [{ ...e.wrong[0]!, confidence: 1.5 }] }, /confidence/);
    rejects(trainingEvent, { ...e, wrong: [{ ...e.wrong[0]!, predicted: -1 }] }, /predicted/);
    rejects(trainingEvent, { ...e, matrix: e.matrix.map((x) => x + 0.5) }, /whole number/);
  });

  test('survives the WebSocket with its Uint8Arrays; numbers where bytes belong are refused', () => {
    const e = evaluation();
    const back = viaWire(e);
    assert.deepEqual(back, e);
    assert.ok(back.type === 'evaluation' && back.wrong[0]!.pixels instanceof Uint8Array);
    // 256 is not a byte: it is refused, not wrapped round to 0.
    const pixels = [256, ...new Array<number>(783).fill(0)];
    assert.throws(() => viaWire({ ...e, wrong: [{ ...e.wrong[0]!, pixels }] }), /Uint8Array/);
  });

  test('the host keeps only the latest one for a new window', () => {
    const h = new RunHistory();
    h.add(started('r1'));
    h.add(evaluation('r1', 1));
    h.add(evaluation('r1', 2));
    const kept = h.events().filter((e) => e.type === 'evaluation');
    assert.equal(kept.length, 1);
    assert.equal(kept[0]!.type === 'evaluation' && kept[0]!.epoch, 2);
  });

  test('the reducer keeps the newest epoch of the current run', () => {
    let v = reduce(initialView(), started('r1'));
    assert.equal(v.evaluation, null);
    v = reduce(v, evaluation('r1', 2));
    assert.equal(v.evaluation?.epoch, 2);
    assert.equal(v.evaluation?.wrong.length, 1);
    assert.equal(reduce(v, evaluation('r1', 1)), v, 'an older epoch (replay) is ignored');
    assert.equal(reduce(v, evaluation('other', 3)), v, 'another run is ignored');
    v = reduce(v, started('r2'));
    assert.equal(v.evaluation, null, 'a new run starts without one');
  });
});

describe('the WebSocket client checks answers', () => {
  class Socket implements SocketLike {
    binaryType = 'blob';
    sent: { id: number; channel: string }[] = [];
    private handlers = new Map<string, ((e: never) => void)[]>();
    send(data: Uint8Array): void {
      this.sent.push(decode(data) as { id: number; channel: string });
    }
    close(): void {}
    addEventListener(type: string, l: (e: never) => void): void {
      this.handlers.set(type, [...(this.handlers.get(type) ?? []), l]);
    }
    fire(type: string, e?: unknown): void {
      for (const l of this.handlers.get(type) ?? []) (l as (e: unknown) => void)(e);
    }
    answer(value: unknown): void {
      const id = this.sent.at(-1)!.id;
      const data = encode({ kind: 'result', id, result: { ok: true, value } });
      this.fire('message', { data: data.slice().buffer });
    }
  }

  const connect = () => {
    const socket = new Socket();
    const client = createWsClient({ url: 'ws://x/ws', connect: () => socket, setTimer: () => 0 });
    socket.fire('open');
    return { socket, client };
  };

  test('model:inspect maps arrive as Float32Arrays', async () => {
    const { socket, client } = connect();
    const pending = client.invoke('model:inspect', new Float32Array(784));
    assert.equal(socket.sent[0]!.channel, 'model:inspect');
    const value = inspected();
    socket.answer(value);
    const r = await pending;
    assert.ok(r.ok);
    assert.ok(r.value.maps[0]!.values instanceof Float32Array);
    assert.deepEqual(r.value, value);
    client.close();
  });

  test('data:test-images pixels arrive as Uint8Arrays; a malformed answer is an error', async () => {
    const { socket, client } = connect();
    const images = [{ index: 4, label: 2, pixels: new Uint8Array(784).fill(9) }];
    const a = client.invoke('data:test-images', { indices: [4] });
    socket.answer(images);
    const r = await a;
    assert.ok(r.ok);
    assert.deepEqual(r.value, images);
    const b = client.invoke('data:test-images', { indices: [4] });
    socket.answer([{ index: 4, label: 12, pixels: [] }]);
    const bad = await b;
    assert.ok(!bad.ok && bad.error.code === 'BAD_REQUEST');
    client.close();
  });
});
