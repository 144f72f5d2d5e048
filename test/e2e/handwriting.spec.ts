// My handwriting, end to end: after a short run, draw the ten digits and keep each with its
// number key, see them in the Mine tab, test the model on them beside its MNIST accuracy,
// relabel and delete one (the test result goes: it was of the old set), export them as IDX files
// and add them back, then fine-tune the model on them and see the figures before and after.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIGITS, InsightsPage } from './pages/insights-page.ts';
import { expectAccessible } from './support/axe.ts';
import { expect, test } from './support/fixtures.ts';
import { shortRun } from './support/runs.ts';

test('keep ten labelled drawings by keyboard, then test the model on them', async ({ app }) => {
  test.setTimeout(240_000); // two runs, ten drawings each answered, a test, axe three times
  const studio = await app.open();
  const page = studio.page;
  const insights = new InsightsPage(page);
  await studio.network.selectOption('tiny-cnn');
  await studio.startRun(shortRun({ trainLimit: 1000, batchSize: 25, learningRate: 0.002 }));
  await expect(studio.runState).toHaveText('finished', { timeout: 60_000 });

  await insights.openTab('mine');
  const panel = page.getByTestId('handwriting-panel');
  const items = panel.getByTestId('handwriting-item');
  const before = await items.count();

  await insights.openTab('draw');
  const status = page.getByTestId('add-handwriting-status');
  await expect(page.getByTestId('add-as-3')).toBeDisabled(); // nothing drawn yet
  await expect(status).toContainText('Draw a digit first.');
  for (let d = 0; d <= 9; d++) {
    await insights.drawAndWait(DIGITS[String(d)]!);
    await page.keyboard.press(String(d));
    await expect(status).toHaveText(
      new RegExp(`^Added a ${d}: ${before + d + 1} drawings? of yours\\.$`),
    );
    await expect(insights.drawPanel).toHaveAttribute('data-settled', 'true');
  }

  await insights.openTab('mine');
  await expect(items).toHaveCount(before + 10);
  await expect(panel.getByTestId('handwriting-label').nth(before + 7)).toHaveValue('7');
  await panel.getByTestId('btn-test-handwriting').click();
  const accuracy = panel.getByTestId('handwriting-accuracy');
  await expect(accuracy).toContainText(`on your ${before + 10}`);
  await expect(accuracy).toContainText('on the MNIST test set');
  const matrixTotal = await panel
    .getByTestId('handwriting-matrix')
    .locator('td')
    .evaluateAll((cells) => cells.reduce((s, c) => s + Number(c.textContent || 0), 0));
  expect(matrixTotal).toBe(before + 10);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expectAccessible(page, `my handwriting, ${scheme}`, { colorsOnly: scheme === 'dark' });
  }

  // Relabel one and delete one: the set changes, and the old test result is not shown as its.
  await panel.getByTestId('handwriting-label').nth(before).selectOption('6');
  await expect(panel.getByTestId('handwriting-label').nth(before)).toHaveValue('6');
  await expect(accuracy).toHaveCount(0);
  await panel.getByTestId('handwriting-delete').nth(before).click();
  await expect(items).toHaveCount(before + 9);

  // Out as IDX files and back in: the same drawings, appended.
  const out = await mkdtemp(join(tmpdir(), 'cnn-e2e-hw-'));
  try {
    await panel.getByTestId('btn-export-handwriting').click();
    await page.getByLabel(/Folder to export into/).fill(out);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const notice = panel.getByTestId('handwriting-notice');
    await expect(notice).toHaveText(`Exported as IDX files: ${join(out, 'my-handwriting')}.`);
    await panel.getByTestId('btn-import-handwriting').click();
    await page
      .getByLabel(/Folder with an images and a labels IDX file/)
      .fill(join(out, 'my-handwriting'));
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(notice).toHaveText(`Added ${before + 9} drawings: ${2 * (before + 9)} in all.`);
    await expect(items).toHaveCount(2 * (before + 9));
  } finally {
    await rm(out, { recursive: true, force: true });
  }

  // Fine-tune on them, as a new run: the figures before and after it, side by side.
  const ft = page.getByTestId('finetune-panel');
  await ft.getByTestId('finetune-epochs').fill('0');
  await expect(ft.getByText('Epochs must be a whole number from 1 to 50')).toBeVisible();
  await expect(ft.getByTestId('btn-finetune')).toBeDisabled();
  await ft.getByTestId('finetune-epochs').fill('2');
  await expect(ft.getByTestId('finetune-freeze')).toBeChecked();
  await ft.getByTestId('btn-finetune').click();
  const figures = ft.getByTestId('finetune-figures');
  await expect(figures).toContainText('Fine-tuned: before and after epoch 2', { timeout: 60_000 });
  await expect(studio.runHeadline).toHaveText(/^Fine-tuned 2 epochs, test accuracy/);
  await expect(figures).toContainText(
    `Your ${Math.floor((2 * (before + 9)) / 5)} held-out drawings`,
  );
  await expect(figures).toContainText('The MNIST test set');
  for (const after of await ft.getByTestId('finetune-after').all())
    await expect(after).toHaveText(/^\d+\.\d%$/);
  await page.emulateMedia({ colorScheme: 'light' });
  await expectAccessible(page, 'fine-tune figures');
});
