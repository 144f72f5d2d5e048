// Inside, end to end: after a short run of the tutorial network, draw a digit and follow it
// through every layer; click a conv2 output pixel and see its products and sum (equal to the
// map's value there), move it by keyboard, open a pooling window and the output's softmax, open
// an idea; then a confusion-matrix test image, with its label and cross-entropy.
import { InsidePage } from './pages/inside-page.ts';
import { DIGITS, InsightsPage } from './pages/insights-page.ts';
import { expectAccessible } from './support/axe.ts';
import { expect, test } from './support/fixtures.ts';
import { shortRun } from './support/runs.ts';

test('draw a digit, follow it inside, work a conv2 pixel, a pooling window and softmax', async ({
  app,
}) => {
  const studio = await app.open();
  const insights = new InsightsPage(studio.page);
  const inside = new InsidePage(studio.page);
  await studio.network.selectOption('tutorial-cnn');
  await studio.startRun(shortRun({ trainLimit: 200, batchSize: 20, learningRate: 0.001 }));
  await expect(studio.runState).toHaveText('finished', { timeout: 90_000 });

  await insights.openTab('inside');
  await expect(studio.page.getByTestId('inside-hint')).toBeVisible();
  await insights.openTab('draw');
  await insights.drawAndWait(DIGITS[3]!);
  await studio.page.getByTestId('see-inside').click();
  await expect(studio.page.getByTestId('insight-tab-inside')).toHaveAttribute(
    'aria-selected',
    'true',
  );

  // Every layer of the tutorial network, with its shape, left to right.
  const shapes = {
    conv1: '28×28×32',
    pool1: '14×14×32',
    conv2: '14×14×64',
    pool2: '7×7×64',
    flatten: '3136',
    fc1: '1000',
    fc2: '10',
  };
  for (const [name, shape] of Object.entries(shapes))
    await expect(inside.stage(name)).toContainText(shape);
  await expect(inside.lead).toContainText('Your drawing');
  // conv1 opens first, its middle pixel worked out: a 5×5 patch of the one-channel input.
  await expect(inside.stage('conv1')).toHaveAttribute('aria-pressed', 'true');
  await expect(inside.products.locator('td')).toHaveCount(25);

  // conv2: click a pixel; its 5×5×32 sum, one channel's share at a time.
  await inside.stage('conv2').click();
  await expect(inside.caption).toContainText('64 filters (5×5×32 weights and a bias)');
  await inside.clickMap(0.3, 0.6);
  await expect.poll(async () => (await inside.chosenPixel()).row).toBe(8);
  await expect.poll(async () => (await inside.chosenPixel()).column).toBe(4);
  await expect(inside.channelSums).toHaveCount(32);
  await expect(inside.products.locator('td')).toHaveCount(25);
  await expect(inside.sum).toContainText('Σ products over all 32 channels');
  await expect(inside.sum).toContainText('(bias)');
  // The worked value is the map's value at that pixel: what the network computed.
  await expect
    .poll(async () => (await inside.output.textContent()) === (await inside.chosenPixel()).value)
    .toBe(true);
  // conv2 at (8, 4) sees pool1 rows 6-10 (5 rows, SAME pads 2 before), i.e. conv1 rows 12-21,
  // i.e. image rows 10-23 (conv1 reaches 2 further each side); columns 2-15 likewise.
  await expect(inside.field).toHaveAttribute('data-field', '10,2,23,15');
  // Another channel than the one shown (the largest share opens first, whichever that is).
  const shown = await inside.channelSums.evaluateAll((els) =>
    els.findIndex((e) => e.getAttribute('aria-pressed') === 'true'),
  );
  await inside.channelSums.nth((shown + 1) % 32).click();
  await expect(inside.channelSums.nth((shown + 1) % 32)).toHaveAttribute('aria-pressed', 'true');
  // Its own numbers: the patch is that channel's (channels are numbered from 1 on screen).
  await expect(inside.worked.getByTestId('inside-patch').locator('caption')).toHaveText(
    `input patch, channel ${((shown + 1) % 32) + 1}`,
  );

  // Keyboard: the map moves its pixel with the arrow keys.
  await inside.map.focus();
  await studio.page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await inside.chosenPixel()).column).toBe(5);
  await expect
    .poll(async () => (await inside.output.textContent()) === (await inside.chosenPixel()).value)
    .toBe(true);

  // Pooling: a 2×2 window, its maximum is the network's value.
  await inside.stage('pool1').click();
  await expect(inside.poolWindow.locator('td')).toHaveCount(4);
  const eq = (await inside.poolEq.textContent()) ?? '';
  const m = /= (\S+) \(the network's value: (\S+)\)/.exec(eq);
  expect(m, eq).not.toBeNull();
  expect(m![1]).toBe(m![2]);

  // The output: the predicted logit's terms, and softmax over ten classes.
  await inside.stage('fc2').click();
  await expect(inside.terms.locator('tbody tr')).toHaveCount(8 + 3);
  await expect(inside.softmax.locator('tbody tr')).toHaveCount(11);

  // An idea opens from its layer.
  await inside.stage('conv1').click();
  await inside.detail.getByRole('button', { name: 'ReLU' }).click();
  await expect(studio.page.getByTestId('concept-relu')).toHaveAttribute('open', '');
  await expect(studio.page.getByTestId('concept-relu').locator('summary')).toBeFocused();

  for (const scheme of ['light', 'dark'] as const) {
    await studio.page.emulateMedia({ colorScheme: scheme });
    await expectAccessible(studio.page, `inside, ${scheme}`, { colorsOnly: scheme === 'dark' });
  }
  await studio.page.emulateMedia({ colorScheme: 'light' });

  // The wide view: the column takes the charts' place, and gives it back.
  const widen = studio.page.getByTestId('insights-widen');
  await widen.click();
  await expect(widen).toHaveAttribute('aria-pressed', 'true');
  await expect(studio.lossPlot).toBeHidden();
  await expect(inside.map).toBeVisible();
  await widen.click();
  await expect(studio.lossPlot).toBeVisible();

  // A confusion-matrix image, opened in Draw, then Inside: its label and its cross-entropy.
  await insights.openTab('test');
  await insights.cells.first().waitFor();
  const counts = await insights.cells.evaluateAll((els) =>
    els.map((e) => Number(e.getAttribute('data-count'))),
  );
  await insights.cells.nth(counts.findIndex((c) => c > 0)).click();
  await insights.cellImages.first().click();
  await expect(studio.page.getByTestId('draw-origin')).toBeVisible();
  await expect(studio.page.getByTestId('see-inside')).toBeEnabled();
  await studio.page.getByTestId('see-inside').click();
  await expect(inside.lead).toContainText('Test image labelled');
  await inside.stage('fc2').click();
  await expect(inside.loss).toContainText('cross-entropy');
});
