// The Draw tab's single-key shortcuts (C/Delete clear the pad, 0–9 keep the drawing) act only
// when the tab is on screen, with no modifier held, and never while the learner types in a field.

const TYPING = 'input, textarea, select, [contenteditable=""], [contenteditable="true"]';

/** Whether `e` is a plain key press meant for the pad rather than for a field or the browser. */
export function isPadKey(e: KeyboardEvent, active: boolean): boolean {
  if (!active || e.ctrlKey || e.metaKey || e.altKey) return false;
  return !(e.target as HTMLElement | null)?.closest(TYPING);
}
