// Escape closes the innermost open thing first (a dialog, an edit, a detail), and only when nothing
// is open does it mean "stop the run". Whatever can be closed registers itself while it is open,
// with the `closesOnEscape` attachment; the one window-level key handler asks `closeInnermost`.
import type { Attachment } from 'svelte/attachments';

const open: (() => void)[] = [];

/** Registers `close` until `unregister` is called. The newest registration is the innermost. */
export function onEscape(close: () => void): () => void {
  open.push(close);
  return () => {
    const i = open.lastIndexOf(close);
    if (i >= 0) open.splice(i, 1);
  };
}

/** Closes the innermost open thing; false when nothing was open. */
export function closeInnermost(): boolean {
  const close = open.pop();
  if (close === undefined) return false;
  close();
  return true;
}

/** `{@attach closesOnEscape(() => (editing = null))}` on the element that is open. */
export function closesOnEscape(close: () => void): Attachment {
  return () => onEscape(close);
}
