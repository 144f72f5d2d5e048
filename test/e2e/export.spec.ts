// Export end to end, in the browser: a kept run and a saved model leave the app as an ONNX file
// and a TensorFlow.js folder through the export form, and the ONNX file, opened by onnxruntime
// in this test's process, predicts what the app predicts.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Prediction } from '../../src/shared/worker-protocol.ts';
import { ModelsPage } from './pages/models-page.ts';
import { exportThrough, RunsPage } from './pages/runs-page.ts';
import { expect, test } from './support/fixtures.ts';
import { shortRun } from './support/runs.ts';

test('a kept run and a saved model export as ONNX and tfjs; the ONNX file predicts as the app does', async ({
  app,
}) => {
  const out = await mkdtemp(join(tmpdir(), 'cnn-e2e-export-'));
  try {
    const studio = await app.open();
    const runs = new RunsPage(studio.page);
    const models = new ModelsPage(studio.page);
    await studio.network.selectOption('tiny-cnn');
    await studio.startRun(shortRun({ learningRate: 0.001 }));
    await expect(studio.runState).toHaveText('finished', { timeout: 60_000 });
    await runs.openTab('runs');
    await expect(runs.rows.first()).toContainText('Tiny CNN');
    const id = await runs.newestId();

    await runs.exportRun(id, 'onnx', out);
    const notice = studio.page.getByTestId('runs-notice');
    await expect(notice).toContainText('as an ONNX file');
    await expect(runs.row(id).getByTestId('btn-export-run')).toBeFocused();
    const onnx = (await readdir(out)).find((f) => f.endsWith('.onnx'));
    expect(onnx).toMatch(/^Tiny CNN \d{4}-\d\d-\d\d \d\d-\d\d\.onnx$/);
    await expect(notice).toContainText(join(out, onnx!));

    // The app's prediction for a test image and onnxruntime's for the same pixels.
    const image = new Float32Array(784).map((_, i) => ((i * 37) % 255) / 255);
    const r = await app.host.invoke('model:predict', image);
    expect(r.ok).toBe(true);
    const ours = (r as { ok: true; value: Prediction }).value.probabilities;
    const session = await ort.InferenceSession.create(join(out, onnx!));
    const result = await session.run({ image: new ort.Tensor('float32', image, [1, 28, 28, 1]) });
    const theirs = Array.from(result['probabilities']!.data as Float32Array);
    await session.release();
    expect(theirs).toHaveLength(10);
    theirs.forEach((p, k) => expect(Math.abs(p - ours[k]!)).toBeLessThan(1e-4));

    await runs.exportRun(id, 'tfjs', out);
    await expect(notice).toContainText('as a TensorFlow.js folder');
    expect(existsSync(join(out, onnx!.replace(/\.onnx$/, ''), 'model.json'))).toBe(true);

    // A saved model, from the models panel: the same form, the model's name on the file.
    const name = `e2e export ${Date.now()}`;
    await models.save(name);
    await models.row(name).getByTestId('btn-export-model').click();
    await exportThrough(models.row(name), 'onnx', out);
    await expect(models.notice).toHaveText(
      `Exported "${name}" as an ONNX file: ${join(out, `${name}.onnx`)}.`,
    );
    expect(existsSync(join(out, `${name}.onnx`))).toBe(true);
    await models.delete(name);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
