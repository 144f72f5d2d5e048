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
  // …and said to screen readers through a live region.
  await expect(
    studio.page.getByRole('status').filter({ hasText: /^Finished 1 epoch/ }),
  ).toHaveCount(1);
  expect(hostPoints(status)).toBe(10);
  // Two train accuracies, each named for what it is; test above train is explained when it happens.
  await expect(studio.currentAccuracy.locator('xpath=following-sibling::dd[1]')).toHaveText(
    '50 batches',
  );
  const card = studio.page.getByTestId('accuracy-chart-card');
  await expect(card.locator('.legend')).toContainText('train, epoch mean');
  const epoch = status.history.find((e) => e.type === 'epoch-end');
  const testAbove = epoch?.type === 'epoch-end' && epoch.testAccuracy > epoch.trainAccuracy;
  await expect(studio.page.getByTestId('accuracy-chart-card-note')).toHaveCount(testAbove ? 1 : 0);
  await expect(studio.batchProgress).toHaveAttribute('data-value', '1');
  await expect(studio.trainButton).toBeEnabled();
});

test('the engine label names the engine the host chose, and why', async ({ app }) => {
  const studio = await app.open();
  const { engine } = await app.host.status();
  expect(engine, 'the host reports its engine once warmed up').not.toBeNull();
  const text = engineText(engine!);
  await expect(studio.engineLabel).toHaveText(text.title);
  await expect(studio.engineLabel).toHaveText(
    /^(Native TensorFlow|Portable engine|Pure JavaScript)/,
  );
  await expect(studio.engineWhy).toHaveText(text.why);
  await expect(studio.engineReason).toHaveText(withoutPaths(engine!.reason));
});

test('the test pass after an epoch has its own visible phase, progress and running clock', async ({
  app,
}) => {
  const studio = await app.open();
  // What the window shows while the test set runs, recorded on every DOM change: the pass takes a
  // second or two here, too short to catch reliably by polling.
  await studio.page.evaluate(() => {
    const g = globalThis as unknown as {
      document: {
        querySelector(s: string): {
          textContent: string | null;
          getAttribute(a: string): string | null;
        } | null;
        body: unknown;
      };
      MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void };
      seen: string[];
    };
    g.seen = [];
    const text = (id: string): string =>
      g.document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? '';
    new g.MutationObserver(() => {
      const bar =
        g.document.querySelector('[data-testid="test-progress"]')?.getAttribute('aria-valuetext') ??
        '';
      if (bar !== '') g.seen.push([bar, text('run-headline'), text('eta')].join(' | '));
    }).observe(g.document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
  });
  await studio.startRun(shortRun({ testLimit: 10_000 }));
  await studio.expectState('finished');
  await expect(studio.page.getByTestId('test-progress')).toBeHidden();
  const seen = await studio.page.evaluate(() => (globalThis as unknown as { seen: string[] }).seen);
  expect(seen.length, 'the test phase was shown').toBeGreaterThan(0);
  expect(seen[0]).toMatch(/of 10\u202f000 test images \| Testing on 10\u202f000 held-out images/);
  expect(seen[0]).toMatch(/\| testing…$/); // the last epoch: only the test pass is left
  // Progress moves (chunks of 1 000) rather than jumping from nothing to done.
  const counts = new Set(seen.map((s) => /([\d\u202f]+) of 10/.exec(s)?.[1]));
  expect(counts.size).toBeGreaterThan(1);
});
