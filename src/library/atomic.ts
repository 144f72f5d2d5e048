// Crash-safe folder writes. A model (or checkpoint) folder is written whole into a temporary
// sibling, flushed, and swapped into place with renames:
//
//   1. write   <parent>/.<name>.tmp-<pid>-XXXXXX/{files}      (fsync each file and the folder)
//   2. rename  <parent>/<name>  ->  <parent>/.<name>.old-<pid>-<time>   (only if it exists)
//   3. rename  the temporary folder  ->  <parent>/<name>
//   4. remove  the .old- folder
//
// A crash at any moment leaves the old folder or the new one under a name recoverDir() can put
// right: after 2 and before 3 the target is missing and the .old- folder is the previous model,
// which recovery renames back; after 3 the .old- folder is just garbage. Leftovers of a live
// process (the pid is in the name) are never touched, so recovery can run while another thread
// or process is saving.
import * as fsp from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** The file operations used here; tests substitute failing ones. */
export type FsOps = Pick<
  typeof fsp,
  'mkdir' | 'mkdtemp' | 'writeFile' | 'rename' | 'rm' | 'stat' | 'readdir' | 'open'
>;
export const realFs: FsOps = fsp;

export interface AtomicOptions {
  fs?: FsOps;
  /** Whether the process that left a temporary folder still runs (default: signal 0). */
  isAlive?: (pid: number) => boolean;
}

export interface DirFile {
  name: string;
  data: Uint8Array | string;
}

const TMP = '.tmp-';
const OLD = '.old-';
const DEL = '.del-';
/** `.<name>.tmp-<pid>-<6 random>` (mkdtemp), `.<name>.old-<pid>-<ms>` or `.<name>.del-<pid>-<ms>`. */
const LEFTOVER = /^\.(.+)\.(tmp|old|del)-(\d+)-([A-Za-z0-9]+)$/;

/**
 * The path a user knows for `path`: a temporary name of ours (`.<name>.tmp-…` or
 * `<file>.tmp-<pid>-<ms>`) means nothing to them, so it becomes the folder it was made in.
 */
export function userPath(path: string): string {
  const name = basename(path);
  return LEFTOVER.test(name) || /\.tmp-\d+-\d+$/.test(name) ? dirname(path) : path;
}

export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

const exists = (fs: FsOps, path: string): Promise<boolean> =>
  fs.stat(path).then(
    () => true,
    () => false,
  );

/** fsync a folder so renames and new entries in it survive a power cut (a no-op where unsupported). */
async function syncDir(fs: FsOps, dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open folders; there the renames are still atomic, just not fsynced.
  } finally {
    await handle?.close().catch(() => {});
  }
}

/**
 * Writes `files` as the folder `target`, replacing what was there atomically. With `exclusive`
 * an existing target is an EEXIST error instead. Returns the absolute folder and the bytes written.
 */
export async function writeDirAtomic(
  target: string,
  files: readonly DirFile[],
  options: AtomicOptions & { exclusive?: boolean } = {},
): Promise<{ dir: string; bytes: number }> {
  const fs = options.fs ?? realFs;
  const dir = resolve(target);
  const parent = dirname(dir);
  await fs.mkdir(parent, { recursive: true });
  await recoverDir(dir, options); // settle what an earlier crash left before adding to it
  if (options.exclusive && (await exists(fs, dir)))
    throw Object.assign(new Error(`${dir} already exists`), { code: 'EEXIST' });
  const tmp = await fs.mkdtemp(join(parent, `.${basename(dir)}${TMP}${process.pid}-`));
  let bytes = 0;
  try {
    for (const f of files) {
      await fs.writeFile(join(tmp, f.name), f.data, { flush: true });
      bytes += typeof f.data === 'string' ? Buffer.byteLength(f.data) : f.data.byteLength;
    }
    await syncDir(fs, tmp);
    await swapIn(fs, tmp, dir);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw e;
  }
  await syncDir(fs, parent);
  return { dir, bytes };
}

/** Steps 2–4. If step 3 fails the old folder is put back before the error goes on. */
async function swapIn(fs: FsOps, from: string, to: string): Promise<void> {
  if (!(await exists(fs, to))) return fs.rename(from, to);
  const old = join(dirname(to), `.${basename(to)}${OLD}${process.pid}-${Date.now()}`);
  await fs.rename(to, old);
  try {
    await fs.rename(from, to);
  } catch (e) {
    await fs.rename(old, to).catch(() => {}); // if even this fails, recoverDir() will
    throw e;
  }
  await fs.rm(old, { recursive: true, force: true }).catch(() => {});
}

interface Leftover {
  path: string;
  /** tmp: an unfinished write; old: the previous copy during a swap; del: being deleted. */
  kind: 'tmp' | 'old' | 'del';
  pid: number;
  /** For .old- folders: when the swap started, so the newest wins. */
  time: number;
}

function leftoversOf(entries: readonly string[], parent: string, name: string): Leftover[] {
  const out: Leftover[] = [];
  for (const entry of entries) {
    const m = LEFTOVER.exec(entry);
    if (!m || m[1] !== name) continue;
    const kind = m[2] as Leftover['kind'];
    const time = kind === 'old' && /^\d+$/.test(m[4]!) ? Number(m[4]) : 0;
    out.push({ path: join(parent, entry), kind, pid: Number(m[3]), time });
  }
  return out;
}

/**
 * Puts `target` right after a crash: restores the newest .old- copy if the target is missing,
 * then removes the remaining temporary and .old- folders. Folders of live processes are left
 * alone. Returns true if it restored an old copy.
 */
export async function recoverDir(target: string, options: AtomicOptions = {}): Promise<boolean> {
  const fs = options.fs ?? realFs;
  const isAlive = options.isAlive ?? processAlive;
  const dir = resolve(target);
  const parent = dirname(dir);
  let entries: string[];
  try {
    entries = await fs.readdir(parent);
  } catch {
    return false; // no parent folder: nothing was ever written
  }
  const dead = leftoversOf(entries, parent, basename(dir)).filter((l) => !isAlive(l.pid));
  let restored = false;
  const olds = dead.filter((l) => l.kind === 'old').sort((a, b) => b.time - a.time);
  if (olds.length > 0 && !(await exists(fs, dir))) {
    await fs.rename(olds[0]!.path, dir);
    olds.shift();
    restored = true;
  }
  for (const l of [...olds, ...dead.filter((d) => d.kind !== 'old')])
    await fs.rm(l.path, { recursive: true, force: true });
  return restored;
}

/**
 * Deletes the folder `target` so that it is gone at once: renamed to a .del- name first (one
 * atomic step), then removed. A crash during the removal leaves only the .del- folder, which
 * recovery removes and never restores.
 */
export async function removeDirAtomic(target: string, options: AtomicOptions = {}): Promise<void> {
  const fs = options.fs ?? realFs;
  const dir = resolve(target);
  const doomed = join(dirname(dir), `.${basename(dir)}${DEL}${process.pid}-${Date.now()}`);
  await fs.rename(dir, doomed);
  await fs.rm(doomed, { recursive: true, force: true });
}

/** Replaces one file atomically: a temporary file beside it, flushed, then renamed over it. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicOptions = {},
): Promise<void> {
  const fs = options.fs ?? realFs;
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await fs.writeFile(tmp, data, { flush: true });
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

/**
 * Writes a new file atomically (temporary file beside it, flushed, renamed into place). An
 * existing file is an EEXIST error, never replaced: exports do not overwrite the user's files.
 */
export async function atomicNewFile(
  path: string,
  data: Uint8Array,
  options: AtomicOptions = {},
): Promise<void> {
  const fs = options.fs ?? realFs;
  await fs.mkdir(dirname(path), { recursive: true });
  if (await exists(fs, path))
    throw Object.assign(new Error(`${path} already exists`), { code: 'EEXIST' });
  await writeFileAtomic(path, data, options);
}

/** recoverDir() for every folder in `parent` that has leftovers (the models folder on listing). */
export async function recoverAll(parent: string, options: AtomicOptions = {}): Promise<void> {
  const fs = options.fs ?? realFs;
  let entries: string[];
  try {
    entries = await fs.readdir(parent);
  } catch {
    return;
  }
  const names = new Set<string>();
  for (const e of entries) {
    const m = LEFTOVER.exec(e);
    if (m) names.add(m[1]!);
  }
  for (const name of names) await recoverDir(join(parent, name), options);
}

/** True for names our writers use for temporary folders: never listed as models. */
export const isWorkName = (entry: string): boolean => entry.startsWith('.');
