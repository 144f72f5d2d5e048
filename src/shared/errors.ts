// Errors cross every boundary (worker -> main -> renderer) as this plain envelope, never as Error objects.

/** Every error code, in one list read by the types and the guards. */
export const ERROR_CODES = [
  'BAD_REQUEST', // a message that failed validation
  'BAD_CONFIG', // training settings out of range
  'BAD_DATA', // a dataset file is missing, truncated or corrupted
  'BAD_MODEL', // a model file is missing, tampered or the wrong shape
  'BUSY', // a run is already in progress
  'NOT_RUNNING', // pause/resume/stop with no run
  'NO_MODEL', // predict before any weights exist
  'NON_FINITE_LOSS', // training diverged
  'ENGINE', // the requested engine cannot load
  'WORKER_CRASHED', // the training thread died
  'STORAGE', // a file could not be written or read: a full disk, no permission
  'NAME_TAKEN', // a model (or exported folder) of that name already exists
  'NOT_FOUND', // no model of that name, or no checkpoint to resume
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorEnvelope {
  code: ErrorCode;
  message: string;
  /** Optional technical detail (file name, stack head) for the error panel's "details". */
  detail?: string;
}

/** Longest message and detail an envelope carries (the guards refuse longer ones). */
export const MAX_ERROR_MESSAGE = 4000;
export const MAX_ERROR_DETAIL = 20_000;

/** What a thrown value says: an Error's message, anything else as text. */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Cut at `max` characters, ending in "…", never inside a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1).replace(/[\ud800-\udbff]$/, '')}…`;
}

/**
 * Long texts (a 5 000-character layer name quoted in a message) are cut here, where errors are
 * made: an envelope that failed the guards on its way out was dropped, and its request was never
 * answered.
 */
export function envelope(code: ErrorCode, message: string, detail?: string): ErrorEnvelope {
  const m = clip(message, MAX_ERROR_MESSAGE);
  return detail === undefined
    ? { code, message: m }
    : { code, message: m, detail: clip(detail, MAX_ERROR_DETAIL) };
}

/** An Error carrying the envelope that crosses back to the caller as it is. */
export class EnvelopeError extends Error {
  constructor(readonly envelope: ErrorEnvelope) {
    super(envelope.message);
    this.name = 'EnvelopeError';
  }
}
