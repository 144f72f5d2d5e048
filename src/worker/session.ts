// Everything the training worker does, independent of the thread plumbing: one engine, one
// dataset (loaded once), at most one model and one run at a time. The worker lives on between runs.
import type * as tf from '@tensorflow/tfjs';
import type { MnistData } from '../data/mnist.ts';
import { launchRun, type StartedRun } from './launch.ts';
import {
  finetuneRun,
  freshRun,
  resumedRun,
  type Launch,
  type LaunchBuilder,
} from './run-starts.ts';
import { DataSource } from './data-source.ts';
import { BUNDLED, type DatasetInfo } from '../shared/dataset.ts';
import { selectEngine } from '../engine/select.ts';
import type { EngineChoice } from '../shared/config.ts';
import { EnvelopeError, envelope, errorText, type ErrorCode } from '../shared/errors.ts';
import type { EngineInfo, TrainingEvent } from '../shared/events.ts';
import type { WorkerReplies, WorkerRequest, WorkerStatus } from '../shared/worker-protocol.ts';
import { measureSpeed } from '../training/speed.ts';
import type { TrainOutcome } from '../training/trainer.ts';
import { testImages } from './inspect.ts';
import { answer } from './questions.ts';
import { Handwriting, testHandwriting } from './handwriting.ts';
import { outcomeEvent } from './outcome.ts';
import { checkModelFolder, loadForSession, saveForSession, type Trained } from './persistence.ts';
import { assertNever } from '../shared/guard.ts';
import { disposeModel } from '../model/load.ts';

const refuse = (code: ErrorCode, message: string, detail?: string): never => {
  throw new EnvelopeError(envelope(code, message, detail));
};

export class TrainingSession {
  private engine: EngineInfo | null = null;
  private ready: Promise<void> = Promise.resolve();
  private source: DataSource;
  private model: tf.LayersModel | null = null;
  private run: StartedRun | null = null;
  /** What the current model has been through, recorded with it when saved. */
  private trained: Trained | null = null;
  private runs = 0;
  private shuttingDown = false;
  /** Where the checkpoint goes after every epoch; null: no checkpoints. */
  private checkpointDir: string | null = null;
  /** The learner's own labelled drawings ("My handwriting"). */
  private handwriting = new Handwriting(null);
  /** A save in progress: the model it reads must not be replaced (Train, Load) until it is done. */
  private saving: Promise<unknown> = Promise.resolve();

  constructor(private readonly emit: (event: TrainingEvent) => void) {
    this.source = new DataSource(null, emit);
  }

  init(
    choice: EngineChoice,
    dataDir: string | null,
    checkpointDir: string | null = null,
    measure = false,
    handwritingDir: string | null = null,
  ): Promise<void> {
    this.source = new DataSource(dataDir, this.emit);
    this.checkpointDir = checkpointDir;
    this.handwriting = new Handwriting(handwritingDir);
    this.ready = selectEngine(choice).then(
      async (engine) => {
        this.engine = engine;
        this.emit({ type: 'engine', engine });
        // Parse the dataset now so Train starts at once. A bad file is reported right away (the
        // error panel shows it before anyone presses Train) and again when Train is pressed.
        this.source.data().catch((e: unknown) => {
          if (e instanceof EnvelopeError && e.envelope.code === 'BAD_DATA')
            this.emit({ type: 'failed', runId: null, error: e.envelope });
        });
        // The pure JavaScript engine would take minutes to measure; it says it is slow instead.
        if (measure && engine.name !== 'cpu') await this.measure(engine);
      },
      (e: unknown) => {
        const error = e instanceof EnvelopeError ? e.envelope : envelope('ENGINE', errorText(e));
        this.emit({ type: 'failed', runId: null, error });
      },
    );
    return this.ready;
  }

  /** Adds the measured speed to the engine and says so; a failed measurement only logs. */
  private async measure(engine: EngineInfo): Promise<void> {
    try {
      this.engine = { ...engine, speed: await measureSpeed() };
      this.emit({ type: 'engine', engine: this.engine });
    } catch (e) {
      console.warn(`Could not measure the engine's speed: ${errorText(e)}`);
    }
  }

  async handle<T extends WorkerRequest['type']>(
    request: Extract<WorkerRequest, { type: T }>,
  ): Promise<WorkerReplies[T]> {
    await this.ready;
    return (await this.dispatch(request)) as WorkerReplies[T];
  }

  private async dispatch(request: WorkerRequest): Promise<WorkerReplies[WorkerRequest['type']]> {
    switch (request.type) {
      case 'start':
        return this.startWith(freshRun(request.config));
      case 'pause': {
        const run = this.activeRun();
        if (!run.control.pause()) refuse('NOT_RUNNING', 'Training is already paused.');
        this.emit({ type: 'paused', runId: run.id });
        return null;
      }
      case 'resume': {
        const run = this.activeRun();
        if (!run.control.resume()) refuse('NOT_RUNNING', 'Training is not paused.');
        this.emit({ type: 'resumed', runId: run.id });
        return null;
      }
      case 'stop':
        this.activeRun().control.stop();
        return null;
      case 'predict':
      case 'inspect':
      case 'explain':
      case 'inside':
      case 'worked':
        return answer(this.currentModel(), request);
      case 'handwriting':
        return this.handwriting.read();
      case 'handwriting-edit':
        return this.handwriting.edit(request.edit);
      case 'handwriting-test':
        return testHandwriting(this.currentModel(), await this.handwriting.read());
      case 'handwriting-export':
        return this.handwriting.exportTo(request.dir);
      case 'handwriting-import':
        return this.handwriting.importFrom(request.dir);
      case 'test-images':
        return this.testImages(request.indices);
      case 'status':
        return this.status();
      case 'save':
        return this.save(request.dir);
      case 'load':
        return this.load(request.dir);
      case 'check-model':
        // Allowed while training: it touches nothing of the session's.
        return checkModelFolder(request.dir);
      case 'resume-checkpoint':
        return this.startWith(
          resumedRun(
            this.checkpointDir ??
              refuse('NOT_FOUND', 'This session keeps no checkpoints to resume.'),
          ),
        );
      case 'set-data':
        return this.setData(request.dir);
      case 'finetune':
        return this.startWith(
          finetuneRun(
            this.currentModel(),
            this.trained,
            this.handwriting,
            this.source.info ?? BUNDLED,
            request.arg,
          ),
        );
      default:
        return assertNever(request);
    }
  }

  status(): WorkerStatus {
    const run = this.run;
    return {
      state: run ? (run.control.paused ? 'paused' : 'running') : 'idle',
      runId: run?.id ?? null,
      hasModel: this.model !== null,
    };
  }

  /** Stops a run cleanly (after its current batch) and frees the model. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const run = this.run;
    if (run) {
      run.control.stop();
      await run.done;
    }
    disposeModel(this.model);
    this.model = null;
  }

  /**
   * Refuses while a run is in progress. Checked again after every await, since a run may have
   * started meanwhile; `cleanup` frees what the caller had built.
   */
  private ensureIdle(
    cleanup?: () => void,
    message = 'A training run is already in progress; stop it first.',
  ): void {
    if (!this.run) return;
    cleanup?.();
    refuse('BUSY', message);
  }

  private currentModel(): tf.LayersModel {
    return this.model ?? refuse('NO_MODEL', 'Train or load a model first.');
  }

  private activeRun(): StartedRun {
    return this.run ?? refuse('NOT_RUNNING', 'No training run is in progress.');
  }

  /**
   * Every way a run starts (Train, resume, fine-tune): refused while one runs, the data loaded,
   * the model built by `build`, a save in progress awaited (it reads the current model), then
   * launched, or the new model freed if a run started meanwhile.
   */
  private async startWith(build: LaunchBuilder): Promise<{ runId: string }> {
    this.ensureIdle();
    const engine = this.engine ?? refuse('ENGINE', 'No training engine could be loaded.');
    const launch = await build(await this.loadData());
    await this.saving;
    this.ensureIdle(() => disposeModel(launch.model));
    return this.launch(engine, launch);
  }

  /** Makes the launch's model the current one and trains it. */
  private launch(engine: EngineInfo, launch: Launch): { runId: string } {
    disposeModel(this.model);
    this.model = launch.model;
    const id = `run-${Date.now().toString(36)}-${++this.runs}`;
    const run = launchRun(
      {
        id,
        engine,
        dataset: this.source.info,
        checkpointDir: this.checkpointDir,
        emit: this.emit,
        onTrained: (trained) => (this.trained = trained),
        onOutcome: (outcome) => this.finish(id, outcome),
      },
      launch,
    );
    this.run = { ...run, done: run.done.finally(() => (this.run = null)) };
    return { runId: id };
  }

  private finish(runId: string, outcome: TrainOutcome): void {
    if (outcome.kind === 'diverged') {
      // Weights that produced NaN are useless for prediction.
      disposeModel(this.model);
      this.model = null;
    }
    this.emit(outcomeEvent(runId, outcome, this.shuttingDown));
  }

  private loadData(): Promise<MnistData> {
    return this.source.data();
  }

  /** Trains on the data in `dir` from now on (null: the bundled MNIST); refused during a run. */
  private async setData(dir: string | null): Promise<DatasetInfo> {
    this.ensureIdle(undefined, 'Stop the training run before choosing other data.');
    await this.ready;
    return this.source.use(dir);
  }

  private save(dir: string): Promise<{ dir: string; bytes: number }> {
    const model = this.model ?? refuse('NO_MODEL', 'There is no trained model to save yet.');
    const saved = saveForSession(model, dir, this.trained, this.engine?.name ?? 'unknown');
    this.saving = saved.catch(() => {});
    return saved;
  }

  /** Loads the model in `dir`; the current model stays until the new one is fully checked and built. */
  private async load(dir: string): Promise<{ dir: string }> {
    const busy = 'Stop the training run before loading a model.';
    this.ensureIdle(undefined, busy);
    const { model, trained } = await loadForSession(dir, this.source.info ?? BUNDLED);
    await this.saving;
    this.ensureIdle(() => disposeModel(model), busy);
    disposeModel(this.model);
    this.model = model;
    this.trained = trained;
    return { dir };
  }

  private async testImages(indices: number[]): Promise<WorkerReplies['test-images']> {
    const data = await this.loadData();
    try {
      return testImages(data.test, indices);
    } catch (e) {
      if (e instanceof RangeError) return refuse('BAD_REQUEST', e.message);
      throw e;
    }
  }
}
