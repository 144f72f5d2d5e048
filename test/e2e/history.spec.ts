// A view opened while a run is going shows the whole run so far (the host replays its history),
// then follows it live.
import { expect, hostPoints, test } from './support/fixtures.ts';
import { longRun } from './support/runs.ts';

test('a page opened mid-run shows the points drawn before it opened', async ({ app }) => {
  const first = await app.open();
  const run = longRun();
  await first.startRun(run);
  await expect.poll(() => first.points()).toBeGreaterThanOrEqual(3);
  const beforeOpen = await first.points();

  const second = await app.openAnother();
  await second.expectRun(run.seed);
  await second.expectState('running');
  await expect.poll(() => second.points()).toBeGreaterThanOrEqual(beforeOpen);
  // and keeps following the run live
  const replayed = await second.points();
  await expect.poll(() => second.points()).toBeGreaterThan(replayed);

  // Held still, every view draws exactly what the host has.
  await second.pauseButton.click();
  await second.expectState('paused');
  await expect
    .poll(async () => (await second.points()) === hostPoints(await app.host.status()))
    .toBe(true);
  if (app.kind === 'browser') {
    await first.expectState('paused');
    await expect.poll(() => first.points()).toBe(await second.points());
  }
  await second.stop();
  await second.expectState('stopped');
});
