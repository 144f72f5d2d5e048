// The network is a choice: a preset brings its own layers and optimizer settings, the layer strip
// shows each layer's output shape before training, and a run of the plain network really trains
// it (its first layer's weights are drawn as 28×28 pictures, since it has no filters).
import { DIGITS, InsightsPage } from './pages/insights-page.ts';
import { expect, test } from './support/fixtures.ts';
import { shortRun } from './support/runs.ts';

test('pick Standard NN: its layers, its settings, and a run that trains it', async ({ app }) => {
  const studio = await app.open();
  // A page opens on the last run's settings (the server is shared): start from the tutorial's.
  await studio.network.selectOption('tutorial-cnn');
  await expect(studio.network).toHaveValue('tutorial-cnn');
  // The strip folds away (the panel must fit a small window); its summary opens it.
  await studio.page.getByTestId('network-summary').click();
  await expect(studio.layerBlocks.first()).toBeVisible();
  // Each block: its name, output shape, parameters and share of the computation.
  await expect(studio.layerBlocks).toHaveText([
    /^conv1 28×28×32\s+832 p · 5%$/,
    /^pool1 14×14×32\s+0 p/,
    /^conv2 14×14×64\s+51\u202f264 p · 72%$/,
    /^pool2 7×7×64/,
    /^flatten 3136/,
    /^fc1 1000\s+3\u202f137\u202f000 p · 23%$/,
    /^fc2 10/,
  ]);
  await expect(studio.networkParams).toContainText('3\u202f199\u202f106 parameters');

  await studio.network.selectOption('standard-nn');
  await expect(studio.layerBlocks).toHaveText([/^flatten 784/, /^fc1 300/, /^fc2 10/]);
  await expect(studio.networkParams).toContainText('238\u202f510 parameters');
  // The preset's own optimizer settings: plain SGD at 0.5, batches of 100.
  await expect(studio.field('learningRate')).toHaveValue('0.5');
  await expect(studio.field('batchSize')).toHaveValue('100');
  await expect(studio.page.getByTestId('network-summary')).toContainText('SGD ·');

  const run = shortRun({ learningRate: 0.5, batchSize: 20 });
  await studio.startRun(run);
  await expect(studio.runState).toHaveText('finished', { timeout: 60_000 });
  await expect(
    studio.page.getByRole('heading', { name: 'First dense layer weights' }),
  ).toBeVisible();
  await expect(studio.page.getByTestId('filter-conv1')).toHaveCount(300);
  await expect(studio.page.getByTestId('filters-caption')).toContainText('no convolution');
  // Drawing: the prediction comes, and the maps panel says why it has nothing to show.
  const insights = new InsightsPage(studio.page);
  await insights.openTab('draw');
  await insights.drawAndWait(DIGITS['1']!);
  expect((await insights.probabilities()).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
  await expect(studio.page.getByTestId('feature-maps-none')).toContainText('no convolution');
  // After the run the picker still shows the network that ran; the tutorial is one click away.
  await expect(studio.network).toHaveValue('standard-nn');
  await studio.defaultsButton.click();
  await expect(studio.network).toHaveValue('tutorial-cnn');
});

test('edit the layers: change, add, break and mend a network', async ({ app }) => {
  const studio = await app.open();
  const page = studio.page;
  await studio.network.selectOption('tiny-cnn');
  await page.getByTestId('network-summary').click();
  await expect(studio.layerBlocks).toHaveText([
    /^conv1 28×28×8/,
    /^pool1 14×14×8/,
    /^flatten 1568/,
    /^fc1 32/,
    /^fc2 10/,
  ]);

  // Change conv1's filters: its shape, the parameters and the picker ("Custom") follow.
  await studio.layerBlocks.nth(0).click();
  await page.getByTestId('layer-field-filters').fill('4');
  await page.getByTestId('layer-field-filters').press('Enter');
  await page.getByTestId('layer-field-filters').blur();
  await expect(studio.layerBlocks.nth(0)).toHaveText(/^conv1 28×28×4/);
  await expect(studio.layerBlocks.nth(2)).toHaveText(/^flatten 784/);
  await expect(studio.network).toHaveValue('custom');
  // A value out of range is refused beside its field; the network keeps its last good value.
  await page.getByTestId('layer-field-filters').fill('999');
  await page.getByTestId('layer-field-filters').blur();
  await expect(
    page.getByRole('alert').filter({ hasText: 'Filters must be between 1 and 256.' }),
  ).toBeVisible();
  await expect(studio.layerBlocks.nth(0)).toHaveText(/^conv1 28×28×4/);

  // Add a max pooling after pool1 and make it impossible: Train says why, the block is marked.
  await studio.layerBlocks.nth(1).click();
  await page.getByTestId('layer-add-kind').selectOption('maxpool');
  await page.getByTestId('btn-layer-add').click();
  await expect(studio.layerBlocks).toHaveCount(6);
  await expect(studio.layerBlocks.nth(2)).toHaveText(/^pool2 7×7×4/);
  await page.getByTestId('layer-field-size').fill('8');
  await page.getByTestId('layer-field-size').blur();
  await page.getByTestId('layer-field-padding').selectOption('valid');
  await expect(studio.layerBlocks.nth(2)).toHaveText(/^pool2 4×4×4/); // floor((14 − 8) / 2) + 1
  // A second 8×8 VALID window on a 4×4 map: nothing fits, the shape reaches 0.
  await page.getByTestId('btn-layer-add').click();
  await page.getByTestId('layer-field-size').fill('8');
  await page.getByTestId('layer-field-size').blur();
  await page.getByTestId('layer-field-padding').selectOption('valid');
  await expect(page.getByTestId('network-error')).toContainText('Layer 4 (max pool 8×8');
  await expect(studio.layerBlocks.nth(3)).toHaveClass(/bad/);
  await expect(studio.trainButton).toBeDisabled();
  // Keyboard: Delete on the focused block removes it, and Train is back.
  await studio.layerBlocks.nth(3).focus();
  await page.keyboard.press('Delete');
  await expect(studio.layerBlocks).toHaveCount(6);
  await expect(page.getByTestId('network-error')).toHaveCount(0);
  await expect(studio.trainButton).toBeEnabled();
  // Alt+→ moves a layer; the output layer never moves.
  await studio.layerBlocks.nth(0).focus();
  await page.keyboard.press('Alt+ArrowRight');
  await expect(studio.layerBlocks.nth(0)).toHaveText(/^pool1 14×14×1/);
  await expect(studio.layerBlocks.nth(5)).toHaveText(/^fc2 10/);
});
