// Every control tells the truth: Escape closes the innermost open thing before it means Stop, a
// long run asks before it is stopped, errors stand in plain words beside what caused them, the
// engine box names no machine path, and the big grids are one tab stop each.
import { startServer } from '../../src/host/serve.ts';
import { InsightsPage } from './pages/insights-page.ts';
import { expect, test } from './support/fixtures.ts';
import { longRun, shortRun } from './support/runs.ts';

test('Escape closes a layer-2 filter detail and leaves the run going', async ({ app }) => {
  const studio = await app.open();
  const insights = new InsightsPage(studio.page);
  await insights.openTab('filters');
  await studio.startRun(longRun());
  await expect(insights.conv2).toHaveCount(64);

  await insights.conv2.nth(5).click();
  await expect(insights.conv2Slices).toHaveCount(32);
  await studio.page.keyboard.press('Escape');
  await expect(insights.conv2Slices).toHaveCount(0);
  await expect(insights.conv2.nth(5).locator('..')).toBeFocused(); // back where it was opened
  await studio.expectState('running');

  // The 64 filters are one tab stop; the arrow keys move within them.
  const buttons = studio.page.getByTestId('filter-conv2-grid').getByRole('button');
  await expect(buttons.and(studio.page.locator('[tabindex="0"]'))).toHaveCount(1);
  await studio.page.keyboard.press('ArrowRight');
  await expect(buttons.nth(6)).toBeFocused();
  await studio.page.keyboard.press('ArrowDown');
  await expect(buttons.nth(14)).toBeFocused();
  await expect(buttons.nth(14)).toHaveAttribute('tabindex', '0');
  await studio.stop();
});

test('a run going for more than a few seconds asks before it stops; Escape keeps training', async ({
  app,
}) => {
  const studio = await app.open();
  await studio.startRun(longRun());
  await expect.poll(() => studio.elapsedSeconds(), { timeout: 60_000 }).toBeGreaterThan(11);
  await studio.runHeadline.click();

  await studio.page.keyboard.press('Escape');
  await expect(studio.confirmStop).toBeVisible();
  await expect(studio.keepTrainingButton).toBeFocused(); // the safe answer is the default
  await studio.page.keyboard.press('Escape');
  await expect(studio.confirmStop).toBeHidden();
  await studio.expectState('running');

  await studio.stopButton.click();
  await expect(studio.confirmStop).toBeVisible();
  await studio.confirmStopButton.click();
  await studio.expectState('stopped');
  await expect(studio.runHeadline).toHaveText(/^Stopped after \d+ complete epochs?$/);
});

test('a host with no model yet offers nothing to save, and says why', async ({ app, browser }) => {
  test.skip(app.kind !== 'browser', 'needs a second, fresh host: browser mode starts one');
  // The suite's own host has trained by now, so this asks a host of its own, just started.
  const server = await startServer({ port: 0, log: () => {} });
  const page = await browser.newPage();
  try {
    await page.goto(server.url);
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'open');
    await expect(page.getByTestId('btn-save-model')).toBeDisabled();
    await expect(page.getByTestId('save-hint')).toHaveText(/Train or load a model/);
  } finally {
    await page.close();
    await server.close();
  }
});

test('Save waits for a model; rename opens focused and Escape cancels it', async ({ app }) => {
  const studio = await app.open();
  const models = studio.page.getByTestId('models-panel');
  const save = studio.page.getByTestId('btn-save-model');

  await studio.startRun(shortRun());
  await studio.expectState('finished');
  await expect(studio.runHeadline).toHaveText(/^Finished 1 epoch, test accuracy/);
  const name = `e2e rename ${Date.now()}`;
  await studio.page.getByTestId('model-name').fill(name);
  await expect(save).toBeEnabled();
  await save.click();
  const row = models.locator(`[data-testid="model-row"][data-name="${name}"]`);
  await expect(row).toBeVisible();

  await row.getByTestId('btn-rename-model').click();
  const input = row.getByTestId('rename-input');
  await expect(input).toBeFocused();
  await input.pressSequentially(' renamed');
  await studio.page.keyboard.press('Escape');
  await expect(row.getByTestId('rename-form')).toHaveCount(0);
  await expect(row).toHaveAttribute('data-name', name); // not renamed
  await expect(row.getByTestId('btn-rename-model')).toBeFocused();
  await studio.expectState('finished'); // Escape did nothing else

  // Delete it again (confirming), so runs of this test do not pile up models.
  await row.getByTestId('btn-delete-model').click();
  await expect(row.getByRole('button', { name: 'Cancel' })).toBeFocused(); // the safe answer
  await row.getByTestId('btn-confirm-delete').click();
  await expect(row).toHaveCount(0);
  // Focus lands on the row that took its place, or the name field when none did.
  const focused = await studio.page.evaluate(
    () =>
      (
        globalThis as unknown as {
          document: { activeElement: { dataset: { testid?: string } } | null };
        }
      ).document.activeElement?.dataset.testid,
  );
  expect(['model-name', 'btn-delete-model']).toContain(focused);
});

test('an import error stands beside Import, in plain words, with its code under Details', async ({
  app,
}) => {
  test.skip(app.kind !== 'browser', 'browser mode types a path; the desktop app opens a dialog');
  const studio = await app.open();
  await studio.page.getByTestId('btn-import-model').click();
  await studio.page.getByLabel(/Model folder to import/).fill('/no/such/model-folder');
  await studio.page.getByRole('button', { name: 'Import', exact: true }).click();

  const note = studio.page.locator('.import').getByTestId('models-error');
  await expect(note).toBeVisible();
  await expect(note).toBeFocused();
  const message = (await note.getByTestId('models-error-message').textContent()) ?? '';
  expect(message).not.toMatch(/\b[A-Z]{2,}_?[A-Z_]*\s*$/); // no code glued to the sentence
  await expect(note.getByTestId('models-error-code')).toBeHidden(); // inside the closed disclosure
  await note.getByText('Details').click();
  await expect(note.getByTestId('models-error-code')).toHaveText(/^[A-Z_]+$/);
});

test('the engine box says which engine and why in plain words, and no machine path', async ({
  app,
}) => {
  const studio = await app.open();
  await expect(studio.engineLabel).toHaveText(
    /^(Native TensorFlow|Portable engine|Pure JavaScript)/,
  );
  await expect(studio.engineWhy).not.toBeEmpty();
  const box = studio.engineLabel.locator('..');
  await box.getByText('Technical details').click();
  await expect(studio.engineReason).toBeVisible();
  const text = (await box.innerText()).replace(/@tensorflow\/[\w-]+/g, '');
  expect(text).not.toMatch(/(^|[\s('"])(\/[\w.-]+){2,}|[A-Z]:\\|file:\/\//);
});

test('before Train: how long the settings take here, and a quick run one click away', async ({
  app,
}) => {
  const studio = await app.open();
  if (await studio.defaultsButton.isEnabled()) await studio.defaultsButton.click(); // the tutorial's
  const estimate = studio.page.getByTestId('train-estimate');
  // The engine measures its speed at start-up; the tutorial's settings take minutes, not seconds.
  await expect(estimate).toHaveText(/^This run: about \d+ (min|h)/);
  const quick = studio.page.getByTestId('btn-quick-run');
  await expect(quick).toHaveText('Quick run: 1 epoch, 6 000 images');
  await expect(quick).toHaveAttribute('title', /: about \d+ (s|min) here$/);
  await quick.click();
  await expect(studio.field('epochs')).toHaveValue('1');
  await expect(studio.field('trainLimit')).toHaveValue('6000');
  await expect(studio.field('batchSize')).toHaveValue('50'); // the rest stays as typed
  await expect(quick).toBeHidden();
  await expect(estimate).toHaveText(/^This run: about \d+ (s|min) here\.$/);
});

test('names read right: the connection badge says its state; a loaded model reads "NAME loaded"; New name', async ({
  app,
}) => {
  const studio = await app.open();
  await expect(studio.connection).toHaveAccessibleName(/^Connection: (Connected|Desktop)$/);

  await studio.startRun(shortRun());
  await studio.expectState('finished');
  const name = `e2e load ${Date.now()}`;
  const field = studio.page.getByTestId('model-name');
  await field.fill(name);
  await studio.page.getByTestId('btn-save-model').click();
  const row = studio.page.locator(`[data-testid="model-row"][data-name="${name}"]`);
  await row.getByTestId('btn-load-model').click();
  await expect(row.locator('.name')).toHaveText(`${name} loaded`); // two words, not "…loaded"

  // Saving under a taken name asks; "New name" puts a free one in the field, focused.
  await field.fill(name);
  await studio.page.getByTestId('btn-save-model').click();
  const question = studio.page.getByTestId('confirm-replace');
  await expect(question.getByRole('button', { name: 'New name' })).toBeFocused();
  await question.getByRole('button', { name: 'New name' }).click();
  await expect(question).toBeHidden();
  await expect(field).toBeFocused();
  await expect(field).toHaveValue(`${name} (2)`);

  await row.getByTestId('btn-delete-model').click();
  await row.getByTestId('btn-confirm-delete').click();
  await expect(row).toHaveCount(0);
});
