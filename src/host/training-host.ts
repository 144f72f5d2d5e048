// Owns the one long-lived training worker: commands in, events out. Never imports TensorFlow.
// Used by Electron main, the browser-mode server and the CLI alike.
import type { Worker } from 'node:worker_threads';
import type { EngineChoice } from '../shared/config.ts';
import type { AppStatus, Result, Shown } from '../shared/contract.ts';
import { envelope, type ErrorEnvelope } from '../shared/errors.ts';
import type { EngineInfo, TrainingEvent } from '../shared/events.ts';
import { ValidationError } from '../shared/guard.ts';
import { workerMessage, workerRequest } from '../shared/validate.ts';
import type { ModelDirs } from '../shared/models.ts';
import type {
  WorkerCommand,
  WorkerReplies,
  WorkerRequest,
  WorkerStatus,
} from '../shared/worker-protocol.ts';
import { AutoResume } from './auto-resume.ts';
import { RunHistory, ownEvents } from './run-history.ts';
import { RunKeeper } from './run-keeper.ts';
import { RunStore } from '../library/runs.ts';
import { assertNever } from '../shared/guard.ts';

export interface HostOptions {
  spawn: () => Worker;
  engine: EngineChoice;
  dataDir: string | null;
  /** The models folder for model:* requests; absent or null: none (they are refused). */
  modelsDir?: string | null;
  /** Where the worker writes a checkpoint after every epoch; absent or null: no checkpoints. */
  /** Where "My handwriting" is kept; absent or null: it is refused. */
  handwritingDir?: string | null;
  checkpointDir?: string | null;
  /** Where every run is kept when it ends (see run-keeper.ts); absent or null: runs are not kept. */
  runsDir?: string | null;
  /** Where the host reports problems that have no request to answer (default: console.error). */
  log?: (message: string) => void;
  /** How long a request may go unanswered before the worker counts as stuck (see REQUEST_BOUND_MS). */
  requestBoundMs?: number;
}

/**
 * A worker that leaves a request unanswered this long is stuck (a wasm trap once left it spinning
 * at 100% CPU, answering nothing, for good): it is replaced and every open request fails with a
 * clear error. Generous, because one training half-step on the pure JavaScript engine can take
 * most of a minute and a request waits for it.
 */
export const REQUEST_BOUND_MS = 120_000;

type Pending = { resolve: (r: Result<unknown>) => void };
type RequestOf<T extends WorkerRequest['type']> = Extract<WorkerRequest, { type: T }>;

const IDLE: WorkerStatus = { state: 'idle', runId: null, hasModel: false };

export class TrainingHost {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(e: TrainingEvent) => void>();
  private readonly history = new RunHistory();
  private engine: EngineInfo | null = null;
  private closing = false;
  private readonly autoResume = new AutoResume();
  /** The kept runs, or null when this host keeps none. */
  readonly runs: RunStore | null;
  private readonly keeper: RunKeeper | null;
  private shown: Shown | null = null;

  constructor(private readonly options: HostOptions) {
    this.runs = options.runsDir ? new RunStore(options.runsDir) : null;
    this.keeper = this.runs
      ? new RunKeeper({
          store: this.runs,
          saveWeights: (dir) => this.request({ type: 'save', dir }),
          emit: (e) => this.emit(e),
        })
      : null;
  }

  /** The folders this host's worker writes to, for src/host/model-service.ts. */
  get dirs(): ModelDirs {
    return {
      modelsDir: this.options.modelsDir ?? null,
      checkpointDir: this.options.checkpointDir ?? null,
    };
  }

  /** Subscribe to training events; returns the unsubscribe function. */
  onEvent(listener: (e: TrainingEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Sends one request to the worker (starting it if needed) and resolves with its reply.
   * `boundMs` overrides how long it may go unanswered (REQUEST_BOUND_MS).
   */
  request<T extends WorkerRequest['type']>(
    req: RequestOf<T>,
    boundMs?: number,
  ): Promise<Result<WorkerReplies[T]>> {
    if (this.closing) return Promise.resolve(fail('INTERNAL', 'The app is shutting down.'));
    try {
      workerRequest(req, 'request');
    } catch (e) {
      return Promise.resolve(fail('BAD_REQUEST', (e as Error).message));
    }
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const bound = boundMs ?? this.options.requestBoundMs ?? REQUEST_BOUND_MS;
    return new Promise<Result<WorkerReplies[T]>>((resolve) => {
      const timer = setTimeout(() => {
        if (!this.pending.has(id)) return;
        const seconds = Math.round(bound / 1000);
        this.log(`The training worker left a '${req.type}' request unanswered for ${seconds} s.`);
        this.crashed(
          worker,
          new Error(`it left a '${req.type}' request unanswered for ${seconds} s`),
          'stuck',
        );
      }, bound);
      timer.unref(); // a watchdog, not a reason to keep the process alive
      this.pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          (resolve as Pending['resolve'])(r);
        },
      });
      this.post(worker, { type: 'request', id, request: req });
    });
  }

  /** Set by warmUp: a window will show a time estimate, so every worker measures its speed. */
  private measureSpeed = false;

  /**
   * Starts the worker now, so the engine is chosen (and reported) and the dataset parsed before
   * the user presses Train, and has it measure its speed for the window's time estimate.
   */
  warmUp(): void {
    this.measureSpeed = true;
    if (!this.closing) this.ensureWorker();
  }

  /** Everything a (re)connecting window needs to draw the current state. */
  async status(): Promise<AppStatus> {
    const worker = this.worker ? await this.request({ type: 'status' }) : null;
    return {
      engine: this.engine,
      worker: worker?.ok ? worker.value : IDLE,
      history: this.history.events(),
      shown: this.shown,
    };
  }

  /**
   * Makes another run the one every window shows (a kept run or a saved model's, just loaded into
   * the worker): windows redraw from this history when they call training:status.
   */
  show(events: readonly TrainingEvent[], shown: Shown): void {
    this.history.replace(events);
    this.shown = shown;
  }

  /** The events of the run the windows show, from its start: what a saved model keeps. */
  shownRun(): TrainingEvent[] {
    return ownEvents(this.history.events());
  }

  /** Stops a run cleanly (the trainer finishes its batch), then ends the worker. */
  async close(timeoutMs = 5000): Promise<void> {
    const worker = this.worker;
    if (!worker || this.closing) return;
    this.closing = true;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    this.post(worker, { type: 'shutdown' });
    const timer = setTimeout(() => void worker.terminate(), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = this.options.spawn();
    this.worker = worker;
    worker.on('message', (m: unknown) => this.receive(m));
    worker.on('error', (err) => this.crashed(worker, err));
    worker.on('exit', (code) => {
      if (this.worker === worker && !this.closing)
        this.crashed(worker, new Error(`the training thread exited with code ${code}`));
    });
    this.post(worker, {
      type: 'init',
      engine: this.options.engine,
      dataDir: this.options.dataDir,
      checkpointDir: this.options.checkpointDir ?? null,
      handwritingDir: this.options.handwritingDir ?? null,
      measureSpeed: this.measureSpeed,
    });
    return worker;
  }

  private post(worker: Worker, command: WorkerCommand): void {
    worker.postMessage(command);
  }

  private receive(raw: unknown): void {
    let message;
    try {
      message = workerMessage(raw, 'worker');
    } catch (e) {
      const why = e instanceof ValidationError ? e.message : String(e);
      this.log(`Ignored a malformed message from the training worker: ${why}`);
      // Every request gets exactly one answer: a reply that cannot be read fails its request.
      const id = replyId(raw);
      const pending = id === null ? undefined : this.pending.get(id);
      if (id !== null && pending) {
        this.pending.delete(id);
        pending.resolve(
          fail('INTERNAL', 'The training thread sent an answer that could not be read.', why),
        );
      }
      return;
    }
    switch (message.type) {
      case 'event':
        this.emit(message.event);
        return;
      case 'reply': {
        const pending = this.pending.get(message.id);
        if (!pending) return this.log(`Reply for unknown request ${message.id}`);
        this.pending.delete(message.id);
        pending.resolve(
          message.ok ? { ok: true, value: message.value } : { ok: false, error: message.error },
        );
        return;
      }
      default:
        return assertNever(message);
    }
  }

  private emit(raw: TrainingEvent): void {
    const event = this.autoResume.annotate(raw);
    this.autoResume.observe(event);
    if (event.type === 'engine' || event.type === 'run-started') this.engine = event.engine;
    if (event.type === 'run-started') this.shown = null;
    this.history.add(event);
    for (const listener of this.listeners) listener(event);
    this.keeper?.observe(event, () => this.history.events());
  }

  /** A dead worker answers every open request, tells the windows, and is replaced on next use. */
  private crashed(worker: Worker, err: Error, how: 'died' | 'stuck' = 'died'): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const oom = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    const what =
      how === 'stuck'
        ? 'stopped answering and was replaced'
        : oom
          ? 'ran out of memory'
          : 'stopped unexpectedly';
    const happened = `The training thread ${what}.`;
    const error: ErrorEnvelope = envelope(
      'WORKER_CRASHED',
      `${happened} The app is still running; ` +
        (this.options.checkpointDir
          ? 'resume from the last checkpoint (saved after every completed epoch) or start again.'
          : 'start again to retry.'),
      err.message,
    );
    for (const p of this.pending.values()) p.resolve({ ok: false, error });
    this.pending.clear();
    void worker.terminate();
    const resumes =
      how === 'stuck' &&
      this.options.checkpointDir &&
      this.autoResume.begin(
        'The training thread stopped answering and was replaced; ' +
          'this run continues from its last checkpoint.',
      );
    if (resumes) void this.resumeAfterStuck(happened, err.message);
    else this.emit({ type: 'failed', runId: this.history.runId(), error });
  }

  /** A new worker continues the stuck one's run from its checkpoint, or the run fails. */
  private async resumeAfterStuck(happened: string, detail: string): Promise<void> {
    this.log('The training worker was replaced; resuming its run from the last checkpoint.');
    const r = await this.request({ type: 'resume-checkpoint' });
    if (r.ok) return;
    this.autoResume.abandon();
    const error = envelope(
      'WORKER_CRASHED',
      `${happened} Its run could not be resumed: ${r.error.message}`,
      detail,
    );
    this.emit({ type: 'failed', runId: this.history.runId(), error });
  }

  private log(message: string): void {
    (this.options.log ?? console.error)(message);
  }
}

function fail(
  code: ErrorEnvelope['code'],
  message: string,
  detail?: string,
): { ok: false; error: ErrorEnvelope } {
  return { ok: false, error: envelope(code, message, detail) };
}

/** The request id of something shaped like a reply, even one that failed the guards. */
function replyId(raw: unknown): number | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { type, id } = raw as { type?: unknown; id?: unknown };
  return type === 'reply' && typeof id === 'number' && Number.isSafeInteger(id) ? id : null;
}
