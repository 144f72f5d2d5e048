// Measures one engine in this process (engines are process-global): dataset parse time, training
// images/s at batch 50 after warm-up, inference images/s at batch 1000 over the 10 000 test
// images, the interactive views' latencies (explain, inside, worked), and tf.memory().numTensors
// and process RSS per epoch over a multi-epoch run of the app's own fit loop
// (src/training/trainer.ts). Prints JSON lines; run by bench.ts once per engine.
//   bench-engine.ts <engine> [--quick] [--memory-epochs N] [--memory-images N] [--speed-only]
// --speed-only: one training and one inference measurement, nothing else (bench-paired.ts's rounds).
import * as tf from '@tensorflow/tfjs';
import { fillBatch, shuffledIndices } from '../data/batch.ts';
import { loadMnist } from '../data/mnist.ts';
import { selectEngine } from '../engine/select.ts';
import { buildModel, buildNetwork, compileModel, logits } from '../model/cnn.ts';
import { PRESETS, tutorialNetwork } from '../shared/network.ts';
import { DEFAULT_CONFIG, type EngineName } from '../shared/config.ts';
import { RunControl } from '../training/control.ts';
import { trainStep } from '../training/step.ts';
import { train } from '../training/trainer.ts';
import { machine, median } from './bench-util.ts';
import { explain } from '../worker/explain.ts';
import { inside } from '../worker/inside.ts';
import { workedConvolution } from '../worker/worked.ts';
import { batchShape, IMAGE_PIXELS, NUM_CLASSES } from '../shared/dataset.ts';

// 'wasm-relaxed' is the wasm engine measured in a Node with relaxed SIMD (bench.ts starts this
// process with --experimental-wasm-relaxed-simd where Node needs it): our kernels' relaxed build.
const engine = process.argv[2] as EngineName | 'wasm-relaxed';
const quick = process.argv.includes('--quick');
const speedOnly = process.argv.includes('--speed-only');
const option = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const out = (o: Record<string, unknown>): void =>
  console.log(JSON.stringify({ ...o, engine, machine: machine() }));

const info = await selectEngine(engine === 'wasm-relaxed' ? 'wasm' : engine).catch(
  (e: unknown) => e as Error,
);
if (info instanceof Error) {
  out({ name: 'engine', available: false, reason: info.message });
  process.exit(0);
}
if (engine === 'wasm-relaxed' && !(await import('../engine/wasm-kernels.ts')).relaxedSimd()) {
  out({ name: 'engine', available: false, reason: 'this Node has no WebAssembly relaxed SIMD' });
  process.exit(0);
}
out({ name: 'engine', available: true, label: info.label, threads: info.threads });

const tLoad = performance.now();
const data = await loadMnist();
out({
  name: 'dataset-ready',
  value: Math.round(performance.now() - tLoad),
  unit: 'ms',
  note: 'loadMnist(): read + validate + parse the 4 IDX files (70 000 images), first call in a fresh process',
});
const model = buildModel(1);
compileModel(model, 1e-4);
const batch = 50;
const order = shuffledIndices(data.train.count, 1);
const xs = new Float32Array(batch * IMAGE_PIXELS);
const ys = new Float32Array(batch * NUM_CLASSES);
let cursor = 0;
const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function trainBatches(n: number, m: tf.LayersModel = model): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    fillBatch(data.train, order, cursor, cursor + batch, xs, ys);
    cursor = (cursor + batch) % (data.train.count - batch);
    const [x, y] = [tf.tensor4d(xs, batchShape(batch)), tf.tensor2d(ys, [batch, NUM_CLASSES])];
    await trainStep(m, x, y, nextTick); // the app's step, with its mid-step pause
    tf.dispose([x, y]);
  }
  return (n * batch) / ((performance.now() - t0) / 1000);
}

/** Images/s over chunks of `n` batches until at least `minMs` have passed: a small network's 40
 * batches take a fraction of a second, too short to measure on a busy machine. */
async function trainFor(n: number, minMs: number, m: tf.LayersModel): Promise<number> {
  const t0 = performance.now();
  let images = 0;
  do {
    await trainBatches(n, m);
    images += n * batch;
  } while (performance.now() - t0 < minMs);
  return images / ((performance.now() - t0) / 1000);
}

const [warm, measured, repeats] =
  quick || engine === 'cpu' ? [1, 2, 1] : [10, 40, speedOnly ? 1 : 3];
await trainBatches(warm);
const trainRates: number[] = [];
for (let r = 0; r < repeats; r++) trainRates.push(await trainBatches(measured));
out({ name: 'train', value: median(trainRates), unit: 'images/s', batch, runs: trainRates });

// Every preset's network under the reference's conditions (Adam 1e-4, batch 50), so each has a
// PyTorch figure to stand beside where bench_torch.py has that network (--net tutorial | dense).
// --speed-only: the Standard NN alone (the tutorial's is `train`), for bench-paired.ts.
for (const preset of PRESETS.filter((p) => !speedOnly || p.id === 'standard-nn')) {
  const m = buildNetwork(preset.network, 1);
  compileModel(m, 1e-4, 'adam');
  await trainBatches(warm, m);
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) rates.push(await trainFor(measured, quick ? 0 : 2000, m));
  out({ name: 'train-preset', preset: preset.id, value: median(rates), unit: 'images/s', batch });
  m.dispose();
}

async function inferAll(limit: number): Promise<number> {
  const chunk = 1000;
  const xb = new Float32Array(chunk * IMAGE_PIXELS);
  const yb = new Float32Array(chunk * NUM_CLASSES);
  const t0 = performance.now();
  for (let s = 0; s < limit; s += chunk) {
    fillBatch(data.test, null, s, s + chunk, xb, yb);
    const p = tf.tidy(() => logits(model, tf.tensor4d(xb, batchShape(chunk))).argMax(1));
    await p.data();
    p.dispose();
  }
  return limit / ((performance.now() - t0) / 1000);
}

const testImages = quick || engine === 'cpu' ? 1000 : data.test.count;
await inferAll(1000);
const inferRates: number[] = [];
for (let r = 0; r < repeats; r++) inferRates.push(await inferAll(testImages));
out({
  name: 'inference',
  value: median(inferRates),
  unit: 'images/s',
  batch: 1000,
  runs: inferRates,
});
if (!speedOnly) {
  await interactiveLatencies();
  await memoryRun();
}

/** Milliseconds `fn` takes per test image (median, p95), after two calls that build caches. */
async function latency(
  fn: (image: Float32Array) => unknown,
): Promise<{ value: number; p95: number }> {
  const runs: number[] = [];
  for (let i = 0; i < (quick || engine === 'cpu' ? 3 : 12); i++) {
    const image = Float32Array.from(
      data.test.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS),
      (p) => p / 255,
    );
    const t0 = performance.now();
    await fn(image);
    if (i > 1) runs.push(performance.now() - t0);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return {
    value: Math.round(median(runs)),
    p95: Math.round(sorted[Math.ceil(runs.length * 0.95) - 1] ?? NaN),
  };
}

// "Why this prediction" and the Inside view on the tutorial network, idle, as the worker answers.
async function interactiveLatencies(): Promise<void> {
  out({
    name: 'explain',
    unit: 'ms',
    ...(await latency((image) => explain(model, image, null))),
    target: 300,
    note: 'saliency + occlusion (144 occluded copies in one batch) of one image, tutorial network, idle',
  });
  out({
    name: 'inside',
    unit: 'ms',
    ...(await latency((image) => inside(model, image))),
    note: "every layer's output for one image (model:inside), tutorial network, idle",
  });
  out({
    name: 'worked',
    unit: 'ms',
    ...(await latency((image) => workedConvolution(model, tutorialNetwork(), image, 2, 7, 7, 0))),
    note: 'one conv2 pixel worked through (model:worked: 5×5×32 patch, weights, products), idle',
  });
}

// Memory over a multi-epoch run of the real fit loop (with its per-epoch test evaluation).
async function memoryRun(): Promise<void> {
  const memEpochs = option('--memory-epochs', quick || engine === 'cpu' ? 2 : 10);
  const memImages = option('--memory-images', quick || engine === 'cpu' ? 200 : 6000);
  if (memEpochs > 0) {
    const fresh = buildModel(3);
    compileModel(fresh, 1e-4);
    const config = { ...DEFAULT_CONFIG, epochs: memEpochs, trainLimit: memImages, testLimit: 2000 };
    const mb = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);
    const tensors: number[] = [];
    const rss: number[] = [];
    const rss0 = mb();
    // Each epoch's speed too: a run that slows as it goes (as one did once Adam's moments turned
    // subnormal, after ~700 batches) looks fine in every 40-batch measurement above.
    const rates: number[] = [];
    let epochStart = performance.now();
    await train(fresh, data, config, new RunControl(), {
      onEpochEnd: (epoch) => {
        const now = performance.now();
        rates.push(Math.round(memImages / ((now - epochStart) / 1000)));
        epochStart = now;
        tensors.push(tf.memory().numTensors);
        rss.push(mb());
        // As it goes, so a long run (e.g. the full 10 × 60 000) shows its trend before it ends.
        console.error(
          `memory run: epoch ${epoch}, ${tensors.at(-1)} tensors, RSS ${rss.at(-1)} MB, ${rates.at(-1)} img/s`,
        );
      },
    });
    const note = `${memEpochs} epochs × ${memImages} training images (+ 2 000 test images evaluated per epoch)`;
    out({
      name: 'tensors-per-epoch',
      value: tensors.at(-1),
      unit: 'tensors',
      perEpoch: tensors,
      flat: tensors.every((n) => n === tensors[0]),
      note,
    });
    out({
      name: 'train-sustained',
      value: rates.at(-1),
      unit: 'images/s',
      perEpoch: rates,
      lastToFirst: Math.round((rates.at(-1)! / rates[0]!) * 100) / 100,
      note: `each epoch's training images over its time (its test evaluation included); ${note}`,
    });
    out({
      name: 'rss-growth',
      value: rss.at(-1)! - rss[0]!,
      unit: 'MB',
      perEpochMb: rss,
      beforeRunMb: rss0,
      note: `growth from the end of epoch 1 to the end of epoch ${memEpochs}; ${note}`,
    });
    fresh.dispose();
  }
}
