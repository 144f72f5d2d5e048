// Pause, resume and stop a run that is long enough to still be going when the buttons are pressed.
import type { StudioPage } from './pages/studio-page.ts';
import { expect, hostPoints, test } from './support/fixtures.ts';
import { longRun } from './support/runs.ts';

/**
 * The point count once it stops changing. Right after "paused" one batch may still land: the
 * trainer finishes the batch it is in (by design), so the count is read after it goes quiet.
 */
async function settledPoints(studio: StudioPage, quietMs = 1500): Promise<number> {
  let last = await studio.points();
  let since = Date.now();
  for (;;) {
    await studio.page.waitForTimeout(250);
    const now = await studio.points();
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since >= quietMs) return now;
  }
}

test('pause holds the loss chart still, resume continues it, stop ends the run', async ({
  app,
}) => {
  const studio = await app.open();
  await studio.startRun(longRun());
  await expect.poll(() => studio.points()).toBeGreaterThanOrEqual(2);

  await studio.pauseButton.click();
  await studio.expectState('paused');
  await expect(studio.resumeButton).toBeEnabled();
  await expect(studio.pauseButton).toBeDisabled();
  await expect(studio.eta).toHaveText('paused');
  await expect(studio.runHeadline).toHaveText(/^Paused at epoch 1, batch \d+$/);

  // A while with the run paused: nothing new on screen, nothing new at the host.
  const atPause = await settledPoints(studio);
  await studio.page.waitForTimeout(3000);
  expect(await studio.points()).toBe(atPause);
  expect(hostPoints(await app.host.status())).toBe(atPause);
  expect((await app.host.status()).worker.state).toBe('paused');

  await studio.resumeButton.click();
  await studio.expectState('running');
  await expect.poll(() => studio.points()).toBeGreaterThan(atPause);

  await studio.stop();
  await studio.expectState('stopped');
  await expect(studio.runHeadline).toHaveText('Stopped after 0 complete epochs');
  await expect.poll(async () => (await app.host.status()).worker.state).toBe('idle');
  await expect(studio.trainButton).toBeEnabled();
  await expect(studio.field('epochs')).toBeEditable();
});

test('Space pauses and resumes, Escape stops', async ({ app }) => {
  const studio = await app.open();
  await studio.startRun(longRun());
  await expect.poll(() => studio.points()).toBeGreaterThanOrEqual(1);
  await studio.runHeadline.click(); // focus outside the form: in a field Space types a space

  await studio.page.keyboard.press('Space');
  await studio.expectState('paused');
  await studio.page.keyboard.press('Space');
  await studio.expectState('running');
  await studio.page.keyboard.press('Escape');
  // A run past the confirmation age asks first (controls.spec covers the question itself).
  if (await studio.confirmStop.isVisible()) await studio.confirmStopButton.click();
  await studio.expectState('stopped');
});
