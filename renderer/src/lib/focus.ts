// Where keyboard focus goes after the models panel changes under it: a row that closed its form,
// the row that took a deleted one's place, or the name field. Rows are found by their model name,
// since a rename or a refresh replaces their elements.

function row(name: string): HTMLElement | undefined {
  return [...document.querySelectorAll<HTMLElement>('[data-testid="model-row"]')].find(
    (r) => r.dataset.name === name,
  );
}

/** Focuses the button `testId` of `name`'s row, or the name field when the row is gone. */
export function focusModelRow(name: string, testId: string): void {
  const target = row(name)?.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
  if (target) target.focus();
  else focusSaveName();
}

/** The save field, its text selected so typing replaces it. */
export function focusSaveName(): void {
  const input = document.querySelector<HTMLInputElement>('[data-testid="model-name"]');
  input?.focus();
  input?.select();
}

/** `{@attach focusOnOpen}`: the safer answer of a question takes focus when it appears. */
export function focusOnOpen(element: HTMLElement): void {
  element.focus();
}
