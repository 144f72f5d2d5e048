// RunControl: pause holds the loop, resume and stop release it, on a later task.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunControl } from '../../../src/training/control.ts';

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const microtasks = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function watch(control: RunControl): { passed: () => boolean } {
  let passed = false;
  void control.whilePaused().then(() => (passed = true));
  return { passed: () => passed };
}

test('resume releases the loop only on a later task, after the caller has answered', async () => {
  const control = new RunControl();
  assert.equal(control.pause(), true);
  const loop = watch(control);
  await nextTask();
  assert.equal(loop.passed(), false, 'paused: the loop waits');
  assert.equal(control.resume(), true);
  assert.equal(control.paused, false);
  await microtasks();
  assert.equal(loop.passed(), false, 'not within the resuming task');
  await nextTask();
  assert.equal(loop.passed(), true);
});

test('paused again before the release: the loop stays held', async () => {
  const control = new RunControl();
  control.pause();
  const loop = watch(control);
  control.resume();
  control.pause();
  await nextTask();
  await nextTask();
  assert.equal(loop.passed(), false);
  control.resume();
  await nextTask();
  assert.equal(loop.passed(), true);
});

test('stop wakes a paused loop and cannot be undone by pause', async () => {
  const control = new RunControl();
  control.pause();
  const loop = watch(control);
  control.stop();
  assert.equal(control.stopped, true);
  assert.equal(control.pause(), false);
  await nextTask();
  assert.equal(loop.passed(), true);
  assert.equal(control.resume(), false, 'nothing to resume');
});
