// Errors cross every boundary (worker -> main -> renderer) as this plain envelope, never as Error objects.

export type ErrorCode =
  | 'BAD_REQUEST' // a message that failed validation
  | 'BAD_CONFIG' // training settings out of range
  | 'BAD_DATA' // a dataset file is missing, truncated or corrupted
  | 'BAD_MODEL' // a model file is missing, tampered or the wrong shape
  | 'BUSY' // a run is already in progress
  | 'NOT_RUNNING' // pause/resume/stop with no run
  | 'NO_MODEL' // predict before any weights exist
  | 'NON_FINITE_LOSS' // training diverged
  | 'ENGINE' // the requested engine cannot load
  | 'WORKER_CRASHED' // the training thread died
  | 'STORAGE' // a file could not be written or read: a full disk, no permission
  | 'NAME_TAKEN' // a model (or exported folder) of that name already exists
  | 'NOT_FOUND' // no model of that name, or no checkpoint to resume
  | 'INTERNAL';

export interface ErrorEnvelope {
  code: ErrorCode;
  message: string;
  /** Optional technical detail (file name, stack head) for the error panel's "details". */
  detail?: string;
}

export function envelope(code: ErrorCode, message: string, detail?: string): ErrorEnvelope {
  return detail === undefined ? { code, message } : { code, message, detail };
}
