// Importing a model trained elsewhere, in the browser: a folder written by plain tfjs (the
// tfjs-examples MNIST network, softmax output and all) is imported by its typed path, says what
// changed to use it, loads with its own network in the layer strip, and predicts a drawing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnistNode, saveForeign } from '../unit/library/foreign-fixture.ts';
import { InsightsPage } from './pages/insights-page.ts';
import { ModelsPage } from './pages/models-page.ts';
import { expect, test } from './support/fixtures.ts';

test('a tfjs model from elsewhere imports, shows its own layers and predicts', async ({ app }) => {
  test.skip(app.kind !== 'browser', 'browser mode types a path; the desktop app opens a dialog');
  const root = await mkdtemp(join(tmpdir(), 'cnn-e2e-import-'));
  const name = `foreign ${Date.now()}`;
  try {
    const model = mnistNode();
    await saveForeign(model, join(root, name));
    model.dispose();

    const studio = await app.open();
    const models = new ModelsPage(studio.page);
    await studio.page.getByTestId('btn-import-model').click();
    await studio.page.getByLabel(/Model folder to import/).fill(join(root, name));
    await studio.page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect(models.notice).toContainText(`Imported "${name}"; to use it here, its output`);
    await expect(models.row(name).getByTestId('model-changes')).toContainText('now gives logits');

    await models.row(name).getByTestId('btn-load-model').click();
    await expect(models.notice).toHaveText(`Loaded "${name}": draw a digit to try it.`);
    await expect(studio.page.getByTestId('run-origin')).toContainText('no training history');
    // Its own network: three 3×3 VALID convolutions (26, 24, then 10 after pooling), not a preset.
    const blocks = studio.page.getByTestId('layer-block');
    await expect(blocks).toHaveCount(9);
    await expect(blocks.nth(0)).toContainText('26×26×32');
    await expect(blocks.nth(3)).toContainText('10×10×64');

    const insights = new InsightsPage(studio.page);
    await insights.openTab('draw');
    await insights.drawAndWait([
      [
        [0.5, 0.15],
        [0.5, 0.85],
      ],
    ]);
    const probabilities = await insights.probabilities();
    expect(probabilities).toHaveLength(10);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    await models.delete(name);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
