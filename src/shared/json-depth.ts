// How deep JSON text nests, counted on the text itself: no recursion, so a 10 000-deep array costs
// a loop, not a stack overflow in whatever walks the parsed value next (JSON.stringify, a guard).
// Every JSON that crosses a boundary (model.json, checkpoint.json) is measured before it is parsed;
// WebSocket frames are MessagePack, measured by src/wire/codec.ts. Imports nothing.

/** Deeper than any message or model file of ours (a tfjs model.json nests about 12 levels). */
export const MAX_JSON_DEPTH = 100;

/** True when arrays and objects in `text` nest deeper than `limit` (strings are skipped). */
export function nestsDeeperThan(text: string, limit: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** A short description of any value for a message, never recursing into it. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v).slice(0, 40)}`;
}
