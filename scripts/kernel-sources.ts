// The C kernels' sources and their hash, shared by the build (scripts/build-kernels.ts) and the
// unit test that checks the committed WebAssembly was built from the committed sources.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** The *.c and *.h files in `dir`, in name order. */
export function kernelSources(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.c') || f.endsWith('.h'))
    .sort()
    .map((f) => join(dir, f));
}

/** SHA-256 over each source's file name and text, in order. */
export function sourcesHash(paths: string[]): string {
  const hash = createHash('sha256');
  for (const path of paths) hash.update(`${basename(path)}\n`).update(readFileSync(path));
  return hash.digest('hex');
}
