// kill -9 mid-run, then resume: `npm run train` with --checkpoint-dir runs as a child process
// (its worker thread dies with it), is killed with SIGKILL once its first checkpoint exists, and
// a second process with --resume finishes the run with the same number of epochs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TRAIN = join(ROOT, 'src/cli/train.ts');

let dir: string;
before(async () => (dir = await mkdtemp(join(tmpdir(), 'cnn-kill-'))));
after(() => rm(dir, { recursive: true, force: true }));

function train(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', TRAIN, '--engine', 'wasm', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exit, output: () => out };
}

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

test('SIGKILL after the first checkpoint, then --resume: 3 epochs in total, and it learned', async (t) => {
  const checkpoint = join(dir, 'checkpoint');
  const first = train([
    '--epochs',
    '3',
    '--limit',
    '300',
    '--test-limit',
    '200',
    '--lr',
    '0.001',
    '--seed',
    '7',
    '--checkpoint-dir',
    checkpoint,
  ]);
  // Wait (no deadline here; the test runner has one) for the first checkpoint, then kill -9. The
  // run's own words, not the file: the file can appear before its line reaches this pipe.
  while (!/checkpoint saved after epoch 1/.test(first.output())) {
    const done = await Promise.race([first.exit, new Promise((r) => setTimeout(r, 20, null))]);
    assert.equal(done, null, `the run ended before it could be killed:\n${first.output()}`);
  }
  assert.ok(await exists(join(checkpoint, 'checkpoint.json')), 'saved, says the run, but no file');
  first.child.kill('SIGKILL');
  const killed = await first.exit;
  assert.equal(killed.signal, 'SIGKILL');
  assert.doesNotMatch(first.output(), /finished:/);
  assert.match(first.output(), /checkpoint saved after epoch 1/);

  const models = join(dir, 'models');
  const second = train([
    '--resume',
    '--checkpoint-dir',
    checkpoint,
    '--save',
    'resumed',
    '--models',
    models,
  ]);
  const { code } = await second.exit;
  const out = second.output();
  assert.equal(code, 0, out);
  assert.match(out, /resuming the checkpointed run/);
  // Every epoch appears once: the completed ones replayed, the rest trained.
  for (const e of [1, 2, 3]) assert.match(out, new RegExp(`^epoch ${e}/3: `, 'm'));
  const done = /^finished: (\d+) epochs?, test accuracy ([\d.]+)%/m.exec(out);
  assert.ok(done, out);
  assert.equal(Number(done[1]), 3);
  assert.ok(Number(done[2]) > 50, `test accuracy ${done[2]}% after 3 epochs of 300 images`);
  // --save puts the result in the models folder, with the whole run's metadata.
  assert.match(out, /model saved as "resumed"/);
  const meta = JSON.parse(
    await readFile(join(models, 'resumed', 'model.json'), 'utf8'),
  ).userDefinedMetadata;
  assert.equal(meta.epochsTrained, 3);
  assert.equal(meta.testAccuracy.toFixed(4), (Number(done[2]) / 100).toFixed(4));
  t.diagnostic(
    `killed after: ${first
      .output()
      .match(/checkpoint saved after epoch \d+/g)
      ?.at(-1)}`,
  );
  t.diagnostic(`resumed: ${done[0]}`);
});

test('--out tidies what a killed save left beside its target, even when no save follows', async () => {
  const outDir = await mkdtemp(join(tmpdir(), 'cnn-cli-out-'));
  try {
    const target = join(outDir, 'model');
    const leftover = join(outDir, '.model.tmp-99999999-abcdef'); // no process has that pid
    await mkdir(leftover);
    await writeFile(join(leftover, 'weights.bin'), 'half written');
    // This run fails before training (no such data folder), so it never reaches a save, whose
    // own recovery used to be the only one: the leftover stayed for good.
    const run = train(['--data', join(outDir, 'no-such-data'), '--out', target]);
    assert.notEqual((await run.exit).code, 0, run.output());
    assert.ok(!(await exists(leftover)), 'the dead process’s temporary folder is gone');
    // The missing folder is said once, though the host reports it twice (start-up and start).
    assert.equal(run.output().match(/^error: /gm)?.length, 1, run.output());
    assert.match(run.output(), /^error: .*the data folder .* does not exist$/m);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
});
