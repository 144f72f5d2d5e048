// The runs folder: one sub-folder per kept run, named by its run id, holding run.json (what the
// run list shows), history.msgpack (the run's events, for its charts and panels) and, unless the
// run failed, its final weights as a model folder (model.json + weights.bin, written by the
// worker). File operations only, one mutation at a time; every write is atomic.
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { EnvelopeError } from '../shared/errors.ts';
import type { TrainingEvent } from '../shared/events.ts';
import { ValidationError, array } from '../shared/guard.ts';
import type { ExportFormat, ExportResult } from '../shared/models.ts';
import { RUNS_KEPT, RUN_ID, runInfo, runTitle, type RunInfo } from '../shared/runs.ts';
import { trainingEvent } from '../shared/validate.ts';
import { decode, encode, WireError } from '../wire/codec.ts';
import { recoverAll, removeDirAtomic, writeFileAtomic } from './atomic.ts';
import { libraryError } from './errors.ts';
import { exportModelFiles } from './export.ts';
import { readModelFolder } from './model-folder.ts';

export const RUN_JSON = 'run.json';
export const HISTORY_FILE = 'history.msgpack';
/** A history is a few MB at most (batch losses, one filter snapshot, one evaluation). */
const MAX_HISTORY_BYTES = 256 * 1024 * 1024;
const MAX_RUN_JSON_BYTES = 1024 * 1024;

const history = array(trainingEvent, 1_000_000);

export class RunStore {
  private queue: Promise<unknown> = Promise.resolve();
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Runs `fn` after every mutation queued before it. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => {});
    return next;
  }

  dirOf(id: string): string {
    if (!RUN_ID.test(id)) throw libraryError('BAD_REQUEST', `"${id}" is not a run id.`);
    return join(this.root, id);
  }

  /** Every readable kept run, newest first. A damaged run.json is skipped, never deleted. */
  async list(): Promise<RunInfo[]> {
    await recoverAll(this.root); // a weights write cut short by a crash is settled first
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const runs: RunInfo[] = [];
    for (const entry of entries.filter((e) => RUN_ID.test(e))) {
      try {
        runs.push(await this.info(entry));
      } catch {
        // unreadable: left on disk for the user, not listed
      }
    }
    return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
  }

  async info(id: string): Promise<RunInfo> {
    const file = join(this.dirOf(id), RUN_JSON);
    const text = await readBounded(file, MAX_RUN_JSON_BYTES, `Run ${id}`).catch((e: unknown) => {
      if ((e as EnvelopeError).envelope?.code !== 'NOT_FOUND') throw e;
      throw libraryError('NOT_FOUND', `Run ${id} is not in the runs folder (was it removed?).`);
    });
    let info: RunInfo;
    try {
      info = runInfo(JSON.parse(new TextDecoder().decode(text)), '');
    } catch (e) {
      throw libraryError('BAD_MODEL', `The record of run ${id} is damaged: ${why(e)}.`, file);
    }
    if (info.id !== id)
      throw libraryError('BAD_MODEL', `The record in folder ${id} is of run ${info.id}.`, file);
    return info;
  }

  /** The run's events, checked one by one as any event from the worker is. */
  async history(id: string): Promise<TrainingEvent[]> {
    const events = await readHistory(this.dirOf(id), `run ${id}`);
    if (events === null)
      throw libraryError('NOT_FOUND', `Run ${id} is not in the runs folder (was it removed?).`);
    if (events[0]?.type === 'run-started' && events[0].runId !== id)
      throw libraryError('BAD_MODEL', `The history in folder ${id} is of another run.`);
    return events;
  }

  /** Writes a run's record and history (its weights are already there), then trims the list. */
  keep(info: RunInfo, events: readonly TrainingEvent[]): Promise<RunInfo[]> {
    return this.exclusive(async () => {
      const dir = this.dirOf(info.id);
      await mkdir(dir, { recursive: true });
      await writeHistory(dir, events);
      // run.json last: a run is listed only once all of it is on disk.
      await writeFileAtomic(join(dir, RUN_JSON), JSON.stringify(info));
      return this.prune(new Set([info.id]));
    });
  }

  star(id: string, starred: boolean): Promise<RunInfo> {
    return this.exclusive(async () => {
      const info = { ...(await this.info(id)), starred };
      await writeFileAtomic(join(this.dirOf(id), RUN_JSON), JSON.stringify(info));
      return info;
    });
  }

  /** A run's final weights copied out as a tfjs folder or an ONNX file named after the run. */
  exportTo(id: string, folder: string, format: ExportFormat): Promise<ExportResult> {
    // Queued with the other changes, so trimming the list cannot remove the run mid-copy.
    return this.exclusive(async () => {
      const info = await this.info(id);
      if (!info.hasWeights)
        throw libraryError('BAD_REQUEST', 'This run failed, so it has no weights to export.');
      const dir = this.dirOf(id);
      return exportModelFiles(await readModelFolder(dir), dir, runTitle(info), folder, format);
    });
  }

  remove(id: string): Promise<void> {
    return this.exclusive(async () => {
      // A damaged run can be removed too: only its folder has to exist.
      const dir = this.dirOf(id);
      await stat(dir).catch(() => {
        throw libraryError('NOT_FOUND', `Run ${id} is not in the runs folder (was it removed?).`);
      });
      await removeDirAtomic(dir);
    });
  }

  /** Removes unstarred runs beyond the newest RUNS_KEPT (never one in `spare`); returns the rest. */
  private async prune(spare: ReadonlySet<string>): Promise<RunInfo[]> {
    const runs = await this.list();
    const kept: RunInfo[] = [];
    let unstarred = 0;
    for (const run of runs) {
      if (!run.starred) unstarred++;
      if (run.starred || unstarred <= RUNS_KEPT || spare.has(run.id)) kept.push(run);
      else await removeDirAtomic(this.dirOf(run.id));
    }
    return kept;
  }
}

/**
 * The history kept in a run's or a saved model's folder: one run's events, each checked as any
 * event from the worker is; null when the folder has none (a model saved before runs were kept).
 */
export async function readHistory(dir: string, what: string): Promise<TrainingEvent[] | null> {
  const file = join(dir, HISTORY_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await readBounded(file, MAX_HISTORY_BYTES, what);
  } catch (e) {
    if ((e as EnvelopeError).envelope?.code === 'NOT_FOUND') return null;
    throw e;
  }
  try {
    const events = history(decode(bytes), 'history');
    const first = events[0];
    if (first?.type !== 'run-started')
      throw new ValidationError('history', 'does not start with the run starting');
    if (events.some((e) => 'runId' in e && e.runId !== first.runId))
      throw new ValidationError('history', 'holds events of more than one run');
    return events;
  } catch (e) {
    throw libraryError('BAD_MODEL', `The history of ${what} is damaged: ${why(e)}.`, file);
  }
}

/** Writes one run's events beside its weights (atomically). */
export async function writeHistory(dir: string, events: readonly TrainingEvent[]): Promise<void> {
  await writeFileAtomic(join(dir, HISTORY_FILE), encode(events));
}

async function readBounded(file: string, max: number, what: string): Promise<Uint8Array> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw libraryError('NOT_FOUND', `${what} has no ${basename(file)}.`);
    throw e;
  }
  if (size > max)
    throw libraryError('BAD_MODEL', `A file of ${what} is too large (${size} bytes).`, file);
  return readFile(file);
}

const why = (e: unknown): string =>
  e instanceof ValidationError || e instanceof WireError || e instanceof SyntaxError
    ? e.message
    : String(e);
