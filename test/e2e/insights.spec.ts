// Inside the network (issue 4), end to end: the live filter grid during a run, draw-and-predict
// with the mouse after it, and the confusion matrix's cells opening their test images.
import { DIGITS, InsightsPage, type Stroke } from './pages/insights-page.ts';
import { expect, test } from './support/fixtures.ts';
import { shortRun } from './support/runs.ts';

/** 20 batches of 25 (a filter snapshot every 5) and 300 test images: a few seconds of CPU. */
const RUN = { trainLimit: 500, batchSize: 25, testLimit: 300, learningRate: 0.001 };

test('the filter grid shows 32 first-layer filters that change as the network learns', async ({
  app,
}) => {
  const studio = await app.open();
  const insights = new InsightsPage(studio.page);
  await insights.openTab('filters');
  // A page opens on the shared server's last run's settings: this is about the tutorial network.
  await studio.network.selectOption('tutorial-cnn');
  await studio.startRun(shortRun(RUN));

  await expect(insights.conv1).toHaveCount(32);
  const before = await insights.filterSnapshot();
  await expect.poll(() => insights.filtersVersion()).not.toBe(before.version);
  const after = await insights.filterSnapshot();
  expect(after.pixels).toHaveLength(32);
  const changed = after.pixels.filter((d, i) => d !== before.pixels[i]).length;
  expect(
    changed,
    `filters redrawn from snapshot ${before.version} to ${after.version}`,
  ).toBeGreaterThan(16);
  // Every canvas holds a 5×5 image.
  const sizes = await insights.conv1.evaluateAll((els) =>
    els.map(
      (c) =>
        `${(c as unknown as { width: number }).width}x${(c as unknown as { height: number }).height}`,
    ),
  );
  expect(new Set(sizes)).toEqual(new Set(['5x5']));

  // Layer 2: 64 channel views; picking one shows its 32 slices.
  await expect(insights.conv2).toHaveCount(64);
  await insights.conv2.nth(5).click();
  await expect(insights.conv2Slices).toHaveCount(32);
  await expect(studio.runState).toHaveText('finished', { timeout: 120_000 });
});

test('after a short run: draw with the mouse, see the 28×28 input and the bars change', async ({
  app,
}) => {
  const studio = await app.open();
  const insights = new InsightsPage(studio.page);
  await studio.startRun(shortRun(RUN));
  await expect(studio.runState).toHaveText('finished', { timeout: 120_000 });

  await insights.openTab('draw');
  await insights.clearButton.click(); // a previous test in this window may have drawn
  await expect(insights.status).toHaveText('Draw a digit');
  await expect(insights.previewEmpty).toBeVisible();
  await expect(insights.bars).toHaveAttribute('data-top', '');

  // One stroke: a "1".
  await insights.drawAndWait(DIGITS['1']!);
  await expect(insights.preview).toBeVisible();
  await expect(insights.bars).not.toHaveAttribute('data-top', '');
  await expect(insights.status).not.toHaveText('Draw a digit');
  const previewA = await insights.canvasData(insights.preview);
  const probsA = await insights.probabilities();
  expect(probsA.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 2);
  // The answer and its bar say the same number ("99.7% sure" never beside a bar labelled 100%).
  const top = await insights.bars.getAttribute('data-top');
  const sure = /([<>]?[\d.]+%) sure/.exec((await insights.top.textContent()) ?? '')?.[1];
  const topBar = insights.bars.locator(`[data-testid="prob-bar"][data-digit="${top}"] .v`);
  expect(sure).toBeTruthy();
  await expect(topBar).toHaveText(sure!);
  // The stroke's end brings the feature maps, named for assistive technology.
  await expect(insights.conv1Maps).toHaveCount(32);
  await expect(studio.page.getByTestId('feature-maps-conv1')).toHaveAccessibleName(
    /32 feature maps of 28×28 pixels/,
  );
  await expect(insights.conv2Maps).toHaveCount(64);

  // A second stroke turns it into a "7": the input and the answer change.
  const bar: Stroke = [
    [0.28, 0.2],
    [0.72, 0.2],
  ];
  await insights.drawAndWait([bar]);
  await expect
    .poll(async () => (await insights.canvasData(insights.preview))[0])
    .not.toBe(previewA[0]);
  await expect.poll(() => insights.probabilities()).not.toEqual(probsA);

  // Clearing (the C key) goes back to asking for a digit, and asks the network nothing.
  await insights.pad.focus();
  await studio.page.keyboard.press('c');
  await expect(insights.status).toHaveText('Draw a digit');
  await expect(insights.previewEmpty).toBeVisible();
  await expect(insights.bars).toHaveAttribute('data-top', '');
});

test('clicking a confusion-matrix cell shows its test images', async ({ app }) => {
  const studio = await app.open();
  const insights = new InsightsPage(studio.page);
  const run = shortRun(RUN);
  await studio.startRun(run);
  await expect(studio.runState).toHaveText('finished', { timeout: 120_000 });

  await insights.openTab('test');
  await expect(insights.cells).toHaveCount(100);
  const counts = (
    await insights.cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-count')))
  ).map(Number);
  expect(counts.reduce((s, n) => s + n, 0)).toBe(RUN.testLimit);
  // The headline accuracy is the matrix diagonal, as the host measured it.
  const diagonal = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].reduce((s, d) => s + counts[d * 11]!, 0);
  await expect(insights.evaluationWhen).toContainText(
    `${((diagonal / RUN.testLimit) * 100).toFixed(2)}%`,
  );
  await expect(studio.testAccuracy).toHaveText(`${((diagonal / RUN.testLimit) * 100).toFixed(2)}%`);

  // The fullest cell (a diagonal one): up to 24 of its images.
  const fullest = counts.indexOf(Math.max(...counts));
  await insights.cells.nth(fullest).click();
  await expect(insights.cellImages).toHaveCount(Math.min(24, counts[fullest]!));
  // More than a page: every image of the cell, 24 at a time.
  const n = counts[fullest]!;
  const range = studio.page.getByTestId('cell-range');
  expect(n, "the fullest of 300 test images' cells holds more than a page").toBeGreaterThan(24);
  await expect(range).toHaveText(`1–24 of ${n}`);
  await studio.page.getByTestId('cell-next').click();
  await expect(range).toHaveText(`25–${Math.min(48, n)} of ${n}`);
  await expect(insights.cellImages).toHaveCount(Math.min(24, n - 24));
  await studio.page.getByTestId('cell-prev').click();
  await expect(range).toHaveText(`1–24 of ${n}`);

  // An image opens in the Draw tab: its true label, and the network's answer for exactly it.
  const label = Math.floor(fullest / 10);
  await insights.cellImages.first().click();
  await expect(studio.page.getByTestId('insight-tab-draw')).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await expect(studio.page.getByTestId('draw-origin')).toContainText(`labelled ${label}`);
  await expect(insights.drawPanel).toHaveAttribute('data-settled', 'true');
  const probabilities = await insights.probabilities();
  expect(probabilities.indexOf(Math.max(...probabilities))).toBe(fullest % 10);
  await insights.openTab('test');

  // A mistake cell, if the network made any.
  const mistake = counts.findIndex((n, i) => n > 0 && i % 11 !== 0);
  if (mistake >= 0) {
    await insights.cells.nth(mistake).click();
    await expect(insights.cellImages).toHaveCount(Math.min(24, counts[mistake]!));
    await expect(insights.wrongImages.first()).toBeVisible();
  }

  // Keyboard: the 100 cells are one tab stop (the last clicked); arrows move, Escape closes the
  // open cell's images and leaves focus on its cell.
  await expect(insights.cells.and(studio.page.locator('[tabindex="0"]'))).toHaveCount(1);
  await insights.cells.nth(0).click();
  await studio.page.keyboard.press('ArrowRight');
  await expect(insights.cells.nth(1)).toBeFocused();
  await studio.page.keyboard.press('ArrowDown');
  await expect(insights.cells.nth(11)).toBeFocused();
  await studio.page.keyboard.press('Enter');
  await expect(studio.page.getByTestId('cell-images')).toBeVisible();
  await studio.page.keyboard.press('Escape');
  await expect(studio.page.getByTestId('cell-images')).toBeHidden();
  await expect(insights.cells.nth(11)).toBeFocused();
  await studio.expectState('finished'); // Escape closed the images, nothing else
});
