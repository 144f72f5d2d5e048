// The one error src/engine throws on purpose: an engine that was asked for cannot be used.
import { errorText } from '../shared/errors.ts';

/** code 'ENGINE' matches ErrorCode in src/shared/errors.ts, so callers can envelope it as is. */
export class EngineError extends Error {
  readonly code = 'ENGINE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
  }
}

/** First line of an error's message, short enough for a status line. */
export function briefly(e: unknown): string {
  const line = errorText(e).split('\n', 1)[0]?.trim() ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
