// The dataset the worker trains on: the bundled MNIST or a folder the learner picked, read once and
// kept; its class names come from an optional labels.txt beside the files. Says which it is with
// a `dataset` event whenever that changes, so every window shows the same choice.
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DataError } from '../data/idx.ts';
import { loadMnist, type MnistData } from '../data/mnist.ts';
import { BUNDLED, CLASS_NAME_MAX, NUM_CLASSES, type DatasetInfo } from '../shared/dataset.ts';
import { EnvelopeError, envelope } from '../shared/errors.ts';
import type { TrainingEvent } from '../shared/events.ts';

export const LABELS_TXT = 'labels.txt';
const MAX_LABELS_BYTES = 64 * 1024;

type Loaded = { data: MnistData; info: DatasetInfo };

export class DataSource {
  private loaded: Promise<Loaded> | null = null;
  private current: DatasetInfo | null = null;

  constructor(
    private dir: string | null,
    private readonly emit: (event: TrainingEvent) => void,
  ) {}

  /** The dataset read last, or null before it has been. */
  get info(): DatasetInfo | null {
    return this.current;
  }

  /** The data, read once; a bad file is a BAD_DATA envelope naming it (and is read again next time). */
  async data(): Promise<MnistData> {
    const first = this.loaded === null;
    const loading = (this.loaded ??= readDataset(this.dir));
    try {
      const { data, info } = await loading;
      // Announced once, and only if no other data was chosen while this was being read.
      if (first && this.loaded === loading) this.announce(info);
      return data;
    } catch (e) {
      if (this.loaded === loading) this.loaded = null; // let the user fix the files and retry
      throw asEnvelope(e);
    }
  }

  /** Switches to the data in `dir` (null: the bundled MNIST) once it has been read and checked. */
  async use(dir: string | null): Promise<DatasetInfo> {
    let next: Loaded;
    try {
      next = await readDataset(dir);
    } catch (e) {
      throw asEnvelope(e); // the current dataset stays
    }
    this.dir = dir;
    this.loaded = Promise.resolve(next);
    this.announce(next.info);
    return next.info;
  }

  private announce(info: DatasetInfo): void {
    this.current = info;
    this.emit({ type: 'dataset', dataset: info });
  }
}

async function readDataset(dir: string | null): Promise<Loaded> {
  const data = await loadMnist(dir);
  const classNames = dir === null ? [...BUNDLED.classNames] : await readClassNames(data.source);
  return {
    data,
    info: {
      name: dir === null ? BUNDLED.name : basename(data.source),
      folder: dir === null ? null : data.source,
      classNames,
      trainCount: data.train.count,
      testCount: data.test.count,
    },
  };
}

/** labels.txt: one class name per line, in label order; absent, the labels are the digits. */
export async function readClassNames(folder: string): Promise<string[]> {
  const file = join(folder, LABELS_TXT);
  let text: string;
  try {
    if ((await stat(file)).size > MAX_LABELS_BYTES)
      throw new DataError(file, 'length', `is larger than ${MAX_LABELS_BYTES} bytes`);
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [...BUNDLED.classNames];
    if (e instanceof DataError) throw e;
    throw new DataError(file, 'unreadable', `could not be read (${(e as Error).message})`);
  }
  const names = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (names.length !== NUM_CLASSES)
    throw new DataError(
      file,
      'count-mismatch',
      `names ${names.length} classes, one per line; the labels are 0–${NUM_CLASSES - 1}, so it needs exactly ${NUM_CLASSES}`,
    );
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  const bad = names.findIndex((n) => n.length > CLASS_NAME_MAX || /[\u0000-\u001f\u007f]/.test(n));
  if (bad >= 0)
    throw new DataError(
      file,
      'label-range',
      `line ${bad + 1} is not a class name of at most ${CLASS_NAME_MAX} printable characters`,
    );
  return names;
}

function asEnvelope(e: unknown): unknown {
  if (e instanceof DataError) return new EnvelopeError(envelope('BAD_DATA', e.message, e.file));
  return e;
}
