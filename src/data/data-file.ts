// Reading one data file from a folder, raw or gzipped, with every failure a DataError that
// names the file. Nothing here reads more than a dataset can hold: a raw file's size is checked
// before it is read, and a gzipped file is unpacked as a stream whose IDX header is checked
// first, so a 1 MB gzip bomb stops after its first 16 bytes, not after gigabytes.
//
//   readDataFile(dir, name, kind): Promise<{ path; bytes }>
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { errorText } from '../shared/errors.ts';
import { DataError, idxLayout, type IdxKind, type IdxLayout } from './idx.ts';

/** The most an unpacked data file may hold: MNIST's largest is 47 MB. */
export const MAX_DATA_BYTES = 128 * 1024 * 1024;
const MAX_MB = MAX_DATA_BYTES / 1024 / 1024;

export const errorCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;

export function unreadable(path: string, e: unknown): DataError {
  const problem =
    errorCode(e) === 'EISDIR'
      ? 'is a folder, not a file'
      : errorCode(e) === 'EACCES' || errorCode(e) === 'EPERM'
        ? 'permission denied: the file exists but cannot be read'
        : `could not be read (${errorText(e)})`;
  return new DataError(path, 'unreadable', problem);
}

const tooBig = (path: string, what: string): DataError =>
  new DataError(
    path,
    'length',
    `${what} more than ${MAX_MB} MB, more than any dataset CNN Studio reads`,
  );

/** readFile, but only of a regular file of a sane size: a FIFO or a device would never end. */
async function readRegularFile(path: string): Promise<Buffer> {
  const info = await stat(path);
  if (!info.isFile())
    throw new DataError(
      path,
      'unreadable',
      'is not a regular file (a folder, pipe or device); choose the data file itself',
    );
  if (info.size > MAX_DATA_BYTES) throw tooBig(path, 'the file holds');
  return readFile(path);
}

/** Reads `name` from `dir`, raw or gzipped. Resolves to the path read and its decoded bytes. */
export async function readDataFile(
  dir: string,
  name: string,
  kind: IdxKind,
): Promise<{ path: string; bytes: Buffer }> {
  const raw = join(dir, name);
  try {
    return { path: raw, bytes: await readRegularFile(raw) };
  } catch (e) {
    if (e instanceof DataError) throw e;
    if (errorCode(e) !== 'ENOENT') throw unreadable(raw, e);
  }
  const gz = `${raw}.gz`;
  let packed: Buffer;
  try {
    packed = await readRegularFile(gz);
  } catch (e) {
    if (e instanceof DataError) throw e;
    if (errorCode(e) !== 'ENOENT') throw unreadable(gz, e);
    throw new DataError(
      raw,
      'missing',
      `file not found in ${dir} (looked for ${name} and ${name}.gz)`,
    );
  }
  return { path: gz, bytes: await gunzipIdx(packed, gz, kind) };
}

/**
 * Unpacks a gzipped IDX file chunk by chunk. Once the header has arrived it fixes the size the
 * file must have, and unpacking stops at the first byte past it.
 */
function gunzipIdx(packed: Buffer, path: string, kind: IdxKind): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip();
    const chunks: Buffer[] = [];
    let size = 0;
    let layout: IdxLayout | null = null;
    const fail = (e: DataError): void => {
      gunzip.destroy();
      reject(e);
    };
    gunzip.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      try {
        if (layout === null && size >= (kind === 'images' ? 16 : 8)) {
          layout = idxLayout(Buffer.concat(chunks), path, kind);
          if (layout.totalBytes > MAX_DATA_BYTES)
            return fail(tooBig(path, `its header promises ${layout.count} ${kind}, which is`));
        }
        if (size > (layout?.totalBytes ?? MAX_DATA_BYTES)) return fail(overlong(path, layout));
      } catch (e) {
        fail(e as DataError);
      }
    });
    gunzip.on('end', () => resolve(Buffer.concat(chunks, size)));
    gunzip.on('error', (e) =>
      reject(
        new DataError(
          path,
          'gzip',
          `is not a valid gzip file (${errorText(e)}); the download may be incomplete or ` +
            `corrupted, so fetch it again`,
        ),
      ),
    );
    gunzip.end(packed);
  });
}

function overlong(path: string, layout: IdxLayout | null): DataError {
  if (layout === null) return tooBig(path, 'it unpacks to');
  const { count, totalBytes } = layout;
  return new DataError(
    path,
    'length',
    `it unpacks to more than the ${totalBytes} bytes its header promises (${count} items): ` +
      `unexpected extra bytes at the end (is it corrupted or from another data set?)`,
  );
}
