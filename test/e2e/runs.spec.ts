// Runs are kept and compared: a Standard NN run and a Tiny CNN run side by side (two curves, the
// settings that differ), an older run shown everywhere (its own charts, filters and matrix), and
// a saved model loaded with its own history.
import { InsightsPage } from './pages/insights-page.ts';
import { ModelsPage } from './pages/models-page.ts';
import { RunsPage } from './pages/runs-page.ts';
import { expect, test } from './support/fixtures.ts';
import { shortRun } from './support/runs.ts';

test('compare a Standard NN run with a Tiny CNN run, then show the older one', async ({ app }) => {
  const studio = await app.open();
  const runs = new RunsPage(studio.page);
  const insights = new InsightsPage(studio.page);

  await studio.network.selectOption('standard-nn');
  const plain = shortRun({ learningRate: 0.5, batchSize: 20 });
  await studio.startRun(plain);
  await expect(studio.runState).toHaveText('finished', { timeout: 60_000 });
  await runs.openTab('runs');
  await expect(runs.rows.first()).toContainText('Standard NN');
  const plainId = await runs.newestId();
  await expect(runs.row(plainId).getByTestId('btn-show-run')).toBeDisabled(); // it is shown

  await runs.openTab('training');
  await studio.network.selectOption('tiny-cnn');
  const tiny = shortRun({ learningRate: 0.001 });
  await studio.startRun(tiny);
  await expect(studio.runState).toHaveText('finished', { timeout: 60_000 });
  await runs.openTab('runs');
  await expect(runs.rows.first()).toContainText('Tiny CNN');
  const tinyId = await runs.newestId();
  expect(tinyId).not.toBe(plainId);

  // Compare: two curves on each chart, a row per run, and only what differs.
  await runs.tick(plainId);
  await runs.tick(tinyId);
  await runs.compareButton.click();
  await expect(runs.comparePanel).toBeVisible();
  await expect(runs.page.getByTestId('compare-loss-chart')).toHaveAttribute('data-series', '2');
  await expect(runs.page.getByTestId('compare-accuracy-chart')).toHaveAttribute('data-series', '2');
  await expect(runs.page.getByTestId('compare-test-accuracy')).toHaveCount(2);
  const diff = runs.page.getByTestId('compare-diff');
  await expect(diff.getByRole('row', { name: /^Network/ })).toContainText('Standard NN');
  await expect(diff.getByRole('row', { name: /^Network/ })).toContainText('Tiny CNN');
  await expect(diff.getByRole('row', { name: /^Optimizer/ })).toContainText('SGD');
  await expect(diff.getByRole('row', { name: /^Test images/ })).toHaveCount(0); // the same

  // Show the older run: every panel is its own, and the Draw tab predicts with its weights.
  await runs.openTab('runs');
  await runs.show(plainId);
  await studio.expectRun(plain.seed);
  await expect(studio.runState).toHaveText('finished');
  await expect(studio.accuracyChart).toHaveAttribute('data-epochs', '1');
  await insights.openTab('filters');
  await expect(
    studio.page.getByRole('heading', { name: 'First dense layer weights' }),
  ).toBeVisible();
  await insights.openTab('test');
  await expect(studio.page.getByTestId('confusion-matrix')).toBeVisible();
  await expect(studio.network).toHaveValue('standard-nn'); // Train repeats it

  // Saved while shown, loaded later: the model brings its run's history with it.
  const models = new ModelsPage(studio.page);
  await models.save('plain-e2e');
  await runs.openTab('runs');
  await runs.show(tinyId);
  await studio.expectRun(tiny.seed);
  await models.load('plain-e2e');
  await studio.expectRun(plain.seed);
  await expect(studio.page.getByTestId('run-origin')).toContainText(
    'Saved model "plain-e2e", with the history',
  );
  await models.delete('plain-e2e');
});

test("the tutorial's comparison in one click: a Standard NN run queued after the CNN's", async ({
  app,
}) => {
  const studio = await app.open();
  const page = studio.page;
  const runs = new RunsPage(page);
  await studio.network.selectOption('tiny-cnn');
  const cnn = shortRun({ learningRate: 0.001, trainLimit: 100, testLimit: 100 });
  await studio.startRun(cnn);
  await expect(studio.runState).toHaveText('finished', { timeout: 60_000 });

  await runs.openTab('runs');
  await page.getByTestId('btn-compare-standard').click();
  // The queue says what trains and what comes after; the Standard NN trains on the same data.
  await expect(page.getByTestId('run-queue')).toContainText('Training Standard NN now');
  await expect(page.getByTestId('run-queue')).toHaveCount(0, { timeout: 60_000 });
  // Both runs, overlaid, with the tutorial's 98% and 99% as reference lines.
  await expect(runs.comparePanel).toBeVisible();
  await expect(page.getByTestId('compare-accuracy-chart')).toHaveAttribute('data-series', '2');
  const diff = page.getByTestId('compare-diff');
  await expect(diff.getByRole('row', { name: /^Network/ })).toContainText('Tiny CNN');
  await expect(diff.getByRole('row', { name: /^Network/ })).toContainText('Standard NN');
  await expect(diff.getByRole('row', { name: /^Seed/ })).toHaveCount(0); // the same seed
  await expect(diff.getByRole('row', { name: /^Training images/ })).toHaveCount(0); // same data
  await expect(runs.comparePanel).toContainText("the tutorial's figures, ~98%");
});
