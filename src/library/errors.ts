// File-system failures as envelopes a user can act on: a full disk, a read-only folder, a missing
// file. Used by the host (library operations) and the worker (saving, checkpoints) alike.
import { basename } from 'node:path';
import { EnvelopeError, envelope, type ErrorEnvelope } from '../shared/errors.ts';
import { userPath } from './atomic.ts';
import { ModelFileError } from './model-files.ts';

export const libraryError = (
  code: ErrorEnvelope['code'],
  message: string,
  detail?: string,
): EnvelopeError => new EnvelopeError(envelope(code, message, detail));

/** Where permission was denied, as the user knows it: never one of our temporary names. */
function denied(where: string | undefined): string {
  if (where === undefined) return '';
  const path = userPath(where);
  return path === where ? ` for ${basename(where)}` : `: CNN Studio may not write in ${path}`;
}

/**
 * `doing` completes "Could not … ", e.g. `save the model "digits"`. `unchanged` is appended when
 * the operation is atomic, e.g. "The previous copy is unchanged."
 */
export function storageError(e: unknown, doing: string, unchanged = ''): ErrorEnvelope {
  if (e instanceof EnvelopeError) return e.envelope;
  if (e instanceof ModelFileError)
    return envelope('BAD_MODEL', `Could not ${doing}: ${e.problem}.`, e.file);
  const err = e as NodeJS.ErrnoException;
  const where = typeof err.path === 'string' ? err.path : undefined;
  const tail = unchanged ? ` ${unchanged}` : '';
  switch (err.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return envelope(
        'STORAGE',
        `Could not ${doing}: the disk is full. Free some space and try again.${tail}`,
        where ?? err.message,
      );
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return envelope(
        'STORAGE',
        `Could not ${doing}: permission denied${denied(where)}.${tail}`,
        where === undefined ? err.message : userPath(where),
      );
    case 'ENAMETOOLONG':
      return envelope('STORAGE', `Could not ${doing}: the path is too long.${tail}`, where);
    case 'EIO':
      return envelope(
        'STORAGE',
        `Could not ${doing}: the disk reported an I/O error.${tail}`,
        where,
      );
    default:
      return envelope(
        'STORAGE',
        `Could not ${doing}: ${err?.message ?? String(e)}${tail ? `.${tail}` : ''}`,
        where,
      );
  }
}
