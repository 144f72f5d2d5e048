// Press Train on a small subset and watch the run arrive: loss points, the epoch's test accuracy,
// and the engine that trained it.
import { engineText, withoutPaths } from '../../renderer/src/lib/state/engine-text.ts';
import { expect, hostPoints, test } from './support/fixtures.ts';
import { shortRun } from './support/runs.ts';

test('a short run draws every batch loss, then the epoch test accuracy', async ({ app }) => {
  const studio = await app.open();
  const run = shortRun(); // 200 images in batches of 20: 10 points
  await studio.startRun(run);

  await expect.poll(() => studio.points()).toBeGreaterThan(0);
  await studio.expectState('finished');
  expect(await studio.points()).toBe(10);
  await expect(studio.accuracyChart).toHaveAttribute('data-epochs', '1');

  // The accuracy on screen is the one the host measured, formatted as a percentage.
  const status = await app.host.status();
  const finished = status.history.find((e) => e.type === 'finished');
  expect(finished?.type).toBe('finished');
  const accuracy = finished?.type === 'finished' ? finished.testAccuracy : NaN;
  await expect(studio.testAccuracy).toHaveText(`${(accuracy * 100).toFixed(2)}%`);
  await expect(studio.runHeadline).toHaveText(/^Finished 1 epoch, test accuracy \d+\.\d\d%$/);
  expect(hostPoints(status)).toBe(10);
  await expect(studio.batchProgress).toHaveAttribute('data-value', '1');
  await expect(studio.trainButton).toBeEnabled();
});

test('the engine label names the engine the host chose, and why', async ({ app }) => {
  const studio = await app.open();
  const { engine } = await app.host.status();
  expect(engine, 'the host reports its engine once warmed up').not.toBeNull();
  const text = engineText(engine!);
  await expect(studio.engineLabel).toHaveText(text.title);
  await expect(studio.engineLabel).toHaveText(/TensorFlow|WebAssembly|JavaScript/);
  await expect(studio.engineWhy).toHaveText(text.why);
  await expect(studio.engineReason).toHaveText(withoutPaths(engine!.reason));
});
