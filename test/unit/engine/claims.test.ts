// How the threads of one kernel call share its work (src/engine/kernels/wasm/claims.ts): whatever
// order the threads claim in, the ranges cover the job once, in order, none longer than the
// buffers sized for it; and two real threads claiming at once through Atomics do the same.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { claimRange, longestRange } from '../../../src/engine/kernels/wasm/claims.ts';

/** Claims every range of a job with `threads` claimers taking turns in a seeded random order. */
function claimAll(units: number, step: number, threads: number, seed: number): [number, number][] {
  const next = new Int32Array(new SharedArrayBuffer(4));
  const range = new Int32Array(2);
  const ranges: [number, number][] = [];
  let s = seed;
  const done = new Set<number>();
  while (done.size < threads) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const who = (s >>> 16) % threads;
    if (done.has(who)) continue;
    if (claimRange(next, units, step, threads, range)) ranges.push([range[0]!, range[1]!]);
    else done.add(who);
  }
  return ranges;
}

test('the ranges cover the job once, in order, at its steps, shrinking, within the longest range', () => {
  for (const blocks of [1, 2, 3, 7, 16, 125, 1000, 313_600]) {
    for (const threads of [1, 2, 3, 4]) {
      // In units with a step of 8 and a last block 3 short, as a matmul's columns.
      const [units, step] = [blocks * 8 - 3, 8];
      const where = `${units} units, ${threads} threads`;
      const ranges = claimAll(units, step, threads, blocks + threads);
      let at = 0;
      for (const [first, end] of ranges) {
        assert.equal(first, at, `${where}: a gap or an overlap`);
        assert.equal(first % step, 0, `${where}: a range off the step`);
        assert.ok(end > first, 'an empty range');
        at = end;
      }
      assert.equal(at, units, `${where}: not all claimed`);
      const lengths = ranges.map(([f, e]) => e - f);
      assert.deepEqual(
        lengths,
        [...lengths].sort((a, b) => b - a),
        'ranges grew',
      );
      const longest = longestRange(units, threads, step);
      assert.ok(Math.max(...lengths) <= longest, `${where}: longer than longestRange`);
      if (threads > 1 && blocks >= 2 * threads) {
        assert.ok(ranges.length > threads, 'no range left for a thread that starts late');
      }
    }
  }
  assert.equal(longestRange(1000, 1, 8), 1000, 'one thread runs the whole job');
});

test('two threads claiming at once through Atomics share the job without overlap', async () => {
  const blocks = 200_000;
  const next = new Int32Array(new SharedArrayBuffer(4));
  // 64 "threads" so that claims are many and short: both workers race for most of them.
  const source = `
    const claim = ${claimRange.toString()};
    const { parentPort, workerData } = require('node:worker_threads');
    const next = new Int32Array(workerData.next);
    const range = new Int32Array(2);
    const mine = [];
    // After its first claim each waits for the other's, so that the rest is a race of both.
    const met = new Int32Array(workerData.met);
    while (claim(next, workerData.blocks, 1, 64, range)) {
      mine.push(range[0], range[1]);
      if (mine.length === 2) for (Atomics.add(met, 0, 1); Atomics.load(met, 0) < 2; );
    }
    parentPort.postMessage(mine);`;
  const met = new Int32Array(new SharedArrayBuffer(4));
  const workers = [0, 1].map(
    () =>
      new Worker(source, {
        eval: true,
        workerData: { next: next.buffer, met: met.buffer, blocks },
      }),
  );
  const results = workers.map(
    (w) => new Promise<number[]>((resolve) => w.once('message', resolve)),
  );
  const claimed = (await Promise.all(results)).map((flat) =>
    Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]),
  );
  await Promise.all(workers.map((w) => w.terminate()));
  const all = claimed.flat().sort((a, b) => a[0]! - b[0]!);
  let at = 0;
  for (const [first, end] of all) {
    assert.equal(first, at, 'two threads claimed the same blocks, or none claimed some');
    at = end!;
  }
  assert.equal(at, blocks);
});
