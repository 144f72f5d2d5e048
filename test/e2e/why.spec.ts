// Why this prediction, end to end: after a short run, draw a digit, open "Why this prediction?",
// see the saliency and occlusion maps of the predicted class over the drawing, then ask "why not
// a 7?" and see the maps redrawn for 7.
import { DIGITS, InsightsPage } from './pages/insights-page.ts';
import { expectAccessible } from './support/axe.ts';
import { expect, test } from './support/fixtures.ts';
import { shortRun } from './support/runs.ts';

test('draw a digit, see why, then ask why not a 7', async ({ app }) => {
  const studio = await app.open();
  const insights = new InsightsPage(studio.page);
  await studio.network.selectOption('tiny-cnn');
  await studio.startRun(shortRun({ trainLimit: 500, batchSize: 25, learningRate: 0.001 }));
  await expect(studio.runState).toHaveText('finished', { timeout: 60_000 });
  await insights.openTab('draw');
  await insights.drawAndWait(DIGITS[1]!);

  const why = studio.page.getByTestId('why-panel');
  await why.locator('summary').click();
  const question = why.getByTestId('why-question');
  await expect(question).toHaveText(/^Why \d\?/);
  const predicted = Number(/^Why (\d)/.exec((await question.textContent()) ?? '')![1]);
  await expect(why.getByTestId(`why-class-${predicted}`)).toHaveAttribute('aria-pressed', 'true');
  const saliency = why.getByTestId('why-saliency');
  const occlusion = why.getByTestId('why-occlusion');
  await expect(saliency).toHaveJSProperty('width', 28);
  await expect(occlusion).toHaveJSProperty('width', 28);
  const pictures = async () => [
    await saliency.evaluate((c) => (c as unknown as { toDataURL(): string }).toDataURL()),
    await occlusion.evaluate((c) => (c as unknown as { toDataURL(): string }).toDataURL()),
  ];
  const before = await pictures();

  const other = predicted === 7 ? 3 : 7;
  await why.getByTestId(`why-class-${other}`).click();
  await expect(question).toContainText(`Why not ${other}? The network says ${predicted}.`);
  await expect(why.getByTestId(`why-class-${other}`)).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(pictures).not.toEqual(before);

  // The open panel passes axe in both schemes (names, contrast of the class buttons and captions).
  for (const scheme of ['light', 'dark'] as const) {
    await studio.page.emulateMedia({ colorScheme: scheme });
    await expectAccessible(studio.page, `why panel, ${scheme}`, { colorsOnly: scheme === 'dark' });
  }
});
