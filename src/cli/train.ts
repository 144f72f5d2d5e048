// `npm run train`: trains headless in the same worker the app uses, then saves the model.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TrainingHost } from '../host/training-host.ts';
import { spawnSourceWorker } from '../host/spawn-worker.ts';
import type { TrainingEvent } from '../shared/events.ts';
import type { ErrorEnvelope } from '../shared/errors.ts';
import { parseTrainArgs, UsageError, USAGE, type TrainArgs } from './args.ts';
import { recoverDir } from '../library/atomic.ts';
import { duration, epochs, pct, progressLine } from './format.ts';
import { assertNever } from '../shared/guard.ts';
import { OPTIMIZER_LABELS } from '../shared/network.ts';
import { ModelService } from '../host/model-service.ts';

function parse(): TrainArgs {
  try {
    return parseTrainArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`train: ${e.message}\nRun "npm run train -- --help" for the options.\n`);
    process.exit(2);
  }
}

async function main(): Promise<number> {
  const args = parse();
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  let { config } = args;
  // A run killed while saving --out leaves a hidden temporary folder beside it: tidy it first, as
  // the app does for its library (folders of live processes are left alone).
  if (args.out) await recoverDir(args.out);
  const host = new TrainingHost({
    spawn: () => spawnSourceWorker(),
    engine: args.engine,
    dataDir: args.dataDir,
    checkpointDir: args.checkpointDir,
    modelsDir:
      args.models ?? join(process.env.CNN_STUDIO_HOME ?? join(homedir(), '.cnn-studio'), 'models'),
  });
  const tty = process.stderr.isTTY === true;
  let lastPrinted = 0;
  let ok = true;
  let trained = false;

  // A bad data folder is reported twice by the host (when the worker parses the data at start-up,
  // and as the answer to start): the user reads it once.
  let lastError = '';
  const printError = (error: ErrorEnvelope): void => {
    const text = `error: ${error.message}${error.detail ? `\n  ${error.detail}` : ''}`;
    if (text !== lastError) console.error(text);
    lastError = text;
  };

  const ended = new Promise<void>((resolve) => {
    host.onEvent((e: TrainingEvent) => {
      switch (e.type) {
        case 'engine':
          console.log(`engine: ${e.engine.label} — ${e.engine.reason}`);
          return;
        case 'run-started':
          config = e.config; // a resumed run brings its own settings
          if (args.resume) console.log('resuming the checkpointed run; its completed epochs:');
          console.log(
            `training on ${e.trainSize} images, testing on ${e.testSize}; ${config.epochs} epochs of ${e.batchesPerEpoch} batches of ${config.batchSize}, ${OPTIMIZER_LABELS[config.optimizer]} lr ${config.learningRate}`,
          );
          return;
        case 'batch': {
          const line = progressLine({
            epoch: e.epoch,
            epochs: config.epochs,
            batch: e.firstBatch + e.losses.length - 1,
            batchesPerEpoch: e.batchesPerEpoch,
            loss: e.losses.at(-1)!,
            accuracy: e.accuracies.at(-1)!,
            imagesPerSec: e.imagesPerSec,
            etaSec: e.etaSec,
          });
          // A terminal gets a live line; a log file gets a line every 10 s.
          if (tty) process.stderr.write(`\r${line}\x1b[K`);
          else if (performance.now() - lastPrinted > 10_000) {
            lastPrinted = performance.now();
            process.stderr.write(`${line}\n`);
          }
          return;
        }
        case 'epoch-end':
          trained = true;
          if (tty) process.stderr.write('\r\x1b[K');
          console.log(
            `epoch ${e.epoch}/${config.epochs}: train loss ${e.trainLoss.toFixed(4)} acc ${pct(e.trainAccuracy)} | test loss ${e.testLoss.toFixed(4)} acc ${pct(e.testAccuracy)} | ${duration(e.elapsedSec)}`,
          );
          return;
        case 'finished':
          console.log(
            `finished: ${epochs(e.epochs)}, test accuracy ${pct(e.testAccuracy)} in ${duration(e.elapsedSec)}`,
          );
          return resolve();
        case 'stopped':
          console.log(`stopped after ${epochs(e.epochsCompleted, 'complete epoch')}.`);
          return resolve();
        case 'failed':
          ok = false;
          if (tty) process.stderr.write('\r\x1b[K');
          printError(e.error);
          return resolve();
        case 'checkpoint':
          if (e.error) console.error(`warning: ${e.error.message}`);
          else console.log(`checkpoint saved after epoch ${e.epoch}`);
          return;
        case 'filters':
        case 'handwriting-accuracy': // the CLI does not fine-tune
        case 'testing':
        case 'evaluation':
        case 'paused':
        case 'resumed':
        case 'run-kept': // the CLI keeps no runs folder; --out and --save keep the model
        case 'dataset': // said in the run's header line
          return;
        default:
          return assertNever(e);
      }
    });
  });

  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write('\nstopping after this batch (Ctrl+C again to quit now)…\n');
    void host.request({ type: 'stop' });
  });

  const started = args.resume
    ? await host.request({ type: 'resume-checkpoint' })
    : await host.request({ type: 'start', config });
  if (!started.ok) {
    printError(started.error);
    await host.close();
    return 1;
  }
  await ended;
  if (args.out && trained) {
    const saved = await host.request({ type: 'save', dir: args.out });
    if (saved.ok)
      console.log(
        `model saved to ${saved.value.dir} (${(saved.value.bytes / 1e6).toFixed(1)} MB of weights)`,
      );
    else {
      console.error(`error: could not save the model: ${saved.error.message}`);
      ok = false;
    }
  }
  if (args.save && trained) {
    const saved = await new ModelService(host, host.dirs).save({
      name: args.save,
      overwrite: false,
    });
    if (saved.ok)
      console.log(`model saved as "${saved.value.name}" in ${args.models ?? 'the models folder'}`);
    else {
      console.error(`error: ${saved.error.message}`);
      ok = false;
    }
  }
  await host.close();
  return ok ? 0 : 1;
}

process.exitCode = await main();
